"""Question 4: the confusion matrix of the main model, by class and by pair.

``confusion_text`` joins one function per paragraph; each reads the confusion matrix (counts, rows
true classes) that the heat-map and tables beside it show.
"""
import numpy as np

from .. import metrics
from .words import diverged_line, paragraphs, pct, styled_table, times


def per_class_table(conf, class_names):
    """One row per true class: test images, errors, error rate, and the class it is most often taken for."""
    errors = metrics.per_class_error(conf)
    off = _off_diagonal(conf)
    rows = []
    for k, name in enumerate(class_names):
        worst = int(np.argmax(off[k]))
        rows.append({"class": name, "test images": int(conf[k].sum()), "errors": int(off[k].sum()),
                     "error rate": pct(float(errors[k])),
                     "most often taken for": f"{class_names[worst]} ({int(off[k, worst])})" if off[k, worst] else "-"})
    return styled_table(rows)


def confused_pairs_table(conf, class_names, correlation, k=5):
    """The ``k`` most frequent confusions: counts both ways, share of the class, mean-image correlation."""
    rows = []
    for t, p, images in metrics.most_confused_pairs(conf, k):
        value, rank, pairs, _ = _pair_similarity(correlation, t, p)
        rows.append({"true": class_names[t], "predicted": class_names[p], "images": images,
                     "share of the true class": pct(images / conf[t].sum()),
                     "the other way round": int(conf[p, t]),
                     "mean-image correlation (rank)": f"{value:.2f} ({rank} of {pairs})"})
    return styled_table(rows)


def confusion_text(conf, history, correlation, confidence=None):
    """Q4 discussion of the confusion matrix ``conf`` of ``history``'s final predictions.

    correlation: ``metrics.class_mean_correlation`` of the test images; confidence: optional (n_errors,)
    probabilities the network gave its wrong answers.
    """
    opening = paragraphs(_overall_paragraph(conf, history), diverged_line({"this network": history}))
    if _wrong(conf) == 0:
        return paragraphs(opening, "With no mistakes on the test set there is nothing to confuse: the matrix is "
                                   "diagonal.")
    return paragraphs(opening, _by_class_paragraph(conf, history.class_names),
                      _most_confused_paragraph(conf, history.class_names),
                      _why_paragraph(conf, history.class_names, correlation),
                      _confidence_paragraph(confidence) if confidence is not None and len(confidence) else "",
                      _generalisation_paragraph(conf, history))


def _wrong(conf):
    return int(conf.sum() - np.trace(conf))


def _off_diagonal(conf):
    off = conf.copy()
    np.fill_diagonal(off, 0)
    return off


def _pair_similarity(correlation, t, p):
    """(correlation of the two classes' mean images, its rank among all class pairs, number of pairs, median)."""
    upper = correlation[np.triu_indices_from(correlation, k=1)]
    value = float(correlation[t, p])
    return value, int(np.sum(upper > value)) + 1, len(upper), float(np.median(upper))


def _overall_paragraph(conf, history):
    n, wrong = int(conf.sum()), _wrong(conf)
    return (f"The network of question 1 ({history.config.describe()}) gets {wrong} of the {n:,} test images wrong: "
            f"test error {pct(wrong / n)}, against {pct(history.final_train_error)} on the training images.")


def _by_class_paragraph(conf, names):
    errors = metrics.per_class_error(conf)
    order = np.argsort(-np.nan_to_num(errors, nan=-1))
    hardest = ", ".join(f"{names[k]} ({pct(float(errors[k]))})" for k in order[:3])
    easiest = order[-1]
    return (
        f"**By class.** The error rate per class runs from {pct(float(errors[easiest]))} for {names[easiest]} to "
        f"{pct(float(errors[order[0]]))} for {names[order[0]]}. The hardest classes are {hardest}; "
        f"{np.sum(errors > _wrong(conf) / conf.sum())} of the {len(names)} classes are above the overall rate.")


def _most_confused_paragraph(conf, names):
    pairs = metrics.most_confused_pairs(conf, 5)
    if not pairs:
        return ""
    wrong = _wrong(conf)
    t, p, images = pairs[0]
    reverse = int(conf[p, t])
    both = (f"and {names[p]} is read as {names[t]} {times(reverse)}, so the confusion runs both ways"
            if reverse else f"but {names[p]} is never read as {names[t]}")
    covered = sum(c for _, _, c in pairs)
    return (
        f"**Most confused.** The most frequent mistake is {names[t]} read as {names[p]}: {images} images, "
        f"{pct(images / conf[t].sum())} of the test images of {names[t]} and {pct(images / wrong)} of all errors; "
        f"{both}. The {len(pairs)} most frequent confusions together make up {pct(covered / wrong)} of the errors, "
        f"spread over {int(np.count_nonzero(_off_diagonal(conf)))} of the {len(names) * (len(names) - 1)} possible "
        f"(true, predicted) pairs.")


def _why_paragraph(conf, names, correlation):
    pairs = metrics.most_confused_pairs(conf, 1)
    if not pairs:
        return ""
    t, p, _ = pairs[0]
    value, rank, total, median = _pair_similarity(correlation, t, p)
    alike = rank <= total / 3
    return (
        f"**Why these.** The average test image of {names[t]} and that of {names[p]} have a correlation of "
        f"{value:.2f}, rank {rank} of the {total} class pairs (median {median:.2f}): "
        + ("these classes look alike even on average, so a stroke more or less turns one into the other."
           if alike else
           "on average they do not look especially alike, so these mistakes come from individual "
           "handwriting (slanted, thick or broken strokes) rather than from the typical shapes.")
        + " The gallery of misclassified test images shows such mistakes with the network's answer.")


def _confidence_paragraph(confidence):
    confidence = np.asarray(confidence)
    median = float(np.median(confidence))
    return (
        f"**How sure it was.** The network gave its wrong answer a probability above 90% for "
        f"{int(np.sum(confidence > 0.9))} of the {len(confidence)} mistakes; the median is {pct(median, 0)}. "
        + ("Most wrong answers were given with better than even odds: the softmax output does not signal "
           "when the network is wrong." if median > 0.5 else
           "Most wrong answers were close calls, where a second class had nearly as much probability."))


def _generalisation_paragraph(conf, history):
    if history.final_train_error >= (_wrong(conf) / conf.sum()) / 2:
        return ""
    return (
        f"On the training images the error is only {pct(history.final_train_error)}, so most of these confusions "
        f"are a matter of generalising to new handwriting; more training data or regularisation would address "
        f"them more than a longer training run.")
