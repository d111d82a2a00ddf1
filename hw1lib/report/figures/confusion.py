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
    sns.heatmap(
        values,
        ax=ax,
        annot=text,
        fmt="",
        cmap=cmap,
        square=True,
        xticklabels=names,
        yticklabels=names,
        annot_kws={"fontsize": annot_size},
        cbar_kws={"shrink": 0.8},
    )
    ax.set_title(title)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    ax.tick_params(axis="x", rotation=45 if max(map(len, names)) > 2 else 0)
    ax.tick_params(axis="y", rotation=0)


def cell_labels(conf):
    """(n, n) text for each cell of ``conf``: its share of the row to one decimal and its count, e.g.
    '4.0%\n(4)'; '' for an empty cell. A cell holding images never reads 0.0% (nor 100.0% when its
    row has images elsewhere): it reads '<0.1%' ('>99.9%')."""
    totals = conf.sum(axis=1, keepdims=True)
    shares = np.divide(conf, totals, out=np.zeros(conf.shape), where=totals > 0) * 100
    labels = np.full(conf.shape, "", dtype=object)
    for (i, j), count in np.ndenumerate(conf):
        if count == 0:
            continue
        share = f"{shares[i, j]:.1f}%"
        if share == "0.0%":
            share = "<0.1%"
        elif share == "100.0%" and count < totals[i, 0]:
            share = ">99.9%"
        labels[i, j] = f"{share}\n({count:,})"
    return labels


@styled
def confusion_matrix_figure(conf, class_names):
    """The confusion matrix as shares of each true class, every cell with its count.

    Correct answers (the diagonal) are shaded grey and mistakes red on a scale of their own, so a
    confusion of a few percent is not washed out by diagonal cells near 100%. Rows are labelled with
    the number of test images of the class. Empty cells are left blank.
    """
    from matplotlib.colors import Normalize

    n = len(class_names)
    totals = conf.sum(axis=1)
    shares = np.divide(conf, totals[:, None], out=np.zeros(conf.shape), where=totals[:, None] > 0) * 100
    side = max(3.8, 0.36 * n + 0.9)
    fig = Figure(figsize=(min(side + 1.1, 9.0), min(side, 8.2)), layout="constrained")
    ax = fig.subplots()
    ax.set_facecolor("#f4f4f4")  # empty cells: pale, so the white lines still mark the grid
    diagonal = np.eye(n, dtype=bool)
    wrong = np.ma.masked_where(diagonal | (conf == 0), shares)
    right = np.ma.masked_where(~diagonal, shares)
    top = float(wrong.max()) if wrong.count() else 1.0
    image = ax.imshow(wrong, cmap="Reds", norm=Normalize(0, top), aspect="equal")
    ax.imshow(right, cmap="Greys", norm=Normalize(0, 250), aspect="equal")
    if n <= 15:
        size = 7 if n <= 10 else 5.5
        for (i, j), text in np.ndenumerate(cell_labels(conf)):
            dark = not diagonal[i, j] and conf[i, j] and shares[i, j] > 0.6 * top
            ax.text(
                j, i, text, ha="center", va="center", fontsize=size, linespacing=1.1, color="white" if dark else "black"
            )
    names = list(class_names)
    ax.set_xticks(
        range(n),
        names,
        rotation=45 if max(map(len, names)) > 2 else 0,
        ha="right" if max(map(len, names)) > 2 else "center",
    )
    ax.set_yticks(range(n), [f"{name} ({total:,})" for name, total in zip(names, totals, strict=False)])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class (test images)")
    ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.7, pad=0.02)
    bar.set_label("mistakes: % of the true class")
    return fig


@styled
def confusion_counts(conf, class_names, title="counts"):
    """The confusion matrix as counts alone, small: the explorer's view of a run."""
    fig = Figure(figsize=(4.8, 4.3), layout="constrained")
    _confusion_panel(fig.subplots(), conf, conf, "%d", "Blues", title, list(class_names), annot_size=7.5)
    return fig


