"""Question 3: question 1's chosen network with a 2-unit layer inserted before its output, and what
that layer's plane shows during training.

``run_latent_study`` trains (or reads from the run cache) every network question 3 needs: a short
trial of learning rates on question 1's validation split, the 2-unit network on every seed (the first
recorded at the shown stages and the animation's frames), the same network with a 2-unit layer of the
hidden layers' activation ("folded"), and question 1's chosen network itself (from the cache). It reads
off each shown stage a ``Stage``: the test points in the plane, the output layer of that stage, and the
numbers the figure makes visible. ``LatentStudy.facts()`` is the one record of numbers, booleans and
enums that the figures' captions, the table and the text (``text/en/q3.md.j2``) all read.
"""

import inspect
import math
from dataclasses import dataclass

import numpy as np

from ...nn.activations import LeakyReLU
from ...runs.config import display_name
from ...search.sweep import fit_trials, learning_rate_runs, ranked_trials, release_workers, run_sweep
from .. import experiments, metrics
from .baselines import Baselines
from .seeds import Repeated, seed_list

# A class has a direction when the unit vectors of its points, averaged, are at least this long
# (1: all point the same way; near 0: they point every way, as for a blob around the origin).
DIRECTED = 0.5
# Panel half-widths are rounded up to one of these times a power of ten.
NICE = (1, 1.5, 2, 3, 4, 5, 6, 8, 10)
# Each panel holds the disc of this radius percentile of its points: at least that share is drawn.
RADIUS_PERCENTILE = 99
# The plane's 5-NN error: a vote of this many nearest test points.
KNN = inspect.signature(metrics.knn_error).parameters["k"].default
# The learning rates tried for the 2-unit network: the chosen network's, and this factor below and above it.
LR_FACTOR = 3
# The validation split of question 1's sweep, on which the learning rates are tried.
VALIDATION_FRACTION = inspect.signature(run_sweep).parameters["fraction"].default
# Two class directions at most this many degrees apart are said to be the same direction.
SAME_DIRECTION = 10
# Rays are said to lengthen more than they turn when the 99% radius grows at least this many times
# while the class directions turn by at most RAYS_TURN degrees in the median.
RAYS_GROWTH, RAYS_TURN = 1.5, 15
# Mistakes are said to gather near the origin only when the error rate of the nearer half of the
# points is at least this many times that of the farther half.
NEAR_FACTOR = 2.0
# Before training the classes are said to lie mixed when the plane's 5-NN vote errs on at least this share.
MIXED = 0.5
# A folded plane is said to lie along an L when at least L_SHARE of the points have a negative coordinate
# and those coordinates reach less than L_SQUEEZE times as far as the positive ones.
L_SHARE, L_SQUEEZE = 0.1, 0.1
SHOWN_STAGES = 6  # at most this many panels (``experiments.round_stages``)

# Question 3's classes "spread apart" in the Conclusion when the plane's 5-NN error fell by more than this.
SPREAD_APART = 0.05


def decision_regions(points, weights, biases):
    """(n,) the class the output layer gives each point (n, 2) of the plane: argmax of z W + b, computed
    in the weights' dtype as the network computes it. weights (2, n_classes), biases (n_classes,)."""
    logits = np.matmul(np.asarray(points, dtype=weights.dtype), weights)
    logits += biases
    return logits.argmax(axis=1)


def pixel_centres(scale, resolution):
    """(resolution,) coordinates of the pixel centres of a window [-scale, scale] cut into ``resolution`` pixels."""
    return -scale + (np.arange(resolution) + 0.5) * (2 * scale / resolution)


def region_grid(scale, weights, biases, resolution=240):
    """(resolution, resolution) class of each pixel centre of the square window [-scale, scale]^2, row 0
    at the bottom (y = -scale), as ``imshow(origin="lower")`` draws it."""
    centres = pixel_centres(scale, resolution)
    x, y = np.meshgrid(centres, centres)
    return decision_regions(np.column_stack([x.ravel(), y.ravel()]), weights, biases).reshape(resolution, resolution)


