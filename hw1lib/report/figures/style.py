"""What every figure of the report shares: style, colours, axes, and saving and showing.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so a notebook shows each
exactly once (through ``show``), no global figure state piles up, and the explorer can draw them
from its background thread. Every class is drawn in the colour ``class_colors`` gives it, in
every figure that colours classes; question 4's error rates per class are grey but for the most
confused pair, in two colours a colour-blind reader can tell apart.
"""

import functools
import io
import math
import pathlib
import threading

import matplotlib
import numpy as np
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D

from ...common import write_atomic
from .. import metrics
from ..captions import figure_html

DPI = 150
# Figures are at most 9 inches wide: printed on A4 they shrink by at most a fifth, so text stays readable.


RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Fixed colours for the things compared across figures (activations, initialisers), apart from classes.


SERIES_COLORS = {
    "sigmoid": "#d95f02",
    "relu": "#1b9e77",
    "tanh": "#7570b3",
    "leaky_relu": "#e7298a",
    "zero": "#666666",
    "normal": "#e6ab02",
    "xavier": "#7570b3",
    "he": "#1b9e77",
}


def class_colors(n):
    """One colour per class, the same in every figure: tab10 for up to 10 classes, else evenly spaced hues."""
    if n <= 10:
        return [matplotlib.colormaps["tab10"](i) for i in range(n)]
    import seaborn as sns  # imported here: it costs a second, and only Q4 and large class counts need it

    return sns.color_palette("husl", n)


def series_color(name, index=0):
    """The fixed colour of an activation or initialiser name; other names take tab10 colours in turn."""
    return SERIES_COLORS.get(name, matplotlib.colormaps["tab10"](index % 10))


# rc_context swaps matplotlib's global settings; the lock keeps a figure built in the explorer's
# thread and one built in the notebook's from seeing, or restoring, each other's settings.
STYLE_LOCK = threading.RLock()


def styled(function):
    """Build the figure under the report's font sizes and grid style."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with STYLE_LOCK, matplotlib.rc_context(RC):
            return function(*args, **kwargs)

    return wrapper


def png_bytes(fig, dpi=DPI, fast=False):
    """``fig`` as the bytes of a PNG on white; ``fast`` trades file size for speed (images shown for seconds)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 1} if fast else None)
    return buffer.getvalue()


def save_figure(fig, folder, name, dpi=DPI):
    """Write ``fig`` as ``folder/name.png`` (atomically) and return the path."""
    return write_atomic(pathlib.Path(folder) / f"{name}.png", png_bytes(fig, dpi))


def show(fig, folder, name, dpi=DPI, label="", caption=""):
    """Save ``fig`` (see ``save_figure``) and display that very PNG in the notebook, at the figure's size.

    With a ``label`` ('Figure 1.2', see ``captions.Numbering``) or a ``caption``, the PNG is shown with
    the numbered caption below it, as one HTML figure that printing keeps together.
    """
    from IPython.display import HTML, Image, display

    path = save_figure(fig, folder, name, dpi)
    width = round(fig.get_figwidth() * 96)
    if label or caption:
        display(HTML(figure_html(path.read_bytes(), label, caption, width, anchor=f"figure-{name}")))
    else:
        display(Image(data=path.read_bytes(), format="png", width=width))
    return path


def show_animation(path, caption):
    """Display a GIF in the notebook and the HTML report. Printed pages cannot animate, so the report's
    print style hides it (class ``hw1-animation``), and the PDF says nothing of it."""
    import base64

    from IPython.display import HTML, display

    from ..escape import html_text

    path = pathlib.Path(path)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    display(
        HTML(
            f'<figure class="hw1-animation"><img src="data:image/gif;base64,{data}" alt="{path.name}">'
            f"<figcaption>{html_text(caption)}</figcaption></figure>"
        )
    )


def epochs_of(history, iterations):
    return np.asarray(iterations, dtype=float) / history.iterations_per_epoch


def finite(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def chance_loss(history):
    return math.log(len(history.class_names))


def loss_lines(ax, h, color):
    """Every mini-batch's loss, and the loss on the whole training and test sets at each evaluation."""
    ax.plot(
        epochs_of(h, np.arange(1, h.iterations + 1)),
        finite(h.batch_loss),
        color=color,
        alpha=0.25,
        lw=0.6,
        label="mini-batch loss",
    )
    ax.plot(h.eval_epoch, finite(h.train_loss), color=color, lw=2, marker="o", ms=3, label="training set")
    ax.plot(h.eval_epoch, finite(h.test_loss), color="black", lw=1.5, ls="--", marker="s", ms=3, label="test set")
    ax.axhline(chance_loss(h), color="grey", lw=1, ls=":", label=f"uniform guess, ln {len(h.class_names)}")


def error_lines(ax, h, color, label=""):
    """Training (solid) and test (dashed) error rate per evaluation."""
    prefix = f"{label}: " if label else ""
    ax.plot(h.eval_epoch, h.train_error, color=color, lw=2, marker="o", ms=3, label=f"{prefix}training")
    ax.plot(h.eval_epoch, h.test_error, color=color, lw=2, ls="--", marker="s", ms=3, label=f"{prefix}test")


def chance_error_line(ax, h):
    ax.axhline(metrics.uniform_guess_error(len(h.class_names)), color="grey", lw=1, ls=":", label="chance")


def loss_axis(ax, label):
    ax.set_yscale("log")
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    # Labelled ticks at 1, 2 and 5 times powers of ten, so a loss within one decade still gets a scale;
    # no minor ticks, whose making is most of the time it takes to draw the figure.
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    if label:
        ax.set_ylabel(label)


def error_axis(ax, label="error rate"):
    # Linear below 1 % (so an error of exactly 0 can be drawn), logarithmic above: early errors near
    # 90 % and final ones near 1 % are both readable.
    ax.set_yscale("symlog", linthresh=0.01, linscale=0.4)
    ax.set_ylim(0, 1.05)
    ticks = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    ax.set_yticks(ticks, [f"{100 * t:g}%" for t in ticks])
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.set_ylabel(f"{label} (log scale above 1 %)")


def class_handles(class_names):
    """One legend entry per class: a dot of its colour."""
    colors = class_colors(len(class_names))
    return [
        Line2D([], [], ls="", marker="o", ms=7, color=c, label=name)
        for c, name in zip(colors, class_names, strict=False)
    ]


def class_legend(fig, class_names, **kwargs):
    fig.legend(handles=class_handles(class_names), title="class", **kwargs)
