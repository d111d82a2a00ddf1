"""Drawing runs repeated over seeds: the mean as a line, lowest to highest as a band; baselines; and
legends that sit below the axes instead of on the data."""

from matplotlib import ticker
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

BAND_ALPHA = 0.18
BASELINE_GREY = "#8c8c8c"


def band(ax, repeated, curve, color, **line):
    """Mean of ``curve`` over the seeds of ``repeated`` (a ``studies.seeds.Repeated``) with its range shaded.

    Returns the line. With one seed there is no band.
    """
    mean, low, high = repeated.curve(curve)
    x = repeated.epochs
    (drawn,) = ax.plot(x, mean, color=color, **line)
    if len(repeated.runs) > 1:
        ax.fill_between(x, low, high, color=color, alpha=BAND_ALPHA, lw=0)
    return drawn


def baseline_lines(ax, baselines):
    """The uniform guess (dotted) and, when it differs, always answering the most frequent class (dash-dotted)."""
    ax.axhline(baselines.uniform_error, color=BASELINE_GREY, lw=1.2, ls=":")
    if not baselines.same:
        ax.axhline(baselines.majority_error, color=BASELINE_GREY, lw=1.2, ls="-.")


def baseline_handles(baselines):
    """Legend entries for ``baseline_lines``."""
    if baselines.same:
        return [
            Line2D(
                [],
                [],
                color=BASELINE_GREY,
                lw=1.2,
                ls=":",
                label=f"uniform guess = always one class ({100 * baselines.uniform_error:.1f}%)",
            )
        ]
    return [
        Line2D(
            [], [], color=BASELINE_GREY, lw=1.2, ls=":", label=f"uniform guess ({100 * baselines.uniform_error:.1f}%)"
        ),
        Line2D(
            [],
            [],
            color=BASELINE_GREY,
            lw=1.2,
            ls="-.",
            label=f"always class {baselines.name(baselines.majority_class)} ({100 * baselines.majority_error:.1f}%)",
        ),
    ]


def style_handle(label, **line):
    """A grey legend entry for what a line style means (the colours are explained elsewhere)."""
    return Line2D([], [], color=line.pop("color", "0.3"), label=label, **line)


def color_handle(label, color):
    return Patch(facecolor=color, edgecolor=color, label=label)


def seeds_handle(seeds):
    """Legend entry for the shaded band, or None for a single seed."""
    return (
        Patch(facecolor="0.5", alpha=BAND_ALPHA + 0.1, lw=0, label=f"lowest–highest of {seeds} seeds")
        if seeds > 1
        else None
    )


def legend_below(fig, handles, ncol=None):
    """One legend for the figure, centred under its axes (the figure needs a constrained layout)."""
    handles = [h for h in handles if h is not None]
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol or min(len(handles), 4), frameon=False)


def percent_axis(ax, top=1.0, label="error rate"):
    """A plain linear axis of error rates from 0 to ``top``, labelled in percent."""
    ax.set_ylim(0, top)
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(xmax=1.0, decimals=0 if top > 0.05 else 1))
    ax.set_ylabel(label)


def log_loss_axis(ax, label="cross-entropy loss (log scale)"):
    """A plain logarithmic loss axis with ticks at 1, 2 and 5 times powers of ten, written as numbers."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    if label:
        ax.set_ylabel(label)
