"""Question 4: the confusion matrix of the main model, by class, by pair, and how sure it was.

Every function reads one ``studies.confusion.ConfusionStudy``, the object the figures and the
table are drawn from, so a class named here is the class drawn there. One function per
paragraph or caption; ``confusion_text`` joins the paragraphs.
"""

import numpy as np

from ..captions import captioned
from ..escape import markdown_text
from ..studies.confusion import MIN_PAIR_IMAGES, NUMBERS, UNSURE_BELOW
from .words import diverged_line, paragraphs, pct, plural, styled_table, times


def confusion_text(study, shown=20):
    """The whole of question 4's prose, paragraph by paragraph (the notebook shows each beside its figure)."""
    return paragraphs(overall_text(study), by_class_text(study), pairs_text(study), confidence_text(study, shown))


# --- captions ---------------------------------------------------------------------------------------


def matrix_caption(study):
    cell = study.darkest_cell
    look = (
        "There are no mistakes: only the diagonal is filled."
        if cell is None
        else f"Look at the darkest red cell, {study.name(cell[0])} answered as {study.name(cell[1])} "
        f"({plural(cell[2], 'image')}, {_share(cell[2] / study.test_counts[cell[0]])} of its row)"
        + (", and at how few cells are red at all." if study.confused_pairs < len(study.pairs) / 3 else ".")
    )
    return (
        f"Confusion matrix of {study.network_name()} on the {study.n_test:,} test images of {study.data_name}. "
        f"Rows are true classes (test images in brackets), columns the class the network answered; each cell "
        f"gives its share of the row to one decimal, with the number of images below. Correct answers are "
        f"grey; mistakes are red, on a scale of their own; empty cells are blank. {look}"
    )


def classes_caption(study):
    return (
        f"Test error rate of each true class for {study.network_name()} on {study.data_name}, with its 95% "
        f"Wilson interval (black bars); the dashed line is the error over all classes. Two classes differ "
        f"clearly only where their intervals do not overlap."
    )


def pairs_caption(study):
    return (
        f"The pairs of classes that {study.network_name()} confuses {_which_pairs(study)} on the "
        f"test images of {study.data_name}: a → b counts test images of a answered as b. The last column is "
        f"the correlation between the two classes' average training images, and its rank among all "
        f"{len(study.pairs)} pairs (1 = most alike)."
    )


def gallery_caption(study, shown):
    reference = (
        f"Top row: for each class of {study.data_name}, the correctly classified test image "
        f"{study.network_name()} was surest of."
    )
    if not shown:
        return f"{reference} No test image is misclassified."
    return (
        f"{reference} Below: the {plural(shown, 'mistake')} it made with the highest probability, each titled "
        f"true class → predicted class, with the probability the network gave that wrong answer. Compare each "
        f"mistake with the reference image of both classes."
    )


# --- the table ------------------------------------------------------------------------------------------


def pairs_table(study):
    """Table 4.1 (a captioned Styler): the pairs that stand out, both directions, and their mean-image similarity;
    None when no pair is confused ``MIN_PAIR_IMAGES`` times."""
    pairs = study.standout_pairs
    if not pairs:
        return None
    names = study.class_names
    rows = [
        {
            "classes a, b": f"{names[p.a]}, {names[p.b]}",
            "a → b": p.a_as_b,
            "b → a": p.b_as_a,
            "both": p.images,
            "share of all mistakes": pct(p.images / study.wrong),
            "mean-image correlation (rank)": f"{p.correlation:.2f} ({p.similarity_rank} of {len(study.pairs)})",
        }
        for p in pairs
    ]
    return captioned(styled_table(rows), NUMBERS.table("pairs"), pairs_caption(study))


# --- paragraphs -------------------------------------------------------------------------------------------


def overall_text(study):
    """Figure 4.1: how many test images are wrong, against the training images and the two baselines."""
    h = study.history
    train = (
        f"it classifies all {study.n_train:,} training images correctly"
        if study.train_error == 0
        else f"on its {study.n_train:,} training images the error is {pct(study.train_error)}"
    )
    opening = (
        f"The main model of question 1 ({h.config.in_words()}, seed {h.config.seed}) "
        f"answers {study.n_test - study.wrong:,} of the "
        f"{study.n_test:,} test images of {markdown_text(study.data_name)} correctly and {study.wrong:,} wrongly "
        f"({NUMBERS.figure('matrix')}), a test error of {pct(study.error)}; {train}."
    )
    return paragraphs(opening, diverged_line({"this network": h}), _baselines(study))


