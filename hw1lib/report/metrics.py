"""Numbers the report reads off a finished run: confusions, unit symmetry, 2-D class separation.

Nothing here trains. Functions that need the network rebuild it from a History's saved weights
(or, for the initial weights, from its config and seed, which reproduce them exactly).
"""

import numpy as np

from ..nn.activations import make_activation
from ..nn.layers import softmax
from ..runs.training import build_network, normalized_inputs


def confusion_matrix(true, pred, n_classes):
    """(n_classes, n_classes) int64 counts: row = true class, column = predicted class."""
    true, pred = np.asarray(true, dtype=np.int64), np.asarray(pred, dtype=np.int64)
    return np.bincount(true * n_classes + pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def per_class_error(conf):
    """(n_classes,) share of each class's test images predicted as another class (NaN for an empty class)."""
    totals = conf.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, 1 - np.diag(conf) / totals, np.nan)


def class_mean_correlation(x, y, n_classes):
    """(n_classes, n_classes) correlation between the mean images of the classes; x (n, pixels), y (n,)."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    sums = np.zeros((n_classes, x.shape[1]))
    np.add.at(sums, y, x)
    means = sums / np.maximum(counts, 1)[:, None]
    return np.corrcoef(means)


def initial_params(config, dataset):
    """The weights a run started from: the seed's generator draws them first, so they are reproduced exactly."""
    network = build_network(config, dataset.n_features, dataset.n_classes, np.random.default_rng(config.seed))
    return {k: v.copy() for k, v in network.params.items()}


def _network(history, dataset, params):
    network = build_network(history.config, dataset.n_features, dataset.n_classes, np.random.default_rng(0))
    network.load_params(history.params if params is None else params)
    return network


def hidden_activations(history, dataset, layer=0, params=None):
    """(n_test, units) outputs of hidden layer ``layer`` on the test set, with the run's final weights
    (or ``params``)."""
    _, test_x = normalized_inputs(history.config, dataset)
    return _network(history, dataset, params).hidden_output(test_x, layer)


def activation_slope(history, dataset):
    """Mean derivative of the first hidden layer's activation over test images and units, final weights.

    It is the factor by which backpropagation scales a gradient passing through these units:
    at most 0.25 for sigmoid, 0 or 1 for ReLU.
    """
    _, test_x = normalized_inputs(history.config, dataset)
    pre = test_x @ history.params["W1"] + history.params["b1"]
    activation = make_activation(history.config.activation)
    activation.forward(pre)
    return float(np.mean(activation.backward(np.ones_like(pre))))


def test_probabilities(history, dataset):
    """(n_test, n_classes) softmax probabilities of the final network on the test set."""
    _, test_x = normalized_inputs(history.config, dataset)
    return softmax(_network(history, dataset, None).forward(test_x).astype(np.float64))


def unit_spread(values):
    """Largest difference between units: values (n, units) -> max over rows of (max - min across units).

    Exactly 0 when every unit holds the same value in every row (identical weight columns, or
    identical activations on every image).
    """
    values = np.asarray(values)
    return float(np.ptp(values, axis=-1).max()) if values.size else 0.0


def distinct_units(values, tol=1e-2, rows=256):
    """How many different units a layer has, from their outputs values (n, units) on the first ``rows`` rows.

    Units whose outputs all lie within ``tol`` x the mean |value| of one unit's count as copies of
    it (each unit still unassigned starts a new group). A layer of identical units has 1.
    """
    values = np.asarray(values[:rows], dtype=np.float64)
    limit = tol * float(np.abs(values).mean())
    group = np.full(values.shape[1], -1)
    groups = 0
    for unit in range(values.shape[1]):  # a loop over units, each step vectorised over all of them
        if group[unit] >= 0:
            continue
        close = np.abs(values - values[:, unit : unit + 1]).max(axis=0) <= limit
        group[close & (group < 0)] = groups
        groups += 1
    return groups


