"""A sweep's result as the report shows it: a table, a figure and a paragraph, all computed from it.

Each function takes the :class:`~hw1lib.sweep.SweepResult` of ``run_sweep`` and trains nothing.
"""
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..common import count
from ..errors import ConfigError
from ..runs.config import display_name

# No error axis goes above this: a trial there is stuck or diverged, and would squash the rest.
OFF_SCALE = 0.5


def trials_frame(result) -> pd.DataFrame:
    """One row per trial, best first (index: rank from 1), errors as fractions 0-1."""
    rows = [{"trial": t.index, "hidden": t.config.hidden_label(), "depth": len(t.config.hidden),
             "width": t.config.hidden[0], "activation": t.config.activation, "optimizer": t.config.optimizer,
             "lr": t.config.lr, "batch": t.config.batch_size, "epochs": t.config.epochs,
             "best epoch": t.best_epoch, "train error": t.train_error, "val error": t.val_error,
             "seconds": t.seconds} for t in result.ranked]
    frame = pd.DataFrame(rows)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
    return frame


def top_table(result, n=10) -> pd.DataFrame:
    """The ``n`` best trials by validation error: trial, hidden sizes, activation, optimizer, lr,
    batch, best epoch, training and validation error at that epoch (fractions), seconds."""
    return trials_frame(result).drop(columns=["depth", "width", "epochs"]).head(count("top", n))


def styled_top_table(result, n=10):
    """``top_table`` as a pandas Styler for a notebook: errors in percent, learning rate as %g."""
    percent = "{:.2%}".format
    return top_table(result, n).style.format({"train error": percent, "val error": percent, "lr": "{:g}".format,
                                              "seconds": "{:.1f}".format}, na_rep="-")


def format_table(result, n=10) -> str:
    """``top_table`` as fixed-width text (errors in percent), for the command line."""
    percent = {col: (lambda v: "-" if not math.isfinite(v) else f"{v:.2%}") for col in ("train error", "val error")}
    return top_table(result, n).reset_index().to_string(index=False, formatters={
        **percent, "lr": "{:g}".format, "seconds": "{:.1f}".format})


def validation_figure(result) -> Figure:
    """Validation error against learning rate (left) and hidden width (right), one dot per trial.

    Left: colour = optimizer (each has its own learning-rate range). Right: colour = number of
    hidden layers, dots nudged sideways by it so they do not overlap. Marker = activation in both;
    the chosen trial is ringed. The error axis stops at three times the median trial's error
    (at most 50%) so the good trials are not squashed; the title counts the trials above it.
    """
    frame = trials_frame(result)
    errors = frame["val error"].to_numpy(dtype=float)
    finite = errors[np.isfinite(errors)]
    top = min(OFF_SCALE, 3 * float(np.median(finite))) if len(finite) else OFF_SCALE
    if not len(finite) or top <= finite.min():
        top = OFF_SCALE
    shown = frame[frame["val error"] <= top]
    depths = sorted(frame["depth"].unique())
    x_width = shown["width"] * 2.0 ** (0.12 * (shown["depth"] - np.mean(depths)))
    markers = dict(zip(sorted(frame["activation"].unique()), "os^Dv"))
    fig = Figure(figsize=(9, 4.2), layout="constrained")  # at most 9 inches wide, like the report's other figures
    lr_ax, width_ax = fig.subplots(1, 2, sharey=True)
    panels = ((lr_ax, shown["lr"], "optimizer", sorted(frame["optimizer"].unique()), str),
              (width_ax, x_width, "depth", depths, lambda d: f"{d} hidden layer{'s' if d > 1 else ''}"))
    for ax, x, colour_by, keys, label in panels:
        for activation, marker in markers.items():
            rows = (shown["activation"] == activation).to_numpy()
            colours = [f"C{keys.index(k) % 10}" for k in shown[colour_by][rows]]
            ax.scatter(x[rows], 100 * shown["val error"][rows], c=colours, marker=marker, s=30, alpha=0.8)
        if result.best.index in set(shown["trial"]):
            row = shown["trial"] == result.best.index
            ax.scatter(x[row], 100 * shown["val error"][row], s=170, facecolors="none", edgecolors="black",
                       linewidths=1.5, zorder=3)
        handles = [Line2D([], [], ls="", marker="o", color=f"C{i % 10}", label=label(k)) for i, k in enumerate(keys)]
        ax.legend(handles=handles, fontsize=8, loc="upper left", title=colour_by, title_fontsize=8)
        ax.grid(alpha=0.3)
    lr_ax.set(xscale="log", xlabel="learning rate (log scale)", ylabel="validation error (%)",
              ylim=(0, 100 * top * 1.05))
    widths = sorted(frame["width"].unique())
    width_ax.set_xscale("log", base=2)
    width_ax.set(xticks=widths, xticklabels=[str(w) for w in widths], xlabel="units per hidden layer")
    width_ax.minorticks_off()
    shapes = [Line2D([], [], ls="", marker=m, color="0.4", label=a) for a, m in markers.items()]
    shapes.append(Line2D([], [], ls="", marker="o", ms=12, mfc="none", mec="black", label="chosen"))
    fig.legend(handles=shapes, loc="outside lower center", ncol=len(shapes), fontsize=8, frameon=False)
    hidden = len(frame) - len(shown)
    off = f"; {hidden} above {top:.0%} not shown" if hidden else ""
    fig.suptitle(f"Validation error of {len(frame)} trials on {result.n_val:,} held-out training images{off}",
                 fontsize=10)
    return fig


