"""Every layer's backward pass against centred finite differences, in float64."""
import numpy as np
import pytest

from hw1lib.nn.activations import ACTIVATIONS, make_activation
from hw1lib.nn.gradcheck import numerical_gradient, relative_error
from hw1lib.nn.layers import Dense, SoftmaxCrossEntropy
from hw1lib.nn.network import MLP

TOLERANCE = 1e-6


def away_from_kinks(x):
    """Keep |x| > 1e-3 so ReLU's kink at 0 is not straddled by the finite difference."""
    return np.where(np.abs(x) < 1e-3, 0.5, x)


def layer_loss(layer, x, weights):
    """A scalar that depends on every output of ``layer``: sum(forward(x) * weights)."""
    return lambda: float(np.sum(layer.forward(x) * weights))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient(name):
    rng = np.random.default_rng(1)
    layer = make_activation(name)
    x = away_from_kinks(rng.standard_normal((5, 7)))
    weights = rng.standard_normal((5, 7))
    layer.forward(x)
    analytic = layer.backward(weights)
    numeric = numerical_gradient(layer_loss(layer, x, weights), x)
    assert relative_error(analytic, numeric) < TOLERANCE


def test_dense_gradients():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 4))
    dense = Dense(rng.standard_normal((4, 3)), rng.standard_normal(3))
    weights = rng.standard_normal((6, 3))
    dense.forward(x)
    dx = dense.backward(weights)
    f = layer_loss(dense, x, weights)
    assert relative_error(dx, numerical_gradient(f, x)) < TOLERANCE
    for key in ("W", "b"):
        assert relative_error(dense.grads[key], numerical_gradient(f, dense.params[key])) < TOLERANCE


def test_dense_skips_input_gradient_when_not_needed():
    rng = np.random.default_rng(3)
    dense = Dense(rng.standard_normal((4, 3)), np.zeros(3), needs_input_grad=False)
    dense.forward(rng.standard_normal((2, 4)))
    assert dense.backward(np.ones((2, 3))) is None
    np.testing.assert_allclose(dense.grads["b"], [2, 2, 2])


def test_softmax_cross_entropy_gradient_and_value():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((8, 10)) * 3
    labels = rng.integers(0, 10, size=8)
    layer = SoftmaxCrossEntropy()
    loss = layer.forward(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(8), labels])))
    analytic = layer.backward()
    numeric = numerical_gradient(lambda: layer.forward(logits, labels), logits)
    assert relative_error(analytic, numeric) < TOLERANCE


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    layer = SoftmaxCrossEntropy()
    loss = layer.forward(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and loss == pytest.approx(500.0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("hidden", [(6,), (5, 2)])
def test_whole_network_gradient(activation, hidden):
    rng = np.random.default_rng(5)
    net = MLP(7, hidden, 4, activation=activation, init="xavier", rng=rng, dtype=np.float64)
    for key in net.params:  # non-zero biases so every term of the backward pass is exercised
        if key.startswith("b"):
            net.params[key][...] = rng.standard_normal(net.params[key].shape) * 0.1
    x = rng.standard_normal((9, 7))
    y = rng.integers(0, 4, size=9)
    net.loss(x, y)
    net.backward()
    analytic = {k: g.copy() for k, g in net.grads.items()}
    for key, param in net.params.items():
        numeric = numerical_gradient(lambda: net.loss(x, y), param)
        assert relative_error(analytic[key], numeric) < TOLERANCE, key


@pytest.mark.parametrize("last", ["identity", "tanh"])
def test_whole_network_gradient_with_its_own_last_hidden_activation(last):
    rng = np.random.default_rng(6)
    net = MLP(7, (6, 2), 4, activation="leaky_relu", last_activation=last, init="he", rng=rng, dtype=np.float64)
    assert [type(layer).__name__ for layer in net.layers[1::2]] == ["LeakyReLU", type(make_activation(last)).__name__]
    for key in net.params:
        if key.startswith("b"):
            net.params[key][...] = rng.standard_normal(net.params[key].shape) * 0.1
    x = away_from_kinks(rng.standard_normal((9, 7)))
    y = rng.integers(0, 4, size=9)
    net.loss(x, y)
    net.backward()
    analytic = {k: g.copy() for k, g in net.grads.items()}
    for key, param in net.params.items():
        numeric = numerical_gradient(lambda: net.loss(x, y), param)
        assert relative_error(analytic[key], numeric) < TOLERANCE, key


def test_identity_works_in_place_and_leaves_a_callers_array_alone():
    layer = make_activation("identity")
    x = np.arange(6.0).reshape(2, 3)
    y = layer.forward(x)
    assert y is not x and np.array_equal(y, x)
    assert layer.forward(x, out=x) is x
    out = np.empty_like(x)
    assert layer.backward(x, out=out) is out and np.array_equal(out, x)
