"""The training pass reuses buffers: results must not depend on them, and no caller's array is touched."""

import numpy as np
import pytest

from hw1lib.nn.activations import ACTIVATIONS, make_activation
from hw1lib.nn.layers import Dense
from hw1lib.nn.network import MLP


def fresh_copy(net, activation, hidden):
    """A new network of the same shape holding ``net``'s current weights (and no buffers yet)."""
    other = MLP(12, hidden, 5, activation=activation, rng=np.random.default_rng(99))
    other.load_params(net.params)
    return other


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_reused_buffers_give_what_a_fresh_network_gives(activation):
    """Batches that grow, shrink and grow again: each step matches a fresh network bit for bit."""
    hidden = (9, 4)
    rng = np.random.default_rng(0)
    net = MLP(12, hidden, 5, activation=activation, rng=rng)
    for rows in (32, 7, 32, 50, 3, 50):
        x = rng.standard_normal((rows, 12), dtype=np.float32)
        y = rng.integers(0, 5, rows)
        fresh = fresh_copy(net, activation, hidden)
        assert net.loss(x, y) == fresh.loss(x, y)
        net.backward()
        fresh.backward()
        for key in net.grads:
            np.testing.assert_array_equal(net.grads[key], fresh.grads[key], err_msg=f"{rows} rows, {key}")
        for key in net.params:  # a plain SGD step, so the next batch sees new weights
            net.params[key] -= 0.1 * net.grads[key]


def test_training_pass_matches_the_public_forward_and_leaves_inputs_alone():
    rng = np.random.default_rng(1)
    net = MLP(12, (8,), 5, rng=rng)
    x = rng.standard_normal((20, 12), dtype=np.float32)
    y = rng.integers(0, 5, 20)
    kept = x.copy()
    loss = net.loss(x, y)
    net.backward()
    np.testing.assert_array_equal(x, kept)
    assert loss == net.loss_layer.forward(net.forward(x), y)


def test_forward_and_hidden_output_return_arrays_the_caller_owns():
    rng = np.random.default_rng(2)
    net = MLP(12, (8, 2), 5, rng=rng)
    a, b = (rng.standard_normal((10, 12), dtype=np.float32) for _ in range(2))
    first_logits, first_hidden = net.forward(a), net.hidden_output(a)
    saved = first_logits.copy(), first_hidden.copy()
    net.forward(b), net.hidden_output(b)
    net.loss(b, rng.integers(0, 5, 10))
    net.backward()
    np.testing.assert_array_equal(first_logits, saved[0])
    np.testing.assert_array_equal(first_hidden, saved[1])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_in_place_equals_out_of_place(name):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    dout = rng.standard_normal((6, 5)).astype(np.float32)
    fresh = make_activation(name)
    kept_x, kept_dout = x.copy(), dout.copy()
    y, dx = fresh.forward(x), fresh.backward(dout)
    np.testing.assert_array_equal(x, kept_x)  # out of place: the caller's arrays are untouched
    np.testing.assert_array_equal(dout, kept_dout)
    in_place = make_activation(name)
    assert in_place.forward(x, out=x) is x
    assert in_place.backward(dout, out=dout) is dout
    np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(dout, dx)


def test_dense_writes_into_out_and_keeps_its_input():
    rng = np.random.default_rng(4)
    dense = Dense(rng.standard_normal((4, 3)).astype(np.float32), np.ones(3, np.float32))
    x = rng.standard_normal((5, 4)).astype(np.float32)
    out, dx = np.empty((5, 3), np.float32), np.empty((5, 4), np.float32)
    assert dense.forward(x, out=out) is out
    np.testing.assert_array_equal(out, x @ dense.params["W"] + 1)
    dout = rng.standard_normal((5, 3)).astype(np.float32)
    assert dense.backward(dout, out=dx) is dx
    np.testing.assert_array_equal(dx, dout @ dense.params["W"].T)
    np.testing.assert_array_equal(dense.grads["W"], x.T @ dout)