def summary_markdown(result) -> str:
    """A paragraph saying how the hyperparameters were chosen, with every number from ``result``.

    Needs the final run (``run_sweep(..., final=True)``, the default).
    """
    if result.final is None:
        raise ConfigError("summary: the sweep was run without its final run (final=False); no test error to report")
    best, chosen, final = result.best, result.chosen, result.final
    space = result.space
    n_train = result.n_fit + result.n_val
    lr_ranges = ", ".join(f"{name} {low:g}-{high:g}" for name, low, high in space.lr_ranges)
    n, cached = len(result.trials), len(result.trials) - result.trained
    training = sum(t.seconds for t in result.trials)
    if not result.trained:
        timing = f"for this build all {n} were read from the run cache"
    else:
        timing = f"{result.trained} were trained now on {result.workers} in {result.seconds:.0f} s of wall time"
        timing += f", {cached} read from the run cache" if cached else ""
    return (
        f"**How the hyperparameters were chosen.** {result.n_val:,} of the {n_train:,} training images "
        f"({result.fraction:.0%}, stratified by class, seed {result.seed}) were held out as a validation set; "
        f"the test set played no part in the choice. {len(result.trials)} configurations were drawn at random "
        f"(seed {result.seed}) from: {_choices(space.depths)} hidden layers of {_choices(space.widths)} units, "
        f"activation {_choices(space.activations)}, learning rate log-uniform per optimizer ({lr_ranges}), "
        f"mini-batch size {_choices(space.batch_sizes)}, up to {_choices(space.epochs)} epochs. Each was trained "
        f"on the other {result.n_fit:,} images and evaluated on the validation set after every epoch; its score "
        f"is its lowest validation error, and the epoch where it was reached is its number of epochs (early "
        f"stopping). Training the {n} trials took {training:.0f} s in all, timed when each was trained; "
        f"{timing}.\n\n"
        f"**The choice.** Trial {best.index} ranked first with a validation error of {best.val_error:.2%} at "
        f"epoch {best.best_epoch}: {_describe(chosen)}. Trained again with these settings on all {n_train:,} "
        f"training images for {chosen.epochs} epochs ({chosen.epochs * final.iterations_per_epoch:,} updates), "
        f"it has a training error of {final.final_train_error:.2%} and a **test error of "
        f"{final.final_test_error:.2%}**, the only number here that comes from the test set.")


def _describe(config) -> str:
    layers = len(config.hidden)
    return (f"{layers} hidden layer{'s' if layers > 1 else ''} of {config.hidden[0]} units "
            f"({display_name(config.activation)}, {config.init_label()} initialisation), {config.optimizer_label()} "
            f"with learning rate "
            f"{config.lr:g}, mini-batches of {config.batch_size}")


def _choices(values) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
