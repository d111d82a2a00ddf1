"""Figures of the report. Each function takes finished histories or arrays and returns a Figure.

Nothing here trains. Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so
a notebook shows each exactly once (through ``show``), no global figure state piles up, and the
explorer can draw them from its background thread. Every class is drawn in the colour
``class_colors`` gives it, in every figure.
"""
import functools
import io
import math
import pathlib
import threading

import matplotlib
import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib import ticker
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from . import experiments
from .download import atomic_file

DPI = 150
# Figures are at most 9 inches wide: printed on A4 they shrink by at most a fifth, so text stays readable.
_RC = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 9.5,
       "xtick.labelsize": 10, "ytick.labelsize": 10, "axes.grid": True, "grid.alpha": 0.3,
       "axes.spines.top": False, "axes.spines.right": False}
# Fixed colours for the things compared across figures (activations, initialisers), apart from classes.
_SERIES = {"sigmoid": "#d95f02", "relu": "#1b9e77", "tanh": "#7570b3", "leaky_relu": "#e7298a",
           "zero": "#666666", "normal": "#e6ab02", "xavier": "#7570b3", "he": "#1b9e77"}


def class_colors(n):
    """One colour per class, the same in every figure: tab10 for up to 10 classes, else evenly spaced hues."""
    if n <= 10:
        return [matplotlib.colormaps["tab10"](i) for i in range(n)]
    import seaborn as sns  # imported here: it costs a second, and only Q4 and large class counts need it

    return sns.color_palette("husl", n)


def series_color(name, index=0):
    """The fixed colour of an activation or initialiser name; other names take tab10 colours in turn."""
    return _SERIES.get(name, matplotlib.colormaps["tab10"](index % 10))


# rc_context swaps matplotlib's global settings; the lock keeps a figure built in the explorer's
# thread and one built in the notebook's from seeing, or restoring, each other's settings.
_STYLE_LOCK = threading.RLock()


def _styled(function):
    """Build the figure under the report's font sizes and grid style."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _STYLE_LOCK, matplotlib.rc_context(_RC):
            return function(*args, **kwargs)
    return wrapper


def png_bytes(fig, dpi=DPI, fast=False):
    """``fig`` as the bytes of a PNG on white; ``fast`` trades file size for speed (images shown for seconds)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white",
                pil_kwargs={"compress_level": 1} if fast else None)
    return buffer.getvalue()


def save_figure(fig, folder, name, dpi=DPI):
    """Write ``fig`` as ``folder/name.png`` (atomically) and return the path."""
    path = pathlib.Path(folder) / f"{name}.png"
    data = png_bytes(fig, dpi)
    with atomic_file(path) as out:
        out.write(data)
    path.chmod(0o644)
    return path


def show(fig, folder, name, dpi=DPI):
    """Save ``fig`` (see ``save_figure``) and display that very PNG in the notebook, at the figure's size."""
    from IPython.display import Image, display

    path = save_figure(fig, folder, name, dpi)
    display(Image(data=path.read_bytes(), format="png", width=round(fig.get_figwidth() * 96)))
    return path


def show_animation(path, caption):
    """Display a GIF in the notebook and the HTML report. Printed pages cannot animate, so the report's
    print style hides it (class ``hw1-animation``) and shows ``caption`` with the file name instead."""
    import base64

    from IPython.display import HTML, display

    path = pathlib.Path(path)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    display(HTML(f'<figure class="hw1-animation"><img src="data:image/gif;base64,{data}" alt="{path.name}">'
                 f'<figcaption>{caption}</figcaption></figure>'
                 f'<p class="hw1-print-only"><em>{caption} It animates in the HTML report.</em></p>'))


def _epochs(history, iterations):
    return np.asarray(iterations, dtype=float) / history.iterations_per_epoch


