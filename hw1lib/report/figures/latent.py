"""Question 3's figures: the 2-D latent features at several stages, their animation, and their separation."""
import math
import pathlib

import matplotlib
import numpy as np
from matplotlib import ticker
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ...common import atomic_path
from .. import metrics
from .style import RC, class_colors, class_legend, styled


def _zoom(ax, z, margin=0.06):
    # The middle 99 % of the points fill the panel, so a few outliers do not shrink the clusters to a dot.
    lo, hi = np.percentile(z, [0.5, 99.5], axis=0)
    pad = (hi - lo) * margin + 1e-12
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])


def _stage_title(stage, history):
    iteration = round(stage * history.iterations_per_epoch)
    return "before training" if iteration == 0 else f"epoch {stage:g} (update {iteration})"


def _scatter_latent(ax, z, labels, colors):
    # Shuffled drawing order, so no class is always painted on top of the others.
    order = np.random.default_rng(0).permutation(len(z))
    ax.scatter(z[order, 0], z[order, 1], c=np.asarray(colors)[labels[order]], s=5, alpha=0.7, linewidths=0)
    _zoom(ax, z)


@styled
def latent_grid(history, labels, picks, cols=2):
    """The 2-node layer's outputs on the test set at the recorded stages ``picks`` (indices into
    history.snapshot_stages), one panel each, coloured by true class; each panel is zoomed to its
    own points, whose scale the tick labels show. labels: (n_test,) true classes."""
    rows = math.ceil(len(picks) / cols)
    fig = Figure(figsize=(3.5 * cols + 1.1, 2.9 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colors = class_colors(len(history.class_names))
    for ax, index in zip(axes, picks):
        _scatter_latent(ax, history.snapshots[index], labels, colors)
        ax.set_title(_stage_title(history.snapshot_stages[index], history))
    for ax in axes[len(picks):]:
        ax.set_visible(False)
    for ax in axes[::cols]:
        ax.set_ylabel("latent unit 2")
    for ax in axes[-cols:]:
        ax.set_xlabel("latent unit 1")
    class_legend(fig, history.class_names, loc="outside right center")
    return fig


def save_latent_animation(history, labels, path, fps=3):
    """Write a GIF of the 2-node layer's outputs at every recorded stage (each frame zoomed to its points)."""
    path = pathlib.Path(path)
    with matplotlib.rc_context(RC):
        # A fixed layout: re-solving a constrained layout for every frame would take most of the time.
        fig = Figure(figsize=(6.4, 5.2))
        fig.subplots_adjust(left=0.13, right=0.82, bottom=0.11, top=0.93)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        colors = class_colors(len(history.class_names))
        class_legend(fig, history.class_names, loc="center right")
        writer = PillowWriter(fps=fps)
        # One scatter whose points move: cheaper than clearing and redrawing the axes for every frame.
        order = np.random.default_rng(0).permutation(len(labels))
        points = ax.scatter(*history.snapshots[0][order].T, c=np.asarray(colors)[labels[order]], s=6, alpha=0.7,
                            linewidths=0)
        ax.set_xlabel("latent unit 1")
        ax.set_ylabel("latent unit 2")
        with atomic_path(path) as tmp, writer.saving(fig, str(tmp), dpi=90):
            for stage, z in zip(history.snapshot_stages, history.snapshots):
                points.set_offsets(z[order])
                _zoom(ax, z)
                ax.set_title(_stage_title(stage, history))
                writer.grab_frame()
    return path


@styled
def latent_separation(stats, history):
    """How separable the classes are in the 2-node layer at each stage, beside the model's test error.

    stats: ``metrics.latent_stage_stats``; history: the run (its per-epoch test error).
    """
    fig = Figure(figsize=(9, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2, sharex=True)
    stages = stats["stages"]
    left.plot(stages, stats["knn_error"], "o-", color="C0", label="5-NN error in the 2-D space (test set)")
    left.plot(history.eval_epoch, history.test_error, "s--", color="black", ms=4, label="network's test error")
    left.axhline(metrics.uniform_guess_error(len(history.class_names)), color="grey", ls=":", lw=1, label="chance")
    left.set_ylim(0, 1)
    left.yaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_ylabel("error rate")
    left.legend(loc="lower left")
    right.plot(stages, stats["scatter_ratio"], "o-", color="C2")
    right.set_ylim(0, None)
    right.set_ylabel("between- / within-class scatter")
    first = stages[stages > 0].min() if (stages > 0).any() else 1.0
    for ax in (left, right):
        ax.set_xscale("symlog", linthresh=first, linscale=0.3)
        ax.set_xlim(0, stages.max() * 1.15)
        decades = range(math.ceil(math.log10(first)), math.floor(math.log10(stages.max())) + 1)
        ax.set_xticks([0, *(10.0 ** k for k in decades)], ["0", *(f"{10.0 ** k:g}" for k in decades)])
        ax.xaxis.set_minor_locator(ticker.NullLocator())
        ax.set_xlabel("epoch (log scale after the first stage)")
    left.set_title("classes told apart by position")
    right.set_title("cluster separation")
    return fig