def panel_scale(points, share=RADIUS_PERCENTILE / 100):
    """Half-width of a square window centred on the origin that holds the disc within which ``share`` of
    ``points`` (n, 2) lie (so the window holds at least that share, and the radius the table gives fits
    inside it), rounded up to 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten."""
    finite = points[np.isfinite(points).all(axis=1)].astype(np.float64)
    reach = float(np.quantile(np.linalg.norm(finite, axis=1), share)) if len(finite) else 1.0
    if not reach > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(reach))
    return next(float(f"{m * power:.6g}") for m in NICE if m * power >= reach * (1 - 1e-9))


def angle_between(a, b):
    """Angle in degrees (0-180) between directions ``a`` and ``b`` given in degrees."""
    d = abs(a - b) % 360
    return min(d, 360 - d)


@dataclass
class Stage:
    """One shown stage of a run: the test points in the plane and what is read off them.

    points (n, 2) and labels (n,): the 2-unit layer's outputs on the test images and their classes.
    weights (2, n_classes), biases (n_classes,): the output layer at this stage (None if not recorded).
    The rest is computed from these: ``scale``, the panel's half-width; ``radius``, the distance from
    the origin holding RADIUS_PERCENTILE% of the points (never more than ``scale``);
    per class ``centroids`` (n_classes, 2), ``concentration``
    (length of the mean unit vector of its points), ``directed`` (concentration >= DIRECTED) and
    ``angles`` (direction of the centroid, degrees); ``predictions`` (the output layer's class for
    each point, i.e. the network's), ``network_error`` and ``knn_error`` (5-NN vote in the plane).
    """

    epoch: float
    update: int
    points: np.ndarray
    labels: np.ndarray
    weights: np.ndarray | None
    biases: np.ndarray | None

    def __post_init__(self):
        # A stage recorded on the way to divergence may hold huge values: its numbers are NaN, not warnings.
        with np.errstate(all="ignore"):
            self._measure()

    def _measure(self):
        n_classes = int(self.labels.max()) + 1 if self.weights is None else self.weights.shape[1]
        finite = np.isfinite(self.points).all(axis=1)
        self.finite = bool(finite.all())
        z, y = self.points[finite].astype(np.float64), self.labels[finite]
        self.scale = panel_scale(self.points)
        norms = np.linalg.norm(z, axis=1)
        self.radius = float(np.quantile(norms, RADIUS_PERCENTILE / 100)) if len(z) else math.nan
        self.centroids = np.full((n_classes, 2), np.nan)
        self.concentration = np.zeros(n_classes)
        units = z / np.where(norms > 0, norms, 1)[:, None]
        for k in range(n_classes):
            mine = y == k
            if mine.any():
                self.centroids[k] = z[mine].mean(axis=0)
                self.concentration[k] = float(np.linalg.norm(units[mine].mean(axis=0)))
        self.directed = self.concentration >= DIRECTED
        self.angles = np.degrees(np.arctan2(self.centroids[:, 1], self.centroids[:, 0])) % 360
        if self.weights is not None and self.finite:
            self.predictions = decision_regions(self.points, self.weights, self.biases)
            self.network_error = float(np.mean(self.predictions != self.labels))
        else:
            self.predictions, self.network_error = None, math.nan
        self.knn_error = metrics.knn_error(z, y) if self.finite and len(z) > 5 else math.nan

    @property
    def name(self):
        """'before training' or 'epoch 0.25': how the figure, the table and the text name this stage."""
        return "before training" if self.update == 0 else f"epoch {self.epoch:g}"

    @property
    def title(self):
        return self.name if self.update == 0 else f"{self.name} (update {self.update:,})"

    def _neighbours(self):
        """(a, b, degrees counter-clockwise from a to b) for each directed class a and the next one round."""
        order = [int(k) for k in np.argsort(self.angles) if self.directed[k]]
        return [
            (a, b, (self.angles[b] - self.angles[a]) % 360) for a, b in zip(order, order[1:] + order[:1], strict=True)
        ]

    def gaps(self):
        """(class a, class b, degrees) for each pair of neighbouring directions among the directed classes,
        going round the circle, narrowest first."""
        neighbours = self._neighbours()
        if len(neighbours) < 2:
            return []
        pairs = neighbours if len(neighbours) > 2 else neighbours[:1]
        return sorted(
            ((a, b, angle_between(self.angles[a], self.angles[b])) for a, b, _ in pairs), key=lambda gap: gap[2]
        )

    def span(self):
        """The smallest arc (degrees) that holds the directions of all directed classes; None for fewer than 2."""
        neighbours = self._neighbours()
        return 360 - max(g for _, _, g in neighbours) if len(neighbours) > 1 else None

    def origin_class(self):
        """The class the output layer gives the origin, or None without weights."""
        return None if self.weights is None else int(decision_regions(np.zeros((1, 2)), self.weights, self.biases)[0])