def _finite(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _chance_loss(history):
    return math.log(len(history.class_names))


def _loss_lines(ax, h, color):
    """Every mini-batch's loss, and the loss on the whole training and test sets at each evaluation."""
    ax.plot(_epochs(h, np.arange(1, h.iterations + 1)), _finite(h.batch_loss), color=color, alpha=0.25, lw=0.6,
            label="mini-batch loss")
    ax.plot(h.eval_epoch, _finite(h.train_loss), color=color, lw=2, marker="o", ms=3, label="training set")
    ax.plot(h.eval_epoch, _finite(h.test_loss), color="black", lw=1.5, ls="--", marker="s", ms=3, label="test set")
    ax.axhline(_chance_loss(h), color="grey", lw=1, ls=":", label=f"uniform guess, ln {len(h.class_names)}")


def _error_lines(ax, h, color, label=""):
    """Training (solid) and test (dashed) error rate per evaluation."""
    prefix = f"{label}: " if label else ""
    ax.plot(h.eval_epoch, h.train_error, color=color, lw=2, marker="o", ms=3, label=f"{prefix}training")
    ax.plot(h.eval_epoch, h.test_error, color=color, lw=2, ls="--", marker="s", ms=3, label=f"{prefix}test")


def _chance_error(ax, h):
    ax.axhline(1 - 1 / len(h.class_names), color="grey", lw=1, ls=":", label="chance")


@_styled
def learning_curves(histories):
    """Loss against epochs, one panel per run: every mini-batch's loss, and the loss on the whole
    training and test sets at each evaluation. histories: {label: History}."""
    fig = Figure(figsize=(min(9.0, 3.2 * len(histories) + 2.6), 4.0), layout="constrained")
    axes = fig.subplots(1, len(histories), sharey=True, squeeze=False)[0]
    for i, (ax, (label, h)) in enumerate(zip(axes, histories.items())):
        _loss_lines(ax, h, series_color(h.config.activation, i))
        _loss_axis(ax, "cross-entropy loss (log scale)" if i == 0 else None)
        ax.set_title(label)
        ax.set_xlabel("epoch")
    axes[-1].legend(loc="lower left")  # losses fall from the top left: the corner below them is free
    return fig


@_styled
def error_curves(histories):
    """Training (solid) and test (dashed) error rate against epochs for each run. histories: {label: History}."""
    fig = Figure(figsize=(8.5, 3.8), layout="constrained")
    ax = fig.subplots()
    for i, (label, h) in enumerate(histories.items()):
        _error_lines(ax, h, series_color(h.config.activation, i), label)
    _chance_error(ax, next(iter(histories.values())))
    _error_axis(ax)
    ax.set_xlabel("epoch")
    ax.legend(ncol=2, loc="upper right")
    return fig


@_styled
def run_curves(history, title=""):
    """One run, finished or still training, as the explorer shows it: the loss panel of
    ``learning_curves`` beside the error rates of ``error_curves``, the x axis fixed to the epochs
    the run is planned for, so the frame keeps still while the curves grow."""
    # Fixed margins: a constrained layout would double the drawing time of every frame.
    fig = Figure(figsize=(9, 3.4))
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.15, top=0.86 if title else 0.95, wspace=0.3)
    loss_ax, error_ax = fig.subplots(1, 2)
    color = series_color(history.config.activation)
    _loss_lines(loss_ax, history, color)
    _loss_axis(loss_ax, "cross-entropy loss (log scale)")
    _error_lines(error_ax, history, color)
    _chance_error(error_ax, history)
    _error_axis(error_ax)
    for ax in (loss_ax, error_ax):
        ax.set_xlim(0, history.config.epochs)
        ax.set_xlabel("epoch")
    loss_ax.legend(loc="lower left", fontsize=8)
    error_ax.legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _loss_axis(ax, label):
    ax.set_yscale("log")
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    # Labelled ticks at 1, 2 and 5 times powers of ten, so a loss within one decade still gets a scale;
    # no minor ticks, whose making is most of the time it takes to draw the figure.
    ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    if label:
        ax.set_ylabel(label)


def _error_axis(ax, label="error rate"):
    # Linear below 1 % (so an error of exactly 0 can be drawn), logarithmic above: early errors near
    # 90 % and final ones near 1 % are both readable.
    ax.set_yscale("symlog", linthresh=0.01, linscale=0.4)
    ax.set_ylim(0, 1.05)
    ticks = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    ax.set_yticks(ticks, [f"{100 * t:g}%" for t in ticks])
    ax.yaxis.set_minor_locator(ticker.NullLocator())
    ax.set_ylabel(f"{label} (log scale above 1 %)")


