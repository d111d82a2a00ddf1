"""Question 1's study: the validation sweep, the chosen network and a sigmoid network on the same
budget (each trained on several seeds), and the rerun of the first sigmoid attempt.

``run_models_study`` trains (or reads from the run cache) everything question 1 shows and returns
one ``ModelsStudy``; ``models_facts`` turns it into the facts its figures' captions, tables and
template read, so a network a sentence names is the one the figure beside it draws, with the same
seeds and numbers.
"""

import dataclasses
import math
from dataclasses import dataclass

from ...runs.config import display_name
from ...search.sweep import fit_trials, ranked_trials, release_workers
from .. import experiments, metrics, shapes
from .baselines import Baselines
from .seeds import Repeated, seed_list

# A curve counts as still at its starting level while it is within this share of the uniform-guess
# loss ln K (or within this many points of the baseline error rate).
STALL_LOSS = 0.05
STALL_ERROR = 0.1
# The magnified panel of question 1's error figure shows this last share of the run.
ZOOM_FROM = 0.6


@dataclass(frozen=True)
class Model:
    """One of the compared networks, trained once per seed.

    role: "chosen" (the validation sweep's choice) or "sigmoid" (the same network with sigmoid
    units); name: how the report calls it, e.g. "leaky ReLU network"; start_slope: the mean slope
    of the first hidden layer's activation over the test images, with the first seed's starting weights.
    """

    role: str
    name: str
    repeated: Repeated
    start_slope: float = math.nan

    @property
    def config(self):
        return self.repeated.config

    @property
    def activation(self):
        return display_name(self.config.activation)

    def final(self, curve):
        return self.repeated.final(curve)

    def loss_start(self):
        """How long the mean training loss stays near ln K (the loss of a uniform guess) before it falls."""
        mean, _, _ = self.repeated.curve("train_loss")
        return shapes.start(
            self.repeated.epochs, mean, (1 - STALL_LOSS) * math.log(len(self.repeated.first.class_names))
        )

    def error_start(self, baselines):
        """How long the mean training error stays within STALL_ERROR of the lower baseline."""
        mean, _, _ = self.repeated.curve("train_error")
        return shapes.start(self.repeated.epochs, mean, baselines.lowest - STALL_ERROR)

    def ending(self, curve):
        """How the mean of ``curve`` (train_loss, test_loss, test_error) ends: ``shapes.Ending``."""
        mean, _, _ = self.repeated.curve(curve)
        return shapes.ending(self.repeated.epochs, mean)


@dataclass(frozen=True)
class FirstAttempt:
    """The first sigmoid network tried: small random weights (normal, std 0.01), a tiny learning rate,
    stopped after a few updates. ``short`` is that run redone exactly; ``by_rate`` {lr: History} is the
    same network, from the same starting weights, given the full budget at several learning rates.
    start_output_mean / _std: the first hidden layer's outputs on the test images with the starting
    weights; weight_change: how far the short run moved the first layer's weights, relative to their size."""

    short: object
    by_rate: dict
    start_output_mean: float = math.nan
    start_output_std: float = math.nan
    weight_change: float = math.nan

    @property
    def best_rate(self):
        """The rate whose run ends with the lowest training loss (diverged runs last): chosen without the test set."""

        def key(lr):
            h = self.by_rate[lr]
            return (h.diverged or not math.isfinite(h.final_loss), h.final_loss)

        return min(self.by_rate, key=key)


@dataclass(frozen=True)
class ModelsStudy:
    """Everything question 1 shows. ``models`` holds the chosen network first, then the sigmoid one."""

    baselines: Baselines
    sweep: object
    sigmoid_trials: tuple
    models: tuple
    first_attempt: FirstAttempt

    @property
    def seeds(self):
        return self.models[0].repeated.seeds

    @property
    def chosen(self):
        return self.models[0]

    @property
    def sigmoid(self):
        return self.models[1]

    @property
    def resolution(self):
        """One test image, as an error rate: no difference smaller than it can be told apart."""
        return 1 / self.baselines.n_test

    def tie(self):
        """True when the two networks' final test errors are within their seed-to-seed ranges."""
        return self.chosen.final("test_error").ties(self.sigmoid.final("test_error"), self.resolution)

    def error_zoom(self):
        """(top, clipped) of the magnified panel of question 1's error figure: its upper limit, set by the
        network with the lowest mean final test error (1.6 times its highest late error over the seeds, late
        meaning the last ZOOM_FROM share of the run), and the models whose late curves run above it."""

        def late_high(m):
            epochs = m.repeated.epochs
            late = epochs >= ZOOM_FROM * epochs[-1]
            values = [m.repeated.curve(curve)[2][late] for curve in ("train_error", "test_error")]
            finite = [float(v) for part in values for v in part if math.isfinite(v)]
            return max(finite) if finite else 1.0

        top = min(1.0, max(0.02, 1.6 * late_high(self.ranked()[0])))
        return top, tuple(m for m in self.models if late_high(m) > top)

    def ranked(self):
        """The models, lowest mean final test error first."""
        return sorted(self.models, key=lambda m: m.final("test_error").mean)

    def networks(self):
        """[(role, RunConfig), ...]: every network question 1 trains for its answer, at its first seed
        (the validation sweep's trials aside: see ``sweep``)."""
        first = self.first_attempt
        rows = [
            (f"{self.chosen.name}, chosen by the validation sweep", self.chosen.config),
            (f"{self.sigmoid.name}, same budget", self.sigmoid.config),
            ("appendix A: the first sigmoid attempt", first.short.config),
        ]
        rows += [
            ("appendix A: the first sigmoid attempt, full budget", h.config) for _, h in sorted(first.by_rate.items())
        ]
        return rows


