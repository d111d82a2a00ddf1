"""Element-wise activation layers, looked up by name.

Each layer keeps only what its backward pass needs: its output (sigmoid, tanh) or its input
(ReLU, leaky ReLU). Shapes: x (batch, features) -> same shape.
"""
import numpy as np

from .errors import unknown_name


class Sigmoid:
    """sigma(x) = 1 / (1 + exp(-x)); sigma'(x) = sigma(x) (1 - sigma(x))."""

    params: dict = {}
    grads: dict = {}

    def forward(self, x):
        # 0.5 (1 + tanh(x/2)) is the logistic function without exp overflow for large |x|.
        y = np.tanh(x * 0.5)
        y *= 0.5
        y += 0.5
        self.y = y
        return y

    def backward(self, dout):
        return dout * self.y * (1 - self.y)


class Tanh:
    """tanh(x); derivative 1 - tanh(x)^2."""

    params: dict = {}
    grads: dict = {}

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dout):
        return dout * (1 - self.y * self.y)


class ReLU:
    """max(x, 0); the derivative at 0 is taken as 0, so a unit whose input is exactly 0 gets no gradient."""

    params: dict = {}
    grads: dict = {}

    def forward(self, x):
        self.positive = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.positive


class LeakyReLU:
    """x for x > 0, else slope * x (slope 0.01): negative inputs keep a small gradient."""

    params: dict = {}
    grads: dict = {}

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, x * self.slope)

    def backward(self, dout):
        return np.where(self.positive, dout, dout * self.slope)


ACTIVATIONS = {"sigmoid": Sigmoid, "relu": ReLU, "tanh": Tanh, "leaky_relu": LeakyReLU}


def make_activation(name):
    """A fresh activation layer for ``name``; unknown names list the known ones."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise unknown_name("activation", name, ACTIVATIONS) from None
