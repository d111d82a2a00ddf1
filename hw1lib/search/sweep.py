"""Choosing the hyperparameters on a validation split: a seeded random search, run in parallel.

The flow: hold out a validation set from the training images (``validation_split``), draw
configurations from a :class:`SearchSpace`, train each on the rest of the training images and
rank them by their lowest validation error over the epochs (the epoch where it is reached is
the early-stopping point). Only then is the test set used, once: the chosen configuration is
trained on the whole training set and evaluated on it.

Trials run through joblib: in local processes (loky), or on a Dask cluster through joblib's
``dask`` backend when a scheduler address is given. Every trial goes through the run cache (the
sweep looks each one up before dispatching it and saves each finished one atomically as it
arrives), so a repeated sweep trains nothing.
"""

import contextlib
import itertools
import math
import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed, parallel_config
from joblib.externals.loky.process_executor import TerminatedWorkerError
from threadpoolctl import threadpool_limits
from tqdm import std as tqdm_std
from tqdm.auto import tqdm

from ..common import count as check_count
from ..data.splits import validation_split
from ..errors import ConfigError, Hw1libError, one_line
from ..nn.activations import ACTIVATIONS
from ..nn.optimizers import OPTIMIZERS
from ..runs import work
from ..runs.cache import cached_train, load_cached, store
from ..runs.config import RunConfig
from ..runs.history import History
from ..runs.training import Trainer, train

__all__ = [
    "BENCH_TRIALS",
    "DEFAULT_TRIALS",
    "Screening",
    "SearchSpace",
    "SweepResult",
    "Trial",
    "benchmark",
    "check_scheduler",
    "fit_trials",
    "learning_rate_runs",
    "learning_rate_trials",
    "ranked_trials",
    "release_workers",
    "run_sweep",
    "screen_trials",
]

DEFAULT_TRIALS = 40
BENCH_TRIALS = 12
CONNECT_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up
# Weights drawn to suit the activation: He for the rectifiers, Xavier for the saturating ones.
INIT_FOR = {"relu": "he", "leaky_relu": "he", "tanh": "xavier", "sigmoid": "xavier"}


