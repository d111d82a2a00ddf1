"""Question 1's figures: learning curves and error rates of the compared networks, the rerun of the
first sigmoid attempt, and the explorer's view of one run."""

import math

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from ..studies.models import ZOOM_FROM
from .bands import (
    BASELINE_GREY,
    band,
    baseline_handles,
    baseline_lines,
    color_handle,
    legend_below,
    log_loss_axis,
    percent_axis,
    seeds_handle,
    style_handle,
)
from .style import (
    chance_error_line,
    epochs_of,
    error_axis,
    error_lines,
    finite,
    loss_axis,
    loss_lines,
    series_color,
    styled,
)

# The magnified panel of ``error_curves`` starts at this share of the run.


@styled
def learning_curves(study):
    """Question 1's losses: one panel per compared network of ``study`` (a ``ModelsStudy``).

    Faint: every mini-batch's loss of the first seed's run; solid: the loss on the whole training
    set, dashed: on the test set, after each epoch (mean over seeds, range shaded); dotted: ln K.
    Colour = network, the same in every panel and in ``error_curves``.
    """
    models = study.models
    fig = Figure(figsize=(9.0, 3.1), layout="constrained")
    axes = fig.subplots(1, len(models), sharey=True, squeeze=False)[0]
    k = study.baselines.n_classes
    for i, (ax, m) in enumerate(zip(axes, models, strict=False)):
        color = series_color(m.config.activation, i)
        h = m.repeated.first
        ax.plot(epochs_of(h, np.arange(1, h.iterations + 1)), finite(h.batch_loss), color=color, alpha=0.25, lw=0.6)
        band(ax, m.repeated, "train_loss", color, lw=2)
        band(ax, m.repeated, "test_loss", color, lw=2, ls="--")
        ax.axhline(math.log(k), color=BASELINE_GREY, lw=1.2, ls=":")
        log_loss_axis(ax, "cross-entropy loss (log scale)" if i == 0 else None)
        ax.set_title(m.name)
        ax.set_xlabel("epoch")
    seeds = len(study.seeds)
    legend_below(
        fig,
        [
            style_handle(f"mini-batch (seed {study.seeds[0]})", lw=0.8, alpha=0.5),
            style_handle("training set", lw=2),
            style_handle("test set", lw=2, ls="--"),
            seeds_handle(seeds),
            style_handle(f"uniform guess, ln {k}", color=BASELINE_GREY, ls=":"),
        ],
        ncol=5,
    )
    return fig


@styled
def error_curves(study):
    """Question 1's error rates: training (solid) and test (dashed) error of each compared network of
    ``study``, mean over seeds with the range shaded. Left: the whole run on a linear axis from 0 to
    100%; right: the last 40% of the run, magnified to the best network's range (``error_zoom``)."""
    fig = Figure(figsize=(9.0, 3.1), layout="constrained")
    whole, zoom = fig.subplots(1, 2)
    for i, m in enumerate(study.models):
        color = series_color(m.config.activation, i)
        for ax in (whole, zoom):
            band(ax, m.repeated, "train_error", color, lw=2, marker="o", ms=3)
            band(ax, m.repeated, "test_error", color, lw=2, ls="--", marker="s", ms=3)
    baseline_lines(whole, study.baselines)
    percent_axis(whole, 1.0)
    last = max(float(m.repeated.epochs[-1]) for m in study.models)
    zoom.set_xlim(ZOOM_FROM * last - 0.25, last + 0.25)
    top, _ = study.error_zoom()  # set by the best network; a network far above it runs off the top
    percent_axis(zoom, top, label=None)
    whole.set_title("whole run")
    zoom.set_title("last epochs, magnified")
    for ax in (whole, zoom):
        ax.set_xlabel("epoch")
    handles = [color_handle(m.name, series_color(m.config.activation, i)) for i, m in enumerate(study.models)]
    handles += [
        style_handle("training", lw=2, marker="o", ms=3),
        style_handle("test", lw=2, ls="--", marker="s", ms=3),
        seeds_handle(len(study.seeds)),
        *baseline_handles(study.baselines),
    ]
    legend_below(fig, handles, ncol=4)
    return fig