def _baselines(study):
    uniform = pct(study.uniform_error)
    if study.balanced:
        return (
            f"For scale: every class has {study.train_counts[0]:,} training images, so no class is more "
            f"likely than another, and a guess that ignores the image is wrong {uniform} of the time on "
            f"average, whether it always names the same class or picks one at random."
        )
    k = study.majority_class
    share = study.train_counts[k] / study.n_train
    return (
        f"Two baselines give the scale. The classes are not balanced ({study.train_counts.min():,} to "
        f"{study.train_counts.max():,} training images per class): always answering the most frequent "
        f"training class, {study.name(k)} ({pct(share)} of the training images), would be wrong on "
        f"{pct(study.majority_error)} of the test images, and a uniformly random guess among the "
        f"{study.n_classes} classes would be wrong {uniform} of the time on average."
    )


def by_class_text(study):
    """Figure 4.2: the error rate per class, with "hardest" said only where the intervals separate."""
    if study.wrong == 0:
        return ""
    low, high = study.intervals
    rates = study.class_error_rates
    counts = study.test_counts[study.test_counts > 0]
    size = (
        f"With {counts[0]:,} test images per class, one image more or less moves a class's rate by "
        f"{_points(100 / counts[0])}"
        if counts.min() == counts.max()
        else f"With {counts.min():,} to {counts.max():,} test images per class, one image more or less moves a "
        f"class's rate by {_points(100 / counts.max(), unit=False)} to {_points(100 / counts.min())}"
    )
    opening = (
        f"{NUMBERS.figure('classes')} splits the test error by true class. {size}, so each bar carries "
        f"a 95% interval (Wilson's)."
    )

    def rate(k):
        return f"{pct(rates[k])} ({pct(low[k])} to {pct(high[k])})"

    worst, top = study.worst_class, study.highest_classes
    overlap = study.overlapping_worst
    others = (
        study.names(overlap)
        if len(overlap) <= 4
        else f"all {len(overlap)} other classes"
        if len(overlap) == study.n_classes - 1
        else f"{len(overlap)} of the other {study.n_classes - 1} classes"
    )
    if study.hardest_class is not None:
        ranking = (
            f"{_cap(study.name(worst))} is the hardest class: its error rate, {rate(worst)}, lies above "
            f"the interval of every other class."
        )
    elif len(top) > 1:
        ranking = (
            f"{_cap(study.names(top))} share the highest rate, {pct(rates[worst])}, so no single class is the hardest."
        )
    else:
        ranking = (
            f"{_cap(study.name(worst))} has the highest rate, {rate(worst)}, but its interval overlaps "
            f"{'that' if len(overlap) == 1 else 'those'} of {others}, so these test images do not show it "
            f"to be harder than {'those' if len(overlap) > 1 else 'that one'}."
        )
    above, below = study.above_overall, study.below_overall
    if above and below:
        spread = (
            f"{_intervals_of(above, study)} wholly above the overall {pct(study.error)}, and "
            f"{'that' if len(below) == 1 else 'those'} of {study.names(below)} wholly below it."
        )
    elif above:
        still = "Still, t" if study.hardest_class is None and above == [worst] else "T"
        spread = f"{still}{_intervals_of(above, study)[1:]} wholly above the overall {pct(study.error)}."
    elif below:
        spread = (
            f"No interval lies wholly above the overall {pct(study.error)}; "
            f"{'that' if len(below) == 1 else 'those'} of {study.names(below)} "
            f"{'lies' if len(below) == 1 else 'lie'} wholly below it."
        )
    else:
        spread = (
            f"Every interval contains the overall rate, {pct(study.error)}: at this number of test images "
            f"the classes cannot be told apart by their error rates."
        )
    lowest = study.lowest_classes
    k = lowest[0]
    if len(lowest) == 1:
        fewest = f"The lowest observed rate is that of {study.name(k)}: " + (
            f"none of its {study.test_counts[k]:,} test images is wrong."
            if study.class_errors[k] == 0
            else f"{study.class_errors[k]:,} of {study.test_counts[k]:,} ({pct(rates[k])})."
        )
    elif study.class_errors[k] == 0:
        fewest = f"{_cap(study.names(lowest))} have no wrong test image at all."
    else:
        same = len({int(study.test_counts[j]) for j in lowest}) == 1
        fewest = f"{_cap(study.names(lowest))} share the lowest observed rate, {pct(rates[k])}" + (
            f": {study.class_errors[k]:,} of {study.test_counts[k]:,} test images each." if same else "."
        )
    return " ".join((opening, ranking, spread, fewest))