@_styled
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
        smooth = np.convolve(_finite(h.batch_loss), np.ones(window) / window, mode="valid")
        left.plot(np.arange(window, h.iterations + 1), smooth, color=color, lw=1.6, label=f"lr {lr:g}")
        right.plot(h.eval_epoch, h.test_error, color=color, lw=2, marker="o", ms=3, label=f"lr {lr:g}")
    left.plot(np.arange(1, first.iterations + 1), _finite(first.batch_loss), color="red", lw=1.2,
              label=f"seed report run (lr {first.config.lr:g})")
    left.axvline(first.iterations, color="red", ls=":", lw=1)
    left.text(first.iterations * 1.08, left.get_ylim()[0], f"{first.iterations} updates", color="red",
              va="bottom", fontsize=9)
    left.axhline(_chance_loss(first), color="grey", ls=":", lw=1, label="uniform guess")
    left.set_xscale("log")
    left.set_xlabel("update (log scale)")
    left.set_ylabel(f"mini-batch loss (mean of {window})")
    left.set_title("loss per update")
    left.legend(loc="lower left")
    right.plot([first.epochs_run], [first.final_test_error], "X", color="red", ms=10, label="seed report run")
    right.axhline(1 - 1 / len(first.class_names), color="grey", ls=":", lw=1, label="chance")
    _error_axis(right, "test error")
    right.set_xlabel("epoch")
    right.set_title("test error")
    right.legend(loc="lower left")
    return fig


@_styled
def init_comparison(runs):
    """Training loss and test error per epoch for each initialiser, one row per activation.

    runs: {activation: {init name: History}}.
    """
    fig = Figure(figsize=(9, 3.2 * len(runs) + 0.3), layout="constrained")
    axes = fig.subplots(len(runs), 2, sharex=True, squeeze=False)
    for row, (activation, by_init) in zip(axes, runs.items()):
        for i, (init, h) in enumerate(by_init.items()):
            label = experiments.init_label(h.config)
            color = series_color(init, i)
            row[0].plot(h.eval_epoch, _finite(h.train_loss), color=color, lw=2, marker="o", ms=3, label=label)
            row[1].plot(h.eval_epoch, h.test_error, color=color, lw=2, marker="o", ms=3, label=label)
        _loss_axis(row[0], "training loss (log scale)")
        row[0].set_title(f"{activation}: training loss")
        _error_axis(row[1], "test error")
        row[1].set_title(f"{activation}: test error")
        row[1].legend(loc="lower left")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    return fig


@_styled
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
        scale = np.where(s["stage_scale"] > 0, s["stage_scale"], 1.0)
        relative = s["stage_spread"] / scale
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


@_styled
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


def _class_legend(fig, class_names, **kwargs):
    colors = class_colors(len(class_names))
    handles = [Line2D([], [], ls="", marker="o", ms=7, color=c, label=name) for c, name in zip(colors, class_names)]
    fig.legend(handles=handles, title="class", **kwargs)


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


@_styled
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
    _class_legend(fig, history.class_names, loc="outside right center")
    return fig


def save_latent_animation(history, labels, path, fps=3):
    """Write a GIF of the 2-node layer's outputs at every recorded stage (each frame zoomed to its points)."""
    path = pathlib.Path(path)
    with matplotlib.rc_context(_RC):
        # A fixed layout: re-solving a constrained layout for every frame would take most of the time.
        fig = Figure(figsize=(6.4, 5.2))
        fig.subplots_adjust(left=0.13, right=0.82, bottom=0.11, top=0.93)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        colors = class_colors(len(history.class_names))
        _class_legend(fig, history.class_names, loc="center right")
        writer = PillowWriter(fps=fps)
        tmp = path.with_name(f".{path.name}.part.gif")
        path.parent.mkdir(parents=True, exist_ok=True)
        # One scatter whose points move: cheaper than clearing and redrawing the axes for every frame.
        order = np.random.default_rng(0).permutation(len(labels))
        points = ax.scatter(*history.snapshots[0][order].T, c=np.asarray(colors)[labels[order]], s=6, alpha=0.7,
                            linewidths=0)
        ax.set_xlabel("latent unit 1")
        ax.set_ylabel("latent unit 2")
        try:
            with writer.saving(fig, str(tmp), dpi=90):
                for stage, z in zip(history.snapshot_stages, history.snapshots):
                    points.set_offsets(z[order])
                    _zoom(ax, z)
                    ax.set_title(_stage_title(stage, history))
                    writer.grab_frame()
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


