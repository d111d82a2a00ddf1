"""Question 4: the confusion matrix of the main model, and every number said about it.

``ConfusionStudy`` holds the main model's run (question 1's chosen network, read from the run
cache), its test-set confusion matrix, per-class error rates with their Wilson intervals, the two
baselines, the class pairs it confuses and how sure it was. ``ConfusionStudy.facts()`` turns it
into one flat record (numbers, named booleans and enums, class labels); question 4's figures, its
table and the template ``text/en/q4.md.j2`` all read that record, so a class a sentence names is
the class the figure beside it draws.

``conclusion_facts(facts)`` is the small plain dict question 4 publishes for the report's Conclusion
(``firstpage.publish(..., facts=...)``), with these keys:

- ``test_error``, ``train_error``: the main model's error rates (floats, 0-1), its one run (seed 0's).
- ``wrong``, ``n_test``: its mistakes on the test set and the number of test images (ints).
- ``numbered``: True when the classes are named by number (say "class 3"), False for names ("Shirt").
- ``worst_class``: the label of the class with the highest test error rate; ``worst_error`` its rate.
- ``hardest``: True when that class's 95% interval lies wholly above every other class's, so it can be
  called the hardest class; False when the intervals overlap (say "the highest rate", not "hardest").
- ``top_pair``: [label, label] of the pair of classes confused most often, or [] when no pair is
  confused ``MIN_PAIR_IMAGES`` times; ``top_pair_images``: how often (both directions together).
- ``balanced``: True when every class has as many training images as every other;
  ``class_sizes``: "equal", "near" (the largest at most ``NEAR_BALANCED`` times the smallest) or
  "unequal".
- ``size_rho``: Spearman's rank correlation over the classes between training images and test error
  rate (negative: larger classes err less), or None unless ``class_sizes`` is "unequal";
  ``size_strength``: "none", "weak", "moderate" or "strong" (see ``strength``); ``size_direction``:
  "larger_better" (larger classes err less) or "larger_worse"; ``size_clear``: True when its 95% interval
  excludes 0 (with ten classes it rarely does); ``largest_lowest``: True when the largest class has the
  lowest error rate (perhaps shared); ``largest_class``: its label.
- ``similarity_rho``: Spearman's rank correlation over all pairs between confusions and how alike the
  classes' mean training images are (None when undefined); ``similarity_strength`` as above.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ...runs.config import display_name
from .. import experiments, metrics

# A pair of classes confused fewer times than this is not discussed on its own: with one or two
# images, which pair is hit is mostly chance.
MIN_PAIR_IMAGES = 3
# The table lists about this many pairs: more when pairs tie at the cut (up to TIED_PAIRS), fewer
# when too many tie there, so that every pair confused as often as a listed one is listed too.
MAX_PAIRS = 5
TIED_PAIRS = 7
# The gallery shows this many of the mistakes the network was surest of (the notebook's default).
GALLERY_SIZE = 20
# Answers given less than this probability are called unsure in the confidence paragraph.
UNSURE_BELOW = 0.9
# The network is called less sure on its mistakes only when their median probability is at least this much
# below that of its right answers.
CLEARLY_LESS_SURE = 0.05
# Unsure answers are called rare when they are fewer than RARE of all answers, a small share below SMALL.
RARE, SMALL = 0.1, 0.25
# Classes whose training counts differ by at most this factor are "nearly equal in size": the text says
# so in a clause and does not correlate size with error.
NEAR_BALANCED = 1.2
# The colours (Okabe-Ito blue and orange, told apart by colour-blind readers) of the most confused pair's
# two classes in the per-class figure; q4.md.j2's caption names them "blue" and "orange", in this order.
PAIR_COLORS = ("#0072B2", "#E69F00")
# The figure's other classes, in grey.
OTHER_COLOR = "#b0b0b0"


@dataclass(frozen=True)
class Pair:
    """Two classes a < b and how the network mixes them up on the test set.

    a_as_b: test images of class a predicted as b; b_as_a: the other way round; correlation: of
    the two classes' mean training images; similarity_rank: 1 for the most alike of all pairs.
    """

    a: int
    b: int
    a_as_b: int
    b_as_a: int
    correlation: float
    similarity_rank: int

    @property
    def images(self):
        return self.a_as_b + self.b_as_a


@dataclass(frozen=True)
class ConfusionStudy:
    """The main model's test-set predictions and what question 4 says about them.

    history: the main model's run; conf: (n, n) counts, rows true classes, columns predictions;
    probabilities: (n_test, n) softmax outputs on the test set; train_counts / test_counts:
    images per class; correlation: (n, n) correlation of the classes' mean training images;
    data_name: what the report calls the data set.
    """

    history: object
    data_name: str
    class_names: tuple
    conf: np.ndarray
    probabilities: np.ndarray
    test_y: np.ndarray
    train_counts: np.ndarray
    test_counts: np.ndarray
    correlation: np.ndarray

    @classmethod
    def of(cls, history, dataset, data_name=""):
        """The study of ``history``'s final network on ``dataset``'s test set."""
        pred = np.asarray(history.test_pred)
        n = dataset.n_classes
        return cls(
            history=history,
            data_name=data_name or dataset.title or dataset.name,
            class_names=tuple(dataset.class_names),
            conf=metrics.confusion_matrix(dataset.test_y, pred, n),
            probabilities=metrics.test_probabilities(history, dataset),
            test_y=np.asarray(dataset.test_y),
            train_counts=np.bincount(dataset.train_y, minlength=n),
            test_counts=np.bincount(dataset.test_y, minlength=n),
            correlation=metrics.class_mean_correlation(dataset.train_x, dataset.train_y, n),
        )

    # --- the network -------------------------------------------------------------------------

    @property
    def config(self):
        return self.history.config

    def networks(self):
        """[(role, RunConfig)]: the one network this question draws, trained once for question 1."""
        return [("question 1's chosen network", self.config)]

    # --- overall ---------------------------------------------------------------------------------

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def n_test(self):
        return int(self.conf.sum())

    @property
    def wrong(self):
        return int(self.n_test - np.trace(self.conf))

    @property
    def error(self):
        return self.wrong / self.n_test

    @property
    def train_error(self):
        return self.history.final_train_error

    @property
    def n_train(self):
        return int(self.train_counts.sum())

    # --- baselines ---------------------------------------------------------------------------------

    @property
    def balanced(self):
        """True when every class has as many training images as every other."""
        return bool(self.train_counts.min() == self.train_counts.max())

    @property
    def majority_class(self):
        """The most frequent training class (the smallest on a tie)."""
        return int(np.argmax(self.train_counts))

    @property
    def majority_error(self):
        """Test error of always answering ``majority_class``."""
        return 1 - float(self.test_counts[self.majority_class]) / self.n_test

    @property
    def uniform_error(self):
        """Expected test error of answering a class drawn uniformly at random."""
        return metrics.uniform_guess_error(self.n_classes)

    # --- by class ------------------------------------------------------------------------------------

    @property
    def class_errors(self):
        """(n,) number of test images of each class predicted as another."""
        return self.test_counts - np.diag(self.conf)

    @property
    def class_error_rates(self):
        return metrics.per_class_error(self.conf)

    @cached_property
    def intervals(self):
        """((n,) low, (n,) high): 95% Wilson intervals of each class's error rate."""
        return metrics.wilson_interval(self.class_errors, self.test_counts)

    def _ranked_classes(self):
        """Classes with test images, the highest error rate first (ties: the smaller class id)."""
        present = np.flatnonzero(self.test_counts > 0)
        return sorted(present, key=lambda k: (-self.class_error_rates[k], k))

    @property
    def worst_class(self):
        return int(self._ranked_classes()[0])

    @property
    def best_class(self):
        return int(self._ranked_classes()[-1])

    @property
    def highest_classes(self):
        """Every class that shares the highest error rate (with the same number of test images, the same errors)."""
        rates = self.class_error_rates
        return [int(k) for k in self._ranked_classes() if rates[k] == rates[self.worst_class]]

    @property
    def lowest_classes(self):
        """Every class that shares the lowest error rate."""
        rates = self.class_error_rates
        return sorted(int(k) for k in self._ranked_classes() if rates[k] == rates[self.best_class])

    @property
    def hardest_class(self):
        """The class whose error interval lies wholly above every other class's, or None.

        Only then is it "the hardest class": with about 100 test images per class, a class whose
        interval overlaps another's may owe its higher rate to which images happen to be in the test set.
        """
        low, high = self.intervals
        worst = self.worst_class
        others = [k for k in self._ranked_classes() if k != worst]
        return worst if others and low[worst] > max(high[k] for k in others) else None

    @property
    def overlapping_worst(self):
        """Classes (besides the worst) whose interval overlaps the worst class's."""
        low, high = self.intervals
        worst = self.worst_class
        return sorted(int(k) for k in self._ranked_classes() if k != worst and high[k] >= low[worst])

    @property
    def above_overall(self):
        """Classes whose whole interval lies above the overall test error."""
        low, _ = self.intervals
        return [k for k in range(self.n_classes) if self.test_counts[k] and low[k] > self.error]

    @property
    def below_overall(self):
        """Classes whose whole interval lies below the overall test error."""
        _, high = self.intervals
        return [k for k in range(self.n_classes) if self.test_counts[k] and high[k] < self.error]

    # --- pairs ------------------------------------------------------------------------------------------

    @cached_property
    def pairs(self):
        """Every unordered pair of classes, most confused first (ties: the more alike first)."""
        upper = np.triu_indices(self.n_classes, k=1)
        values = self.correlation[upper]
        rank = {(int(a), int(b)): int(np.sum(values > self.correlation[a, b])) + 1 for a, b in zip(*upper, strict=True)}
        pairs = [
            Pair(
                int(a),
                int(b),
                int(self.conf[a, b]),
                int(self.conf[b, a]),
                float(self.correlation[a, b]),
                rank[int(a), int(b)],
            )
            for a, b in zip(*upper, strict=False)
        ]
        return sorted(pairs, key=lambda p: (-p.images, p.similarity_rank))

    @property
    def standout_pairs(self):
        """The most confused pairs worth naming: each confused at least ``MIN_PAIR_IMAGES`` times, about
        ``MAX_PAIRS`` of them, and every pair confused as often as the last one listed."""
        candidates = [p for p in self.pairs if p.images >= MIN_PAIR_IMAGES]
        if len(candidates) <= MAX_PAIRS:
            return candidates
        cut = candidates[MAX_PAIRS - 1].images
        tied = [p for p in candidates if p.images >= cut]
        return tied if len(tied) <= TIED_PAIRS else [p for p in candidates if p.images > cut]

    @property
    def darkest_cell(self):
        """(true class, predicted class, images) of the mistake cell with the largest share of its row
        (the darkest red cell of the matrix), or None without mistakes."""
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(self.test_counts[:, None] > 0, self.conf / self.test_counts[:, None], 0.0)
        np.fill_diagonal(shares, 0.0)
        if not shares.any():
            return None
        i, j = np.unravel_index(np.argmax(shares), shares.shape)
        return int(i), int(j), int(self.conf[i, j])

    @property
    def confused_pairs(self):
        """How many pairs of classes are confused at least once."""
        return sum(p.images > 0 for p in self.pairs)

    @property
    def most_alike_pair(self):
        """The pair whose mean training images correlate most."""
        return min(self.pairs, key=lambda p: p.similarity_rank)

    def confusion_rank(self, pair):
        """1 + the number of pairs confused more often than ``pair``."""
        return sum(p.images > pair.images for p in self.pairs) + 1

    @property
    def similarity_link(self):
        """Spearman's rank correlation, over all pairs, between confusions and mean-image correlation."""
        return spearman([p.images for p in self.pairs], [p.correlation for p in self.pairs])

    # --- confidence --------------------------------------------------------------------------------------

    @cached_property
    def _answers(self):
        """(probability the network gave its answer, whether the answer is right), per test image."""
        pred = np.asarray(self.history.test_pred)
        return self.probabilities[np.arange(len(pred)), pred], pred == self.test_y

    @property
    def confidence_correct(self):
        """(n_right,) probability the network gave its answer, on the images it got right."""
        confidence, right = self._answers
        return confidence[right]

    @property
    def confidence_wrong(self):
        """(n_wrong,) the same on the images it got wrong."""
        confidence, right = self._answers
        return confidence[~right]

    @property
    def unsure(self):
        """(answers below ``UNSURE_BELOW``, mistakes among them, mistakes in all)."""
        confidence, right = self._answers
        low = confidence < UNSURE_BELOW
        return int(low.sum()), int((low & ~right).sum()), int((~right).sum())

    def gallery(self, size):
        """(indices of the ``size`` mistakes the network was surest of, the probability of each wrong answer)."""
        wrong, confidence = metrics.misclassified(self.test_y, self.history.test_pred, self.probabilities)
        return wrong[:size], confidence[:size]

    def references(self):
        """(n,) for each class, the index of the correctly classified test image it was surest of (-1: none)."""
        confidence, right = self._answers
        picks = []
        for k in range(self.n_classes):
            members = np.flatnonzero(right & (self.test_y == k))
            picks.append(int(members[np.argmax(confidence[members])]) if len(members) else -1)
        return np.array(picks)

    def facts(self, gallery_size=GALLERY_SIZE):
        """Question 4's facts record: what its figures, table and text all read (see ``confusion_facts``);
        ``gallery_size``: how many of the surest mistakes the gallery shows."""
        return confusion_facts(self, gallery_size)


