"""Question 3: how the 2-D latent features separate the classes during training.

``latent_text`` joins one function per paragraph, each reading the per-stage measures
(``metrics.latent_stage_stats``) of the run whose snapshots the figures draw.
"""
import numpy as np

from ...runs.config import display_name
from .. import metrics
from .words import diverged_line, num, paragraphs, pct, styled_table


def pick_stages(stages, count=6):
    """Indices of ``count`` recorded stages for a grid, evenly spaced through the record from the first to the
    last (the stages themselves are spaced geometrically, so early training gets its share)."""
    n = len(stages)
    return sorted(set(np.linspace(0, n - 1, min(count, n)).round().astype(int).tolist()))


def latent_table(stats, history, picks):
    """One row per grid stage: update, 5-NN error, scatter ratio, radius holding 99% of the points."""
    rows = []
    for i in picks:
        stage = float(stats["stages"][i])
        rows.append({"epoch": f"{stage:g}", "update": round(stage * history.iterations_per_epoch),
                     "5-NN error (2-D)": pct(float(stats["knn_error"][i])),
                     "between/within scatter": num(float(stats["scatter_ratio"][i]), 2),
                     "99% of |coordinates| below": f"{float(stats['scale'][i]):.3g}",
                     "both coordinates < 0": pct(float(stats["negative"][i]), 0)})
    return styled_table(rows)


def latent_text(stats, history, labels, baseline=None):
    """Q3 discussion from the per-stage separation of the 2-node layer (``metrics.latent_stage_stats``).

    labels: (n_test,) true classes of the test images.
    baseline: optionally the same network without its 2-unit layer (``experiments.without_latent``), for
    the cost of squeezing through two units.
    """
    return paragraphs(_setup_paragraph(stats, history), diverged_line({"the latent network": history}),
                      _before_paragraph(stats, history), _collapse_paragraph(stats, history),
                      _largest_change_paragraph(stats), _end_paragraph(stats), _overlap_paragraph(history, labels),
                      _bottleneck_paragraph(history, baseline) if baseline is not None else "")


def _setup_paragraph(stats, history):
    c = history.config
    return (
        f"The network has hidden layers {c.hidden_label()} with {display_name(c.activation)} units, inputs "
        f"standardised (zero mean, unit variance over the training pixels), learning rate {c.lr:g}, "
        f"{history.epochs_run:g} epochs. The last hidden layer has 2 units, so the output layer sees every image as a "
        f"point in the plane; its outputs on the {len(history.test_pred):,} test images were recorded at "
        f"{len(stats['stages'])} stages, from before training to update {history.iterations:,}. How well the classes "
        f"are separated at each stage is measured in that plane: the error of a 5-nearest-neighbour vote among the "
        f"other test points, and the ratio of between-class to within-class scatter.")


def _before_paragraph(stats, history):
    knn, scatter = stats["knn_error"], stats["scatter_ratio"]
    return (
        f"**Before training** the classes largely overlap: 5-NN error {pct(float(knn[0]))} (chance "
        f"{pct(metrics.uniform_guess_error(len(history.class_names)))}), scatter ratio {num(float(scatter[0]), 2)}; "
        f"the points come from random weights and only reflect how similar the raw images are.")


def _collapse_paragraph(stats, history):
    collapsed = np.flatnonzero(stats["negative"] > 0.5)
    activation = history.config.activation
    if not len(collapsed) or activation not in ("relu", "leaky_relu"):
        return ""
    i = collapsed[0]
    return (
        f"**Early on** the first updates push most images to where both latent units are negative: at epoch "
        f"{stats['stages'][i]:g}, {pct(float(stats['negative'][i]), 0)} of the test images have both coordinates "
        f"below 0, where {display_name(activation)} is flat or nearly so and the points crowd into a small "
        f"region. The picture has to recover from there.")


def _largest_change_paragraph(stats):
    stages, knn = stats["stages"], stats["knn_error"]
    steps = np.diff(knn)
    if not len(steps) or steps.min() >= 0:
        return ""
    j = int(np.argmin(steps))
    return (
        f"**The largest change** comes between epoch {stages[j]:g} and {stages[j + 1]:g}: the 5-NN error drops from "
        f"{pct(float(knn[j]))} to {pct(float(knn[j + 1]))} as the classes move apart into separate regions.")


def _end_paragraph(stats):
    stages, knn, scatter, scale = stats["stages"], stats["knn_error"], stats["scatter_ratio"], stats["scale"]
    best = int(np.argmin(knn))
    return (
        f"**At the end** (epoch {stages[-1]:g}) the 5-NN error in the plane is {pct(float(knn[-1]))} and the scatter "
        f"ratio {num(float(scatter[-1]), 2)} ({float(scatter[-1]) / max(float(scatter[0]), 1e-12):.3g} times its "
        f"starting value); the best stage was epoch {stages[best]:g} with {pct(float(knn[best]))}. The points also "
        f"{'spread out' if scale[-1] > scale[0] else 'draw together'}: 99% of the coordinates lie below "
        f"{float(scale[0]):.3g} in size before training and below {float(scale[-1]):.3g} at the end — each panel is "
        f"zoomed to its own points.")


def _overlap_paragraph(history, labels):
    conf = metrics.confusion_matrix(labels, history.test_pred, len(history.class_names))
    pairs = metrics.most_confused_pairs(conf, k=1)
    if not pairs:
        return ""
    t, p, images = pairs[0]
    names = history.class_names
    return (
        f"The classes that overlap most in the final picture are {names[t]} and {names[p]}: the network reads "
        f"{images} of the {int(conf[t].sum())} test images of {names[t]} as {names[p]} (and "
        f"{int(conf[p, t])} the other way round).")


def _bottleneck_paragraph(history, baseline):
    return (
        f"The network's own test error is {pct(history.final_test_error)}, against "
        f"{pct(baseline.final_test_error)} for the same network trained the same way without the 2-unit layer "
        f"(hidden layers {baseline.config.hidden_label()})"
        + (": two numbers per image are all the output layer gets, and classes that need more than a direction "
           "and a distance in the plane to be told apart end up sharing a region."
           if history.final_test_error > baseline.final_test_error else
           ": on these images the two numbers per image cost the output layer nothing."))
