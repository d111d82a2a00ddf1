"""Element-wise activation layers, looked up by name.

Each layer keeps only what its backward pass needs: its output (sigmoid, tanh), the 0/1 (or
slope) factor it multiplied its input by (ReLU, leaky ReLU), or nothing (identity). Shapes:
x (batch, features) -> same shape. ``forward`` and ``backward`` return new arrays unless given
``out``; the network passes ``out=x`` and ``out=dout`` to work in place on its own buffers, never on an
array a caller holds.
"""

from types import MappingProxyType

import numpy as np

from ..errors import unknown_name

# Activations have no parameters: one read-only empty mapping, shared safely by every instance.
NO_PARAMS = MappingProxyType({})


class Sigmoid:
    """sigma(x) = 1 / (1 + exp(-x)); sigma'(x) = sigma(x) (1 - sigma(x))."""

    params = NO_PARAMS
    grads = NO_PARAMS

    def forward(self, x, out=None):
        # 0.5 (1 + tanh(x/2)) is the logistic function without exp overflow for large |x|.
        y = np.multiply(x, 0.5, out=out)
        np.tanh(y, out=y)
        y *= 0.5
        y += 0.5
        self.y = y
        return y

    def backward(self, dout, out=None):
        grad = np.multiply(dout, self.y, out=out)
        grad *= 1 - self.y
        return grad


class Tanh:
    """tanh(x); derivative 1 - tanh(x)^2."""

    params = NO_PARAMS
    grads = NO_PARAMS

    def forward(self, x, out=None):
        self.y = np.tanh(x, out=out)
        return self.y

    def backward(self, dout, out=None):
        slope = self.y * self.y
        np.subtract(1, slope, out=slope)
        return np.multiply(dout, slope, out=out)


class ReLU:
    """max(x, 0), computed as x * (x > 0); the derivative at 0 is taken as 0, so a unit whose
    input is exactly 0 gets no gradient."""

    params = NO_PARAMS
    grads = NO_PARAMS
    gate = None

    def forward(self, x, out=None):
        # The gate (1.0 where x > 0, else 0.0) serves both passes: two multiplications instead of
        # np.maximum, whose NaN checks make it several times slower, and a comparison in backward.
        gate = (
            self.gate
            if self.gate is not None and self.gate.shape == x.shape and self.gate.dtype == x.dtype
            else np.empty_like(x)
        )
        self.gate = np.greater(x, 0, out=gate)
        return np.multiply(x, gate, out=out)

    def backward(self, dout, out=None):
        return np.multiply(dout, self.gate, out=out)


class LeakyReLU:
    """x for x > 0, else slope * x (slope 0.01, at most 1): negative inputs keep a small gradient."""

    params = NO_PARAMS
    grads = NO_PARAMS
    factor = None

    def __init__(self, slope=0.01):
        if not 0 <= slope <= 1:
            raise ValueError(f"leaky ReLU slope must be in [0, 1], got {slope}")
        self.slope = slope

    def forward(self, x, out=None):
        # The factor, max(x > 0, slope): 1 or slope, kept for backward (np.where is several times slower).
        if self.factor is None or self.factor.shape != x.shape or self.factor.dtype != x.dtype:
            self.factor = np.empty_like(x)
        np.maximum(np.greater(x, 0, out=self.factor), x.dtype.type(self.slope), out=self.factor)
        return np.multiply(x, self.factor, out=out)

    def backward(self, dout, out=None):
        return np.multiply(dout, self.factor, out=out)


class Identity:
    """x itself; derivative 1. As the last hidden layer's activation it makes that layer linear, so a
    2-unit layer places each image in a plane the output layer divides by straight lines only."""

    params = NO_PARAMS
    grads = NO_PARAMS

    def forward(self, x, out=None):
        return _copy(x, out)

    def backward(self, dout, out=None):
        return _copy(dout, out)


def _copy(x, out):
    # The network passes out=x to work in place: then there is nothing to do.
    if out is None:
        return x.copy()
    if out is not x:
        np.copyto(out, x)
    return out


ACTIVATIONS = {"sigmoid": Sigmoid, "relu": ReLU, "tanh": Tanh, "leaky_relu": LeakyReLU, "identity": Identity}


def make_activation(name):
    """A fresh activation layer for ``name``; unknown names list the known ones."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise unknown_name("activation", name, ACTIVATIONS) from None
