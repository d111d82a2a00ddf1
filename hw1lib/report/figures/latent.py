"""Question 3's figures: the 2-D latent plane at the shown stages, the folded plane beside it, the animation.

Every panel is drawn by ``plane_panel``: a square window centred on the origin with equal axes (so
angles read true), the output layer's classes of that stage shaded behind the test points, each
class's centroid marked with its name, and the window's half-width printed in its corner.
"""

import math
import pathlib

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ...common import atomic_path
from ..studies.latent import last_stage, read_stage, region_grid
from .style import RC, class_colors, class_handles, class_legend, styled

RESOLUTION = 240  # pixels per side of the shaded regions
SHADE = 0.22  # how much of a class's colour its region gets (the rest white)


def region_colors(colors):
    """(n_classes, 3) the pale version of each class colour that shades its region."""
    return np.array([SHADE * np.array(to_rgb(c)) + (1 - SHADE) for c in colors])


def plane_panel(ax, stage, class_names, colors=None, title=None, point_size=4):
    """Draw one ``studies.latent.Stage`` on ``ax``; returns the regions' AxesImage (None without weights)."""
    colors = class_colors(len(class_names)) if colors is None else colors
    scale = stage.scale
    image = None
    if stage.weights is not None:
        regions = region_grid(scale, stage.weights, stage.biases, RESOLUTION)
        image = ax.imshow(
            region_colors(colors)[regions],
            origin="lower",
            extent=(-scale, scale, -scale, scale),
            interpolation="nearest",
            zorder=0,
        )
    # Shuffled drawing order, so no class is always painted on top of the others.
    order = np.random.default_rng(0).permutation(len(stage.points))
    ax.scatter(
        *stage.points[order].T,
        c=np.asarray(colors)[stage.labels[order]],
        s=point_size,
        alpha=0.6,
        linewidths=0,
        zorder=2,
        rasterized=True,
    )
    outline = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    centroids = np.asarray(stage.centroids, dtype=float).reshape(-1, 2)
    shown = np.flatnonzero(np.isfinite(centroids).all(axis=1) & (np.abs(centroids).max(axis=1) <= scale))
    if len(shown):  # one scatter for all the class centroids: a scatter each cost more than the test points
        ax.scatter(*centroids[shown].T, s=38, c=np.asarray(colors)[shown], edgecolors="black", linewidths=0.9, zorder=4)
    for k in shown:
        ax.annotate(
            class_names[k],
            tuple(centroids[k]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8.5,
            fontweight="bold",
            zorder=5,
            path_effects=outline,
        )
    ax.set_xlim(-scale, scale)
    ax.set_ylim(-scale, scale)
    ax.set_aspect("equal")
    ax.set_xticks([-scale, 0, scale], [f"{-scale:g}", "0", f"{scale:g}"])
    ax.set_yticks([-scale, 0, scale], [f"{-scale:g}", "0", f"{scale:g}"])
    ax.tick_params(labelsize=8, length=2, pad=1)
    ax.grid(False)
    ax.axhline(0, color="grey", lw=0.5, zorder=1)
    ax.axvline(0, color="grey", lw=0.5, zorder=1)
    ax.text(
        0.03,
        0.97,
        f"±{scale:g}",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8.5,
        zorder=6,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "grey", "lw": 0.5},
    )
    ax.set_title(stage.title if title is None else title, fontsize=10.5)
    return image


@styled
def latent_grid(study, cols=3):
    """The 2-unit network's plane at each of the study's shown stages, one panel each."""
    stages = study.stages
    rows = math.ceil(len(stages) / cols)
    fig = Figure(figsize=(9, 2.6 * rows + 0.45), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colors = class_colors(len(study.class_names))
    for ax, stage in zip(axes, stages, strict=False):
        plane_panel(ax, stage, study.class_names, colors)
    for ax in axes[len(stages) :]:
        ax.set_visible(False)
    if len(stages) < len(axes):  # the legend takes the first free slot
        free = axes[len(stages)]
        free.set_visible(True)
        free.axis("off")
        free.legend(
            handles=class_handles(study.class_names),
            title="class",
            loc="center",
            ncols=2 if len(study.class_names) > 5 else 1,
            frameon=False,
        )
    else:
        class_legend(
            fig, study.class_names, loc="outside lower center", ncols=min(len(study.class_names), 10), frameon=False
        )
    return fig


@styled
def folded_comparison(study):
    """The folded network's plane at the end beside the test error of both networks over epochs, every seed."""
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1, 1.45)})
    latent, hidden = study.activation_names()
    stage = study.folded_stage()
    plane_panel(left, stage, study.class_names, title=f"{hidden} 2-unit layer, {stage.name}")
    # Black for both networks, told apart by line style: every colour in this figure means a class.
    for repeated, style, name in ((study.linear, "-", latent), (study.folded, "--", hidden)):
        for i, h in enumerate(repeated.runs):
            right.plot(
                h.eval_epoch,
                h.test_error,
                color="black",
                ls=style,
                lw=2 if i == 0 else 0.9,
                alpha=1 if i == 0 else 0.55,
                marker="o" if i == 0 else None,
                ms=3,
                label=f"{name} 2-unit layer" if i == 0 else None,
            )
    right.set_ylim(0, None)
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_xlabel("epoch")
    right.set_ylabel("test error")
    right.set_title("test error, every seed", fontsize=10.5)
    right.legend(loc="upper right", fontsize=9)
    return fig


def save_latent_animation(history, labels, path, fps=3):
    """Write a GIF of the plane at every recorded stage of ``history``, each frame drawn as the figure's panels."""
    path = pathlib.Path(path)
    with matplotlib.rc_context(RC):
        # A fixed layout: re-solving a constrained layout for every frame would take most of the time.
        fig = Figure(figsize=(5.4, 5.4))
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.07, top=0.93)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        colors = class_colors(len(history.class_names))
        writer = PillowWriter(fps=fps)
        with atomic_path(path) as tmp, writer.saving(fig, str(tmp), dpi=80):
            for index in range(len(history.snapshot_stages)):
                ax.clear()
                plane_panel(ax, read_stage(history, index, labels), history.class_names, colors)
                writer.grab_frame()
    return path


@styled
def latent_panel(history, labels):
    """The last recorded plane of ``history``, one panel (the explorer's latent view)."""
    fig = Figure(figsize=(4.6, 4.9), layout="constrained")
    plane_panel(fig.subplots(), last_stage(history, labels), history.class_names)
    return fig
