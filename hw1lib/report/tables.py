"""The report's tables, drawn from the studies: formatted values, and headers as the reader sees them."""

import math

import pandas as pd

from .escape import html_table
from .studies.models_facts import WINDOW, mean_last, mean_until
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


def final_table(study):
    """Question 1's networks at the end of training: learning rate, error rates and losses (mean and range
    over seeds)."""
    rows = []
    for m in study.models:
        broken = " (diverged)" if m.repeated.diverged else ""
        rows.append(
            {
                "network": m.name,
                "learning rate": f"{m.config.lr:g}",
                "training error": m.final("train_error").percent() + broken,
                "test error": m.final("test_error").percent() + broken,
                "training loss": m.final("train_loss").text(),
                "test loss": m.final("test_loss").text(),
            }
        )
    return styled_table(rows)


def first_attempt_table(study, window=WINDOW):
    """Appendix A: the first sigmoid attempt rerun, then the same network given the full budget at each rate."""
    first = study.first_attempt
    n = first.short.iterations
    span = f"mini-batch loss, updates {max(1, n - window + 1)}–{n}"
    rows = [
        {
            "run": f"first attempt: learning rate {first.short.config.lr:g}, {n} updates",
            "updates": f"{n:,}",
            span: f"{mean_last(first.short.batch_loss, window):.3f}",
            "final training loss": f"{first.short.final_loss:.3f}",
            "final test error": percent(first.short.final_test_error),
        }
    ]
    for lr, h in sorted(first.by_rate.items()):
        rows.append(
            {
                "run": f"learning rate {lr:g}, full budget",
                "updates": f"{h.iterations:,}",
                span: f"{mean_until(h.batch_loss, n, window):.3f}",
                "final training loss": f"{h.final_loss:.3f}" if math.isfinite(h.final_loss) else "not finite",
                "final test error": percent(h.final_test_error) + (" (diverged)" if h.diverged else ""),
            }
        )
    return styled_table(rows)


def sigmoid_rate_table(study):
    """Appendix B: the sigmoid network's learning-rate trials on the validation set, lowest rate first."""
    chosen = study.sigmoid.config.lr
    rows = [
        {
            "learning rate": f"{t.config.lr:g}" + (" (chosen)" if t.config.lr == chosen else ""),
            "validation error": percent(t.val_error),
            "best epoch": str(t.best_epoch),
        }
        for t in sorted(study.sigmoid_trials, key=lambda t: t.config.lr)
    ]
    return styled_table(rows)


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
    return styled_table(rows)


def styled_table(rows):
    """A pandas Styler of formatted rows (a list of dicts), shown without pandas' numeric index."""
    return html_table(pd.DataFrame(rows).style.hide(axis="index"))
