"""A sweep's result as the report shows it: a table, a figure and a paragraph, all computed from it.

Each function takes the :class:`~hw1lib.sweep.SweepResult` of ``run_sweep`` and trains nothing.
"""

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..common import count
from ..runs.config import RunConfig, display_name

# No error axis goes above this: a trial there is stuck or diverged, and would squash the rest.
OFF_SCALE = 0.5


def trials_frame(result) -> pd.DataFrame:
    """One row per trial, best first (index: rank from 1), errors as fractions 0-1."""
    rows = [
        {
            "trial": t.index,
            "hidden": t.config.hidden_label(),
            "depth": len(t.config.hidden),
            "width": t.config.hidden[0],
            "activation": t.config.activation,
            "optimizer": t.config.optimizer,
            "lr": t.config.lr,
            "batch": t.config.batch_size,
            "epochs": t.config.epochs,
            "best epoch": t.best_epoch,
            "train error": t.train_error,
            "val error": t.val_error,
            "seconds": t.seconds,
            "stopped": result.was_stopped(t),
        }
        for t in result.ranked
    ]
    frame = pd.DataFrame(rows)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="rank")
    return frame


def top_table(result, n=10) -> pd.DataFrame:
    """The ``n`` best trials by validation error: trial, hidden sizes, activation, optimizer, lr,
    batch, epochs trained, best epoch, training and validation error at that epoch (fractions), seconds."""
    return trials_frame(result).drop(columns=["depth", "width", "stopped"]).head(count("top", n))


def styled_top_table(result, n=10):
    """``top_table`` as a pandas Styler for a notebook: errors in percent, learning rate as %g."""
    percent = "{:.2%}".format
    return top_table(result, n).style.format(
        {"train error": percent, "val error": percent, "lr": "{:g}".format, "seconds": "{:.1f}".format}, na_rep="-"
    )


def format_table(result, n=10) -> str:
    """``top_table`` as fixed-width text (errors in percent), for the command line."""
    percent = {col: (lambda v: "-" if not math.isfinite(v) else f"{v:.2%}") for col in ("train error", "val error")}
    return (
        top_table(result, n)
        .reset_index()
        .to_string(index=False, formatters={**percent, "lr": "{:g}".format, "seconds": "{:.1f}".format})
    )


def report_top_table(result, n=10):
    """``top_table`` as the report shows it: readable column names and values, no timings; a Styler."""
    frame = top_table(result, n)
    rows = pd.DataFrame(
        {
            "rank": frame.index,
            "hidden layers": [_layers(t.config.hidden) for t in result.ranked[: len(frame)]],
            "activation": frame["activation"].map(display_name),
            "optimiser": [RunConfig(optimizer=o).optimizer_label() for o in frame["optimizer"]],
            "learning rate": frame["lr"].map("{:g}".format),
            "batch": frame["batch"],
            "best epoch": [
                f"{best} of {trained}" for best, trained in zip(frame["best epoch"], frame["epochs"], strict=True)
            ],
            "training error": frame["train error"].map(_percent),
            "validation error": frame["val error"].map(_percent),
        },
        index=frame.index,
    )
    return rows.style.hide(axis="index")


def _layers(hidden):
    """(256, 256, 256) -> '3 × 256'; (512, 128) -> '512-128'."""
    return f"{len(hidden)} × {hidden[0]}" if len(set(hidden)) == 1 and len(hidden) > 1 else "-".join(map(str, hidden))


def _percent(value):
    return "-" if not math.isfinite(value) else f"{value:.2%}"