def read_stage(history, index, labels):
    """The ``Stage`` of ``history``'s recorded snapshot ``index``; labels (n_test,) true classes."""
    epoch = float(history.snapshot_stages[index])
    weights = biases = None
    if len(history.snapshot_biases) == len(history.snapshot_stages):
        weights, biases = history.snapshot_weights[index], history.snapshot_biases[index]
    return Stage(
        epoch=epoch,
        update=round(epoch * history.iterations_per_epoch),
        points=np.asarray(history.snapshots[index]),
        labels=np.asarray(labels),
        weights=weights,
        biases=biases,
    )


def last_stage(history, labels):
    """The ``Stage`` of the last recorded snapshot (None when nothing was recorded)."""
    return read_stage(history, len(history.snapshot_stages) - 1, labels) if len(history.snapshot_stages) else None


def latent_variant(chosen, *, lr, latent_activation="identity", stages=()):
    """``chosen`` with a 2-unit layer of ``latent_activation`` (None: the hidden layers' own) inserted before
    its output, trained at learning rate ``lr`` and recording the 2-unit layer at ``stages`` (epochs).
    Everything else (hidden layers, activation, initialiser, optimiser, mini-batches, epochs, inputs) is
    the chosen network's."""
    return chosen.replace(
        hidden=(*chosen.hidden, 2),
        latent_activation=latent_activation,
        lr=float(lr),
        snapshot_stages=tuple(float(s) for s in stages),
        snapshot_layer=-1,
    )


def trial_rates(lr, factor=LR_FACTOR):
    """The learning rates tried for the 2-unit network: ``lr / factor``, ``lr`` and ``lr * factor``
    (3 significant figures; ``lr`` itself exact)."""
    return (float(f"{lr / factor:.3g}"), float(lr), float(f"{lr * factor:.3g}"))