def _ranks(values):
    """Ranks 1..n of ``values``, ties sharing their mean rank (as Spearman's correlation needs)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def confusion_study(dataset, *, trials, max_epochs, seed, screen_epochs, keep, jobs=None, data_name="", scheduler=None):
    """Question 4's study of the main model that question 1's validation sweep chooses (from the run cache;
    what is not there trains on ``jobs`` worker processes, or on the Dask cluster at ``scheduler``)."""
    history = experiments.choose_hyperparameters(
        dataset,
        trials=trials,
        max_epochs=max_epochs,
        seed=seed,
        screen_epochs=screen_epochs,
        keep=keep,
        jobs=jobs,
        scheduler=scheduler,
    ).final
    return ConfusionStudy.of(history, dataset, data_name)


def strength(rho):
    """How strong a correlation is, in the words the text uses: |rho| below 0.1 "none", below 0.4 "weak",
    below 0.7 "moderate", else "strong"; "none" for NaN."""
    r = abs(rho) if rho is not None and np.isfinite(rho) else 0.0
    return "none" if r < 0.1 else "weak" if r < 0.4 else "moderate" if r < 0.7 else "strong"


def spearman_interval(rho, n, z=1.96):
    """(low, high): an approximate 95% interval of Spearman's rho over ``n`` points (Fisher's z with the
    Fieller-Hartley-Pearson standard error sqrt(1.06 / (n - 3))); (-1, 1) for n <= 3."""
    if n <= 3 or not np.isfinite(rho):
        return -1.0, 1.0
    centre, half = np.arctanh(np.clip(rho, -0.9999, 0.9999)), z * np.sqrt(1.06 / (n - 3))
    return float(np.tanh(centre - half)), float(np.tanh(centre + half))


def spearman(x, y):
    """Spearman's rank correlation of ``x`` and ``y`` (ties share their mean rank); NaN when either is constant."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def _or_none(x):
    return None if x is None or not np.isfinite(x) else float(x)


