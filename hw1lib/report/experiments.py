"""The runs each question of the report needs, built from the report's parameters.

Every notebook builds its configs here, so the main model that the validation sweep of
question 1 chooses and the model whose confusion matrix question 4 draws are the same config,
and the run cache trains it once.
"""

import math

import numpy as np

from ..common import count as check_count
from ..runs.config import RunConfig
from ..search.sweep import INIT_FOR, Screening, SearchSpace, fit_trials, learning_rate_runs, ranked_trials, run_sweep

# Each activation with the initialiser designed for it, as the sweep draws them: Xavier keeps the
# variance of tanh and sigmoid units steady, He compensates for ReLU zeroing half of its inputs.
MATCHING_INIT = INIT_FOR

# The sigmoid's slope is at most 1/4, a quarter of ReLU's, so its gradients are smaller by up to that
# factor: the learning rates tried for it reach that much higher than the sweep's range.
SIGMOID_STRETCH = 4.0

# Question 2 compares these two; a different main activation is added beside them.
COMPARED = ("sigmoid", "relu")

# The first, broken-looking sigmoid run: small random weights, a tiny learning rate, 100 updates.
SEED_REPORT = {"activation": "sigmoid", "init": "normal", "init_std": 0.01, "lr": 0.001, "max_iterations": 100}

INITS = ("zero", "normal", "xavier", "he")


def model_config(activation, *, hidden, epochs, seed, lr, batch_size, init=None, **extra):
    """The plain classifier: ``hidden`` layers of ``activation`` with its matching initialiser."""
    return RunConfig(
        hidden=tuple(hidden),
        activation=activation,
        init=init or MATCHING_INIT.get(activation, "he"),
        epochs=epochs,
        seed=seed,
        lr=lr,
        batch_size=batch_size,
        **extra,
    )


def compared_activations(main):
    """The activations question 2 compares: sigmoid, ReLU, and ``main`` when it is another one."""
    return COMPARED if main in COMPARED else (*COMPARED, main)


# The optimisers the report searches: mini-batch SGD, plain and with momentum, as the homework asks.
# ``hw1lib sweep``, ``hw1lib train`` and the explorer keep Adam.
REPORT_OPTIMIZERS = ("sgd", "momentum")


def sweep_space(max_epochs):
    """The report's search space: that of ``hw1lib sweep`` with mini-batch SGD only (plain and with
    momentum), every trial trained for ``max_epochs`` epochs."""
    ranges = tuple(entry for entry in SearchSpace().lr_ranges if entry[0] in REPORT_OPTIMIZERS)
    return SearchSpace(epochs=(max_epochs,), lr_ranges=ranges)


def screening(screen_epochs, keep):
    """The Screening of the report's sweep: every trial first trained for ``screen_epochs`` epochs, the ``keep``
    best then for the full budget; None (every trial gets the full budget) when ``keep`` is None."""
    return None if keep is None else Screening(screen_epochs, keep)


def check_sweep_parameters(*, trials, max_epochs, seed, screen_epochs=2, keep=None, jobs=None, sigmoid_lrs=1):
    """Raise ConfigError, naming the parameter, for sweep settings the report could not run."""
    check_count("sweep_trials", trials)
    space = sweep_space(max_epochs)
    space.sample(1, seed)  # builds a RunConfig: checks the epochs and the seed
    check_count("sweep_screen_epochs", screen_epochs)
    if keep is not None:
        check_count("sweep_keep", keep)
    check_count("sigmoid_lrs", sigmoid_lrs)
    if jobs is not None:
        check_count("sweep_jobs", jobs)


def choose_hyperparameters(
    dataset, *, trials, max_epochs, seed, screen_epochs, keep, jobs=None, final=True, scheduler=None
):
    """The report's validation sweep (a SweepResult): ``trials`` configurations drawn with ``seed``, screened
    for ``screen_epochs`` epochs with the ``keep`` best going on to ``max_epochs`` (see ``screening``).

    Question 1 trains it; every later call reads the trials and the chosen model from the run cache.
    ``scheduler``: a Dask scheduler address to train on (None: this machine's cores).
    """
    return run_sweep(
        dataset,
        trials=trials,
        space=sweep_space(max_epochs),
        seed=seed,
        jobs=jobs,
        scheduler=scheduler,
        progress=False,
        final=final,
        screen=screening(screen_epochs, keep),
    )


def sigmoid_counterpart(chosen, lr):
    """The chosen network (layers, optimiser, mini-batches, epochs) with sigmoid units, their
    initialiser, and learning rate ``lr``."""
    return chosen.replace(activation="sigmoid", init=MATCHING_INIT["sigmoid"], lr=lr)


