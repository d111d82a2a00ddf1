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
from ...nn.activations import make_activation
from ...nn.layers import softmax
from ...runs.config import display_name
from ...search.sweep import fit_trials, release_workers
from .. import experiments, metrics, shapes
from .baselines import Baselines
from .seeds import Repeated, Spread, seed_list

# ``metrics.distinct_units`` compares units on this many test images (the first ones).
COMPARED_IMAGES = inspect.signature(metrics.distinct_units).parameters["rows"].default
# The picture of a first hidden layer: its outputs on the first HEATMAP_IMAGES test images (rows) by its
# first HEATMAP_UNITS units (columns).
HEATMAP_IMAGES, HEATMAP_UNITS = 40, 64
FLOAT32_EPS = float(np.finfo(np.float32).eps)


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

    heatmap_images = HEATMAP_IMAGES
    heatmap_units = HEATMAP_UNITS

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
        return [
            a
            for a in self.activations
            if "stages" in a.inside["zero"].symmetry and (a.inside["zero"].symmetry["stage_spread"] > 0).any()
        ]

    def networks(self):
        """[(role, RunConfig), ...]: every network question 2 trains, at its first seed."""
        return [(f"{a.label} network", runs.config) for a in self.activations for runs in a.runs.values()]

    def figure_keys(self):
        """The figures question 2 shows, in order: the drift between units during training only when a
        zero-initialised network's units differ at some stage (otherwise the text says they never do)."""
        return ("init", "units", "symmetry") if self.symmetry_drawn() else ("init", "units")

    def facts(self):
        """Question 2's facts record: what its figures, table and text all read."""
        return init_facts(self)


def run_init_study(dataset, *, networks, init_std, seed, seeds, jobs=None, scheduler=None):
    """Train (or read from the run cache) every run of question 2, side by side on ``jobs`` worker processes,
    and return its ``InitStudy``. ``scheduler``: a Dask scheduler address to train on instead.

    networks: the base configs compared (question 1's sigmoid network and its chosen one), each
    started from every initialiser of ``experiments.INITS``.
    """
    seed_values = seed_list(seed, seeds)
    grid = {}
    for config in networks:
        grid.setdefault(config.activation, experiments.init_variants(config.replace(seed=seed), init_std))
    configs = [config.replace(seed=s) for by_init in grid.values() for config in by_init.values() for s in seed_values]
    histories, _, _ = fit_trials(configs, dataset, jobs=jobs, scheduler=scheduler, progress=False)
    release_workers()  # this question's training is done; its notebook's kernel can stop at once
    n = len(seed_values)
    found = iter(range(0, len(histories), n))
    activations = []
    for name, by_init in grid.items():
        runs = {}
        for init, config in by_init.items():
            i = next(found)
            runs[init] = Repeated(config, tuple(histories[i : i + n]))
        reference = experiments.MATCHING_INIT.get(name, "he")
        inside = {
            init: Inside(
                metrics.symmetry(runs[init].first, dataset), metrics.hidden_activations(runs[init].first, dataset)
            )
            for init in ("zero", reference)
        }
        start_std = {init: float(metrics.initial_activations(r.first, dataset).std()) for init, r in runs.items()}
        activations.append(Activation(name, runs, reference, inside, start_std))
    fan_in, fan_out = dataset.n_features, int(networks[0].hidden[0])
    stds = {init: initializers.standard_deviation(init, fan_in, fan_out, init_std) for init in experiments.INITS}
    return InitStudy(Baselines.of(dataset), tuple(activations), fan_in, fan_out, stds)