def confusion_facts(study, gallery_size=GALLERY_SIZE):
    """Question 4's flat facts record: numbers, class labels, named booleans and enums (see ``ConfusionStudy``).

    Classes appear by their label (``class_names[k]``); ``numbered`` says whether the labels are numbers, so
    the text writes "class 3" or "Shirt".
    """
    s, c = study, study.config
    names = s.class_names
    rates = s.class_error_rates
    low, high = s.intervals
    present = s.test_counts > 0
    numbered = all(str(name).isdigit() for name in names)

    def labels(classes):
        return [names[k] for k in classes]

    facts = {
        "data_name": s.data_name,
        "numbered": numbered,
        "network": f"hidden {c.hidden_label()}, {display_name(c.activation)}",
        "seed": c.seed,
        "n_classes": s.n_classes,
        "n_test": s.n_test,
        "n_train": s.n_train,
        "wrong": s.wrong,
        "right": s.n_test - s.wrong,
        "error": s.error,
        "train_error": float(s.train_error),
        "train_perfect": s.train_error == 0,
        "diverged": bool(s.history.diverged),
        "interval_level": 0.95,  # of every interval drawn and quoted: Wilson's and Spearman's use z = 1.96
        "min_pair_images": MIN_PAIR_IMAGES,
        "unsure_below": UNSURE_BELOW,
        "pair_colors": list(PAIR_COLORS),
        "other_color": OTHER_COLOR,
        "total_pairs": len(s.pairs),
        "gallery": min(int(gallery_size), s.wrong),
    }
    # Class sizes and the two baselines.
    train_min, train_max = int(s.train_counts.min()), int(s.train_counts.max())
    class_sizes = "equal" if train_min == train_max else "near" if train_max <= NEAR_BALANCED * train_min else "unequal"
    facts.update(
        balanced=s.balanced,
        class_sizes=class_sizes,
        train_min=train_min,
        train_max=train_max,
        train_counts=[int(n) for n in s.train_counts],
        majority_class=names[s.majority_class],
        majority_share=float(s.train_counts[s.majority_class] / s.n_train),
        majority_error=s.majority_error,
        uniform_error=s.uniform_error,
        baselines_same=abs(s.majority_error - s.uniform_error) < 0.5 / s.n_test,
    )
    # Error rate per class.
    counts = s.test_counts[present]
    worst, top = s.worst_class, s.highest_classes
    facts.update(
        class_error=[float(r) for r in rates],
        class_low=[float(v) for v in low],
        class_high=[float(v) for v in high],
        test_min=int(counts.min()),
        test_max=int(counts.max()),
        test_equal=bool(counts.min() == counts.max()),
        worst_class=names[worst],
        worst_error=float(rates[worst]),
        worst_low=float(low[worst]),
        worst_high=float(high[worst]),
        # "hardest": the worst class's interval lies above every other's; "tied": several share the top rate;
        # "overlap": one class has the top rate but its interval overlaps another's.
        ranking="hardest" if s.hardest_class is not None else "tied" if len(top) > 1 else "overlap",
        highest_classes=labels(top),
        overlapping=labels(s.overlapping_worst),
        overlap_count=len(s.overlapping_worst),
        overlap_all=len(s.overlapping_worst) == int(present.sum()) - 1,
        overlap_many=len(s.overlapping_worst) > 3,  # too many to name: counted instead
        above=labels(s.above_overall),
        below=labels(s.below_overall),
        # The text names up to two such classes and counts more (the figure shows which).
        above_named=len(s.above_overall) <= 2,
        below_named=len(s.below_overall) <= 2,
        lowest_classes=labels(s.lowest_classes),
        lowest_shared=len(s.lowest_classes) > 1,
        lowest_error=float(rates[s.lowest_classes[0]]),
        lowest_errors=int(s.class_errors[s.lowest_classes[0]]),
        lowest_images=int(s.test_counts[s.lowest_classes[0]]),
        lowest_same_size=len({int(s.test_counts[k]) for k in s.lowest_classes}) == 1,
    )
    # Class size against error rate, only where the sizes differ enough to ask.
    rho = spearman(s.train_counts[present], rates[present]) if class_sizes == "unequal" else float("nan")
    rho_low, rho_high = spearman_interval(rho, int(present.sum()))
    facts.update(
        size_rho=_or_none(rho),
        size_defined=bool(np.isfinite(rho)),
        size_low=rho_low,
        size_high=rho_high,
        size_strength=strength(rho),
        size_direction="larger_better" if rho < 0 else "larger_worse",
        size_clear=bool(np.isfinite(rho) and (rho_low > 0 or rho_high < 0)),
        # The largest class has the lowest error rate (perhaps shared with others).
        majority_lowest=bool(rates[s.majority_class] == np.nanmin(rates)),
    )
    # The darkest mistake cell of the matrix.
    cell = s.darkest_cell
    facts.update(
        has_mistakes=cell is not None,
        darkest_true=names[cell[0]] if cell else "",
        darkest_pred=names[cell[1]] if cell else "",
        darkest_images=cell[2] if cell else 0,
        darkest_share=float(cell[2] / s.test_counts[cell[0]]) if cell else 0.0,
        few_cells_red=s.confused_pairs < len(s.pairs) / 3,
    )
    facts.update(_pair_facts(s))
    facts.update(_confidence_facts(s))
    return facts


