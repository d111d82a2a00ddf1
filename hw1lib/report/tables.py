"""The report's tables, drawn from the studies: formatted values, and headers as the reader sees them."""

import pandas as pd

from .escape import html_table
from .text.filters import percent


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


def latent_table(facts):
    """Question 3's stages (rows; a Styler with escaped cells), read from its facts: the network's test error,
    the plane's 5-NN error, the radius holding most points, the panel's half-width, the classes with a
    direction, and the narrowest angle between neighbours."""
    rows = []
    for stage in facts["stages"]:
        narrowest = stage["narrowest"]
        rows.append(
            {
                "stage": stage["name"],
                "update": f"{stage['updates']:,}",
                "network's test error": percent(stage["network_error"]),
                f"{facts['knn']}-NN error in the plane": percent(stage["knn_error"]),
                f"{facts['radius_percentile']}% of points within": f"{stage['radius']:.3g}",
                "panel's half-width": f"{stage['scale']:g}",
                "classes with a direction": f"{stage['directed']} of {facts['n_classes']}",
                "narrowest angle between neighbours": (
                    f"{narrowest['angle']:.0f}° ({narrowest['a']}, {narrowest['b']})" if narrowest else "-"
                ),
            }
        )
    return html_table(pd.DataFrame(rows).style.hide(axis="index"))
