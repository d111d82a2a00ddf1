"""Question 2's figures: error rates by initialiser, and how alike the hidden units stay."""
import math

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure

from .. import metrics
from .style import error_axis, finite, loss_axis, series_color, styled


@styled
def init_comparison(runs):
    """Training loss and test error per epoch for each initialiser, one row per activation.

    runs: {activation: {init name: History}}.
    """
    fig = Figure(figsize=(9, 3.2 * len(runs) + 0.3), layout="constrained")
    axes = fig.subplots(len(runs), 2, sharex=True, squeeze=False)
    for row, (activation, by_init) in zip(axes, runs.items()):
        for i, (init, h) in enumerate(by_init.items()):
            label = h.config.init_label()
            color = series_color(init, i)
            row[0].plot(h.eval_epoch, finite(h.train_loss), color=color, lw=2, marker="o", ms=3, label=label)
            row[1].plot(h.eval_epoch, h.test_error, color=color, lw=2, marker="o", ms=3, label=label)
        loss_axis(row[0], "training loss (log scale)")
        row[0].set_title(f"{activation}: training loss")
        error_axis(row[1], "test error")
        row[1].set_title(f"{activation}: test error")
        row[1].legend(loc="lower left")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    return fig


@styled
def symmetry_curves(zero_runs, random_ends):
    """How different the hidden units of zero-initialised networks become during training.

    zero_runs: {label: symmetry dict with stages, stage_spread, stage_scale and stage_distinct}
    (``metrics.symmetry``); random_ends: {label: relative spread of a randomly initialised run at
    the end}, drawn as dashed lines. The y value is the spread across units divided by the mean
    |activation|; a spread of exactly 0 cannot sit on a log axis and is drawn as a hollow marker
    on the bottom edge. The number by each point is how many distinct units the layer has.
    """
    fig = Figure(figsize=(8.5, 5.2), layout="constrained")
    ax = fig.subplots()
    eps = float(np.finfo(np.float32).eps)
    floor = eps / 30
    for i, (label, s) in enumerate(zero_runs.items()):
        color = f"C{i}"
        relative = metrics.relative_stage_spread(s)
        exact = relative == 0
        shown = np.where(exact, floor, relative)
        ax.plot(s["stages"], shown, color=color, lw=1.5, alpha=0.6)
        if (~exact).any():
            ax.plot(s["stages"][~exact], relative[~exact], "o", color=color, ms=6, label=f"{label}, zero init")
        if exact.any():
            ax.plot(s["stages"][exact], shown[exact], "o", mfc="white", color=color, ms=7,
                    label=f"{label}, zero init: exactly 0")
        previous = None
        for x, y, count in zip(s["stages"], shown, s["stage_distinct"]):
            if count != previous:  # label where the number of distinct units changes
                ax.annotate(f"{count} distinct" if previous is None else str(count), (x, y),
                            textcoords="offset points", xytext=(4, 7 + 12 * i * (previous is None)), fontsize=9,
                            color=color)
            previous = count
    for i, (label, value) in enumerate(random_ends.items()):
        ax.axhline(value, color=f"C{i}", ls="--", lw=1, label=f"{label} init, end of training")
    ax.axhline(eps, color="grey", ls=":", lw=1)
    ax.text(0.99, eps * 1.4, "float32 rounding (2^-23)", transform=ax.get_yaxis_transform(), ha="right",
            va="bottom", color="grey", fontsize=9)
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, None)
    ticks = [t for t in ax.get_yticks() if t >= eps / 10 and t <= ax.get_ylim()[1]]
    ax.set_yticks([floor, *ticks], ["exactly 0", *(f"$10^{{{round(np.log10(t))}}}$" for t in ticks)])
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlabel("epoch")
    ax.set_ylabel("spread across units / mean |activation|")
    ax.set_title("First hidden layer on the test set")
    fig.legend(loc="outside lower center", ncol=2)
    return fig


@styled
def activation_heatmaps(activations, images=40, units=64, cols=2):
    """Hidden activations, test images x units, one panel per entry. activations: {label: (n, units) array}.

    Identical units show as identical columns; a network whose units never moved shows one colour.
    """
    rows = math.ceil(len(activations) / cols)
    fig = Figure(figsize=(4.5 * cols, 3.5 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (label, acts) in zip(axes, activations.items()):
        block = np.asarray(acts)[:images, :units]
        image = ax.imshow(block, aspect="auto", cmap="viridis", interpolation="nearest")
        fig.colorbar(image, ax=ax, shrink=0.9, label="activation")
        same = np.all(block == block.flat[0])
        ax.set_title(f"{label}\n(every value is {block.flat[0]:g})" if same else label, fontsize=11)
        ax.set_xlabel(f"hidden unit (first {block.shape[1]})")
        ax.set_ylabel(f"test image (first {block.shape[0]})")
        ax.grid(False)
    for ax in axes[len(activations):]:
        ax.set_visible(False)
    return fig
