"""What a network that learned nothing from the pixels would score on a data set: the baselines.

Two are named apart, because they differ as soon as the classes are unbalanced: a uniform
guess (each class with the same probability) and always answering the most frequent training
class, which is what a network can reach by learning only the class frequencies.
"""

from dataclasses import dataclass

import numpy as np

from .. import metrics


@dataclass(frozen=True)
class Baselines:
    """The data set's sizes and class counts, and the two baselines computed from them."""

    data_name: str
    class_names: tuple
    train_counts: tuple
    test_counts: tuple
    uniform_error: float
    majority_class: int
    majority_error: float

    @classmethod
    def of(cls, dataset):
        n = dataset.n_classes
        label, error = metrics.majority_class(dataset.train_y, dataset.test_y, n)
        return cls(
            dataset.name,
            tuple(dataset.class_names),
            tuple(int(c) for c in np.bincount(dataset.train_y, minlength=n)),
            tuple(int(c) for c in np.bincount(dataset.test_y, minlength=n)),
            metrics.uniform_guess_error(n),
            label,
            error,
        )

    @property
    def n_classes(self):
        return len(self.class_names)

    @property
    def n_train(self):
        return sum(self.train_counts)

    @property
    def n_test(self):
        return sum(self.test_counts)

    @property
    def balanced(self):
        """True when every class has as many training images as every other."""
        return min(self.train_counts) == max(self.train_counts)

    @property
    def same(self):
        """True when always answering one class errs exactly as often as a uniform guess (balanced test set)."""
        return abs(self.majority_error - self.uniform_error) < 0.5 / self.n_test

    @property
    def lowest(self):
        """The lower of the two baseline error rates: what a network must beat to have learned anything."""
        return min(self.uniform_error, self.majority_error)

    def name(self, label):
        """The class ``label`` as the report names it."""
        return self.class_names[label]

    def train_share(self, label):
        return self.train_counts[label] / self.n_train