@_styled
def latent_separation(stats, history):
    """How separable the classes are in the 2-node layer at each stage, beside the model's test error.

    stats: ``metrics.latent_stage_stats``; history: the run (its per-epoch test error).
    """
    fig = Figure(figsize=(9, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2, sharex=True)
    stages = stats["stages"]
    left.plot(stages, stats["knn_error"], "o-", color="C0", label="5-NN error in the 2-D space (test set)")
    left.plot(history.eval_epoch, history.test_error, "s--", color="black", ms=4, label="network's test error")
    left.axhline(1 - 1 / len(history.class_names), color="grey", ls=":", lw=1, label="chance")
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


def _confusion_panel(ax, values, conf, fmt, cmap, title, names, annot_size=8.5):
    """One heatmap of ``values`` (n, n), rows true classes; cells with no images left blank."""
    import seaborn as sns  # imported here: it costs a second, and only confusion matrices need it

    text = np.where(conf > 0, np.char.mod(fmt, values), "") if len(names) <= 12 else False
    sns.heatmap(values, ax=ax, annot=text, fmt="", cmap=cmap, square=True, xticklabels=names, yticklabels=names,
                annot_kws={"fontsize": annot_size}, cbar_kws={"shrink": 0.8})
    ax.set_title(title)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    ax.tick_params(axis="x", rotation=45 if max(map(len, names)) > 2 else 0)
    ax.tick_params(axis="y", rotation=0)


@_styled
def confusion_heatmaps(conf, class_names):
    """The confusion matrix twice: counts, and each row as a share of that class's test images.

    Empty cells are left blank, so the few confusions stand out from the zeros.
    """
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    totals = conf.sum(axis=1, keepdims=True)
    shares = np.divide(conf, totals, out=np.zeros(conf.shape), where=totals > 0) * 100
    names = list(class_names)
    _confusion_panel(left, conf, conf, "%d", "Blues", "counts", names)
    _confusion_panel(right, shares, conf, "%.0f", "Reds", "% of each true class (rows sum to 100)", names)
    return fig


@_styled
def confusion_counts(conf, class_names, title="counts"):
    """The counts panel of ``confusion_heatmaps`` on its own, for a smaller view."""
    fig = Figure(figsize=(4.8, 4.3), layout="constrained")
    _confusion_panel(fig.subplots(), conf, conf, "%d", "Blues", title, list(class_names), annot_size=7.5)
    return fig


@_styled
def per_class_error_bars(errors, class_names, overall):
    """Error rate of each class as bars in the class colours, with the overall test error as a line."""
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.bar(range(len(errors)), errors, color=class_colors(len(errors)))
    ax.axhline(overall, color="black", ls="--", lw=1, label=f"all classes ({overall:.1%})")
    ax.set_xticks(range(len(errors)), class_names, rotation=45 if max(map(len, class_names)) > 2 else 0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("true class")
    ax.set_ylabel("test error rate")
    ax.legend()
    return fig


@_styled
def misclassified_gallery(images, true, pred, confidence, class_names, cols=8):
    """Test images the network got wrong. images (n, 28, 28); true, pred (n,) classes; confidence (n,)
    the probability the network gave its wrong answer. The title shows true -> predicted (confidence)."""
    n = len(images)
    if n == 0:
        fig = Figure(figsize=(6, 1), layout="constrained")
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, "No test image is misclassified.", ha="center", va="center", fontsize=12)
        return fig
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(1.1 * cols, 1.45 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, image, t, p, c in zip(axes, images, true, pred, confidence):
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        ax.set_title(f"{class_names[t]} → {class_names[p]}\n({c:.0%})", fontsize=9)
    return fig