@dataclass(frozen=True)
class LatentStudy:
    """Question 3's runs, the stages its figure shows, and the numbers read off them.

    chosen: question 1's chosen network over the seeds (``Repeated``, read from the run cache);
    linear: the same network with a linear 2-unit layer before the output, over the same seeds, the
    first recorded at the shown stages and the animation's frames; folded: the same with a 2-unit layer
    of the hidden layers' activation (None when that is linear); trials: the learning-rate trial on the
    validation split (``search.sweep.Trial``s in the order of ``trial_rates``); lr: the rate that did
    best there, which ``linear`` and ``folded`` use; stages: the shown ``Stage``s of the first linear run.
    """

    baselines: Baselines
    dataset: object
    chosen: Repeated
    linear: Repeated
    folded: Repeated | None
    trials: tuple
    validation_images: int
    lr: float
    stages: list

    @property
    def config(self):
        return self.linear.config

    @property
    def class_names(self):
        return self.baselines.class_names

    @property
    def final(self):
        return self.stages[-1]

    @property
    def recorded(self):
        """The first linear run's History: every recorded stage (the animation's frames)."""
        return self.linear.first

    def folded_stage(self):
        """The last recorded stage of the folded network's first run (None without one, or if it diverged
        before recording it)."""
        return None if self.folded is None else last_stage(self.folded.first, self.dataset.test_y)

    def activation_names(self):
        """(the 2-unit layer's activation, the hidden layers'), as the report writes them."""
        c = self.config
        return display_name(c.latent_activation or c.activation), display_name(c.activation)

    def networks(self):
        """[(role, RunConfig)] of every network question 3 trains, at the first seed (the chosen network is
        question 1's row; the learning-rate trial is in the text)."""
        latent, hidden = self.activation_names()
        rows = [(f"2-unit layer, {latent}", self.linear.config)]
        if self.folded is not None:
            rows.append((f"2-unit layer, {hidden}", self.folded.config))
        return rows

    def figure_keys(self):
        """The figures question 3 shows, in order: the folded comparison only when there is a folded network."""
        return ("stages", "folded") if self.folded is not None else ("stages",)

    def facts(self):
        """Question 3's facts record: what its figures' captions, its table and its text all read. Computed once
        per call; the notebook keeps the one record it renders from."""
        return latent_facts(self)

    def conclusion_facts(self, facts=None):
        """The few facts the report's Conclusion words (``firstpage.publish(..., facts=...)``):

        - ``separated`` (bool): every class's test points point one way from the origin at the end (each has a
          direction of its own in the plane); ``directed_end``, ``classes``: how many do, of how many;
        - ``latent_error``, ``chosen_error``: mean final test error over the seeds of the 2-unit network and of
          question 1's chosen network; ``comparison``: "chosen_ahead", "latent_ahead" or "tie" (within the
          seed-to-seed spread, or one test image); ``seeds``: how many seeds;
        - ``knn_end``, ``knn_start``: the 5-NN error in the plane at the end and before training (first seed);
          ``spread_apart``: it fell by more than SPREAD_APART;
        - ``overlap``: [class, class] the pair the 2-unit network confuses most at the end (first seed), [] when
          it confuses none; ``overlap_count``: test images confused between them;
        - ``lr_kept`` (bool): the chosen network's learning rate did best in the 2-unit network's trial;
          ``lr``: the rate used;
        - ``folded_verdict``: "linear_ahead", "folded_ahead", "overlap", "one_seed" or "none" (no folded network).
        """
        f = self.facts() if facts is None else facts
        return {
            "separated": f["all_directed_end"],
            "directed_end": f["directed_end"],
            "classes": f["n_classes"],
            "latent_error": f["latent_mean"],
            "chosen_error": f["chosen_mean"],
            "comparison": f["comparison"],
            "seeds": f["seeds"],
            "knn_end": f["end_knn"],
            "knn_start": f["start_knn"],
            # The classes spread apart when the plane's 5-NN error fell by more than SPREAD_APART.
            "spread_apart": f["end_knn"] < f["start_knn"] - SPREAD_APART,
            "overlap": [f["confused_a"], f["confused_b"]] if f["confused_count"] else [],
            "overlap_count": f["confused_count"],
            "lr_kept": f["lr_kept"],
            "lr": f["lr_used"],
            "folded_verdict": f["folded_verdict"],
        }


