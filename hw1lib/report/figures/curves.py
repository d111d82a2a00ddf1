"""Question 1's figures: learning curves, error rates, and the seed report's rerun."""
import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .. import metrics
from .style import (chance_error_line, chance_loss, error_axis, error_lines, finite, loss_axis, loss_lines,
                    series_color, styled)


@styled
def learning_curves(histories):
    """Loss against epochs, one panel per run: every mini-batch's loss, and the loss on the whole
    training and test sets at each evaluation. histories: {label: History}."""
    fig = Figure(figsize=(min(9.0, 3.2 * len(histories) + 2.6), 4.0), layout="constrained")
    axes = fig.subplots(1, len(histories), sharey=True, squeeze=False)[0]
    for i, (ax, (label, h)) in enumerate(zip(axes, histories.items())):
        loss_lines(ax, h, series_color(h.config.activation, i))
        loss_axis(ax, "cross-entropy loss (log scale)" if i == 0 else None)
        ax.set_title(label)
        ax.set_xlabel("epoch")
    axes[-1].legend(loc="lower left")  # losses fall from the top left: the corner below them is free
    return fig


@styled
def error_curves(histories):
    """Training (solid) and test (dashed) error rate against epochs for each run. histories: {label: History}."""
    fig = Figure(figsize=(8.5, 3.8), layout="constrained")
    ax = fig.subplots()
    for i, (label, h) in enumerate(histories.items()):
        error_lines(ax, h, series_color(h.config.activation, i), label)
    chance_error_line(ax, next(iter(histories.values())))
    error_axis(ax)
    ax.set_xlabel("epoch")
    ax.legend(ncol=2, loc="upper right")
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
def seed_report_curves(first, sweep):
    """The seed report's short run beside the same network trained longer with other learning rates.

    first: the History of the short run; sweep: {learning rate: History} of full-budget runs.
    Left: mini-batch loss per update (log x); right: test error per epoch.
    """
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    cmap = matplotlib.colormaps["viridis"]
    for i, (lr, h) in enumerate(sorted(sweep.items())):
        color = cmap(0.9 * i / max(len(sweep) - 1, 1))
        window = max(1, h.iterations_per_epoch // 10)
        smooth = np.convolve(finite(h.batch_loss), np.ones(window) / window, mode="valid")
        left.plot(np.arange(window, h.iterations + 1), smooth, color=color, lw=1.6, label=f"lr {lr:g}")
        right.plot(h.eval_epoch, h.test_error, color=color, lw=2, marker="o", ms=3, label=f"lr {lr:g}")
    left.plot(np.arange(1, first.iterations + 1), finite(first.batch_loss), color="red", lw=1.2,
              label=f"seed report run (lr {first.config.lr:g})")
    left.axvline(first.iterations, color="red", ls=":", lw=1)
    left.text(first.iterations * 1.08, left.get_ylim()[0], f"{first.iterations} updates", color="red",
              va="bottom", fontsize=9)
    left.axhline(chance_loss(first), color="grey", ls=":", lw=1, label="uniform guess")
    left.set_xscale("log")
    left.set_xlabel("update (log scale)")
    left.set_ylabel(f"mini-batch loss (mean of {window})")
    left.set_title("loss per update")
    left.legend(loc="lower left")
    right.plot([first.epochs_run], [first.final_test_error], "X", color="red", ms=10, label="seed report run")
    right.axhline(metrics.uniform_guess_error(len(first.class_names)), color="grey", ls=":", lw=1, label="chance")
    error_axis(right, "test error")
    right.set_xlabel("epoch")
    right.set_title("test error")
    right.legend(loc="lower left")
    return fig
