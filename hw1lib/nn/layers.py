"""The fully connected layer and the softmax cross-entropy output."""

import numpy as np

from .activations import NO_PARAMS


class Dense:
    """Fully connected layer: x (batch, fan_in) -> x @ W + b (batch, fan_out).

    ``params`` and ``grads`` are dicts with the same keys ("W", "b"); the gradient arrays are
    written in place, so an optimiser may hold on to them. The first layer of a network sets
    ``needs_input_grad=False``: nothing upstream wants the gradient with respect to the images,
    and skipping it saves a third of that layer's backward work.

    ``forward`` and ``backward`` return new arrays, or write into ``out`` when it is given (the
    network passes buffers it reuses from batch to batch, so training allocates nothing).
    """

    def __init__(self, weight, bias, needs_input_grad=True):
        self.params = {"W": weight, "b": bias}
        self.grads = {"W": np.zeros_like(weight), "b": np.zeros_like(bias)}
        self.needs_input_grad = needs_input_grad

    def forward(self, x, out=None):
        """x (batch, fan_in) -> (batch, fan_out); x is kept, unchanged, for ``backward``."""
        self.x = x
        out = np.matmul(x, self.params["W"], out=out)
        out += self.params["b"]
        return out

    def backward(self, dout, out=None):
        """dout (batch, fan_out) -> dx (batch, fan_in), or None when the input needs no gradient."""
        np.matmul(self.x.T, dout, out=self.grads["W"])
        np.add.reduce(dout, axis=0, out=self.grads["b"])
        if self.needs_input_grad:
            return np.matmul(dout, self.params["W"].T, out=out)
        return None


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against integer labels.

    forward: logits (batch, classes), labels (batch,) -> scalar loss.
    backward: -> dlogits (batch, classes) = (softmax - onehot) / batch.
    """

    params = NO_PARAMS
    grads = NO_PARAMS

    def forward(self, logits, labels):
        probs, total, shifted = _exp_shifted(logits)
        probs /= total
        self.probs, self.labels = probs, labels
        # Row r's own-class entry sits at flat index r * classes + label: one gather, no 2-D fancy index.
        self.flat_index = np.arange(0, shifted.size, shifted.shape[1])
        self.flat_index += labels
        per_sample = np.log(total.reshape(-1))
        per_sample -= shifted.take(self.flat_index)
        return float(per_sample.mean())

    def backward(self):
        grad = self.probs.copy()
        grad.reshape(-1)[self.flat_index] -= 1
        grad /= len(self.labels)
        return grad


def softmax(logits):
    """Probabilities (batch, classes) of logits (batch, classes): exp(logits) / its row sum, computed stably."""
    probs, total, _ = _exp_shifted(logits)
    probs /= total
    return probs


def _exp_shifted(logits):
    """(exp(shifted), its row sums (batch, 1), shifted), where shifted = logits - the row maximum.

    Subtracting the maximum keeps exp from overflowing and changes neither softmax nor the loss.
    fmax finds it without max's NaN bookkeeping, which the shift does not need: a NaN logit makes
    the loss NaN either way.
    """
    shifted = logits - np.fmax.reduce(logits, axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps, np.add.reduce(exps, axis=1, keepdims=True), shifted