def _pair_facts(s):
    """The pairs the table lists, the most confused one, and whether alike classes are confused more."""
    names = s.class_names
    pairs = s.standout_pairs
    facts = {
        "confused_pairs": s.confused_pairs,
        "max_pair_images": s.pairs[0].images,
        "pairs_listed": len(pairs),
        "one_pair": len(pairs) == 1,
        # "all": the table lists every pair confused MIN_PAIR_IMAGES times or more; "most": only the most
        # confused of them (each at least ``pairs_cut`` times).
        "pairs_which": "all" if len(pairs) == sum(p.images >= MIN_PAIR_IMAGES for p in s.pairs) else "most",
        "pairs_cut": pairs[-1].images if pairs else 0,
        "pairs": [
            {
                "a": names[p.a],
                "b": names[p.b],
                "a_as_b": p.a_as_b,
                "b_as_a": p.b_as_a,
                "images": p.images,
                "share": p.images / s.wrong,
                "correlation": p.correlation,
                "rank": p.similarity_rank,
            }
            for p in pairs
        ],
    }
    alike = s.most_alike_pair
    link = s.similarity_link
    chance = 1.96 / np.sqrt(len(s.pairs) - 1)  # |rho| up to about this arises by chance alone (5%, two-sided)
    facts.update(
        alike_pair=[names[alike.a], names[alike.b]],
        alike_correlation=alike.correlation,
        alike_images=alike.images,
        alike_is_top=bool(pairs) and alike == pairs[0],
        similarity_rho=_or_none(link),
        similarity_defined=bool(np.isfinite(link)),
        similarity_chance=float(chance),
        similarity_clear=bool(np.isfinite(link) and abs(link) >= chance),
        similarity_strength=strength(link),
        similarity_positive=bool(np.isfinite(link) and link > 0),
    )
    if not pairs:
        return {**facts, "has_top": False, "top": [], "top_images": 0, "highlight": []}
    top = pairs[0]
    counted = sum(p.images for p in pairs)
    rest = [p for p in s.pairs[len(pairs) :] if p.images]
    one_way = max(top.a_as_b, top.b_as_a)
    source, target = (top.a, top.b) if top.a_as_b >= top.b_as_a else (top.b, top.a)
    return {
        **facts,
        "has_top": True,
        "top": [names[top.a], names[top.b]],
        "top_images": top.images,
        "top_share": top.images / s.wrong,
        # "only": every confusion of the pair goes one way; "mostly": at least two thirds do; "both": neither.
        "top_direction": "only" if one_way == top.images else "mostly" if 3 * one_way >= 2 * top.images else "both",
        "top_source": names[source],
        "top_target": names[target],
        "top_alike": top.similarity_rank <= len(s.pairs) / 5,
        "top_rank": top.similarity_rank,
        "top_correlation": top.correlation,
        "listed_share": counted / s.wrong,
        "listed_most": 2 * counted >= s.wrong,
        "rest_pairs": len(rest),
        "rest_max": rest[0].images if rest else 0,
        # The per-class figure draws the most confused pair's two classes in PAIR_COLORS, the rest grey.
        "highlight": [top.a, top.b],
    }


