"""Centred finite differences: the test every layer's backward pass must pass.

``numerical_gradient`` and ``relative_error`` are the tools; the ``check_*`` functions apply them
to each layer and to a whole network in float64 and return the worst relative error per
gradient, so the test suite asserts on them and the report prints them.
"""

import numpy as np

from .activations import make_activation
from .layers import Dense, SoftmaxCrossEntropy
from .network import MLP


def numerical_gradient(f, x, eps=1e-5):
    """d f() / d x by centred differences, perturbing ``x`` (float64) in place one entry at a time."""
    grad = np.zeros_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        grad_flat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): scale-free, and not fooled by entries that are almost 0."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def away_from_kinks(x):
    """Keep |x| > 1e-3, so a finite difference never straddles ReLU's kink at 0."""
    return np.where(np.abs(x) < 1e-3, 0.5, x)


def _weighted_sum(layer, x, weights):
    """A scalar that depends on every output of ``layer``: sum(forward(x) * weights)."""
    return lambda: float(np.sum(layer.forward(x) * weights))


def check_activation(name, seed=1):
    """{'x': relative error} of activation ``name``'s input gradient on a (5, 7) batch."""
    rng = np.random.default_rng(seed)
    layer = make_activation(name)
    x = away_from_kinks(rng.standard_normal((5, 7)))
    weights = rng.standard_normal((5, 7))
    layer.forward(x)
    analytic = layer.backward(weights)
    return {"x": relative_error(analytic, numerical_gradient(_weighted_sum(layer, x, weights), x))}


def check_dense(seed=2):
    """{'x', 'W', 'b': relative error} of a (4 -> 3) Dense layer on a batch of 6."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((6, 4))
    dense = Dense(rng.standard_normal((4, 3)), rng.standard_normal(3))
    weights = rng.standard_normal((6, 3))
    dense.forward(x)
    dx = dense.backward(weights)
    f = _weighted_sum(dense, x, weights)
    errors = {"x": relative_error(dx, numerical_gradient(f, x))}
    for key in ("W", "b"):
        errors[key] = relative_error(dense.grads[key], numerical_gradient(f, dense.params[key]))
    return errors


def check_softmax_cross_entropy(seed=4):
    """{'logits': relative error} of the loss's gradient for a batch of 8 over 10 classes."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((8, 10)) * 3
    labels = rng.integers(0, 10, size=8)
    layer = SoftmaxCrossEntropy()
    layer.forward(logits, labels)
    analytic = layer.backward()
    return {"logits": relative_error(analytic, numerical_gradient(lambda: layer.forward(logits, labels), logits))}


def check_network(activation, hidden=(5, 2), seed=5, **network_options):
    """{parameter name: relative error} of a whole 7-input, 4-class MLP's gradients on a batch of 9.

    Biases start non-zero so every term of the backward pass is exercised.
    """
    rng = np.random.default_rng(seed)
    net = MLP(7, hidden, 4, activation=activation, init="xavier", rng=rng, dtype=np.float64, **network_options)
    for key in net.params:
        if key.startswith("b"):
            net.params[key][...] = rng.standard_normal(net.params[key].shape) * 0.1
    x = rng.standard_normal((9, 7))
    y = rng.integers(0, 4, size=9)
    net.loss(x, y)
    net.backward()
    analytic = {k: g.copy() for k, g in net.grads.items()}
    return {
        key: relative_error(analytic[key], numerical_gradient(lambda: net.loss(x, y), param))
        for key, param in net.params.items()
    }
