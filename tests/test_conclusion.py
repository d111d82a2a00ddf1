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
    q2 = {"nets": [], "all_fail": True, "stuck_any": True, "others": list(others)}
    return [{"question": 1, "facts": q1}, {"question": 2, "facts": q2}, {"question": 4, "facts": {}}]


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
    assert "No other network in this report ends with a lower test error than the chosen one." in text
    assert "5.0% test error" in text and "the weights do not move at all" in text


def test_no_conclusion_without_facts():
    assert conclusion_facts([{"question": 1, "facts": {}}])["questions"] == []