def _net_facts(study, a):
    """The facts of one activation's networks."""
    b = study.baselines
    zero, ref = a.inside["zero"], a.inside[a.reference]
    randoms = [init for init in a.runs if init != "zero"]
    facts = {
        "label": a.label,
        "reference": display_name(a.reference),
        "stuck": a.stuck,
        "zero_test": a.final("zero").mean,
        "zero_train": a.final("zero", "train_error").mean,
        "reference_test": a.final(a.reference).mean,
        "random_low": min(a.final(i).mean for i in randoms),
        "random_high": max(a.final(i).mean for i in randoms),
        "value_at_zero": float(make_activation(a.name).forward(np.zeros((1, 1), dtype=np.float32))[0, 0]),
        "updates": int(a.zero.first.iterations),
        "units": zero.units,
        "weights": int(zero.symmetry["weights"]),
        "zero_drawn": (a, "zero") in study.heatmap_panels(),
        "reference_distinct": ref.distinct,
        "reference_units": ref.units,
        "reference_silent": ref.silent,
        "reference_all_distinct": ref.distinct == ref.units,
        "silent_explains": ref.silent > 1 and ref.distinct + ref.silent - 1 == ref.units,
        "zero_distinct": zero.distinct,
        "distinct_kind": "one" if zero.distinct == 1 else "all" if zero.distinct == zero.units else "some",
    }
    # What a stuck network's output biases learned.
    predicted = a.predicted_classes("zero")
    answers = [b.name(p[0]) for p in predicted] if all(len(p) == 1 for p in predicted) else []
    shares = np.array(b.train_counts, dtype=float) / b.n_train
    facts.update(
        one_class=bool(answers),
        answers=answers,
        seeds=list(a.zero.seeds),
        same_answer=len(set(answers)) == 1,
        answers_majority=bool(answers) and len(set(answers)) == 1 and predicted[0][0] == b.majority_class,
        classes_answered=[len(p) for p in predicted],
        shares_off=max(float(np.abs(p - shares).max()) for p in a.output_preferences("zero")),
        zero_like_baseline=abs(a.final("zero").mean - b.lowest) < 0.5 / b.n_test,
        # How the zero-initialised network ends: no better than a baseline (within a point of the lower one),
        # far behind its random start (more than twice its error), or only somewhat behind.
        zero_outcome="baseline"
        if a.final("zero").mean >= b.lowest - 0.01
        else "far_behind"
        if a.final("zero").mean > 2 * a.final(a.reference).mean
        else "behind",
    )
    # How the zero-initialised units drift apart (when the run recorded them).
    if "stages" in zero.symmetry and not a.stuck:
        g = zero.growth()
        facts.update(
            growth=g.kind,
            drift_first=g.first,
            drift_first_at=g.first_at,
            drift_end=g.end,
            drift_zero_until=g.zero_until,
            drift_rounding=g.first <= 100 * FLOAT32_EPS,
            drift_factor=g.factor,
            drift_jump_to=g.jump_to,
            drift_per_epoch=g.per_epoch,
        )
    else:
        facts.update(growth="none")
    # Xavier against He, and a fixed small standard deviation against the reference.
    if "xavier" in a.runs and "he" in a.runs:
        better, worse = sorted(("xavier", "he"), key=lambda init: a.final(init).mean)
        facts.update(
            xavier_he_tie=study.ties(a, "xavier", "he"),
            xavier_he_better=display_name(better),
            xavier_he_worse=display_name(worse),
            xavier_test=a.final("xavier").mean,
            he_test=a.final("he").mean,
            xavier_he_gap=a.final(worse).mean - a.final(better).mean,
        )
    if "normal" in a.runs and a.reference != "normal":
        early = {init: _after_first_epoch(a.runs[init]) for init in ("normal", a.reference)}
        normal, reference = a.final("normal"), a.final(a.reference)
        facts.update(
            normal_test=normal.mean,
            normal_end="tie"
            if study.ties(a, "normal", a.reference)
            else "behind"
            if normal.mean > reference.mean
            else "ahead",
            normal_start="tie"
            if early["normal"].ties(early[a.reference], study.resolution)
            else "slower"
            if early["normal"].mean > early[a.reference].mean
            else "faster",
            normal_first_epoch=early["normal"].mean,
            reference_first_epoch=early[a.reference].mean,
            start_spread_ratio=a.start_std[a.reference] / a.start_std["normal"] if a.start_std["normal"] else 0.0,
        )
    return facts


def _after_first_epoch(repeated):
    """Spread over the seeds of the test error at the evaluation closest to epoch 1."""
    return Spread.of(float(h.test_error[np.argmin(np.abs(h.eval_epoch - 1))]) for h in repeated.runs)


def init_facts(study):
    """Question 2's flat facts record (see ``InitStudy.facts``)."""
    b, c = study.baselines, study.budget
    nets = [_net_facts(study, a) for a in study.activations]
    diverged = [f"{a.label}, {r.config.init_label()}" for a in study.activations for r in a.runs.values() if r.diverged]
    symmetry_zero_at = {}
    for a in study.symmetry_drawn():
        sym = a.inside["zero"].symmetry
        symmetry_zero_at[a.label] = [
            float(x) for x, v in zip(sym["stages"], metrics.relative_stage_spread(sym), strict=False) if v == 0
        ]
    return {
        "nets": nets,
        "labels": [n["label"] for n in nets],
        "main": nets[-1],
        "seeds": len(study.seeds),
        "seed_list": list(study.seeds),
        "first_seed": study.seeds[0],
        "layers": "-".join(map(str, (study.fan_in, *c.hidden, b.n_classes))),
        "hidden_layers": len(c.hidden),
        "optimiser": c.optimizer_label(),
        "batch": c.batch_size,
        "epochs": c.epochs,
        "fan_in": study.fan_in,
        "fan_out": study.fan_out,
        "std_normal": study.stds["normal"],
        "std_xavier": study.stds["xavier"],
        "std_he": study.stds["he"],
        "xavier_formula": initializers.FORMULAS["xavier"],
        "he_formula": initializers.FORMULAS["he"],
        "normal_smaller": min(study.stds["xavier"], study.stds["he"]) / study.stds["normal"],
        "normal_smaller_xavier": study.stds["xavier"] / study.stds["normal"],
        "normal_smaller_he": study.stds["he"] / study.stds["normal"],
        "uniform_error": b.uniform_error,
        "majority_error": b.majority_error,
        "baselines_same": b.same,
        "majority_class": b.name(b.majority_class),
        "balanced": b.balanced,
        "majority_count": b.train_counts[b.majority_class],
        "n_train": b.n_train,
        "per_class": b.train_counts[0],
        "diverged": diverged,
        "heatmap_images": study.heatmap_images,
        "heatmap_units": study.heatmap_units,
        "compared_images": COMPARED_IMAGES,
        "symmetry_drawn": bool(symmetry_zero_at),
        "symmetry_labels": list(symmetry_zero_at),
        "symmetry_zero_at": symmetry_zero_at,
        "symmetry_references": [display_name(a.reference) for a in study.symmetry_drawn()],
        "left_out": [{"label": n["label"], "value": n["value_at_zero"]} for n in nets if not n["zero_drawn"]],
        "stuck_any": any(n["stuck"] for n in nets),
        "all_fail": all(n["zero_outcome"] != "behind" for n in nets),
        "tie_all": all(n.get("xavier_he_tie", True) for n in nets),
        "float32_eps": FLOAT32_EPS,
    }