def _points(x, unit=True):
    """Percentage points for prose: 1.0 -> '1 point', 0.25 -> '0.25 points' (two significant digits)."""
    text = f"{x:.2g}"
    return text + ("" if not unit else " point" if text == "1" else " points")


def pairs_text(study):
    """Table 4.1: the pairs of classes confused most, and whether classes alike on average are confused more."""
    if study.wrong == 0:
        return "With no mistakes on the test set, no two classes are confused."
    pairs, total = study.standout_pairs, len(study.pairs)
    if not pairs:
        return (
            f"No two classes are confused more than {times(study.pairs[0].images)}: the {study.wrong:,} "
            f"mistakes fall on {study.confused_pairs} of the {total} pairs of classes, so no pair stands out "
            f"and there is no table of pairs."
        )
    top = pairs[0]
    counted = sum(p.images for p in pairs)
    rest = [p for p in study.pairs[len(pairs) :] if p.images]
    listed = (
        f"{NUMBERS.table('pairs')} lists the {plural(len(pairs), 'pair')} of classes confused "
        f"{_which_pairs(study)}, counting both directions."
        if len(pairs) > 1
        else f"Only one pair of classes is confused at least {MIN_PAIR_IMAGES} times ({NUMBERS.table('pairs')})."
    )
    first = (
        f"{'The first' if len(pairs) > 1 else 'It'}, {study.pair_name(top)}, accounts for {top.images:,} of "
        f"the {study.wrong:,} mistakes ({pct(top.images / study.wrong)}): {_directions(study, top)}."
    )
    together = f"Together the listed pairs hold {pct(counted / study.wrong)} of the mistakes; " + (
        f"the other {plural(sum(p.images for p in rest), 'mistake')} are spread over "
        f"{plural(len(rest), 'pair')}, none confused more than {times(rest[0].images)}."
        if rest
        else "no other pair is confused at all."
    )
    return paragraphs(" ".join((listed, first, together)), _similarity(study, top))


def _which_pairs(study):
    """Which pairs the table lists: 'at least 3 times' when that is all of them, else 'most often, ...'."""
    pairs = study.standout_pairs
    if len(pairs) == sum(p.images >= MIN_PAIR_IMAGES for p in study.pairs):
        return f"at least {MIN_PAIR_IMAGES} times"
    return f"most often (each at least {pairs[-1].images:,} times)"


def _directions(study, pair):
    a, b = study.name(pair.a), study.name(pair.b)
    if pair.a_as_b and pair.b_as_a:
        return (
            f"{plural(pair.a_as_b, 'test image')} of {a} {'was' if pair.a_as_b == 1 else 'were'} answered as "
            f"{b}, and {pair.b_as_a:,} of {b} as {a}"
        )
    source, target, n = (a, b, pair.a_as_b) if pair.a_as_b else (b, a, pair.b_as_a)
    return f"all {n:,} are images of {source} answered as {target}; no image of {target} was answered as {source}"


