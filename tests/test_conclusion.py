"""The Conclusion: gathered from the facts each question published, and worded by its template."""

from hw1lib.report.studies.conclusion import conclusion_facts
from hw1lib.report.text import render


def net(label, test, low, high, **more):
    return {"label": label, "test": test, "test_low": low, "test_high": high, "train": 0.0, "gap": test, **more}


def published(chosen=(0.05, 0.045, 0.055), others=()):
    q1 = {
        "tie": False,
        "ahead_by": 0.2,
        "seeds": 3,
        "epochs": 7,
        "explain_stall": True,
        "best_role": "chosen",
        "chosen": net("leaky ReLU", *chosen, loss_start="at_once", fits_training=False),
        "sigmoid": net("sigmoid", 0.3, 0.2, 0.4, loss_start="late", fits_training=False),
        "others": [{"question": 1, "kind": "sigmoid", "test": 0.3, "low": 0.2, "high": 0.4, "label": "sigmoid"}],
    }
    q2 = {"nets": [], "all_fail": True, "stuck_any": True, "others": list(others), "better_inits": []}
    return [{"question": 1, "facts": q1}, {"question": 2, "facts": q2}, {"question": 4, "facts": {}}]


Q3 = {
    "spread_apart": True,
    "knn_start": 0.8,
    "knn_end": 0.15,
    "separated": True,
    "directed_end": 10,
    "classes": 10,
    "latent_error": 0.18,
    "chosen_error": 0.05,
}
Q4 = {
    "wrong": 61,
    "numbered": True,
    "worst_class": "5",
    "hardest": False,
    "top_pair": ["7", "9"],
    "top_pair_images": 12,
    "balanced": False,
    "size_strength": "weak",
    "size_direction": "larger_better",
    "size_clear": False,
    "similarity_strength": "moderate",
}


def test_a_network_that_beats_the_chosen_one_is_named():
    xavier = {"question": 2, "kind": "init", "init": "Xavier", "label": "leaky ReLU", "test": 0.04, "low": 0.038}
    facts = conclusion_facts(published(others=[{**xavier, "high": 0.042}]))
    assert facts["questions"] == ["q1", "q2"] and [o["init"] for o in facts["beaten_by"]] == ["Xavier"]
    assert facts["beaten_by"][0]["clearly"]
    text = render("conclusion", "body", facts)
    assert "The chosen network is not the best here." in text and "Xavier initialisation" in text
    assert "below the chosen network on every seed" in text and "No other network" not in text
    overlapping = conclusion_facts(published(others=[{**xavier, "high": 0.05}]))
    assert not overlapping["beaten_by"][0]["clearly"]
    assert "though the seeds overlap" in render("conclusion", "body", overlapping)


def test_no_network_beats_the_chosen_one():
    facts = conclusion_facts(published())
    assert facts["beaten_by"] == []
    text = render("conclusion", "body", facts)
    assert "not the best" not in text
    assert "5.0% test error" in text and "the weights do not move at all" in text


def test_no_conclusion_without_facts():
    assert conclusion_facts([{"question": 1, "facts": {}}])["questions"] == []


def test_questions_3_and_4_in_the_conclusion():
    payloads = [
        *published()[:2],
        {"question": 3, "facts": {**Q3, "comparison": "chosen_ahead"}},
        {"question": 4, "facts": Q4},
    ]
    text = render("conclusion", "body", conclusion_facts(payloads))
    assert "The narrow layer costs accuracy, 18.0% test error against 5.0% without it" in text
    assert "classes 7 and 9 account for 12 of the 61 mistakes of the run question 4 draws." in text
    assert "the larger ones tend to err less, but with ten classes the link may be chance" in text
    balanced = render(
        "conclusion", "body", conclusion_facts([*payloads[:3], {"question": 4, "facts": {**Q4, "balanced": True}}])
    )
    assert "unbalanced" not in balanced


def test_a_two_unit_network_that_beats_the_chosen_one_is_named():
    beating = {**Q3, "latent_error": 0.04, "comparison": "latent_ahead"}
    facts = conclusion_facts([*published()[:2], {"question": 3, "facts": beating}])
    assert [o["kind"] for o in facts["beaten_by"]] == ["latent"] and facts["beaten_by"][0]["clearly"]
    text = render("conclusion", "body", facts)
    assert "The network of question 3, with its two-unit layer, ends at 4.0% test error, below the chosen" in text


def test_an_initialisation_better_than_the_one_given_is_named():
    payloads = published()
    better = {"label": "sigmoid", "init": "He", "test": 0.164, "reference": "Xavier", "reference_test": 0.328}
    payloads[1]["facts"]["better_inits"] = [{**better, "clearly": False}]
    text = render("conclusion", "body", conclusion_facts(payloads))
    assert (
        "The sigmoid network did better from He weights, at 16.4%, than from the Xavier weights it was given, at "
        "32.8%, so part of question 1's gap between its two networks comes from the initialisation, although the "
        "seeds overlap." in text
    )