def run_latent_study(dataset, chosen, *, seeds, frames, jobs=None, scheduler=None):
    """Train (or read from the run cache) every run of question 3, side by side on ``jobs`` worker processes,
    and return its ``LatentStudy``. ``scheduler``: a Dask scheduler address to train on instead.

    chosen: question 1's chosen network (its first seed's config); seeds: how many seeds from its seed on;
    frames: the animation's frames besides the figure's stages (see ``experiments.animation_stages``).
    """
    seed_values = seed_list(chosen.seed, seeds)
    rates = trial_rates(chosen.lr)
    trial_configs, split = learning_rate_runs(
        latent_variant(chosen, lr=chosen.lr), dataset, rates, seed=chosen.seed, fraction=VALIDATION_FRACTION
    )
    trial_histories, _, _ = fit_trials(trial_configs, split, jobs=jobs, scheduler=scheduler, progress=False)
    trials = tuple(sorted(ranked_trials(trial_histories), key=lambda t: t.index))
    lr = ranked_trials(trial_histories)[0].config.lr
    shown = experiments.round_stages(chosen.epochs, SHOWN_STAGES)
    per_epoch = math.ceil(len(dataset.train_y) / chosen.batch_size)
    recorded = experiments.animation_stages(chosen.epochs, shown, per_epoch, frames)
    roles = {
        "chosen": [chosen.replace(seed=s) for s in seed_values],
        "linear": [
            latent_variant(chosen.replace(seed=s), lr=lr, stages=recorded if i == 0 else ())
            for i, s in enumerate(seed_values)
        ],
    }
    if chosen.activation != "identity":
        roles["folded"] = [
            latent_variant(
                chosen.replace(seed=s), lr=lr, latent_activation=None, stages=(chosen.epochs,) if i == 0 else ()
            )
            for i, s in enumerate(seed_values)
        ]
    configs = [c for group in roles.values() for c in group]
    histories, _, _ = fit_trials(configs, dataset, jobs=jobs, scheduler=scheduler, progress=False)
    release_workers()  # this question's training is done; its notebook's kernel can stop at once
    found, runs = iter(histories), {}
    for role, group in roles.items():
        runs[role] = Repeated(group[0], tuple(next(found) for _ in group))
    linear = runs["linear"].first
    done = [float(s) for s in linear.snapshot_stages]
    # A run that diverged stopped recording: only the stages it reached are shown.
    stages = [read_stage(linear, done.index(float(s)), dataset.test_y) for s in shown if float(s) in done]
    return LatentStudy(
        baselines=Baselines.of(dataset),
        dataset=dataset,
        chosen=runs["chosen"],
        linear=runs["linear"],
        folded=runs.get("folded"),
        trials=trials,
        validation_images=len(split.test_y),
        lr=float(lr),
        stages=stages,
    )


def _pair_confusions(stage, n_classes):
    """(n_classes, n_classes) symmetric counts of test images of one class given the other, at ``stage``."""
    conf = metrics.confusion_matrix(stage.labels, stage.predictions, n_classes)
    both = conf + conf.T
    np.fill_diagonal(both, 0)
    return both


def stage_facts(study, stage):
    """The facts of one shown stage: what its panel's title, its table row and the text say of it."""
    gaps = stage.gaps()
    names = study.class_names
    return {
        "name": stage.name,
        "title": stage.title,
        "updates": stage.update,
        "before": stage.update == 0,
        "network_error": stage.network_error,
        "knn_error": stage.knn_error,
        "radius": stage.radius,
        "scale": stage.scale,
        "directed": int(stage.directed.sum()),
        "all_directed": bool(stage.directed.all()),
        "span": None if stage.span() is None else float(stage.span()),
        "narrowest": {"a": names[gaps[0][0]], "b": names[gaps[0][1]], "angle": float(gaps[0][2])} if gaps else None,
        "finite": stage.finite,
    }


def _spread(repeated):
    s = repeated.final("test_error")
    return s.mean, s.low, s.high