@dataclass(frozen=True)
class SearchSpace:
    """What the random search draws from; every choice is uniform unless said otherwise.

    depths: numbers of hidden layers; widths: units per hidden layer (all hidden layers of a
    configuration share one width). activations: names from the registry (weights initialised
    by ``INIT_FOR``). lr_ranges: (optimizer, low, high) triples: an optimizer is drawn, then a
    learning rate log-uniformly from its own range, since the rates that work differ by orders
    of magnitude between plain SGD and Adam. batch_sizes: mini-batch sizes. epochs: training
    budgets; each trial is evaluated after every epoch and its best epoch kept, which searches
    every shorter run too, because a shorter run with the same seed is a prefix of a longer one.
    """

    depths: tuple = (1, 2, 3)
    widths: tuple = (64, 128, 256, 512)
    activations: tuple = ("relu", "leaky_relu", "tanh")
    lr_ranges: tuple = (("sgd", 0.03, 0.8), ("momentum", 0.005, 0.1), ("adam", 1e-4, 3e-3))
    batch_sizes: tuple = (16, 32, 64, 128)
    epochs: tuple = (20,)

    def __post_init__(self):
        for name in ("depths", "widths", "activations", "lr_ranges", "batch_sizes", "epochs"):
            values = tuple(getattr(self, name))
            if not values:
                raise ConfigError(f"search space {name}: expected at least one choice")
            object.__setattr__(self, name, tuple(tuple(v) if isinstance(v, list) else v for v in values))
        for name in self.activations:
            if name not in INIT_FOR or name not in ACTIVATIONS:
                raise ConfigError(f"search space activations: unknown {name!r}; known: {', '.join(sorted(INIT_FOR))}")
        for entry in self.lr_ranges:
            if (
                len(entry) != 3
                or entry[0] not in OPTIMIZERS
                or not all(isinstance(v, (int, float)) for v in entry[1:])
                or not 0 < entry[1] <= entry[2]
            ):
                raise ConfigError(
                    f"search space lr_ranges: {entry!r}; expected (optimizer, low, high) with an "
                    f"optimizer from {', '.join(sorted(OPTIMIZERS))} and 0 < low <= high"
                )

    def sample(self, n, seed=0):
        """``n`` configurations drawn with ``numpy.random.default_rng(seed)``; every one trains with ``seed``.

        Learning rates are rounded to three significant figures so tables stay readable.
        """
        rng = np.random.default_rng(seed)

        def pick(options):
            return options[rng.integers(len(options))]

        configs = []
        for _ in range(n):
            depth, width, activation = pick(self.depths), pick(self.widths), pick(self.activations)
            optimizer, low, high = pick(self.lr_ranges)
            lr = float(f"{math.exp(rng.uniform(math.log(low), math.log(high))):.3g}")
            configs.append(
                RunConfig(
                    hidden=(width,) * depth,
                    activation=activation,
                    init=INIT_FOR[activation],
                    optimizer=optimizer,
                    lr=lr,
                    batch_size=pick(self.batch_sizes),
                    epochs=pick(self.epochs),
                    seed=seed,
                )
            )
        return tuple(configs)

    def learning_rates(self, optimizer, count, stretch=1.0):
        """``count`` learning rates spaced evenly on a log scale (3 significant figures) from the low end of
        ``optimizer``'s range to its high end times ``stretch``."""
        ranges = {name: (low, high) for name, low, high in self.lr_ranges}
        if optimizer not in ranges:
            raise ConfigError(
                f"search space lr_ranges: no range for optimizer {optimizer!r}; ranges for: {', '.join(ranges)}"
            )
        check_count("learning rates", count)
        low, high = ranges[optimizer]
        return tuple(float(f"{lr:.3g}") for lr in np.geomspace(low, high * stretch, count))

    def to_dict(self):
        return {
            "depths": list(self.depths),
            "widths": list(self.widths),
            "activations": list(self.activations),
            "lr_ranges": [list(entry) for entry in self.lr_ranges],
            "batch_sizes": list(self.batch_sizes),
            "epochs": list(self.epochs),
        }


@dataclass(frozen=True)
class Screening:
    """A first cut of the trials (successive halving, one step): every trial is trained for ``epochs``
    epochs and scored as usual; only the ``keep`` best then get their full budget.

    A continued trial goes on from where its screening paused (weights, optimiser state, random
    generator), so it is the very run it would have been with its whole budget at once, and its first
    ``epochs`` epochs are exactly the ones it was screened on; the others stop there. (If the screening
    run came from the run cache, the continued trial is trained from its start instead, to the same
    result.) Since a trial's score is its lowest validation error over its epochs, a continued trial
    never scores worse than it did when screened, so every continued trial ranks above every stopped one.
    """

    epochs: int
    keep: int

    def __post_init__(self):
        check_count("screening epochs", self.epochs)
        check_count("trials kept after screening", self.keep)


