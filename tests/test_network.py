"""Network structure, initialisers, optimisers and the zero-initialisation symmetry."""

import numpy as np
import pytest

from hw1lib.errors import ConfigError
from hw1lib.nn.initializers import INITIALIZERS, get_initializer
from hw1lib.nn.network import MLP
from hw1lib.nn.optimizers import OPTIMIZERS, make_optimizer


def test_shapes_dtypes_and_matching_param_grad_keys():
    net = MLP(784, (256, 2), 10, rng=np.random.default_rng(0))
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.params.keys() == net.grads.keys()
    assert net.params["W2"].shape == (256, 2) and net.params["W3"].shape == (2, 10)
    assert all(p.dtype == np.float32 for p in net.params.values())
    x = np.random.default_rng(1).random((5, 784), dtype=np.float32)
    assert net.forward(x).shape == (5, 10) and net.forward(x).dtype == np.float32
    assert net.hidden_output(x, -1).shape == (5, 2)
    assert net.hidden_output(x, 0).shape == (5, 256)
    with pytest.raises(ConfigError, match="out of range"):
        net.hidden_output(x, 2)


def test_float32_training_step_stays_float32():
    rng = np.random.default_rng(0)
    net = MLP(20, (8,), 3, rng=rng)
    for name in OPTIMIZERS:
        opt = make_optimizer(name, 0.1)
        net.loss(rng.random((4, 20), dtype=np.float32), np.array([0, 1, 2, 0]))
        net.backward()
        opt.step(net.params, net.grads)
        assert all(p.dtype == np.float32 for p in net.params.values()), name


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ConfigError, match="known: he, normal, xavier, zero"):
        get_initializer("glorot")
    with pytest.raises(ConfigError, match="known: identity, leaky_relu, relu, sigmoid, tanh"):
        MLP(4, (3,), 2, activation="swish")
    with pytest.raises(ConfigError, match="known: adam, momentum, sgd"):
        make_optimizer("rmsprop", 0.1)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializer_scales(name):
    rng = np.random.default_rng(0)
    w = get_initializer(name)(400, 100, rng, 0.01, np.float32)
    expected = {"zero": 0.0, "normal": 0.01, "xavier": np.sqrt(2 / 500), "he": np.sqrt(2 / 400)}[name]
    assert w.shape == (400, 100) and w.dtype == np.float32
    assert w.std() == pytest.approx(expected, rel=0.05, abs=1e-12)


def test_sgd_and_momentum_hand_computed_steps():
    params = {"w": np.array([1.0, -2.0])}
    grads = {"w": np.array([0.5, 1.0])}
    make_optimizer("sgd", 0.1).step(params, grads)
    np.testing.assert_allclose(params["w"], [0.95, -2.1])
    params = {"w": np.array([1.0])}
    opt = make_optimizer("momentum", 0.1, momentum=0.5)
    opt.step(params, {"w": np.array([1.0])})  # v = -0.1
    opt.step(params, {"w": np.array([1.0])})  # v = -0.05 - 0.1 = -0.15
    np.testing.assert_allclose(params["w"], [0.75])


def test_adam_first_step_moves_each_weight_by_lr():
    params = {"w": np.array([1.0, 1.0])}
    make_optimizer("adam", 0.01).step(params, {"w": np.array([3.0, -0.002])})
    np.testing.assert_allclose(params["w"], [0.99, 1.01], rtol=1e-5)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_reuse_their_arrays(name, monkeypatch):
    """After the first step an optimiser allocates nothing: its state and scratch arrays persist, and a
    step gives what the formula written with temporaries gives."""
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((20, 30)).astype(np.float32), "b": np.zeros(30, np.float32)}
    grads = {key: rng.standard_normal(p.shape).astype(np.float32) for key, p in params.items()}
    opt = make_optimizer(name, 0.01)
    opt.step(params, grads)
    kept = {id(a) for store in vars(opt).values() if isinstance(store, dict) for a in store.values()}
    allocations = []
    for factory in ("zeros_like", "empty_like", "zeros", "empty"):
        real = getattr(np, factory)
        monkeypatch.setattr(np, factory, lambda *a, _real=real, **k: allocations.append(a) or _real(*a, **k))
    before = {key: p.copy() for key, p in params.items()}
    opt.step(params, grads)
    monkeypatch.undo()
    assert allocations == []
    assert {id(a) for store in vars(opt).values() if isinstance(store, dict) for a in store.values()} == kept
    if name == "sgd":
        np.testing.assert_array_equal(params["W"], before["W"] - 0.01 * grads["W"])
    elif name == "momentum":
        velocity = (0.9 * (-0.01 * grads["W"]) - 0.01 * grads["W"]).astype(np.float32)
        np.testing.assert_allclose(params["W"], before["W"] + velocity, rtol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_zero_init_keeps_hidden_units_identical(activation):
    """The symmetry zero initialisation cannot break: after many updates all units of a layer are equal.

    Equal up to float32 rounding: BLAS may sum the columns of a product in different orders,
    which leaves differences of about one unit in the last place, nothing more.
    """
    rng = np.random.default_rng(0)
    net = MLP(30, (16, 8), 5, activation=activation, init="zero", rng=rng)
    opt = make_optimizer("sgd", 0.5)
    x = rng.random((64, 30), dtype=np.float32)
    y = rng.integers(0, 5, size=64)
    for _ in range(50):
        net.loss(x, y)
        net.backward()
        opt.step(net.params, net.grads)
    for key in ("W1", "W2"):
        weights = net.params[key]
        spread = np.abs(weights - weights[:, :1]).max()
        assert spread <= 1e-5 * np.abs(weights).max(), f"{key}: columns differ by {spread}"
    hidden = net.hidden_output(x, 0)
    assert np.abs(hidden - hidden[:, :1]).max() <= 1e-5 * np.abs(hidden).max()
    if activation == "sigmoid":  # the units did move: identical is not the same as untrained
        assert np.any(net.params["W1"] != 0)


def test_random_init_breaks_the_symmetry():
    rng = np.random.default_rng(0)
    net = MLP(30, (16,), 5, activation="sigmoid", init="normal", init_std=0.01, rng=rng)
    hidden = net.hidden_output(rng.random((8, 30), dtype=np.float32), 0)
    assert np.ptp(hidden, axis=1).min() > 0
