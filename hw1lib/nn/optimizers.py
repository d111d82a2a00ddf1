"""Optimisers: ``step(params, grads)`` updates every array of ``params`` in place from the matching grads."""
import numpy as np

from ..errors import unknown_name


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
            v = self.velocity.setdefault(key, np.zeros_like(param))
            v *= self.momentum
            v -= self.lr * grads[key]
            param += v


class Adam:
    """Adam (Kingma & Ba) with the usual beta1 0.9, beta2 0.999, eps 1e-8 and bias correction."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8, **_):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        self.t += 1
        # A Python float keeps the float32 arrays in float32 (a NumPy float64 scalar would promote them).
        scale = float(self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t))
        for key, param in params.items():
            g = grads[key]
            m = self.m.setdefault(key, np.zeros_like(param))
            v = self.v.setdefault(key, np.zeros_like(param))
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            param -= scale * m / (np.sqrt(v) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name, lr, momentum=0.9):
    """A fresh optimiser for ``name``; unknown names list the known ones."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise unknown_name("optimizer", name, OPTIMIZERS) from None
    return cls(lr=lr, momentum=momentum)