def validation_figure(result) -> Figure:
    """Validation error against learning rate (left) and hidden layers (right), one dot per trial.

    Colour = optimizer and marker = activation in both panels; the chosen trial is ringed; a trial the
    screening stopped is drawn hollow, at its error after the screening epochs. Right:
    the units per layer, with 1, 2 and 3 layers side by side within each. The error axis stops at
    three times the median trial's error (at most 50%) so the good trials are not squashed; a
    title counts the trials above it.
    """
    frame = trials_frame(result)
    errors = frame["val error"].to_numpy(dtype=float)
    finite = errors[np.isfinite(errors)]
    top = min(OFF_SCALE, 3 * float(np.median(finite))) if len(finite) else OFF_SCALE
    if not len(finite) or top <= finite.min():
        top = OFF_SCALE
    shown = frame[frame["val error"] <= top]
    depths = sorted(frame["depth"].unique())
    widths = sorted(frame["width"].unique())
    # Right panel: one slot per (width, depth), depths side by side within each width.
    slot = {(w, d): i * (len(depths) + 1) + j for i, w in enumerate(widths) for j, d in enumerate(depths)}
    x_slot = np.array([slot[(w, d)] for w, d in zip(shown["width"], shown["depth"], strict=False)], dtype=float)
    markers = dict(zip(sorted(frame["activation"].unique()), "os^Dv", strict=False))
    optimizers = sorted(frame["optimizer"].unique())
    colour = {o: f"C{i % 10}" for i, o in enumerate(optimizers)}
    fig = Figure(figsize=(9, 3.8), layout="constrained")  # at most 9 inches wide, like the report's other figures
    lr_ax, width_ax = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": (1, 1.15)})
    for ax, x in ((lr_ax, shown["lr"].to_numpy()), (width_ax, x_slot)):
        for activation, marker in markers.items():
            for stopped in (False, True):
                rows = ((shown["activation"] == activation) & (shown["stopped"] == stopped)).to_numpy()
                colours = [colour[o] for o in shown["optimizer"][rows]]
                ax.scatter(
                    x[rows],
                    100 * shown["val error"][rows],
                    marker=marker,
                    s=30,
                    alpha=0.8,
                    **({"facecolors": "none", "edgecolors": colours, "linewidths": 1.2} if stopped else {"c": colours}),
                )
        if result.best.index in set(shown["trial"]):
            row = (shown["trial"] == result.best.index).to_numpy()
            ax.scatter(
                x[row],
                100 * shown["val error"][row],
                s=170,
                facecolors="none",
                edgecolors="black",
                linewidths=1.5,
                zorder=3,
            )
        ax.grid(alpha=0.3)
    lr_ax.set(
        xscale="log", xlabel="learning rate (log scale)", ylabel="validation error (%)", ylim=(0, 100 * top * 1.05)
    )
    width_ax.set_xticks(list(slot.values()), [str(d) for _w, d in slot])
    width_ax.set_xlim(-0.8, max(slot.values()) + 0.8)
    width_ax.set_xlabel("hidden layers, grouped by units per layer")
    width_ax.grid(False, axis="x")
    for i in range(1, len(widths)):
        width_ax.axvline(i * (len(depths) + 1) - 1, color="0.85", lw=1)
    for w in widths:
        centre = np.mean([slot[(w, d)] for d in depths])
        width_ax.text(
            centre, 1.0, f"{w} units", transform=width_ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=9
        )
    handles = [
        Line2D([], [], ls="", marker="o", color=colour[o], label=RunConfig(optimizer=o).optimizer_label())
        for o in optimizers
    ]
    handles += [Line2D([], [], ls="", marker=m, color="0.4", label=display_name(a)) for a, m in markers.items()]
    if result.stopped:
        epochs = result.screen.epochs
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                mfc="none",
                mec="0.4",
                label=f"hollow: stopped after {epochs} epoch{'s' if epochs > 1 else ''}",
            )
        )
    handles.append(Line2D([], [], ls="", marker="o", ms=12, mfc="none", mec="black", label="chosen"))
    # One row while it fits the figure's width, else two.
    columns = len(handles) if len(handles) <= 7 else math.ceil(len(handles) / 2)
    fig.legend(handles=handles, loc="outside lower center", ncol=columns, fontsize=8.5, frameon=False)
    hidden = len(frame) - len(shown)
    if hidden:
        fig.suptitle(f"{hidden} of the {len(frame)} configurations, above {top:.0%}, not shown", fontsize=9)
    return fig
