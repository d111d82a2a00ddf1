"""Centred finite differences: the test every layer's backward pass must pass."""
import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    """d f() / d x by centred differences, perturbing ``x`` (float64) in place one entry at a time."""
    grad = np.zeros_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        grad_flat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): scale-free, and not fooled by entries that are almost 0."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)