def sigmoid_trial_runs(dataset, result, count):
    """The sigmoid counterpart of the sweep ``result``'s choice at ``count`` learning rates spread over
    the chosen optimiser's range in the sweep, stretched upward by ``SIGMOID_STRETCH``, trained and
    scored on the sweep's validation split like its trials: (configs, that split), as
    ``search.sweep.learning_rate_runs`` gives them."""
    rates = result.space.learning_rates(result.chosen.optimizer, count, stretch=SIGMOID_STRETCH)
    return learning_rate_runs(
        sigmoid_counterpart(result.chosen, rates[0]), dataset, rates, seed=result.seed, fraction=result.fraction
    )


def homework_networks(
    dataset, *, trials, max_epochs, seed, screen_epochs, keep, sigmoid_lrs, jobs=None, scheduler=None
):
    """(the chosen network's config, its sigmoid counterpart's) as question 1 chose them: the sweep's choice,
    and the same network with sigmoid units at the learning rate that did best on the validation split.

    Question 1 trains both choices; the later questions read them from the run cache.
    """
    sweep = choose_hyperparameters(
        dataset,
        trials=trials,
        max_epochs=max_epochs,
        seed=seed,
        screen_epochs=screen_epochs,
        keep=keep,
        jobs=jobs,
        final=False,
        scheduler=scheduler,
    )
    rate_configs, split = sigmoid_trial_runs(dataset, sweep, sigmoid_lrs)
    histories, _, _ = fit_trials(rate_configs, split, jobs=jobs, scheduler=scheduler, progress=False)
    return sweep.chosen, sigmoid_counterpart(sweep.chosen, ranked_trials(histories)[0].config.lr)


def seed_report_configs(*, hidden, epochs, seed, batch_size, learning_rates):
    """(the first sigmoid attempt's 100-update run, {lr: the same network trained for the full budget})."""
    first = RunConfig(hidden=tuple(hidden), epochs=epochs, seed=seed, batch_size=batch_size, **SEED_REPORT)
    full = first.replace(max_iterations=None)
    return first, {float(lr): full.replace(lr=float(lr)) for lr in learning_rates}


def symmetry_stages(epochs):
    """Stages (epochs) at which zero-initialised runs record their hidden units: 0, 0.1, then 5 even steps."""
    return tuple(sorted({0.0, min(0.1, epochs), *np.linspace(epochs / 5, epochs, 5).round(3)}))


def init_configs(activation, *, hidden, epochs, seed, lr, batch_size, init_std=0.01):
    """{init name: config} for one activation; zero init also records its hidden units over training."""
    base = model_config(activation, hidden=hidden, epochs=epochs, seed=seed, lr=lr, batch_size=batch_size)
    return init_variants(base, init_std)


def init_variants(config, init_std=0.01):
    """{init name: ``config`` started from that initialiser}; zero init also records its first hidden layer
    over training."""
    configs = {}
    for init in INITS:
        extra = {"snapshot_stages": symmetry_stages(config.epochs), "snapshot_layer": 0} if init == "zero" else {}
        if init == "normal":  # the only initialiser that reads init_std; elsewhere the default keeps cache keys shared
            extra["init_std"] = init_std
        configs[init] = config.replace(init=init, **extra)
    return configs


def round_stages(epochs, count=6):
    """Round points of training (epochs) for question 3's figure, table and text, at most ``count`` of them.

    Before training, a quarter epoch, then 1, 2, 5, 10, 20, 50, ... epochs below ``epochs``, and
    ``epochs`` itself. While there are too many, the inner stage (not 0, 1/4 or the last) whose
    neighbours are closest in ratio is dropped, the later one on a tie: 20 epochs give
    0, 0.25, 1, 2, 5, 20.
    """
    series = [m * 10**k for k in range(int(math.log10(max(epochs, 1))) + 1) for m in (1, 2, 5)]
    stages = sorted({0.0, min(0.25, epochs), *(float(s) for s in series if s < epochs), float(epochs)})
    while len(stages) > max(count, 3):
        inner = range(2, len(stages) - 1)
        drop = min(inner, key=lambda i: (stages[i + 1] / stages[i - 1], -i))
        del stages[drop]
    return tuple(stages)


def animation_stages(epochs, shown, iterations_per_epoch, frames=20):
    """The stages ``shown`` plus up to ``frames`` more, spaced geometrically from 1/50 epoch (or the first
    update) to ``epochs`` and rounded to two significant digits. A frame within a fifth of a shown stage,
    or on the same update as another frame, is left out, so every shown stage is recorded as itself."""
    start = max(min(0.02, epochs / 1000), 1 / iterations_per_epoch)
    stages = [float(s) for s in shown]
    updates = {round(s * iterations_per_epoch) for s in stages}
    for stage in (float(f"{s:.2g}") for s in np.geomspace(start, epochs, frames)):
        update = round(stage * iterations_per_epoch)
        near = any(s > 0 and 1 / 1.2 < stage / s < 1.2 for s in shown)
        if update not in updates and not near and stage <= epochs:
            updates.add(update)
            stages.append(stage)
    return tuple(sorted(stages))
