"""A fully connected network: Dense -> activation -> ... -> Dense, with a softmax cross-entropy loss."""

import itertools

import numpy as np

from ..errors import ConfigError
from .activations import make_activation
from .initializers import get_initializer
from .layers import Dense, SoftmaxCrossEntropy


class MLP:
    """Multi-layer perceptron with any list of hidden sizes, e.g. [256] or [256, 2].

    Every hidden layer uses ``activation``, except the last one when ``last_activation`` is given
    (e.g. a linear 2-unit layer after leaky ReLU layers).

    ``params`` and ``grads`` are dicts with matching keys W1, b1, W2, b2, ... that share memory
    with the layers, so an optimiser updates the network by updating ``params`` in place.
    Shapes: x (batch, n_inputs) -> logits (batch, n_classes).

    The training pass (``loss`` then ``backward``) writes every intermediate array into buffers
    the network keeps, sized for the largest batch seen, and runs the activations in place on
    them: a step allocates nothing that grows with the batch. ``forward`` and ``hidden_output``
    return new arrays the caller owns.
    """

    def __init__(
        self,
        n_inputs,
        hidden,
        n_classes,
        *,
        activation="relu",
        last_activation=None,
        init="he",
        init_std=0.01,
        rng=None,
        dtype=np.float32,
    ):
        hidden = tuple(int(h) for h in hidden)
        if any(h < 1 for h in hidden):
            raise ConfigError(f"hidden sizes must be >= 1, got {list(hidden)}")
        initializer = get_initializer(init)
        rng = np.random.default_rng(0) if rng is None else rng
        dtype = np.dtype(dtype).type
        sizes = (n_inputs, *hidden, n_classes)
        self.hidden = hidden
        self.layers = []
        self.params, self.grads = {}, {}
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
            dense = Dense(
                initializer(fan_in, fan_out, rng, init_std, dtype),
                np.zeros(fan_out, dtype=dtype),
                needs_input_grad=i > 1,
            )
            self.layers.append(dense)
            for key in ("W", "b"):
                self.params[f"{key}{i}"] = dense.params[key]
                self.grads[f"{key}{i}"] = dense.grads[key]
            if i < len(sizes) - 1:
                last = i == len(sizes) - 2 and last_activation is not None
                self.layers.append(make_activation(last_activation if last else activation))
        self.loss_layer = SoftmaxCrossEntropy()
        self._buffers = {}

    def forward(self, x):
        """x (batch, n_inputs) -> logits (batch, n_classes)."""
        for layer in self.layers:
            # Activations work in place on the new array the Dense layer before them returned.
            x = layer.forward(x) if isinstance(layer, Dense) else layer.forward(x, out=x)
        return x

    def loss(self, x, labels):
        """Forward pass and mean cross-entropy of a batch; call ``backward`` next for the gradients.

        x (batch, n_inputs) is only read; it must stay unchanged until ``backward``.
        """
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                x = layer.forward(x, out=self._buffer(("forward", i), x, layer.params["W"], 1))
            else:
                x = layer.forward(x, out=x)
        return self.loss_layer.forward(x, labels)

    def backward(self):
        """Backpropagate the last ``loss`` call, filling ``grads`` in place."""
        dout = self.loss_layer.backward()
        for i in reversed(range(len(self.layers))):
            layer = self.layers[i]
            if isinstance(layer, Dense):
                out = self._buffer(("backward", i), dout, layer.params["W"], 0) if layer.needs_input_grad else None
                dout = layer.backward(dout, out=out)
            else:
                dout = layer.backward(dout, out=dout)

    def _buffer(self, key, rows_like, weight, axis):
        """A reused (len(rows_like), weight.shape[axis]) array of the product's dtype.

        One buffer per key, reallocated only for a larger batch or another dtype; a smaller
        batch (an epoch's last) uses its leading rows, which are contiguous.
        """
        rows, dtype = len(rows_like), np.promote_types(rows_like.dtype, weight.dtype)
        buffer = self._buffers.get(key)
        if buffer is None or len(buffer) < rows or buffer.dtype != dtype:
            buffer = self._buffers[key] = np.empty((rows, weight.shape[axis]), dtype)
        return buffer[:rows]

    def hidden_output(self, x, layer=-1):
        """Activations of hidden layer ``layer`` (0-based, negative from the end): (batch, hidden[layer])."""
        n_hidden = len(self.hidden)
        if not -n_hidden <= layer < n_hidden:
            raise ConfigError(f"hidden layer index {layer} out of range for hidden sizes {list(self.hidden)}")
        stop = 2 * (layer % n_hidden) + 2
        for module in self.layers[:stop]:
            x = module.forward(x)
        return x

    def load_params(self, params):
        """Copy arrays from ``params`` (same keys and shapes) into the network."""
        for key, value in params.items():
            self.params[key][...] = value
