"""The explorer's three views drawn as PNG bytes: learning curves, latent scatter, confusion matrix.

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas, never pyplot, because the
explorer draws from a background thread and pyplot's global figure list is not thread-safe.
Every function takes a History (a finished or a partial run) and returns the bytes of a PNG.
"""
import io

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 80
TRAIN_COLOR, TEST_COLOR = "tab:blue", "tab:orange"


def to_png(figure):
    """The figure as PNG bytes (fast zlib level: these images live for seconds)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def curves_png(history, title=""):
    """Loss and error rate against epochs, train and test, on an x axis fixed to the planned epochs.

    Fixing the axis keeps the frame still while a run is drawn epoch by epoch.
    """
    # Fixed margins: a constrained layout would double the drawing time of every frame.
    figure = Figure(figsize=(7.2, 2.8))
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.88, wspace=0.25)
    loss_ax, error_ax = figure.subplots(1, 2)
    epochs = history.eval_epoch
    with np.errstate(invalid="ignore"):
        for ax, train, test, label in ((loss_ax, history.train_loss, history.test_loss, "cross-entropy loss"),
                                       (error_ax, 100 * history.train_error, 100 * history.test_error,
                                        "error rate (%)")):
            ax.plot(epochs, train, "o-", color=TRAIN_COLOR, markersize=3, label="train")
            ax.plot(epochs, test, "o-", color=TEST_COLOR, markersize=3, label="test")
            ax.set_xlim(0, history.config.epochs)
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
    loss_ax.set_ylim(bottom=0)
    error_ax.set_ylim(bottom=0)
    error_ax.legend(loc="upper right")
    if title:
        figure.suptitle(title, fontsize=9)
    return to_png(figure)


def latent_png(history, labels, class_names):
    """Scatter of the last latent snapshot (n_test, 2) of ``history``, one colour per class of ``labels``."""
    figure = Figure(figsize=(3.6, 3.4), layout="constrained")
    ax = figure.subplots()
    points = history.snapshots[-1]
    palette = np.asarray(_palette(len(class_names)))
    ax.scatter(points[:, 0], points[:, 1], c=palette[labels], s=6, alpha=0.7, linewidths=0)
    for color, name in zip(palette, class_names):
        ax.scatter([], [], color=color, s=12, label=name)
    ax.legend(fontsize=6, markerscale=1, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    ax.set_title(f"latent features (test set, epoch {history.snapshot_stages[-1]:g})", fontsize=9)
    ax.set_xlabel("unit 1")
    ax.set_ylabel("unit 2")
    return to_png(figure)


def confusion_png(history, labels, class_names):
    """Confusion matrix of the final test predictions: rows true class, columns predicted, counts."""
    n = len(class_names)
    counts = np.bincount(labels * n + history.test_pred, minlength=n * n).reshape(n, n)
    figure = Figure(figsize=(3.6, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.imshow(counts, cmap="Blues")
    big = counts > counts.max() / 2
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=6,
                    color="white" if big[i, j] else "black")
    short = [name[:6] for name in class_names]
    ax.set_xticks(range(n), short, fontsize=6, rotation=90 if max(map(len, short)) > 2 else 0)
    ax.set_yticks(range(n), short, fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion (test error {history.final_test_error:.1%})", fontsize=9)
    return to_png(figure)


def _palette(n):
    """n distinct colours: tab10 for up to 10 classes, else evenly spaced hues."""
    cmap = colormaps["tab10" if n <= 10 else "hsv"]
    return [cmap(k if n <= 10 else k / n) for k in range(n)]
