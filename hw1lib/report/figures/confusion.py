"""Question 4's figures: the confusion matrix, error rate per class, and misclassified images."""
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .style import class_colors, styled


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


@styled
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


@styled
def confusion_counts(conf, class_names, title="counts"):
    """The counts panel of ``confusion_heatmaps`` on its own, for a smaller view."""
    fig = Figure(figsize=(4.8, 4.3), layout="constrained")
    _confusion_panel(fig.subplots(), conf, conf, "%d", "Blues", title, list(class_names), annot_size=7.5)
    return fig


@styled
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


@styled
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