@dataclass(frozen=True)
class Trial:
    """One configuration trained on the fitting part and scored on the validation set.

    val_error: lowest validation error after any whole epoch (NaN if the run diverged before
    finishing one); best_epoch: the first epoch reaching it (0 if none); val_loss and
    train_error: validation loss and training error at that epoch. val_curve: validation error
    after epochs 1, 2, ... seconds: training time, as measured when the trial was trained.
    """

    index: int
    config: RunConfig
    val_error: float
    val_loss: float
    best_epoch: int
    train_error: float
    val_curve: tuple
    seconds: float
    from_cache: bool
    diverged: bool

    @classmethod
    def from_history(cls, index, history: History):
        per_epoch = history.iterations_per_epoch
        whole = (history.eval_iteration > 0) & (history.eval_iteration % per_epoch == 0)
        errors, losses = history.test_error[whole], history.test_loss[whole]
        if len(errors):
            # Ties in error (common on a few hundred images) go to the lower validation loss, then the earlier epoch.
            best = int(np.lexsort((np.arange(len(errors)), np.nan_to_num(losses, nan=np.inf), errors))[0])
            val_error, val_loss = float(errors[best]), float(losses[best])
            best_epoch = int(history.eval_iteration[whole][best] // per_epoch)
            train_error = float(history.train_error[whole][best])
        else:
            val_error = val_loss = train_error = math.nan
            best_epoch = 0
        return cls(
            index,
            history.config,
            val_error,
            val_loss,
            best_epoch,
            train_error,
            tuple(float(e) for e in errors),
            float(history.seconds),
            history.from_cache,
            history.diverged,
        )

    def rank_key(self):
        """Sort key: validation error, then validation loss, then sample order (NaN last)."""

        def finite(v):
            return v if math.isfinite(v) else math.inf

        return (finite(self.val_error), finite(self.val_loss), self.index)

    def to_dict(self):
        return {
            "index": self.index,
            "config": self.config.to_dict(),
            "val_error": _json(self.val_error),
            "val_loss": _json(self.val_loss),
            "best_epoch": self.best_epoch,
            "train_error": _json(self.train_error),
            "val_curve": [_json(e) for e in self.val_curve],
            "seconds": round(self.seconds, 3),
            "cached": self.from_cache,
            "diverged": self.diverged,
        }


@dataclass(frozen=True)
class SweepResult:
    """Everything a sweep found.

    n_fit, n_val: training images the trials were trained on and validated on (together, the
    whole training set). trials: in sample order (``ranked`` sorts them). chosen: the best
    trial's config with ``epochs`` set to its best epoch. final: the History of ``chosen`` trained on the whole
    training set of ``data_name`` and evaluated on its test set, the only run that sees it
    (None when the sweep was run with ``final=False``). seconds: wall time of the trials;
    trained: how many of its ``runs`` were trained now rather than read from the cache. screen: the
    Screening the trials went through, or None; stopped, continued: the indices of the trials it
    stopped and of those it took on to their whole budget (each Trial's config says how many
    epochs it was trained for).
    """

    data_name: str
    split_name: str
    seed: int
    fraction: float
    n_fit: int
    n_val: int
    space: SearchSpace
    trials: tuple
    chosen: RunConfig
    final: History | None
    seconds: float
    trained: int
    workers: str
    screen: Screening | None = None
    stopped: tuple = ()
    continued: tuple = ()
    ranked: tuple = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "ranked", tuple(sorted(self.trials, key=Trial.rank_key)))

    @property
    def best(self) -> Trial:
        return self.ranked[0]

    def near_best(self, points=0.01) -> int:
        """How many other trials reached a validation error within ``points`` (0.01: one percentage point)
        of the best."""
        best = self.best.val_error
        return sum(1 for t in self.ranked[1:] if math.isfinite(t.val_error) and t.val_error - best <= points)

    @property
    def runs(self) -> int:
        """Training runs the sweep consists of (cache entries): one per trial, and for each continued one a
        second, its whole budget (which goes on from the first rather than starting again)."""
        return len(self.trials) + len(self.continued)

    def was_stopped(self, trial) -> bool:
        """True for a trial the screening stopped before its full budget."""
        return trial.index in self.stopped

    @property
    def test_error(self) -> float | None:
        return self.final.final_test_error if self.final is not None else None

    def to_dict(self):
        """JSON-ready: every trial (ranked), the chosen config and its test error."""
        final = None
        if self.final is not None:
            final = {
                "test_error": _json(self.final.final_test_error),
                "train_error": _json(self.final.final_train_error),
                "seconds": round(self.final.seconds, 3),
                "cached": self.final.from_cache,
                "diverged": self.final.diverged,
            }
        return {
            "data": self.data_name,
            "split": self.split_name,
            "seed": self.seed,
            "fraction": self.fraction,
            "n_fit": self.n_fit,
            "n_val": self.n_val,
            "search_space": self.space.to_dict(),
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "screen": None if self.screen is None else {"epochs": self.screen.epochs, "keep": self.screen.keep},
            "stopped": list(self.stopped),
            "continued": list(self.continued),
            "trained": self.trained,
            "trials": [t.to_dict() for t in self.ranked],
            "chosen": {
                "config": self.chosen.to_dict(),
                "trial": self.best.index,
                "val_error": _json(self.best.val_error),
                "best_epoch": self.best.best_epoch,
                "test_error": final and final["test_error"],
                "final": final,
            },
        }


