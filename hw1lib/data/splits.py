"""Holding out a validation set from the training images, so hyperparameters are chosen without the test set.

The result is an ordinary :class:`Dataset` whose *test* side is the validation set: ``train``,
``cached_train`` and the run cache take it unchanged, and every error they report as "test"
is then a validation error. Its name says so and its fingerprint is that of its own contents,
so its cached runs never mix with runs on the real split.
"""

import dataclasses
import numbers

import numpy as np

from ..common import whole_number
from ..errors import ConfigError, DataError
from .datasets import Dataset, fingerprint

SPLIT_VERSION = 1  # part of the fingerprint: a change to how rows are picked must not reuse old runs


def validation_split(dataset: Dataset, fraction=0.1, seed=0) -> Dataset:
    """``dataset``'s training images split into a fitting part and a validation part.

    Stratified: each class gives ``round(fraction * its count)`` images to validation, so the
    class proportions match the training set's; which ones is drawn from
    ``numpy.random.default_rng(seed)``, so the same data, fraction and seed give the same split.
    The test images of ``dataset`` are not used at all.

    Returns a Dataset with train_x (n_fit, n_features), train_y (n_fit,) and, on the test side,
    test_x (n_val, n_features), test_y (n_val,): the validation set.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 < fraction < 1:
        raise ConfigError(f"validation fraction: expected a number between 0 and 1, got {fraction!r}")
    seed = whole_number("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    held_out = []
    for label in range(dataset.n_classes):
        members = np.flatnonzero(dataset.train_y == label)
        count = round(fraction * len(members))
        held_out.append(rng.permutation(members)[:count])
    val_idx = np.sort(np.concatenate(held_out))
    fit_mask = np.ones(len(dataset.train_y), dtype=bool)
    fit_mask[val_idx] = False
    n_fit, n_val = int(fit_mask.sum()), len(val_idx)
    if n_fit == 0 or n_val == 0:
        raise DataError(
            f"{dataset.name}: a {fraction:.0%} validation split of {len(fit_mask):,} training "
            f"images leaves {n_fit} to train on and {n_val} to validate on; expected both > 0 "
            "(use more training images or another fraction)"
        )
    # Sorted indices keep the source's (already shuffled) order within both parts.
    train_x, train_y = dataset.train_x[fit_mask], dataset.train_y[fit_mask]
    val_x, val_y = dataset.train_x[val_idx], dataset.train_y[val_idx]
    name = (
        f"{dataset.name}, validation split: {n_fit:,} train / {n_val:,} validation "
        f"({fraction:.0%} of the training images, seed {seed}; test images unused)"
    )
    # Only what the split holds: the test images, absent from it, cannot change its fingerprint.
    digest = fingerprint(
        (train_x, train_y, val_x, val_y), dataset.class_names, salt=f"validation-split {SPLIT_VERSION}"
    )
    return dataclasses.replace(
        dataset, name=name, train_x=train_x, train_y=train_y, test_x=val_x, test_y=val_y, fingerprint=digest
    )