def _confidence_facts(s):
    """How sure the network is on its right and its wrong answers."""
    right, wrong = s.confidence_correct, s.confidence_wrong
    low, caught, mistakes = s.unsure
    median_right = float(np.median(right)) if len(right) else float("nan")
    median_wrong = float(np.median(wrong)) if len(wrong) else float("nan")
    less_sure = bool(len(wrong) and median_wrong <= median_right - CLEARLY_LESS_SURE)
    return {
        "median_right": median_right,
        "median_wrong": median_wrong,
        "unsure_share": low / s.n_test,
        "unsure_none": low == 0,
        # How many answers are unsure, in words: "rare" below RARE of all answers, "small" below SMALL, else
        # "many" (the text then gives the share).
        "unsure_amount": "rare" if low < RARE * s.n_test else "small" if low < SMALL * s.n_test else "many",
        "unsure_caught": caught,
        "unsure_caught_share": caught / mistakes if mistakes else 0.0,
        "sure_mistakes": mistakes - caught,
        # "flags_most": mistakes get clearly lower probabilities (CLEARLY_LESS_SURE) and most fall below
        # UNSURE_BELOW; "somewhat": clearly lower,
        # but most mistakes are still given UNSURE_BELOW or more; "no": no lower on mistakes.
        "confidence": "flags_most" if less_sure and 2 * caught >= mistakes else "somewhat" if less_sure else "no",
    }


def conclusion_facts(facts):
    """The plain dict question 4 publishes for the Conclusion, from its facts (keys in the module docstring)."""
    return {
        "test_error": facts["error"],
        "train_error": facts["train_error"],
        "wrong": facts["wrong"],
        "n_test": facts["n_test"],
        "numbered": facts["numbered"],
        "worst_class": facts["worst_class"],
        "worst_error": facts["worst_error"],
        "hardest": facts["ranking"] == "hardest",
        "top_pair": facts["top"],
        "top_pair_images": facts["top_images"],
        "balanced": facts["balanced"],
        "class_sizes": facts["class_sizes"],
        "size_rho": facts["size_rho"],
        "size_strength": facts["size_strength"],
        "size_direction": facts["size_direction"],
        "size_clear": facts["size_clear"],
        "largest_class": facts["majority_class"],
        "largest_lowest": facts["majority_lowest"],
        "similarity_rho": facts["similarity_rho"],
        "similarity_strength": facts["similarity_strength"],
    }