class SweepError(Hw1libError):
    """A trial of the sweep could not finish."""


def run_sweep(
    dataset,
    *,
    trials=DEFAULT_TRIALS,
    space=None,
    seed=0,
    fraction=0.1,
    jobs=None,
    scheduler=None,
    progress=True,
    use_cache=True,
    final=True,
    screen=None,
) -> SweepResult:
    """Search ``trials`` configurations of ``space`` on a validation split of ``dataset``.

    ``seed`` seeds the split, the sample and every trial's weights and shuffling. ``screen``: a
    Screening that first trains every trial for a few epochs and gives only the best their full
    budget (None: every trial gets it). ``jobs``:
    parallel workers (None: all local cores, or every worker thread of a Dask cluster);
    ``scheduler``: a Dask scheduler address such as ``tcp://10.0.0.5:8786`` to run the trials on
    instead of local processes.

    The test set is used only by the final run (``final=True``), after the choice is made: the
    chosen hyperparameters are trained again, for the chosen number of epochs, on the whole
    training set (fitting part plus validation set: 11% more images at the default fraction),
    and evaluated on the test set. The report's model is then trained on every labelled image
    available; the validation set has done its job once the choice is made, and the epoch count
    carries over because the number of updates per epoch grows only in the same proportion.
    This final run is the same cache entry as ``cached_train(result.chosen, dataset)``; with a
    ``scheduler`` it is trained on the cluster too.
    """
    space = SearchSpace() if space is None else space
    check_count("trials", trials)
    split = validation_split(dataset, fraction, seed)
    configs = space.sample(trials, seed)
    start = time.perf_counter()
    fit = dict(jobs=jobs, scheduler=scheduler, progress=progress, use_cache=use_cache)
    stopped = go_on = ()
    if screen is not None and any(screen.epochs < c.epochs for c in configs):
        histories, paused, trained, workers = screen_trials(configs, screen.epochs, split, **fit)
        kept = {t.index for t in ranked_trials(histories)[: screen.keep]}
        shortened = [i for i, c in enumerate(configs) if screen.epochs < c.epochs]
        go_on = [i for i in shortened if i in kept]
        stopped = tuple(i for i in shortened if i not in kept)
        longer, more, later_workers = fit_trials(
            [configs[i] for i in go_on], split, paused=[paused.get(i) for i in go_on], **fit
        )
        for i, history in zip(go_on, longer, strict=False):
            histories[i] = history
        workers = workers if trained or not more else later_workers
        trained += more
    else:
        histories, trained, workers = fit_trials(configs, split, **fit)
    seconds = time.perf_counter() - start
    scored = tuple(Trial.from_history(i, h) for i, h in enumerate(histories))
    best = min(scored, key=Trial.rank_key)
    chosen = best.config.replace(epochs=max(best.best_epoch, 1))
    final_history = None
    if final and scheduler is None:
        final_history = cached_train(chosen, dataset, progress=False, use_cache=use_cache)
    elif final:
        final_history = fit_trials([chosen], dataset, **{**fit, "progress": False})[0][0]
    return SweepResult(
        dataset.name,
        split.name,
        seed,
        fraction,
        len(split.train_y),
        len(split.test_y),
        space,
        scored,
        chosen,
        final_history,
        seconds,
        trained,
        workers,
        screen,
        stopped,
        tuple(go_on),
    )


def learning_rate_trials(
    config,
    dataset,
    learning_rates,
    *,
    seed=0,
    fraction=0.1,
    jobs=None,
    scheduler=None,
    progress=False,
    use_cache=True,
):
    """``config`` at each of ``learning_rates``, trained and scored like the trials of ``run_sweep``, best first.

    Same validation split of ``dataset`` (``fraction``, ``seed``), same score (the lowest validation
    error after a whole epoch, within ``config.epochs``), same run cache, same workers (``jobs``,
    ``scheduler``); the test set is not used. Returns a tuple of Trial, ranked.
    """
    configs, split = learning_rate_runs(config, dataset, learning_rates, seed=seed, fraction=fraction)
    histories, _, _ = fit_trials(configs, split, jobs=jobs, scheduler=scheduler, progress=progress, use_cache=use_cache)
    return ranked_trials(histories)


