"""Optimisers: ``step(params, grads)`` updates every array of ``params`` in place from the matching grads.

An optimiser's state (momentum's velocity, Adam's moments) is created on the first step and then
updated in place. Adam's step, a dozen operations over every parameter, also writes its
intermediate results into scratch arrays it keeps: with a parameter of a million floats, a fresh
temporary for each of them costs as much as the arithmetic.
"""

import numpy as np

from ..errors import unknown_name


def _array(store, key, like):
    """``store[key]``, created as zeros shaped like ``like`` on first use."""
    array = store.get(key)
    if array is None:
        array = store[key] = np.zeros_like(like)
    return array


class SGD:
    """Plain mini-batch gradient descent: p <- p - lr * g."""

    def __init__(self, lr, **_):
        self.lr = lr

    def step(self, params, grads):
        for key, param in params.items():
            param -= self.lr * grads[key]


class Momentum:
    """Heavy-ball momentum: v <- mu v - lr g; p <- p + v."""

    def __init__(self, lr, momentum=0.9, **_):
        self.lr, self.momentum = lr, momentum
        self.velocity = {}

    def step(self, params, grads):
        for key, param in params.items():
            if key not in self.velocity:
                self.velocity[key] = np.zeros_like(param)
            v = self.velocity[key]
            v *= self.momentum
            v -= self.lr * grads[key]
            param += v


class Adam:
    """Adam (Kingma & Ba) with the usual beta1 0.9, beta2 0.999, eps 1e-8 and bias correction:
    m <- m + (1 - beta1)(g - m); v <- v + (1 - beta2)(g^2 - v); p <- p - scale m / (sqrt(v) + eps),
    where scale = lr sqrt(1 - beta2^t) / (1 - beta1^t) at step t."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, **_):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0
        self.scratch, self.denominator = {}, {}

    def __getstate__(self):
        """The moments and the step count; the scratch arrays are remade, as zeros, on the next step."""
        return {**self.__dict__, "scratch": {}, "denominator": {}}

    def step(self, params, grads):
        self.t += 1
        # A Python float keeps the float32 arrays in float32 (a NumPy float64 scalar would promote them).
        scale = float(self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t))
        for key, param in params.items():
            g = grads[key]
            m, v = _array(self.m, key, param), _array(self.v, key, param)
            s, d = _array(self.scratch, key, param), _array(self.denominator, key, param)
            np.subtract(g, m, out=s)
            s *= 1 - self.beta1
            m += s
            np.multiply(g, g, out=s)
            s -= v
            s *= 1 - self.beta2
            v += s
            np.multiply(m, scale, out=s)
            np.sqrt(v, out=d)
            d += self.eps
            s /= d
            param -= s


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name, lr, momentum=0.9):
    """A fresh optimiser for ``name``; unknown names list the known ones."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise unknown_name("optimizer", name, OPTIMIZERS) from None
    return cls(lr=lr, momentum=momentum)
