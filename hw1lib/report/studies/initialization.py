"""Question 2's study: sigmoid and ReLU networks started from zero and from random weights, each
trained on several seeds, and what their first hidden layers look like.

``run_init_study`` trains (or reads from the run cache) every run and returns one ``InitStudy``;
question 2's figures, tables, captions and prose all read it. For each activation one random
initialiser is the reference the zero-initialised network is shown beside: the one designed for
it (Xavier for sigmoid, He for ReLU), in the figures and in the text alike.
"""
import inspect
from dataclasses import dataclass

import numpy as np

from ...nn import initializers
from ...nn.layers import softmax
from ...runs.config import display_name
from ...search.sweep import fit_trials, release_workers
from .. import experiments, metrics, shapes
from .baselines import Baselines
from .seeds import Repeated, seed_list


# ``metrics.distinct_units`` compares units on this many test images (the first ones).
COMPARED_IMAGES = inspect.signature(metrics.distinct_units).parameters["rows"].default


@dataclass(frozen=True)
class Inside:
    """The first hidden layer of one run (at the first seed), on the test images.

    symmetry: ``metrics.symmetry``; activations: (n_test, units) outputs at the end of training.
    """

    symmetry: dict
    activations: np.ndarray

    @property
    def constant(self):
        """True when every unit gives the same value on every image (a picture of it is one colour)."""
        return bool(np.all(self.activations == self.activations.flat[0]))

    @property
    def distinct(self):
        return int(self.symmetry["distinct_end"])

    @property
    def units(self):
        return int(self.symmetry["units"])

    @property
    def silent(self):
        """How many units output exactly 0 on every image the distinct units are counted on (ReLU units that
        stay off there): they all count as one distinct unit."""
        return int(np.all(self.activations[:COMPARED_IMAGES] == 0, axis=0).sum())

    def growth(self):
        """How the spread between units (relative to the mean activation) grows over the recorded stages."""
        return shapes.growth(self.symmetry["stages"], metrics.relative_stage_spread(self.symmetry))


@dataclass(frozen=True)
class Activation:
    """One activation's networks: ``runs`` {init: Repeated}, ``reference`` the init designed for it,
    ``inside`` {init: Inside} for the zero-initialised and the reference network, and ``start_std``
    {init: standard deviation of the first layer's outputs over test images and units with the first
    seed's starting weights}: how much the units differ before training."""

    name: str
    runs: dict
    reference: str
    inside: dict
    start_std: dict

    @property
    def label(self):
        return display_name(self.name)

    @property
    def zero(self):
        return self.runs["zero"]

    @property
    def stuck(self):
        """True when the zero-initialised network's first layer never moved and outputs exactly 0 everywhere."""
        sym = self.inside["zero"].symmetry
        return sym["w1_scale_end"] == 0 and sym["act_scale_end"] == 0

    def final(self, init, curve="test_error"):
        return self.runs[init].final(curve)

    def predicted_classes(self, init="zero"):
        """Per seed, the classes the final network of ``init`` predicts for at least one test image."""
        return tuple(tuple(int(c) for c in np.unique(h.test_pred)) for h in self.runs[init].runs)

    def output_preferences(self, init="zero"):
        """Per seed, the probability the final network gives each class when its hidden layer outputs 0
        (the softmax of the output biases): what a stuck network has learned."""
        key = f"b{len(self.runs[init].config.hidden) + 1}"
        return tuple(softmax(np.asarray(h.params[key], dtype=float)[None, :])[0] for h in self.runs[init].runs)


@dataclass(frozen=True)
class InitStudy:
    """Everything question 2 shows: ``activations`` (sigmoid, ReLU, and the main one when it is another),
    the first layer's shape (``fan_in`` x ``fan_out``) and each initialiser's standard deviation there."""

    baselines: Baselines
    activations: tuple
    fan_in: int
    fan_out: int
    stds: dict

    @property
    def inits(self):
        return tuple(self.activations[0].runs)

    @property
    def seeds(self):
        return self.activations[0].zero.seeds

    @property
    def budget(self):
        """The config every network shares but for activation, init and seed (the reference run's)."""
        return self.activations[0].runs[self.activations[0].reference].config

    @property
    def resolution(self):
        return 1 / self.baselines.n_test

    def ties(self, activation, a, b):
        """True when inits ``a`` and ``b`` of ``activation`` end with test errors within the seed-to-seed spread."""
        return activation.final(a).ties(activation.final(b), self.resolution)

    def heatmap_panels(self):
        """[(activation, init), ...]: the first hidden layers worth a picture, the zero-initialised and the
        reference network of each activation, leaving out a layer whose every output is the same value."""
        return [(a, init) for a in self.activations for init in ("zero", a.reference) if not a.inside[init].constant]

    def symmetry_drawn(self):
        """The activations whose zero-initialised network has units that differ at some recorded stage: the
        only ones a log-scale plot of the spread between units can show."""
        return [a for a in self.activations
                if "stages" in a.inside["zero"].symmetry and (a.inside["zero"].symmetry["stage_spread"] > 0).any()]

    def networks(self):
        """[(role, RunConfig), ...]: every network question 2 trains, at its first seed."""
        return [(f"{a.label} network", runs.config) for a in self.activations for runs in a.runs.values()]

    def summary(self):
        """(one-sentence answer to question 2, its key number as text)."""
        from ..discussion.initialization import summary  # the words live with the rest of question 2's prose

        return summary(self)


def run_init_study(dataset, *, activation, hidden, lr, batch_size, epochs, seed, init_std, seeds, jobs=None):
    """Train (or read from the run cache) every run of question 2, side by side on ``jobs`` worker processes,
    and return its ``InitStudy``."""
    seed_values = seed_list(seed, seeds)
    budget = dict(hidden=hidden, epochs=epochs, seed=seed, lr=lr, batch_size=batch_size)
    grid = {name: experiments.init_configs(name, **budget, init_std=init_std)
            for name in experiments.compared_activations(activation)}
    configs = [config.replace(seed=s) for by_init in grid.values() for config in by_init.values() for s in seed_values]
    histories, _, _ = fit_trials(configs, dataset, jobs=jobs, progress=False)
    release_workers()  # this question's training is done; its notebook's kernel can stop at once
    n = len(seed_values)
    found = iter(range(0, len(histories), n))
    activations = []
    for name, by_init in grid.items():
        runs = {}
        for init, config in by_init.items():
            i = next(found)
            runs[init] = Repeated(config, tuple(histories[i:i + n]))
        reference = experiments.MATCHING_INIT.get(name, "he")
        inside = {init: Inside(metrics.symmetry(runs[init].first, dataset),
                               metrics.hidden_activations(runs[init].first, dataset)) for init in ("zero", reference)}
        start_std = {init: float(metrics.initial_activations(r.first, dataset).std()) for init, r in runs.items()}
        activations.append(Activation(name, runs, reference, inside, start_std))
    fan_in, fan_out = dataset.n_features, int(hidden[0])
    stds = {init: initializers.standard_deviation(init, fan_in, fan_out, init_std) for init in experiments.INITS}
    return InitStudy(Baselines.of(dataset), tuple(activations), fan_in, fan_out, stds)
