"""Every layer's backward pass against centred finite differences, in float64."""

import numpy as np
import pytest

from hw1lib.nn.activations import ACTIVATIONS, make_activation
from hw1lib.nn.gradcheck import (
    away_from_kinks,
    check_activation,
    check_dense,
    check_network,
    check_softmax_cross_entropy,
    numerical_gradient,
    relative_error,
)
from hw1lib.nn.layers import Dense, SoftmaxCrossEntropy
from hw1lib.nn.network import MLP

TOLERANCE = 1e-6


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient(name):
    assert check_activation(name)["x"] < TOLERANCE


def test_dense_gradients():
    errors = check_dense()
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < TOLERANCE


def test_dense_skips_input_gradient_when_not_needed():
    rng = np.random.default_rng(3)
    dense = Dense(rng.standard_normal((4, 3)), np.zeros(3), needs_input_grad=False)
    dense.forward(rng.standard_normal((2, 4)))
    assert dense.backward(np.ones((2, 3))) is None
    np.testing.assert_allclose(dense.grads["b"], [2, 2, 2])


def test_softmax_cross_entropy_value():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((8, 10)) * 3
    labels = rng.integers(0, 10, size=8)
    loss = SoftmaxCrossEntropy().forward(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(8), labels])))


def test_softmax_cross_entropy_gradient():
    assert check_softmax_cross_entropy()["logits"] < TOLERANCE


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    layer = SoftmaxCrossEntropy()
    loss = layer.forward(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert np.isfinite(loss) and loss == pytest.approx(500.0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("hidden", [(6,), (5, 2)])
def test_whole_network_gradient(activation, hidden):
    errors = check_network(activation, hidden)
    assert set(errors) == {f"{k}{i}" for i in range(1, len(hidden) + 2) for k in "Wb"}
    for key, error in errors.items():
        assert error < TOLERANCE, key


def test_a_wrong_backward_pass_fails_the_check(monkeypatch):
    """The check can fail: a sigmoid whose backward forgets the (1 - y) factor is caught."""
    from hw1lib.nn import activations

    monkeypatch.setattr(activations.Sigmoid, "backward", lambda self, dout, out=None: dout * self.y)
    assert check_activation("sigmoid")["x"] > 1e-2
    assert check_network("sigmoid")["W1"] > 1e-2


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
