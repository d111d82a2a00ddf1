"""One frozen dataclass that holds every hyperparameter of a training run.

It is what the command line parses, what a widget edits, what the run cache is keyed on and
what the report prints. Values are checked when the object is made, so a bad value fails
before any training starts, with a message naming the parameter.
"""

import dataclasses
import hashlib
import json
import numbers
from dataclasses import dataclass

from ..common import finite_number, whole_number
from ..errors import ConfigError, unknown_name
from ..nn.activations import ACTIVATIONS
from ..nn.initializers import INITIALIZERS
from ..nn.optimizers import OPTIMIZERS

NORMALIZATIONS = ("none", "standardize")
DISPLAY_NAMES = {
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "xavier": "Xavier",
    "he": "He",
    "sgd": "SGD",
    "adam": "Adam",
    "identity": "linear",
}


@dataclass(frozen=True)
class RunConfig:
    """Hyperparameters of one run.

    hidden: sizes of the hidden layers, e.g. (256,) or (256, 2).
    activation / init / optimizer: names from the registries (see ``known_names``).
    latent_activation: the activation of the last hidden layer, the one before the output layer
        (e.g. "identity" for a linear 2-unit layer); None: ``activation``, like the others.
    init_std: standard deviation for ``init="normal"``.
    lr, momentum: learning rate; momentum coefficient for ``optimizer="momentum"``.
    batch_size, epochs: mini-batch size; passes over the training set.
    max_iterations: stop after this many updates (None: run all epochs).
    seed: seeds every random choice (initial weights, shuffling).
    normalize: "none" (pixels in [0, 1]) or "standardize" (shift and scale all pixels by the
        mean and standard deviation of the training pixels, giving zero mean and unit variance).
    eval_every: also evaluate every N updates (0: once per epoch only).
    snapshot_stages: training stages, in epochs (fractions allowed, 0 = before training), at
        which the outputs of hidden layer ``snapshot_layer`` on the test set are recorded.
    """

    hidden: tuple = (256,)
    activation: str = "relu"
    latent_activation: str | None = None
    init: str = "he"
    init_std: float = 0.01
    optimizer: str = "sgd"
    lr: float = 0.2
    momentum: float = 0.9
    batch_size: int = 32
    epochs: int = 10
    max_iterations: int | None = None
    seed: int = 0
    normalize: str = "none"
    eval_every: int = 0
    snapshot_stages: tuple = ()
    snapshot_layer: int = -1

    def __post_init__(self):
        set_ = object.__setattr__.__get__(self)
        set_("hidden", tuple(whole_number("hidden size", h, minimum=1) for h in _as_tuple("hidden", self.hidden)))
        if not self.hidden:
            raise ConfigError("hidden: expected at least one hidden layer size")
        for field, registry in (("activation", ACTIVATIONS), ("init", INITIALIZERS), ("optimizer", OPTIMIZERS)):
            if getattr(self, field) not in registry:
                raise unknown_name(field if field != "init" else "initializer", getattr(self, field), registry)
        if self.latent_activation is not None and self.latent_activation not in ACTIVATIONS:
            raise unknown_name("activation", self.latent_activation, ACTIVATIONS)
        if self.normalize not in NORMALIZATIONS:
            raise unknown_name("normalize", self.normalize, NORMALIZATIONS)
        set_("init_std", finite_number("init_std", self.init_std, positive=True))
        set_("lr", finite_number("lr", self.lr, positive=True))
        set_("momentum", finite_number("momentum", self.momentum))
        if not 0 <= self.momentum < 1:
            raise ConfigError(f"momentum: expected a value in [0, 1), got {self.momentum}")
        set_("batch_size", whole_number("batch_size", self.batch_size, minimum=1))
        set_("epochs", whole_number("epochs", self.epochs, minimum=1))
        if self.max_iterations is not None:
            set_("max_iterations", whole_number("max_iterations", self.max_iterations, minimum=1))
        set_("seed", whole_number("seed", self.seed, minimum=0))
        set_("eval_every", whole_number("eval_every", self.eval_every, minimum=0))
        stages = tuple(finite_number("snapshot stage", s) for s in _as_tuple("snapshot_stages", self.snapshot_stages))
        if any(s < 0 or s > self.epochs for s in stages):
            raise ConfigError(f"snapshot_stages: expected epochs between 0 and {self.epochs}, got {list(stages)}")
        set_("snapshot_stages", tuple(sorted(set(stages))))
        set_("snapshot_layer", whole_number("snapshot_layer", self.snapshot_layer))
        if not -len(self.hidden) <= self.snapshot_layer < len(self.hidden):
            raise ConfigError(f"snapshot_layer: {self.snapshot_layer} is not a hidden layer of {list(self.hidden)}")

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self):
        """Plain JSON-ready dict (tuples become lists).

        ``latent_activation`` is left out when it is None: configs that do not use it give the dict,
        and so the cache key, they gave before the field existed, and their cached runs stay valid.
        """
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}
        if values["latent_activation"] is None:
            del values["latent_activation"]
        return values

    @classmethod
    def from_dict(cls, values):
        """Inverse of ``to_dict``; unknown keys are an error naming them."""
        names = {f.name for f in dataclasses.fields(cls)}
        extra = sorted(set(values) - names)
        if extra:
            raise ConfigError(f"unknown config field(s) {extra}; known: {', '.join(sorted(names))}")
        return cls(**values)

    def key(self):
        """A stable hash of every hyperparameter (part of the run cache key)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def updates(self, iterations_per_epoch):
        """How many mini-batch updates this run makes when an epoch is ``iterations_per_epoch`` of them."""
        total = self.epochs * iterations_per_epoch
        return min(total, self.max_iterations) if self.max_iterations else total

    def hidden_label(self):
        """The hidden layer sizes as the report and the command line write them, e.g. '256-256'."""
        return "-".join(map(str, self.hidden))

    def activation_label(self):
        """The hidden layers' activations, e.g. 'ReLU' or 'leaky ReLU, last layer linear'."""
        last = self.latent_activation
        if last is None or last == self.activation:
            return display_name(self.activation)
        return f"{display_name(self.activation)}, last layer {display_name(last)}"

    def init_label(self):
        """The initialisation, e.g. 'He' or 'normal (std 0.01)'."""
        return f"normal (std {self.init_std:g})" if self.init == "normal" else display_name(self.init)

    def optimizer_label(self):
        """The optimiser, e.g. 'SGD', 'Adam' or 'momentum 0.9' (with its coefficient)."""
        return f"momentum {self.momentum:g}" if self.optimizer == "momentum" else display_name(self.optimizer)

    def in_words(self, epochs=True):
        """The network and its training for readers, e.g. '3 hidden layers of 256 leaky ReLU units (He
        initialisation), momentum 0.9 with learning rate 0.0162, mini-batches of 32, 10 epochs'."""
        n, units = len(self.hidden), self.hidden[0]
        layers = (
            f"{n} hidden layer{'s' if n > 1 else ''} of {units}"
            if len(set(self.hidden)) == 1
            else f"hidden layers of {', '.join(map(str, self.hidden[:-1]))} and {self.hidden[-1]}"
        )
        text = (
            f"{layers} {display_name(self.activation)} units ({self.init_label()} initialisation), "
            f"{self.optimizer_label()} with learning rate {self.lr:g}, mini-batches of {self.batch_size}"
        )
        return text + (f", {self.epochs} epochs" if epochs else "")

    def describe(self):
        """One line, e.g. 'hidden 256 ReLU, He init, SGD lr 0.2, batch 32, 10 epochs, seed 0'."""
        iters = f", max {self.max_iterations} iterations" if self.max_iterations else ""
        return (
            f"hidden {self.hidden_label()} {self.activation_label()}, {self.init_label()} init, "
            f"{self.optimizer_label()} lr {self.lr:g}, batch {self.batch_size}, {self.epochs} epochs{iters}, "
            f"seed {self.seed}"
        )


def display_name(name):
    """How an activation, initialiser or optimiser name is written for readers: 'relu' -> 'ReLU', 'he' -> 'He'."""
    return DISPLAY_NAMES.get(name, name)


def known_names():
    """The names each registry accepts."""
    return {
        "activation": sorted(ACTIVATIONS),
        "init": sorted(INITIALIZERS),
        "optimizer": sorted(OPTIMIZERS),
        "normalize": list(NORMALIZATIONS),
    }


def _as_tuple(name, value):
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (value,)
    raise ConfigError(f"{name}: expected a list of numbers, got {value!r}")
