"""Question 4: the confusion matrix of the main model, and every number said about it.

``ConfusionStudy`` holds the main model's run (question 1's chosen network, read from the run
cache), its test-set confusion matrix, per-class error rates with their Wilson intervals, the two
baselines, the class pairs it confuses and how sure it was. The figures, the table, the captions
and the prose of question 4 all read this one object, so a class a sentence names is the class
the figure beside it draws.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ...runs.config import display_name
from .. import experiments, metrics
from ..captions import Numbering
from ..discussion.words import and_list, pct, times

NUMBERS = Numbering(4, figures=("matrix", "classes", "gallery"), tables=("pairs",))

# A pair of classes confused fewer times than this is not discussed on its own: with one or two
# images, which pair is hit is mostly chance.
MIN_PAIR_IMAGES = 3
# The table lists about this many pairs: more when pairs tie at the cut (up to TIED_PAIRS), fewer
# when too many tie there, so that every pair confused as often as a listed one is listed too.
MAX_PAIRS = 5
TIED_PAIRS = 7
# Answers given less than this probability are called unsure in the confidence paragraph.
UNSURE_BELOW = 0.9


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
        images = np.array([p.images for p in self.pairs], dtype=float)
        alike = np.array([p.correlation for p in self.pairs])
        if np.ptp(images) == 0 or np.ptp(alike) == 0:
            return float("nan")
        return float(np.corrcoef(_ranks(images), _ranks(alike))[0, 1])

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

    # --- words -------------------------------------------------------------------------------------------

    def name(self, k):
        """How the prose names class ``k``: 'class 3' when classes are numbered, else the class name."""
        label = self.class_names[k]
        return f"class {label}" if label.isdigit() else label

    def names(self, classes):
        """'classes 1, 4 and 6' when classes are numbered, 'Shirt and Coat' otherwise; one class as ``name``."""
        labels = [self.class_names[k] for k in classes]
        if len(labels) == 1:
            return self.name(classes[0])
        return ("classes " if all(label.isdigit() for label in labels) else "") + and_list(labels)

    def pair_name(self, pair):
        """'classes 4 and 9', or 'Shirt and T-shirt/top' for named classes."""
        a, b = self.class_names[pair.a], self.class_names[pair.b]
        return f"classes {a} and {b}" if a.isdigit() and b.isdigit() else f"{a} and {b}"

    def network_name(self):
        """The main model in a few words, for captions: 'hidden 256-256 leaky ReLU, chosen in question 1'."""
        return f"the main model (hidden {self.config.hidden_label()}, {display_name(self.config.activation)})"

    def summary(self):
        """(one-sentence answer, key number as text) for the report's first page."""
        key = f"{pct(self.error)} test error"
        if self.wrong == 0:
            return "The main model classifies every test image correctly.", key
        pairs = self.standout_pairs
        if not pairs:
            return (
                f"The {self.wrong:,} mistakes are spread thinly: no pair of classes is confused more than "
                f"{times(self.pairs[0].images)}.",
                key,
            )
        top = pairs[0]
        return (
            f"The most frequent confusion is between {self.pair_name(top)} ({top.images:,} of the "
            f"{self.wrong:,} mistakes).",
            key,
        )


def _ranks(values):
    """Ranks 1..n of ``values``, ties sharing their mean rank (as Spearman's correlation needs)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def confusion_study(dataset, *, trials, max_epochs, seed, screen_epochs, keep, jobs=None, data_name=""):
    """Question 4's study of the main model that question 1's validation sweep chooses (from the run cache)."""
    history = experiments.choose_hyperparameters(
        dataset, trials=trials, max_epochs=max_epochs, seed=seed, screen_epochs=screen_epochs, keep=keep, jobs=jobs
    ).final
    return ConfusionStudy.of(history, dataset, data_name)