def latent_facts(study):
    """Question 3's flat facts record (see ``LatentStudy.facts``)."""
    b, c, ch = study.baselines, study.config, study.chosen.config
    names = study.class_names
    stages = [stage_facts(study, s) for s in study.stages]
    final = study.final
    latent, hidden = study.activation_names()
    by_lr = {t.config.lr: t for t in study.trials}
    facts = {
        "stages": stages,
        "stage_count": len(stages),
        "first": stages[0],
        "last": stages[-1],
        "n_test": b.n_test,
        "n_classes": b.n_classes,
        "seeds": len(study.linear.runs),
        "seed_list": list(study.linear.seeds),
        "first_seed": study.linear.seeds[0],
        "layers": "-".join(map(str, (study.dataset.n_features, *c.hidden, b.n_classes))),
        "chosen_layers": "-".join(map(str, (study.dataset.n_features, *ch.hidden, b.n_classes))),
        "hidden_layers": len(ch.hidden),
        "hidden_width": int(ch.hidden[0]) if len(set(ch.hidden)) == 1 else None,
        "activation": hidden,
        "latent_activation": latent,
        "init": ch.init_label(),
        "optimiser": ch.optimizer_label(),
        "batch": ch.batch_size,
        "epochs": ch.epochs,
        "standardised": ch.normalize == "standardize",
        "frames": len(study.recorded.snapshot_stages),
        "radius_percentile": RADIUS_PERCENTILE,
        "knn": KNN,
        "directed_threshold": DIRECTED,
        "uniform_error": b.uniform_error,
        "majority_error": b.majority_error,
        "baselines_same": b.same,
        "majority_class": b.name(b.majority_class),
        # The learning-rate trial.
        "lr_chosen": ch.lr,
        "lr_used": study.lr,
        "lr_kept": study.lr == ch.lr,
        "lr_factor": LR_FACTOR,
        "lr_tried": [
            {"lr": t.config.lr, "error": t.val_error, "diverged": t.diverged, "used": t.config.lr == study.lr}
            for t in study.trials
        ],
        "lr_used_error": by_lr[study.lr].val_error,
        "lr_chosen_error": by_lr[ch.lr].val_error,
        "lr_chosen_diverged": by_lr[ch.lr].diverged,
        "validation_images": study.validation_images,
        # Before training, and the first stage after it.
        "start_knn": stages[0]["knn_error"],
        "start_mixed": stages[0]["knn_error"] >= MIXED,
        "has_early": len(stages) > 1 and not stages[1]["before"],
        "early": stages[1] if len(stages) > 1 else stages[0],
        "early_quarter": len(study.stages) > 1 and study.stages[1].epoch == 0.25,
        # The end, on the first seed and over the seeds.
        "end_error": final.network_error,
        "end_knn": final.knn_error,
        "knn_fell": bool(final.knn_error < study.stages[0].knn_error),
        "directed_end": int(final.directed.sum()),
        "all_directed_end": bool(final.directed.all()),
        "undirected": [names[k] for k in np.flatnonzero(~final.directed & np.isfinite(final.centroids[:, 0]))],
        "diverged": [
            label
            for label, r in (("the 2-unit network", study.linear), ("the folded 2-unit network", study.folded))
            if r is not None and r.diverged
        ],
        "linear_diverged": study.linear.diverged,
    }
    facts["early_all_directed"] = facts["early"]["all_directed"]
    lm, ll, lh = _spread(study.linear)
    cm, cl, chi = _spread(study.chosen)
    resolution = 1 / b.n_test
    tie = study.linear.final("test_error").ties(study.chosen.final("test_error"), resolution)
    facts.update(
        latent_mean=lm,
        latent_low=ll,
        latent_high=lh,
        chosen_mean=cm,
        chosen_low=cl,
        chosen_high=chi,
        chosen_width=int(ch.hidden[-1]),
        comparison="tie" if tie else "chosen_ahead" if cm < lm else "latent_ahead",
        comparison_gap=abs(lm - cm),
    )
    facts.update(_growth_facts(study))
    facts.update(_sharing_facts(study))
    facts.update(_origin_facts(study))
    facts.update(_folded_facts(study))
    return facts


def _growth_facts(study):
    """From epoch 1 to the end: how far the points move out and how far the class directions turn."""
    stages = study.stages
    facts = {"growth_shown": False, "rays": False}
    if len(stages) < 4:
        return facts
    start, end = stages[2], stages[-1]
    both = start.directed & end.directed
    if not both.any() or not (start.radius > 0):
        return facts
    turns = np.array([angle_between(start.angles[k], end.angles[k]) for k in np.flatnonzero(both)])
    growth = end.radius / start.radius
    return {
        "growth_shown": True,
        "growth_from": start.name,
        "growth_from_first": start.epoch == 1,
        "growth_to": end.name,
        "growth": float(growth),
        "turn_median": float(np.median(turns)),
        "turn_max": float(turns.max()),
        "turn_classes": int(both.sum()),
        "rays": bool(growth >= RAYS_GROWTH and np.median(turns) <= RAYS_TURN),
    }


