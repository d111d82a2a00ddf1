"""Every layer's backward pass against centred finite differences, in float64."""
import numpy as np
import pytest

from hw1lib.nn.activations import ACTIVATIONS
from hw1lib.nn.gradcheck import check_activation, check_dense, check_network, check_softmax_cross_entropy
from hw1lib.nn.layers import Dense, SoftmaxCrossEntropy

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