def learning_rate_runs(config, dataset, learning_rates, *, seed=0, fraction=0.1):
    """What ``learning_rate_trials`` trains, for a caller that trains it beside other runs:
    (``config`` at each of ``learning_rates``, the validation split they train on). Trained with
    ``fit_trials``, ``ranked_trials`` of their histories is what ``learning_rate_trials`` returns."""
    return [config.replace(lr=float(lr)) for lr in learning_rates], validation_split(dataset, fraction, seed)


def ranked_trials(histories):
    """Trials scored on their validation set (each History's test set), best first; indices follow ``histories``."""
    return tuple(sorted((Trial.from_history(i, h) for i, h in enumerate(histories)), key=Trial.rank_key))


def fit_trials(configs, data, *, jobs=None, scheduler=None, progress=True, use_cache=True, paused=None):
    """Train every config on ``data``: (histories in the order of ``configs``, number trained, workers).

    ``data``: one Dataset for all, or a list with one per config (runs on different data can share
    the workers). Cached runs are read here and never dispatched; the rest are sent longest first,
    so no worker is left with a long trial after the others have finished. ``paused``: one paused
    ``Trainer`` (see ``screen_trials``) or None per config; a run with one goes on from where it
    paused, the others train from their start.
    """
    datas = list(data) if isinstance(data, (list, tuple)) else [data] * len(configs)
    paused = [None] * len(configs) if paused is None else list(paused)
    histories = [load_cached(config, d) if use_cache else None for config, d in zip(configs, datas, strict=False)]

    def remaining_cost(i):
        done = paused[i].epochs_done if paused[i] is not None else 0
        return _cost(configs[i].replace(epochs=max(configs[i].epochs - done, 1)), datas[i])

    todo = sorted((i for i, h in enumerate(histories) if h is None), key=lambda i: -remaining_cost(i))

    def receive(i, history):
        if use_cache:
            store(history, datas[i])
        histories[i] = history

    calls = [
        (_fit, i, configs[i], datas[i]) if paused[i] is None else (_fit_paused_run, i, paused[i], datas[i])
        for i in todo
    ]
    workers = _run_parallel(
        calls, datas, receive, jobs=jobs, scheduler=scheduler, progress=progress, total=len(configs)
    )
    return histories, len(todo), workers


def screen_trials(configs, epochs, data, *, jobs=None, scheduler=None, progress=True, use_cache=True):
    """Train each config for its first ``epochs`` epochs (all of them if it has no more) and pause.

    Returns (the histories of the configs shortened to ``epochs``, in order and cached as such;
    {index: paused Trainer} for the runs trained now, for ``fit_trials(paused=...)``; number
    trained; workers). A screening run read from the cache has no paused Trainer.
    """
    first = [c.replace(epochs=min(epochs, c.epochs)) for c in configs]
    histories = [load_cached(config, data) if use_cache else None for config in first]
    todo = sorted((i for i, h in enumerate(histories) if h is None), key=lambda i: -_cost(first[i], data))
    paused = {}

    def receive(i, history, trainer):
        if use_cache:
            store(history, data)
        histories[i], paused[i] = history, trainer

    calls = [(_fit_and_pause, i, configs[i], data, first[i].epochs) for i in todo]
    workers = _run_parallel(
        calls, [data], receive, jobs=jobs, scheduler=scheduler, progress=progress, total=len(configs)
    )
    return histories, paused, len(todo), workers