@styled
def per_class_error_bars(errors, class_names, overall, low=None, high=None, colors=None, train_counts=None):
    """Error rate of each class as bars, with the overall test error as a dashed line and, given ``low`` and
    ``high`` (n,), each rate's interval as an error bar.

    colors: one colour per bar (default: the class colours); question 4 passes grey bars with the most
    confused pair in its two pair colours. train_counts (n,), optional: each class's training images,
    written under its name.
    """
    fig = Figure(figsize=(8, 2.9 if train_counts is None else 3.1), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(errors))
    ax.bar(x, errors, color=class_colors(len(errors)) if colors is None else colors)
    if low is not None and high is not None:
        spans = np.clip([np.asarray(errors) - low, np.asarray(high) - errors], 0, None)  # no rounding below 0
        ax.errorbar(
            x, errors, yerr=spans, fmt="none", ecolor="black", elinewidth=1.2, capsize=4, label="95% interval (Wilson)"
        )
    ax.axhline(overall, color="black", ls="--", lw=1, label=f"all classes ({overall:.1%})")
    long = max(map(len, class_names)) > 2
    names = list(class_names)
    if train_counts is not None:
        names = [f"{name}\n{int(n):,}" for name, n in zip(names, train_counts, strict=True)]
    ax.set_xticks(x, names, rotation=45 if long else 0, ha="right" if long else "center")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, None)
    ax.set_xlabel("true class" if train_counts is None else "true class (training images)")
    ax.set_ylabel("test error rate")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return fig


def pair_colors(n, pair, colors, other):
    """(n,) bar colours: ``other`` for every class but the two of ``pair`` (may be empty), which get ``colors``."""
    drawn = [other] * n
    for k, color in zip(pair, colors, strict=False):
        drawn[k] = color
    return drawn


@styled
def misclassified_gallery(images, true, pred, confidence, class_names, cols=8, references=None):
    """Test images the network got wrong. images (n, 28, 28); true, pred (n,) classes; confidence (n,)
    the probability the network gave its wrong answer. The title shows true -> predicted (confidence).

    ``references`` (n_classes, 28, 28), optional: one correctly classified image per class (a blank
    image for a class with none), drawn first, in a row of their own, so a reader who does not know
    the classes sees what each should look like.
    """
    n = len(images)
    if n == 0 and references is None:
        fig = Figure(figsize=(6, 1), layout="constrained")
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, "No test image is misclassified.", ha="center", va="center", fontsize=12)
        return fig
    ref_rows = 0 if references is None else math.ceil(len(references) / cols)
    rows = max(1, math.ceil(n / cols))
    fig = Figure(figsize=(1.0 * cols, 1.4 * rows + 1.25 * ref_rows + 0.6), layout="constrained")
    titles = [
        f"{class_names[t]} → {class_names[p]}\n({_probability(c)})"
        for t, p, c in zip(true, pred, confidence, strict=True)
    ]
    if references is None:
        _image_grid(fig, images, titles, cols, rows)
        return fig
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25 * ref_rows + 0.3, 1.4 * rows + 0.3])
    top.suptitle("What each class looks like: a correctly classified test image of each", fontsize=12)
    _image_grid(top, references, [str(name) for name in class_names], cols, ref_rows)
    bottom.suptitle(
        "Mistakes, the surest first: true class → predicted class (probability given to it)"
        if n
        else "No test image is misclassified.",
        fontsize=12,
    )
    _image_grid(bottom, images, titles, cols, rows)
    return fig


def _probability(p):
    """0.95 -> '95%', 0.996 -> '99.6%', 0.9999 -> '>99.9%': never '100%' for an answer that is not certain."""
    if p >= 0.9995:
        return ">99.9%" if p < 1 else "100%"
    return f"{p:.1%}" if p >= 0.995 else f"{p:.0%}"


def _image_grid(fig, images, titles, cols, rows):
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles, strict=False):
        ax.imshow(image, cmap="gray_r", interpolation="nearest")
        ax.set_title(title, fontsize=11)
