"""The report's tables, drawn from the studies: formatted values, and headers as the reader sees them."""

import pandas as pd


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
