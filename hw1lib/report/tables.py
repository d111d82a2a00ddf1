"""The report's tables, drawn from the studies: formatted values, and headers as the reader sees them."""

import pandas as pd

from .escape import html_table


def init_table(study):
    """Question 2's final error rates by initialiser (rows) and activation (column groups): mean and range
    over seeds."""
    data = {}
    for activation in study.activations:
        for init, repeated in activation.runs.items():
            row = data.setdefault(repeated.config.init_label(), {})
            broken = " (diverged)" if repeated.diverged else ""
            row[(activation.label, "training error")] = activation.final(init, "train_error").percent() + broken
            row[(activation.label, "test error")] = activation.final(init).percent() + broken
    frame = pd.DataFrame.from_dict(data, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    frame.index.name = "initialisation"
    return frame


def pairs_table(facts, columns):
    """Question 4's table of the pairs of classes confused most (``facts["pairs"]``), under the headers
    ``columns`` (six, in the template's words): both classes, each direction, both together, their share
    of all mistakes, and the correlation of the two classes' mean training images with its rank."""
    rows = [
        dict(
            zip(
                columns,
                (
                    f"{p['a']}, {p['b']}",
                    p["a_as_b"],
                    p["b_as_a"],
                    p["images"],
                    f"{100 * p['share']:.1f}%",
                    f"{p['correlation']:.2f} ({p['rank']})",
                ),
                strict=True,
            )
        )
        for p in facts["pairs"]
    ]
    return html_table(pd.DataFrame(rows, columns=list(columns)).style.hide(axis="index"))
