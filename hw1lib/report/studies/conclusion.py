"""The Conclusion's facts, gathered when the report is merged from what each question published.

Each notebook publishes a few facts with its first-page line (``firstpage.publish(..., facts=)``):
question 1 its two networks, and every question the other networks it trained, each as
``{"question", "kind", "test", "low", "high"}`` (the mean test error over seeds and its range).
``conclusion_facts`` adds one thing no single question knows: which of those networks beat the
chosen one on the test set, and whether every seed says so.
"""

# A random initialisation "beats" the one designed for the units when its mean test error is this much lower.
BETTER_INIT = 0.02


def compared(question, kind, spread, **more):
    """One network a question trained besides the chosen one, as the Conclusion compares it."""
    return {"question": question, "kind": kind, "test": spread.mean, "low": spread.low, "high": spread.high, **more}


def init_conclusion(study, facts):
    """Question 2's facts for the Conclusion: how each network did from zero and from random weights, and the
    chosen network (the last) from every random initialisation other than its own."""
    main = study.activations[-1]
    others = [
        compared(2, "init", main.final(init), init=main.runs[init].config.init_label(), label=facts["main"]["label"])
        for init in main.runs
        if init not in ("zero", main.reference)
    ]
    keys = ("label", "stuck", "zero_outcome", "zero_test", "reference", "reference_test")
    better_inits = []  # a random initialisation that beat the one designed for the units, by BETTER_INIT
    for a, n in zip(study.activations, facts["nets"], strict=True):
        best = min((init for init in a.runs if init != "zero"), key=lambda init: a.final(init).mean)
        gap = a.final(a.reference).mean - a.final(best).mean
        if best != a.reference and gap >= BETTER_INIT:
            better_inits.append(
                {
                    "label": n["label"],
                    "init": a.runs[best].config.init_label(),
                    "test": a.final(best).mean,
                    "reference": n["reference"],
                    "reference_test": n["reference_test"],
                    "clearly": not study.ties(a, best, a.reference),
                }
            )
    return {
        "better_inits": better_inits,
        "nets": [{key: n[key] for key in keys} for n in facts["nets"]],
        "all_fail": facts["all_fail"],
        "stuck_any": facts["stuck_any"],
        "others": others,
    }


def conclusion_facts(published):
    """{q1: ..., q2: ..., ...} from the payloads ``published`` (firstpage.collect), plus ``beaten_by``: the
    networks of any question with a lower mean test error than question 1's chosen one, each with
    ``clearly`` (every seed below every seed of the chosen network)."""
    facts = {f"q{p['question']}": p.get("facts", {}) for p in published if p.get("facts")}
    chosen = facts.get("q1", {}).get("chosen")
    beaten_by = []
    if chosen:
        for q in facts.values():
            for other in q.get("others", ()):
                if other["test"] < chosen["test"]:
                    beaten_by.append({**other, "clearly": other["high"] < chosen["test_low"]})
        latent = facts.get("q3")
        if latent and latent["latent_error"] < chosen["test"]:  # question 3 compares its seeds itself
            beaten_by.append(
                {
                    "question": 3,
                    "kind": "latent",
                    "test": latent["latent_error"],
                    "clearly": latent["comparison"] == "latent_ahead",
                }
            )
    return {**facts, "beaten_by": sorted(beaten_by, key=lambda o: o["test"]), "questions": sorted(facts)}
