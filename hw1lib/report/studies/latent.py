"""Question 3: a network with a 2-unit layer before its output, and what its plane shows during training.

``LatentStudy.run`` trains (or reads from the run cache) every network question 3 needs and reads
off each shown stage a ``Stage``: the test points in the plane, the output layer's weights of
that stage, and the numbers the figure makes visible (class centroids and their directions,
the network's error, 5-NN error, the radius holding 99% of the points). The figures, the table,
the captions and the prose all read this one object, so a stage the text names is one the figure
draws.
"""

import math
from dataclasses import dataclass

import numpy as np

from ...common import whole_number
from ...runs.cache import cached_train
from ...runs.config import display_name
from .. import experiments, metrics

# A class has a direction when the unit vectors of its points, averaged, are at least this long
# (1: all point the same way; near 0: they point every way, as for a blob around the origin).
DIRECTED = 0.5
# Panel half-widths are rounded up to one of these times a power of ten.
NICE = (1, 1.5, 2, 3, 4, 5, 6, 8, 10)


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


def panel_scale(points, share=0.99):
    """Half-width of a square window centred on the origin that holds ``share`` of ``points`` (n, 2),
    rounded up to 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten."""
    finite = points[np.isfinite(points).all(axis=1)]
    reach = float(np.quantile(np.abs(finite).max(axis=1), share)) if len(finite) else 1.0
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
    the origin holding 99% of the points; per class ``centroids`` (n_classes, 2), ``concentration``
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
        self.radius = float(np.quantile(norms, 0.99)) if len(z) else math.nan
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


def check_parameters(*, epochs, frames, seeds, **params):
    """Raise ConfigError, naming the parameter, for question 3 settings that could not run (before any training)."""
    if epochs is not None:
        whole_number("latent_epochs", epochs, minimum=1)
    whole_number("stages", frames, minimum=0)
    whole_number("latent_seeds", seeds, minimum=1)
    LatentStudy.configs(1000, epochs=epochs, frames=frames, seeds=seeds, **params)


def last_stage(history, labels):
    """The ``Stage`` of the last recorded snapshot (None when nothing was recorded)."""
    return read_stage(history, len(history.snapshot_stages) - 1, labels) if len(history.snapshot_stages) else None


@dataclass
class LatentStudy:
    """Question 3's runs, the stages the figure shows, and the numbers read off them.

    linear: the main network (its 2-unit layer of ``config.latent_activation``), recorded at the shown
    stages and the animation's extra frames; folded: the same network whose 2-unit layer uses the
    hidden layers' activation (None when that is the main network); flat: the same network without
    the 2-unit layer; repeats: {role: [History]} the main and folded networks over ``seeds``, for their
    final test errors only. stages: the shown ``Stage``s of the main network; epochs_by_rule: whether
    the number of epochs came from ``experiments.latent_epochs``.
    """

    dataset: object
    linear: object
    folded: object
    flat: object
    repeats: dict
    stages: list
    epochs_by_rule: bool

    @staticmethod
    def configs(
        n_train, *, hidden, activation, latent_activation, lr, batch_size, seed, epochs=None, frames=20, seeds=3
    ):
        """({role: [RunConfig, ...]}, shown stages) of every network the study trains on ``n_train`` training
        images; the first config of each role is the one drawn, the others are its other seeds."""
        epochs = experiments.latent_epochs(n_train) if epochs is None else epochs
        shown = experiments.round_stages(epochs)
        per_epoch = math.ceil(n_train / batch_size)
        recorded = experiments.animation_stages(epochs, shown, per_epoch, frames)
        linear = experiments.latent_config(
            hidden=hidden,
            activation=activation,
            latent_activation=latent_activation,
            epochs=epochs,
            seed=seed,
            lr=lr,
            batch_size=batch_size,
            stages=recorded,
        )
        roles = {"linear": [linear], "flat": [experiments.without_latent(linear)]}
        if latent_activation not in (None, activation):
            roles["folded"] = [linear.replace(latent_activation=None)]
        for role in ("linear", "folded"):
            if role in roles:
                roles[role] += [
                    roles[role][0].replace(seed=s, snapshot_stages=()) for s in range(seed + 1, seed + seeds)
                ]
        return roles, shown

    @classmethod
    def run(cls, dataset, *, epochs=None, **params):
        """Train (or read from the run cache) every network of ``configs`` and read the shown stages."""
        roles, shown = cls.configs(len(dataset.train_y), epochs=epochs, **params)
        runs = {role: [cached_train(c, dataset, progress=False) for c in configs] for role, configs in roles.items()}
        linear = runs["linear"][0]
        recorded = [float(s) for s in linear.snapshot_stages]
        # A run that diverged stopped recording: only the stages it reached are shown.
        stages = [read_stage(linear, recorded.index(float(s)), dataset.test_y) for s in shown if float(s) in recorded]
        return cls(
            dataset=dataset,
            linear=linear,
            folded=runs.get("folded", [None])[0],
            flat=runs["flat"][0],
            repeats={role: runs[role] for role in ("linear", "folded") if role in runs},
            stages=stages,
            epochs_by_rule=epochs is None,
        )

    # What the report reads -------------------------------------------------------------------------------

    @property
    def config(self):
        return self.linear.config

    @property
    def class_names(self):
        return self.linear.class_names

    @property
    def final(self):
        return self.stages[-1]

    def folded_stage(self):
        """The last recorded stage of the network whose 2-unit layer uses the hidden activation (or None)."""
        return last_stage(self.folded, self.dataset.test_y) if self.folded is not None else None

    def seed_errors(self, role):
        """(mean, lowest, highest, count) final test error of ``role`` over its seeds."""
        errors = [h.final_test_error for h in self.repeats[role]]
        return float(np.mean(errors)), min(errors), max(errors), len(errors)

    def activation_names(self):
        """(the 2-unit layer's activation, the hidden layers'), as the report writes them."""
        return display_name(self.config.latent_activation or self.config.activation), display_name(
            self.config.activation
        )

    def networks(self):
        """[(role, RunConfig)] of every network question 3 trains (one seed each; see ``repeats`` for all)."""
        latent, hidden = self.activation_names()
        rows = [(f"2-D layer, {latent}", self.linear.config)]
        if self.folded is not None:
            rows.append((f"2-D layer, {hidden}", self.folded.config))
        rows.append(("no 2-D layer (reference)", self.flat.config))
        return rows

    def summary(self):
        """(one-sentence answer, key number as text) for the report's first page."""
        final = self.final
        directed = int(final.directed.sum())
        total = len(self.class_names)
        pointing = f"all {total} point" if directed == total else f"{directed} of {total} point"
        answer = (
            f"With a {self.activation_names()[0]} 2-unit layer the classes spread out from the origin along "
            f"their own directions ({pointing} one way at the end), and the output layer splits the plane "
            f"between them with straight borders."
        )
        return answer, f"test error {final.network_error:.1%}, 5-NN in the plane {final.knn_error:.1%}"
