"""The numbers the report reads off a run, checked on small hand-made inputs and tiny runs."""

import numpy as np
import pytest

from hw1lib.data.datasets import load_dataset
from hw1lib.report import metrics
from hw1lib.runs.config import RunConfig
from hw1lib.runs.training import train

from .helpers import write_course_folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("metrics") / "course"))


def test_confusion_matrix_counts_rows_as_true_classes():
    conf = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 0], 3)
    assert conf.tolist() == [[1, 1, 0], [0, 1, 0], [2, 0, 1]]
    assert metrics.per_class_error(conf).tolist() == pytest.approx([0.5, 0.0, 2 / 3])


def test_per_class_error_of_an_absent_class_is_nan():
    errors = metrics.per_class_error(metrics.confusion_matrix([0, 0], [0, 1], 3))
    assert errors[0] == 0.5 and np.isnan(errors[1]) and np.isnan(errors[2])


def test_unit_spread_and_distinct_units():
    rng = np.random.default_rng(0)
    base = rng.random((50, 3))
    copies = base[:, [0, 0, 1, 1, 1, 2, 2, 0]]  # 8 units, 3 distinct
    assert metrics.unit_spread(np.zeros((5, 4))) == 0.0
    assert metrics.unit_spread(copies) > 0
    assert metrics.distinct_units(copies) == 3
    assert metrics.distinct_units(copies + 1e-9 * rng.random(copies.shape)) == 3  # rounding-sized noise
    assert metrics.distinct_units(rng.random((50, 8))) == 8
    assert metrics.distinct_units(np.zeros((5, 4))) == 1


def test_knn_error_sees_separated_clusters():
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(4), 30)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]])
    tight = centres[labels] + rng.normal(0, 0.5, (120, 2))
    mixed = rng.normal(0, 1, (120, 2))
    assert metrics.knn_error(tight, labels) == 0.0
    assert metrics.knn_error(mixed, labels) > 0.5


def test_knn_error_matches_a_vote_over_all_pairwise_distances():
    rng = np.random.default_rng(2)
    z, labels = rng.normal(0, 1, (300, 2)), rng.integers(0, 3, 300)
    distances = np.linalg.norm(z[:, None] - z[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :5]
    votes = np.stack([np.bincount(labels[row], minlength=3) for row in nearest])
    assert metrics.knn_error(z, labels) == np.mean(votes.argmax(axis=1) != labels)


def test_knn_error_with_every_point_identical_does_not_crash():
    labels = np.arange(20) % 2
    assert 0 <= metrics.knn_error(np.zeros((20, 2)), labels) <= 1


def test_initial_params_reproduce_the_start_of_training(data):
    """The recorded layer at stage 0 equals the activations recomputed from ``initial_params``."""
    config = RunConfig(hidden=(12,), epochs=1, snapshot_stages=(0,), snapshot_layer=0, seed=3)
    history = train(config, data, progress=False)
    start = metrics.initial_activations(history, data)
    np.testing.assert_allclose(history.snapshots[0], start, rtol=1e-6, atol=1e-7)
    assert metrics.weight_change(history, data) > 0


def test_zero_relu_run_is_exactly_symmetric_and_random_is_not(data):
    zero = train(RunConfig(hidden=(12,), init="zero", epochs=2), data, progress=False)
    random = train(RunConfig(hidden=(12,), activation="sigmoid", init="xavier", epochs=2), data, progress=False)
    sym_zero, sym_random = metrics.symmetry(zero, data), metrics.symmetry(random, data)
    assert sym_zero["w1_spread_end"] == 0 and sym_zero["act_spread_end"] == 0 and sym_zero["distinct_end"] == 1
    assert sym_random["w1_spread_start"] > 0 and sym_random["distinct_end"] == 12
    assert metrics.relative_spread(sym_zero) == 0.0


def test_misclassified_sorted_by_confidence():
    probs = np.array([[0.1, 0.9], [0.6, 0.4], [0.3, 0.7], [0.8, 0.2]])
    wrong, confidence = metrics.misclassified([0, 0, 0, 1], [1, 0, 1, 0], probs)
    assert wrong.tolist() == [0, 3, 2] and confidence.tolist() == pytest.approx([0.9, 0.8, 0.7])


def test_class_mean_correlation_is_one_on_the_diagonal(data):
    corr = metrics.class_mean_correlation(data.test_x, data.test_y, data.n_classes)
    assert corr.shape == (10, 10) and np.allclose(np.diag(corr), 1)


def test_majority_class_baseline_counts_the_training_classes():
    train_y = np.array([0, 1, 1, 2, 1])
    test_y = np.array([1, 1, 0, 2])
    assert metrics.majority_class(train_y, test_y, 3) == (1, 0.5)
    assert metrics.majority_class(np.array([2, 0]), np.array([0, 0, 2]), 3) == (0, pytest.approx(1 / 3))


def test_wilson_interval_matches_a_worked_value_and_stays_in_range():
    low, high = metrics.wilson_interval(9, 100)  # 9% of 100: about 4.8% to 16.2%
    assert low == pytest.approx(0.0481, abs=5e-4) and high == pytest.approx(0.1621, abs=5e-4)
    low, high = metrics.wilson_interval(np.array([0, 100]), np.array([100, 100]))
    assert low[0] == 0 and 0 < high[0] < 0.05 and 0.95 < low[1] < 1 and high[1] == pytest.approx(1)