def model_name(config):
    """'leaky ReLU network', 'sigmoid network'."""
    return f"{display_name(config.activation)} network"


def run_models_study(
    dataset,
    *,
    seed,
    trials,
    sweep_epochs,
    sigmoid_lrs,
    seeds,
    hidden,
    batch_size,
    epochs,
    first_attempt_rates,
    screen_epochs=2,
    keep=None,
    jobs=None,
    scheduler=None,
):
    """Train (or read from the run cache) every run of question 1 and return its ``ModelsStudy``.

    The sweep's trials (screened for ``screen_epochs`` epochs, the ``keep`` best going on to
    ``sweep_epochs``; ``keep`` None: all go on) and the sigmoid network's learning-rate trials run
    on the validation split; the chosen and the sigmoid network at each of ``seeds`` seeds and the
    first sigmoid attempt (``hidden``, ``batch_size``, ``epochs``; full budget at each of
    ``first_attempt_rates``) on the whole training set. All of it trains on ``jobs`` worker processes,
    or on the Dask cluster whose scheduler is at ``scheduler``.
    """
    seed_values = seed_list(seed, seeds)
    first_short, first_full = experiments.seed_report_configs(
        hidden=hidden, epochs=epochs, seed=seed, batch_size=batch_size, learning_rates=first_attempt_rates
    )
    sweep = experiments.choose_hyperparameters(
        dataset,
        trials=trials,
        max_epochs=sweep_epochs,
        seed=seed,
        screen_epochs=screen_epochs,
        keep=keep,
        jobs=jobs,
        final=False,
        scheduler=scheduler,
    )
    chosen = sweep.chosen
    n = len(seed_values)
    # Two batches keep both workers busy: the sigmoid network's learning-rate trials beside the chosen
    # network's seeds (neither needs the other), then the sigmoid network's seeds beside the first attempt.
    rate_configs, split = experiments.sigmoid_trial_runs(dataset, sweep, sigmoid_lrs)
    first_batch, _, _ = fit_trials(
        [*rate_configs, *(chosen.replace(seed=s) for s in seed_values)],
        [split] * len(rate_configs) + [dataset] * n,
        jobs=jobs,
        scheduler=scheduler,
        progress=False,
    )
    sigmoid_trials = ranked_trials(first_batch[: len(rate_configs)])
    sigmoid = experiments.sigmoid_counterpart(chosen, sigmoid_trials[0].config.lr)
    second_batch, _, _ = fit_trials(
        [*(sigmoid.replace(seed=s) for s in seed_values), first_short, *first_full.values()],
        dataset,
        jobs=jobs,
        scheduler=scheduler,
        progress=False,
    )
    release_workers()  # this question's training is done; its notebook's kernel can stop at once
    histories = [*first_batch[len(rate_configs) :], *second_batch]
    sweep = dataclasses.replace(sweep, final=histories[0])
    models = tuple(
        Model(role, model_name(config), Repeated(config, tuple(runs)), _start_slope(runs[0], dataset))
        for role, config, runs in (("chosen", chosen, histories[:n]), ("sigmoid", sigmoid, histories[n : 2 * n]))
    )
    short = histories[2 * n]
    outputs = metrics.initial_activations(short, dataset)
    first = FirstAttempt(
        short,
        dict(zip(first_full, histories[2 * n + 1 :], strict=False)),
        float(outputs.mean()),
        float(outputs.std()),
        metrics.weight_change(short, dataset),
    )
    return ModelsStudy(Baselines.of(dataset), sweep, sigmoid_trials, models, first)


def _start_slope(history, dataset):
    return metrics.activation_slope(history.replace(params=metrics.initial_params(history.config, dataset)), dataset)