def symmetry(history, dataset):
    """How alike the first hidden layer's units are, before and after training.

    Returns a dict: w1_spread_start / w1_spread_end (``unit_spread`` of W1, whose columns are the
    units' weights), w1_scale_end (largest |W1|), act_spread_end, act_scale_end and distinct_end
    (spread, mean |value| and ``distinct_units`` of the test-set activations), units, weights,
    and, when the run recorded layer 0 at several stages, stages (epochs) and stage_spread /
    stage_scale / stage_distinct for each.
    """
    acts = hidden_activations(history, dataset)
    result = {
        "w1_spread_start": unit_spread(initial_params(history.config, dataset)["W1"]),
        "w1_spread_end": unit_spread(history.params["W1"]),
        "w1_scale_end": float(np.abs(history.params["W1"]).max()),
        "act_spread_end": unit_spread(acts),
        "act_scale_end": float(np.abs(acts).mean()),
        "distinct_end": distinct_units(acts),
        "units": int(acts.shape[1]),
        "weights": int(history.params["W1"].size),
    }
    if history.config.snapshot_layer % len(history.config.hidden) == 0 and len(history.snapshot_stages):
        result["stages"] = history.snapshot_stages.astype(float)
        result["stage_spread"] = np.array([unit_spread(s) for s in history.snapshots])
        result["stage_scale"] = np.abs(history.snapshots).mean(axis=(1, 2)).astype(float)
        result["stage_distinct"] = np.array([distinct_units(s) for s in history.snapshots])
    return result


def knn_error(z, y, k=5):
    """Leave-one-out k-nearest-neighbour error rate in the space z (n, d): how often the majority
    class of a point's k nearest other points is not its own class (ties go to the smaller class).
    Among points at exactly the same distance, the k-d tree decides which are counted."""
    from scipy.spatial import cKDTree  # imported here: only question 3 needs it

    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y)
    n = len(z)
    k = min(k, n - 1)
    _, idx = cKDTree(z).query(z, k=k + 1)
    idx = idx.reshape(n, k + 1)
    # Drop each point itself; with duplicated points it need not come first, so mask by index.
    rows = np.arange(n)[:, None]
    keep = idx != rows
    keep[keep.sum(axis=1) > k, -1] = False  # the point was not among its k + 1: drop the farthest
    neighbours = idx[keep].reshape(n, k)
    votes = np.zeros((n, int(y.max()) + 1))
    np.add.at(votes, (np.repeat(np.arange(n), k), y[neighbours].ravel()), 1)
    return float(np.mean(votes.argmax(axis=1) != y))


def weight_change(history, dataset, key="W1"):
    """||W_end - W_start|| / ||W_start|| for the weight ``key``: how far training moved it (inf from all-zero)."""
    start = initial_params(history.config, dataset)[key].astype(np.float64)
    moved = float(np.linalg.norm(history.params[key] - start))
    size = float(np.linalg.norm(start))
    return moved / size if size > 0 else (float("inf") if moved > 0 else 0.0)


def initial_activations(history, dataset):
    """(n_test, units) first-hidden-layer outputs on the test set with the run's starting weights."""
    return hidden_activations(history, dataset, params=initial_params(history.config, dataset))


def relative_spread(sym):
    """The spread across units at the end of training divided by the mean |activation| (0 when both are 0)."""
    return float(_relative(np.asarray(sym["act_spread_end"]), np.asarray(sym["act_scale_end"])))


def relative_stage_spread(sym):
    """(stages,) the spread across units at each recorded stage divided by that stage's mean |activation|."""
    return _relative(sym["stage_spread"], sym["stage_scale"])


def _relative(spread, scale):
    """spread / scale, taking a scale of 0 (every activation 0, so the spread is 0 too) as 1."""
    return spread / np.where(scale > 0, scale, 1.0)


def uniform_guess_error(n_classes):
    """The expected error rate of guessing one of ``n_classes`` classes at random: 1 - 1 / n_classes."""
    return 1 - 1 / n_classes


def majority_class(train_y, test_y, n_classes):
    """(the most frequent training class, the test error of always predicting it).

    This is the error of a network that learned only the class frequencies (its output biases);
    with unbalanced classes it is below the uniform guess's 1 - 1 / n_classes. Ties go to the
    smaller class.
    """
    label = int(np.argmax(np.bincount(train_y, minlength=n_classes)))
    return label, float(np.mean(np.asarray(test_y) != label))


def wilson_interval(errors, n, z=1.96):
    """(low, high): the Wilson score interval of an error rate of ``errors`` out of ``n`` (95% for z = 1.96).

    Unlike the normal approximation it stays inside [0, 1] and is sensible for 0 errors or few
    images, as per-class counts of about 100 test images are. Arrays of counts give arrays.
    """
    errors, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = errors / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def misclassified(true, pred, probs):
    """(indices of the wrong test predictions, most confident first; the probability given to each wrong answer)."""
    wrong = np.flatnonzero(np.asarray(pred) != np.asarray(true))
    confidence = probs[wrong, np.asarray(pred)[wrong]]
    order = np.argsort(-confidence, kind="stable")
    return wrong[order], confidence[order]