def _similarity(study, top):
    """Do the classes it confuses look alike on average? Compared over all pairs, not for one pair alone."""
    total = len(study.pairs)
    link = study.similarity_link
    measure = (
        f"Do the confused classes look alike? One measure is the correlation between the average training "
        f"images of two classes (last column of {NUMBERS.table('pairs')})."
    )
    if top.similarity_rank <= total / 5:
        own = (
            f"{_cap(study.pair_name(top))} are among the most alike: rank {top.similarity_rank} of {total} pairs, "
            f"correlation {top.correlation:.2f}."
        )
    else:
        own = (
            f"By that measure {study.pair_name(top)} are not especially alike: their correlation, "
            f"{top.correlation:.2f}, ranks {top.similarity_rank} of {total}."
        )
    alike = study.most_alike_pair
    if alike != top:
        confused = (
            "never confused"
            if alike.images == 0
            else f"confused {times(alike.images)}, rank {study.confusion_rank(alike)} of {total} by mistakes"
        )
        own += f" The most alike pair, {study.pair_name(alike)} (correlation {alike.correlation:.2f}), is {confused}."
    if not np.isfinite(link):
        return paragraphs(measure + " " + own)
    # Over n pairs, |rho| up to about 1.96 / sqrt(n - 1) arises by chance alone (5% two-sided).
    chance = 1.96 / np.sqrt(total - 1)
    rho = (
        f"Spearman's rank correlation ρ = {link:.2f}, where 1 would mean both measures put the pairs in the same order"
    )
    if link >= 0.6:
        overall = (
            f"Over all {total} pairs, the more alike two classes are on average, the more often the network "
            f"confuses them ({rho}): on these data the mistakes largely follow the classes' average shapes."
        )
    elif link >= chance:
        overall = (
            f"Over all {total} pairs, classes that are more alike on average tend to be confused more often, "
            f"but with many exceptions ({rho})."
        )
    else:
        overall = (
            f"Over all {total} pairs, how alike two classes are on average says little about how often they "
            f"are confused ({rho}; chance alone gives values up to about ±{chance:.2f} here). The average "
            f"shapes do not explain which classes the network mixes up; {NUMBERS.figure('gallery')} shows "
            f"the individual images behind the mistakes."
        )
    return paragraphs(measure + " " + own + " " + overall)


def confidence_text(study, shown):
    """Figure 4.3: the surest mistakes, and whether the network is less sure when it is wrong."""
    reference = (
        f"{NUMBERS.figure('gallery')} shows, for each class, the correctly classified test image the "
        f"network was surest of"
    )
    if study.wrong == 0:
        return reference + "; the network made no mistake to show below them."
    right, wrong = study.confidence_correct, study.confidence_wrong
    low, caught, mistakes = study.unsure
    intro = (
        f"{reference}, and below them the {plural(shown, 'mistake')} it made with the highest probability. "
        f"Is the network less sure when it is wrong? The probability it gives its answer has a median of "
        f"{_share(np.median(right))} on the {len(right):,} test images it gets right and "
        f"{_share(np.median(wrong))} on the {len(wrong):,} it gets wrong."
    )
    threshold = pct(UNSURE_BELOW, 0)
    flagged = (
        f"Answers given with less than {threshold} probability make up {pct(low / study.n_test)} of the "
        f"test images but hold {caught:,} of the {mistakes:,} mistakes ({pct(caught / mistakes)}); the other "
        f"{mistakes - caught:,} were given {threshold} or more."
    )
    if np.median(wrong) < np.median(right) and caught >= mistakes / 2:
        verdict = "So a low probability does point to most mistakes, but a high one is no guarantee of a right answer."
    elif np.median(wrong) < np.median(right):
        verdict = (
            "So the network is somewhat less sure on its mistakes, but most of them are still given a high "
            "probability: its confidence flags only a minority of them."
        )
    else:
        verdict = "So the probability it gives does not separate its mistakes from its right answers."
    return paragraphs(intro + " " + flagged + " " + verdict)


def _cap(text):
    """The text with its first letter capitalised, for a class name that starts a sentence."""
    return text[:1].upper() + text[1:]


def _intervals_of(classes, study):
    """'The interval of class 3 lies' / 'The intervals of class 3 and class 5 lie'."""
    names = study.names(classes)
    return f"The interval of {names} lies" if len(classes) == 1 else f"The intervals of {names} lie"


def _share(x):
    """A probability or share for prose: one decimal, never rounded up to 100.0% or down to 0.0%."""
    x = float(x)
    if 0.9995 <= x < 1:
        return ">99.9%"
    if 0 < x < 0.0005:
        return "<0.1%"
    return pct(x)
