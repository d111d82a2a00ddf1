"""Weight initialisers, looked up by name. Each returns a (fan_in, fan_out) matrix; biases start at 0."""

import math

import numpy as np

from ..errors import unknown_name


def zero(fan_in, fan_out, rng, std, dtype):
    """All weights 0: the network cannot learn, and this is why.

    Every hidden unit of a layer then computes the same function of the input, so in
    backpropagation every unit receives the same gradient and takes the same step: the units
    start identical and stay identical for ever (the symmetry is never broken), and a layer of
    256 units is no more expressive than a layer of one. With ReLU it is worse: every hidden
    input is exactly 0, where ReLU's gradient is 0, so no hidden weight ever changes and the
    output layer sees all-zero features; only the output biases learn, the network predicts
    the same class for every image and the error rate stays near 1 - 1/10 = 90%.
    Random initialisation breaks the symmetry, giving each unit its own starting point.
    """
    return np.zeros((fan_in, fan_out), dtype=dtype)


def normal(fan_in, fan_out, rng, std, dtype):
    """Gaussian weights with a fixed standard deviation ``std`` (the homework's 0.01)."""
    return _gaussian(fan_in, fan_out, rng, std, dtype)


def xavier(fan_in, fan_out, rng, std, dtype):
    """Glorot normal, std sqrt(2 / (fan_in + fan_out)): keeps activation variance steady for tanh/sigmoid."""
    return _gaussian(fan_in, fan_out, rng, xavier_std(fan_in, fan_out), dtype)


def he(fan_in, fan_out, rng, std, dtype):
    """He normal, std sqrt(2 / fan_in): compensates for ReLU zeroing half of its inputs."""
    return _gaussian(fan_in, fan_out, rng, he_std(fan_in, fan_out), dtype)


def xavier_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in, fan_out):
    return math.sqrt(2.0 / fan_in)


def _gaussian(fan_in, fan_out, rng, std, dtype):
    return rng.standard_normal((fan_in, fan_out), dtype=dtype) * dtype(std)


INITIALIZERS = {"zero": zero, "normal": normal, "xavier": xavier, "he": he}


# Each initialiser's standard deviation as the report writes it.
FORMULAS = {"zero": "0", "normal": "fixed", "xavier": "√(2 / (fan_in + fan_out))", "he": "√(2 / fan_in)"}


def standard_deviation(name, fan_in, fan_out, std=0.01):
    """The standard deviation initialiser ``name`` draws a (fan_in, fan_out) matrix with (``std`` for normal)."""
    get_initializer(name)
    return {"zero": 0.0, "normal": std, "xavier": xavier_std(fan_in, fan_out), "he": he_std(fan_in, fan_out)}[name]


def get_initializer(name):
    """The initialiser function for ``name``; unknown names list the known ones."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        raise unknown_name("initializer", name, INITIALIZERS) from None
