"""Question 2's figures: error rates by initialiser, the hidden units at the end of training, and how
alike the units of zero-initialised networks stay during training. Each reads an ``InitStudy``."""

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure

from ...runs.config import display_name
from .. import metrics
from .bands import (
    BASELINE_GREY,
    band,
    baseline_handles,
    baseline_lines,
    legend_below,
    log_loss_axis,
    percent_axis,
    seeds_handle,
    style_handle,
)
from .style import series_color, styled

# Xavier and He draw weights of nearly the same size, so their curves overlap: He is drawn solid,
# Xavier dashed on top of it with hollow markers, so both stay visible.
INIT_LINES = {
    "zero": dict(ls="-", marker="o"),
    "normal": dict(ls="-", marker="^"),
    "he": dict(ls="-", marker="o"),
    "xavier": dict(ls="--", marker="s", mfc="white"),
}
DRAW_ORDER = ("zero", "normal", "he", "xavier")


@styled
def init_comparison(study):
    """Training loss (log scale) and test error (linear) per epoch for each initialiser, one row per
    activation; mean over seeds, range shaded. Colour and line style = initialiser."""
    fig = Figure(figsize=(9.0, 2.3 * len(study.activations) + 0.6), layout="constrained")
    axes = fig.subplots(len(study.activations), 2, sharex=True, squeeze=False)
    for (loss_ax, error_ax), activation in zip(axes, study.activations, strict=False):
        for init in sorted(activation.runs, key=lambda i: DRAW_ORDER.index(i) if i in DRAW_ORDER else 9):
            repeated = activation.runs[init]
            style = dict(color=series_color(init), lw=1.8, ms=4, **INIT_LINES.get(init, {}))
            band(loss_ax, repeated, "train_loss", **style)
            band(error_ax, repeated, "test_error", **style)
        log_loss_axis(loss_ax, "training loss (log)")
        loss_ax.set_title(f"{activation.label}: training loss")
        baseline_lines(error_ax, study.baselines)
        percent_axis(error_ax, 1.0, "test error")
        error_ax.set_title(f"{activation.label}: test error")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    runs = study.activations[0].runs
    handles = [
        style_handle(runs[init].config.init_label(), color=series_color(init), lw=1.8, ms=5, **INIT_LINES.get(init, {}))
        for init in runs
    ]
    handles += [seeds_handle(len(study.seeds)), *baseline_handles(study.baselines)]
    legend_below(fig, handles, ncol=4)
    return fig


@styled
def activation_heatmaps(study):
    """First hidden layer outputs at the end of training (first seed), test images x units, one panel per
    entry of ``study.heatmap_panels()``. Identical units show as identical columns."""
    images, units = study.heatmap_images, study.heatmap_units
    panels = study.heatmap_panels()
    fig = Figure(figsize=(9.0, 2.9), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (activation, init) in zip(axes, panels, strict=False):
        inside = activation.inside[init]
        block = np.asarray(inside.activations)[:images, :units]
        image = ax.imshow(block, aspect="auto", cmap="viridis", interpolation="nearest")
        fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
        distinct = "1 distinct unit" if inside.distinct == 1 else f"{inside.distinct} distinct units"
        name = "zero" if init == "zero" else display_name(init)
        ax.set_title(f"{activation.label}, {name} init:\n{distinct} of {inside.units}", fontsize=10)
        ax.set_xlabel(f"hidden unit (first {block.shape[1]})")
        ax.grid(False)
    axes[0].set_ylabel(f"test image (first {images})")
    return fig


@styled
def symmetry_curves(study):
    """How far apart the first-layer units of zero-initialised networks drift during training (solid, one
    point per recorded stage) against a randomly initialised network at the end (dashed).

    The y value is the largest difference between two units on one test image, divided by the mean
    |output|, on a plain log axis; stages where it is exactly 0 have no place on it (the caption lists
    them). Colour = activation.
    """
    drawn = study.symmetry_drawn()
    fig = Figure(figsize=(9.0, 3.4), layout="constrained")
    ax = fig.subplots()
    eps = float(np.finfo(np.float32).eps)
    handles = []
    for activation in drawn:
        color = series_color(activation.name)
        sym = activation.inside["zero"].symmetry
        relative = metrics.relative_stage_spread(sym)
        keep = relative > 0
        ax.plot(sym["stages"][keep], relative[keep], color=color, lw=1.8, marker="o", ms=5)
        for x, y, count in zip(sym["stages"][keep], relative[keep], sym["stage_distinct"][keep], strict=False):
            ax.annotate(
                str(count), (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8, color=color
            )
        reference = activation.reference
        ax.axhline(metrics.relative_spread(activation.inside[reference].symmetry), color=color, ls="--", lw=1.2)
        handles += [
            style_handle(f"{activation.label}, zero init", color=color, lw=1.8, marker="o", ms=5),
            style_handle(
                f"{activation.label}, {display_name(reference)} init, end of training", color=color, ls="--", lw=1.2
            ),
        ]
    ax.axhline(eps, color=BASELINE_GREY, ls=":", lw=1.2)
    handles.append(style_handle("float32 rounding (2^-23)", color=BASELINE_GREY, ls=":"))
    ax.set_yscale("log")
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlabel("epoch")
    ax.set_ylabel("spread between units\n/ mean |output|")
    legend_below(fig, handles, ncol=3)
    return fig