def _run_parallel(calls, datasets, receive, *, jobs, scheduler, progress, total):
    """Run ``calls`` ((function, *args), each returning a tuple) on the workers and pass each result
    to ``receive`` as it arrives; returns the workers' description. ``datasets``: those the calls
    use (a Dask cluster gets each once). ``total`` sizes the progress bar, which starts at the runs
    not in ``calls`` (read from the cache).

    Each call runs inside ``work.captured()`` and its training work is recorded here, so a build's work
    log counts the runs a Dask worker (which has not this process's environment) trained. A worker
    process that dies is named in one line; on a Dask cluster the scheduler first gives its trials to
    other workers (``distributed.scheduler.allowed-failures`` times) and the line comes only after that.
    (joblib's own dask backend waited for ever once a trial had killed that many workers, so a cluster
    is driven through ``distributed`` directly.)
    """
    bar = tqdm(total=total, initial=total - len(calls), desc="sweep", unit="trial", disable=not progress)
    workers = "none (all cached)"
    try:
        if calls:
            with _backend(calls, jobs, scheduler, datasets) as (results, workers):
                done = set()
                try:
                    for result, rows in results:
                        for row in rows:
                            work.record(*row)
                        receive(*result)
                        done.add(result[0])
                        bar.update()
                except _lost_worker_errors(scheduler):
                    lost = [str(i) for _, i, *_ in calls if i not in done]
                    kept = (
                        f"the {len(done)} that had are in the run cache, so running the command again goes on from them"
                        if done
                        else "none had, so running the command again starts them afresh"
                    )
                    where = "" if scheduler is None else f" of the Dask cluster {scheduler}"
                    raise SweepError(
                        f"a sweep worker process{where} died (killed, or out of memory) while trial(s) "
                        f"{', '.join(lost)} had not finished; {kept}"
                    ) from None
    finally:
        bar.close()
    return workers


def benchmark(dataset, *, trials=BENCH_TRIALS, space=None, seed=0, fraction=0.1, jobs=None, progress=True):
    """Trials per minute with one job and with ``jobs`` (default: all cores), nothing cached.

    The same sampled trials are trained both times, with the cache off. The one-job run trains
    in this process; the parallel run includes starting its worker processes.
    """
    space = SearchSpace() if space is None else space
    check_count("trials", trials)
    split = validation_split(dataset, fraction, seed)
    configs = space.sample(trials, seed)
    parallel = _local_jobs(jobs)
    seconds = {}
    for n_jobs in (1, parallel):
        start = time.perf_counter()
        fit_trials(configs, split, jobs=n_jobs, progress=progress, use_cache=False)
        seconds[n_jobs] = time.perf_counter() - start
    return {
        "trials": trials,
        "jobs": parallel,
        "cores": os.cpu_count(),
        "seconds_1": seconds[1],
        "seconds_parallel": seconds[parallel],
        "trials_per_minute_1": 60 * trials / seconds[1],
        "trials_per_minute_parallel": 60 * trials / seconds[parallel],
        "speedup": seconds[1] / seconds[parallel],
    }


@contextlib.contextmanager
def _trial_worker():
    """What a trial runs in: one BLAS thread, and a tqdm lock that is a thread lock.

    tqdm's default lock holds a multiprocessing RLock, a named semaphore that Python's resource
    tracker registers, and a trial creates it even with its progress bar off. A worker killed with
    SIGKILL never unregisters it, so the tracker printed a warning about "leaked semaphore objects"
    under the sweep's one line. A worker shows no progress bar, so a thread lock is all it needs;
    a process that already has its lock (this one, when one job runs the trials) keeps it.
    """
    if not hasattr(tqdm_std.tqdm, "_lock"):
        tqdm_std.tqdm.set_lock(threading.RLock())
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _counted(function, *args):
    """``function(*args)`` in a worker, with the training work it records: (its result, [(trained, evaluated)])."""
    with work.captured() as rows:
        result = function(*args)
    return result, rows


def _lost_worker_errors(scheduler):
    """The exceptions that mean a worker process died: loky's, and on a cluster Dask's KilledWorker
    (raised once the scheduler has given up retrying the trial on other workers)."""
    if scheduler is None:
        return (TerminatedWorkerError,)
    from distributed.scheduler import KilledWorker

    return (TerminatedWorkerError, KilledWorker)