def _sharing_facts(study):
    """At the end: the two classes whose directions lie closest, and the pair the network confuses most."""
    final, names = study.final, study.class_names
    facts = {"sharing_shown": False, "confused_count": 0, "confused_a": "", "confused_b": ""}
    if final.predictions is None:
        return facts
    both = _pair_confusions(final, len(names))
    top = np.unravel_index(np.argmax(np.triu(both, 1)), both.shape)
    a, b = int(top[0]), int(top[1])
    facts.update(
        confused_a=names[a],
        confused_b=names[b],
        confused_count=int(both[a, b]),
        confused_directed=bool(final.directed[a] and final.directed[b]),
        confused_angle=float(angle_between(final.angles[a], final.angles[b])),
    )
    gaps = final.gaps()
    if len(gaps) < 2:
        return facts
    (ca, cb, angle), second = gaps[0], gaps[1]
    near, far = sorted((ca, cb), key=lambda k: np.linalg.norm(final.centroids[k]))
    near_length, far_length = (float(np.linalg.norm(final.centroids[k])) for k in (near, far))
    facts.update(
        sharing_shown=True,
        closest_a=names[ca],
        closest_b=names[cb],
        closest_angle=float(angle),
        closest_confused=int(both[ca, cb]),
        same_direction=bool(angle <= SAME_DIRECTION and far_length >= 2 * near_length),
        near_class=names[near],
        far_class=names[far],
        near_length=near_length,
        far_length=far_length,
        length_ratio=far_length / near_length if near_length > 0 else math.inf,
        origin_to_near=final.origin_class() == near,
        # Whether the most confused pair is the closest pair of directions, the next closest, or another.
        confused_is="closest" if {a, b} == {ca, cb} else "second" if {a, b} == {second[0], second[1]} else "other",
    )
    return facts


def _origin_facts(study):
    """At the end: whether mistakes gather near the origin, where the regions meet."""
    final = study.final
    if final.predictions is None or not final.finite:
        return {"mistakes_near": False}
    norms = np.linalg.norm(final.points.astype(np.float64), axis=1)
    middle = float(np.median(norms))
    near = norms <= middle
    wrong = final.predictions != final.labels
    if not (near.any() and (~near).any()):
        return {"mistakes_near": False}
    inner, outer = float(wrong[near].mean()), float(wrong[~near].mean())
    return {
        "mistakes_near": bool(inner >= NEAR_FACTOR * max(outer, 1e-12)),
        "near_error": inner,
        "far_error": outer,
        "near_radius": middle,
        "near_share": float(near.mean()),
    }


def _folded_facts(study):
    """The same network with a 2-unit layer of the hidden layers' activation instead of a linear one."""
    if study.folded is None:
        return {"folded": False, "folded_verdict": "none"}
    stage = study.folded_stage()
    activation = study.config.activation
    facts = {
        "folded": True,
        "folded_drawn": stage is not None and stage.finite,
        "folded_kind": activation if activation in ("leaky_relu", "relu", "tanh", "sigmoid") else "other",
        "folded_name": stage.name if stage is not None else "",
    }
    if facts["folded_drawn"]:
        points = stage.points.astype(np.float64)
        neg, pos = np.abs(points[points < 0]), points[points > 0]
        facts.update(
            # The points lie along the two axes (an L) when a good share of them has a negative coordinate and
            # those coordinates stay within a tenth of the positive ones' reach.
            folded_l=False,
            negative_share=float((points < 0).any(axis=1).mean()),
            on_axis_share=float((points == 0).any(axis=1).mean()),
            neg_reach=float(np.quantile(neg, RADIUS_PERCENTILE / 100)) if len(neg) else 0.0,
            pos_reach=float(np.quantile(pos, RADIUS_PERCENTILE / 100)) if len(pos) else 0.0,
        )
        facts["folded_l"] = bool(
            facts["negative_share"] >= L_SHARE and facts["neg_reach"] < facts["pos_reach"] * L_SQUEEZE
        )
    if activation == "leaky_relu":
        facts.update(slope=LeakyReLU().slope, squeeze=1 / LeakyReLU().slope)
    fm, fl, fh = _spread(study.folded)
    _, ll, lh = _spread(study.linear)
    count = len(study.folded.runs)
    verdict = "one_seed" if count == 1 else "linear_ahead" if lh < fl else "folded_ahead" if fh < ll else "overlap"
    facts.update(folded_mean=fm, folded_low=fl, folded_high=fh, folded_verdict=verdict)
    return facts