@styled
def run_curves(history, title=""):
    """One run, finished or still training, as the explorer shows it: the loss panel of
    ``learning_curves`` beside the error rates of ``error_curves``, the x axis fixed to the epochs
    the run is planned for, so the frame keeps still while the curves grow."""
    # Fixed margins: a constrained layout would double the drawing time of every frame.
    fig = Figure(figsize=(9, 3.4))
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.15, top=0.86 if title else 0.95, wspace=0.3)
    loss_ax, error_ax = fig.subplots(1, 2)
    color = series_color(history.config.activation)
    loss_lines(loss_ax, history, color)
    loss_axis(loss_ax, "cross-entropy loss (log scale)")
    error_lines(error_ax, history, color)
    chance_error_line(error_ax, history)
    error_axis(error_ax)
    for ax in (loss_ax, error_ax):
        ax.set_xlim(0, history.config.epochs)
        ax.set_xlabel("epoch")
    loss_ax.legend(loc="lower left", fontsize=8)
    error_ax.legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


@styled
def first_attempt_curves(study):
    """The first sigmoid attempt and the same network trained for the full budget at several learning rates.

    Left: mini-batch loss per update (smoothed over a tenth of an epoch; log x); the first attempt
    is the start of the curve at its own rate, and a dotted line marks where it stopped. Right:
    test error per epoch, the first attempt's result a cross. Colour = learning rate.
    """
    first = study.first_attempt
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    cmap = matplotlib.colormaps["viridis"]
    rates = sorted(first.by_rate)
    colors = {lr: cmap(0.9 * i / max(len(rates) - 1, 1)) for i, lr in enumerate(rates)}
    # Neighbouring rates alternate solid and dashed: the slow ones lie on top of each other near ln K.
    styles = {lr: "-" if i % 2 == 0 else "--" for i, lr in enumerate(rates)}
    for lr in rates:
        h = first.by_rate[lr]
        window = max(1, h.iterations_per_epoch // 10)
        smooth = np.convolve(finite(h.batch_loss), np.ones(window) / window, mode="valid")
        left.plot(np.arange(window, h.iterations + 1), smooth, color=colors[lr], lw=1.6, ls=styles[lr])
        right.plot(h.eval_epoch, h.test_error, color=colors[lr], lw=2, marker="o", ms=3, ls=styles[lr])
    short = first.short
    left.axvline(short.iterations, color="black", ls=":", lw=1.2)
    left.axhline(math.log(len(short.class_names)), color=BASELINE_GREY, ls=":", lw=1.2)
    left.set_xscale("log")
    left.set(xlabel="update (log scale)", ylabel="mini-batch loss", title="loss per update")
    mark = colors.get(short.config.lr, "black")
    right.plot([short.epochs_run], [short.final_test_error], "X", color=mark, mec="black", ms=11, zorder=3)
    baseline_lines(right, study.baselines)
    percent_axis(right, 1.0, "test error")
    right.set(xlabel="epoch", title="test error")
    b = study.baselines
    handles = [style_handle(f"learning rate {lr:g}", color=colors[lr], lw=2, ls=styles[lr]) for lr in rates]
    handles += [
        style_handle(f"first attempt stopped ({short.iterations} updates)", color="black", ls=":"),
        style_handle("first attempt's test error", color=mark, ls="", marker="X", mec="black", ms=9),
        style_handle(
            f"uniform guess (loss ln {b.n_classes}, error {100 * b.uniform_error:.1f}%)", color=BASELINE_GREY, ls=":"
        ),
    ]
    handles += baseline_handles(b)[1:]  # always the most frequent class, when it differs from a uniform guess
    legend_below(fig, handles, ncol=3)
    return fig