def _fit(index, config, data):
    """One trial, in a worker: (index, History). Module level so joblib can send it by reference.

    A trial's matrices are small, so it runs on one BLAS thread: the parallelism is across
    trials. Several BLAS threads per trial only fight over the cores the other trials (or
    other programs) are using; on a busy 2-core machine that made one job several times slower.
    """
    with _trial_worker():
        return index, train(config, data, progress=False)


def _fit_and_pause(index, config, data, epochs):
    """A trial's first ``epochs`` epochs, in a worker: (index, History of the config shortened to
    ``epochs``, the paused Trainer, which pickles without the data)."""
    with _trial_worker():
        trainer = Trainer(config, data)
        history = trainer.run(progress=False, until_epoch=epochs)
    return index, history.replace(config=config.replace(epochs=epochs)), trainer


def _fit_paused_run(index, trainer, data):
    """A paused trial taken on to the end of its config, in a worker: (index, History)."""
    with _trial_worker():
        return index, trainer.attach(data).run(progress=False)


def _cost(config, data):
    """Rough training time of a run, for ordering only: multiply-adds plus a fixed cost per update."""
    sizes = (data.n_features, *config.hidden, data.n_classes)
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    n_train = len(data.train_y)
    updates = config.epochs * math.ceil(n_train / config.batch_size)
    return config.epochs * n_train * weights + updates * 1e6


@contextlib.contextmanager
def _backend(calls, jobs, scheduler, datasets):
    """Run ``calls`` (each through ``_counted``) in local processes or on a Dask cluster: yields (an iterator of
    their results in the order they finish, the workers' description)."""
    if scheduler is None:
        n_jobs = _local_jobs(jobs)
        # One job runs in this process (joblib's sequential backend); more start loky worker processes.
        with parallel_config(backend="loky", n_jobs=n_jobs):
            results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                delayed(_counted)(function, *args) for function, *args in calls
            )
            yield results, f"{n_jobs} local processes" if n_jobs > 1 else "this process"
        return
    from distributed import as_completed

    client = _connect(scheduler)
    try:
        threads = sum(client.nthreads().values())
        limit = len(calls) if jobs is None else check_count("jobs", jobs)  # None: the scheduler fills every thread
        # Each dataset is sent to the cluster once, not with every trial.
        sent = {id(d): client.scatter(d, hash=False) for d in {id(d): d for d in datasets}.values()}

        def submit(call):
            function, *args = call
            return client.submit(_counted, function, *(sent.get(id(a), a) for a in args), pure=False)

        waiting = iter(calls)
        running = as_completed([submit(call) for call in itertools.islice(waiting, limit)], loop=client.loop)

        def results():
            for future in running:
                result = future.result()  # a trial's own error, or KilledWorker, is raised here
                call = next(waiting, None)
                if call is not None:
                    running.add(submit(call))
                yield result

        yield results(), f"dask {scheduler} ({threads} worker thread{'s' if threads != 1 else ''})"
    finally:
        client.close()


def release_workers():
    """Stop the worker processes that parallel trials started in this process, and remove their temporary files.

    joblib keeps its workers between calls, so a sweep and the runs after it start at once. A
    notebook whose kernel is shut down with them still running can be killed before they stop,
    and their resource tracker then warns on stderr about the files and semaphores left behind,
    so the report's studies release them when their training is done.
    """
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(reuse=True)  # the running executor, whatever it was created with
    terminate = getattr(executor, "terminate", None)  # joblib's also removes its memory-mapped files
    if terminate is not None:
        terminate()
    else:
        executor.shutdown(wait=True)


def check_scheduler(address):
    """ConfigError, in one line naming ``address``, unless a Dask scheduler answers there (within
    ``CONNECT_TIMEOUT`` seconds); the report checks it before any notebook runs."""
    _connect(address).close()


def _connect(address):
    from distributed import Client  # only a sweep on a cluster needs it

    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise ConfigError(
            f"scheduler {address!r}: cannot connect ({one_line(err)}); "
            "expected the address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786"
        ) from None


def _local_jobs(jobs):
    return (os.cpu_count() or 1) if jobs is None else check_count("jobs", jobs)


def _json(value):
    return value if math.isfinite(value) else None
