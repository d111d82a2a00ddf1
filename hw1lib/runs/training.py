"""The training loop: mini-batch updates, periodic evaluation, latent snapshots -> History."""

import contextlib
import math
import time

import numpy as np
from tqdm.auto import tqdm

from ..nn.network import MLP
from ..nn.optimizers import make_optimizer
from . import work
from .history import History
from .memory import check_memory

EVAL_CHUNK = 4096


def build_network(config, n_inputs, n_classes, rng, dtype=np.float32):
    """The untrained network ``config`` describes, its weights drawn from ``rng``."""
    return MLP(
        n_inputs,
        config.hidden,
        n_classes,
        activation=config.activation,
        last_activation=config.latent_activation,
        init=config.init,
        init_std=config.init_std,
        rng=rng,
        dtype=dtype,
    )


def normalized_inputs(config, dataset):
    """(train_x, test_x) as the network sees them, float32."""
    if config.normalize == "standardize":
        mean, std = float(dataset.train_x.mean()), float(dataset.train_x.std())
        scale = 1.0 / max(std, 1e-6)
        return ((dataset.train_x - mean) * scale).astype(np.float32), ((dataset.test_x - mean) * scale).astype(
            np.float32
        )
    return dataset.train_x, dataset.test_x


def evaluate(network, x, y):
    """(mean cross-entropy, error rate, predictions) of ``network`` on x (n, features), y (n,)."""
    losses, preds = [], []
    for start in range(0, len(x), EVAL_CHUNK):
        xb, yb = x[start : start + EVAL_CHUNK], y[start : start + EVAL_CHUNK]
        logits = network.forward(xb)
        losses.append(network.loss_layer.forward(logits, yb) * len(xb))
        preds.append(logits.argmax(axis=1))
    pred = np.concatenate(preds)
    return sum(losses) / len(x), float(np.mean(pred != y)), pred


def epoch_updates(network, optimizer, train_x, train_y, batch_size, rng):
    """One epoch of mini-batch updates in a fresh random order; yields each batch's loss.

    train_x (n, features), train_y (n,). A non-finite loss is yielded without an update, and
    the epoch ends there. This is the whole training hot path: ``train`` and the benchmark both
    run it.
    """
    n = len(train_x)
    order = rng.permutation(n)
    # Each batch's rows are gathered into one small reused buffer that the matrix product then
    # reads from cache; gathering the whole shuffled set up front would stream it through memory
    # twice more and hold a second copy of it. mode="clip" skips the bounds checks (and the
    # buffering they imply) for indices a permutation makes valid.
    batch_x = np.empty((min(batch_size, n), train_x.shape[1]), train_x.dtype)
    for begin in range(0, n, batch_size):
        rows = order[begin : begin + batch_size]
        x = np.take(train_x, rows, axis=0, out=batch_x[: len(rows)], mode="clip")
        loss = network.loss(x, train_y[rows])
        if not math.isfinite(loss):
            yield loss
            return
        network.backward()
        optimizer.step(network.params, network.grads)
        yield loss


def train(config, dataset, *, progress=True, on_eval=None, should_stop=None):
    """Train the network ``config`` describes on ``dataset``; return its History.

    Each epoch visits every training image once, in a fresh random order (sampling without
    replacement); the last mini-batch of an epoch may be smaller. Everything random comes from
    ``numpy.random.default_rng(config.seed)``, so the same config and data give the same
    History bit for bit. A non-finite loss stops the run, which is then marked ``diverged``.

    on_eval(partial_history) is called after every evaluation (live curves); should_stop() is
    polled after every update and ends the run early when it returns True (a newer request
    superseding this one). Both are optional.
    """
    return Trainer(config, dataset, on_eval=on_eval, should_stop=should_stop).run(progress=progress)


class Trainer:
    """One run in progress: the network, its optimiser, and what has been recorded so far.

    As in CS231n's ``Solver``, the records are attributes and the steps are methods: ``run``
    calls ``run_epoch`` once per epoch, which makes the updates and calls ``evaluate`` and
    ``snapshot`` when they are due; ``history`` packs the records into a History at any point.

    Records: ``batch_loss`` (updates,) filled up to ``iteration``; ``evaluations``, one list per
    History ``eval_*`` field; ``stages`` and ``snapshots``, the latent layer's recorded outputs, and
    ``snapshot_params``, the output layer's (W, b) at the same stages; ``test_pred``, the test
    predictions of the latest evaluation.

    A run can pause after any epoch (``run(until_epoch=...)``) and go on later, in this process or,
    pickled without its data (``attach`` gives it back), in another: weights, optimiser state,
    random generator and records all carry over, so it ends exactly as an unpaused run would.
    """

    EVAL_FIELDS = ("eval_iteration", "eval_epoch", "train_loss", "train_error", "test_loss", "test_error")

    def __init__(self, config, dataset, *, on_eval=None, should_stop=None):
        # Seconds spent in finished stretches of work (a paused run has one), and when the current one began.
        self.elapsed, self.started = 0.0, time.perf_counter()
        self.config, self.dataset = config, dataset
        check_memory(config, dataset, EVAL_CHUNK)  # before anything of the size it checks is allocated
        self.on_eval, self.should_stop = on_eval, should_stop
        self.rng = np.random.default_rng(config.seed)
        self.train_x, self.test_x = normalized_inputs(config, dataset)
        self.network = build_network(config, self.train_x.shape[1], dataset.n_classes, self.rng)
        self.optimizer = make_optimizer(config.optimizer, config.lr, config.momentum)
        self.iterations_per_epoch = math.ceil(len(self.train_x) / config.batch_size)
        self.total = config.updates(self.iterations_per_epoch)
        self.snapshot_at = {}  # update -> stage (epochs); two stages that round to one update keep the first
        for stage in config.snapshot_stages:
            self.snapshot_at.setdefault(min(round(stage * self.iterations_per_epoch), self.total), stage)
        self.iteration = 0
        self.epochs_done = 0
        self.finished = False  # diverged, every update made, or cancelled: nothing more to run
        self.diverged = False
        self.batch_loss = np.empty(self.total, dtype=np.float32)
        self.evaluations = {name: [] for name in self.EVAL_FIELDS}
        self.stages, self.snapshots, self.snapshot_params = [], [], []
        self.test_pred = np.zeros(len(dataset.test_y), dtype=np.int64)

    def run(self, progress=True, until_epoch=None):
        """Evaluate and snapshot the untrained network, train and evaluate every epoch; the History.
        until_epoch: pause once that many epochs are done (a later call goes on from there)."""
        trained, evaluations = self.images_trained(), len(self.evaluations["eval_iteration"])
        if self.iteration == 0:
            self.evaluate()
            self.snapshot()
        stop = self.config.epochs if until_epoch is None else min(until_epoch, self.config.epochs)
        # Overflow on the way to divergence is expected; the loss check in run_epoch is what reports it.
        with (
            self.clock(),
            np.errstate(over="ignore", invalid="ignore"),
            tqdm(total=self.total, initial=self.iteration, desc="training", disable=not progress, leave=False) as bar,
        ):
            while self.epochs_done < stop and not self.finished:
                self.finished = not self.run_epoch(bar)
                self.epochs_done += 1
                self.evaluate()
        evaluated = (len(self.evaluations["eval_iteration"]) - evaluations) * (len(self.train_x) + len(self.test_x))
        work.record(self.images_trained() - trained, evaluated)
        return self.history()

    def images_trained(self):
        """Images trained on so far (``runs.work``)."""
        n = len(self.train_x)
        return work.images_trained(self.iteration, self.iterations_per_epoch, self.config.batch_size, n)

    @contextlib.contextmanager
    def clock(self):
        """Add the time spent inside to the run's seconds. The clock starts when the Trainer is made and
        stops between ``run`` calls, so a paused run's seconds leave out the pause."""
        if self.started is None:
            self.started = time.perf_counter()
        try:
            yield
        finally:
            self.elapsed += time.perf_counter() - self.started
            self.started = None

    def __getstate__(self):
        """What a paused run needs to go on elsewhere: no data (see ``attach``), no callbacks, and the
        network as its parameters (its buffers are scratch space, remade on the first step)."""
        state = dict(self.__dict__)
        for name in ("dataset", "train_x", "test_x", "on_eval", "should_stop", "network", "_params"):
            state.pop(name, None)
        state["params"] = self.network.params if self.network is not None else self._params  # detached: as it came
        return state

    def __setstate__(self, state):
        params = state.pop("params")
        self.__dict__.update(state)
        self.dataset = self.train_x = self.test_x = self.network = None
        self.on_eval = self.should_stop = None
        self._params = params

    def attach(self, dataset):
        """Give an unpickled run its data back (the same ``dataset`` it started on); returns self.
        A run that was never pickled still has its data: it is returned as it is."""
        if self.network is not None:
            return self
        self.dataset = dataset
        # Large arrays that came through joblib are read-only memory maps: the run writes into copies.
        self.batch_loss = np.array(self.batch_loss)
        for name, value in vars(self.optimizer).items():
            if isinstance(value, dict):  # the optimiser's state, one array per parameter
                setattr(self.optimizer, name, {key: np.array(array) for key, array in value.items()})
        self.train_x, self.test_x = normalized_inputs(self.config, dataset)
        # Weights drawn from a throwaway generator, then overwritten: the run's own generator must not move.
        self.network = build_network(self.config, self.train_x.shape[1], dataset.n_classes, np.random.default_rng(0))
        for key, value in self._params.items():
            np.copyto(self.network.params[key], value)
        del self._params
        return self

    def run_epoch(self, bar=None):
        """One pass over the training set; False when the run must stop here (diverged, all its updates
        made, or cancelled)."""
        config = self.config
        for loss in epoch_updates(
            self.network, self.optimizer, self.train_x, self.dataset.train_y, config.batch_size, self.rng
        ):
            self.batch_loss[self.iteration] = loss
            self.iteration += 1
            if not math.isfinite(loss):
                self.diverged = True
                return False
            if bar is not None:
                bar.update()
            if config.eval_every and self.iteration % config.eval_every == 0:
                self.evaluate()
            self.snapshot()
            if self.iteration >= self.total or (self.should_stop is not None and self.should_stop()):
                return False
        return True

    def evaluate(self):
        """Loss and error rate on the whole training and test sets, once per update count."""
        done = self.evaluations["eval_iteration"]
        if done and done[-1] == self.iteration:
            return
        train_loss, train_error, _ = evaluate(self.network, self.train_x, self.dataset.train_y)
        test_loss, test_error, self.test_pred = evaluate(self.network, self.test_x, self.dataset.test_y)
        values = (
            self.iteration,
            self.iteration / self.iterations_per_epoch,
            train_loss,
            train_error,
            test_loss,
            test_error,
        )
        for name, value in zip(self.EVAL_FIELDS, values, strict=False):
            self.evaluations[name].append(value)
        if self.on_eval is not None:
            self.on_eval(self.history())

    def snapshot(self):
        """Record the snapshot layer's outputs on the test set if a stage falls on this update."""
        stage = self.snapshot_at.get(self.iteration)
        if stage is None:
            return
        layer = self.config.snapshot_layer
        self.stages.append(stage)
        self.snapshots.append(
            np.concatenate(
                [
                    self.network.hidden_output(self.test_x[i : i + EVAL_CHUNK], layer)
                    for i in range(0, len(self.test_x), EVAL_CHUNK)
                ]
            ).astype(np.float32)
        )
        out = len(self.config.hidden) + 1
        self.snapshot_params.append((self.network.params[f"W{out}"].copy(), self.network.params[f"b{out}"].copy()))

    def history(self):
        """Everything recorded so far, as a History the caller owns (arrays copied)."""
        config, dataset = self.config, self.dataset
        width = config.hidden[config.snapshot_layer]
        evaluations = {
            name: np.asarray(values, dtype=np.int64 if name == "eval_iteration" else np.float64)
            for name, values in self.evaluations.items()
        }
        snapshots = (
            np.stack(self.snapshots) if self.snapshots else np.zeros((0, len(dataset.test_y), width), dtype=np.float32)
        )
        out = len(config.hidden) + 1
        weights, biases = (
            _stack([params[i] for params in self.snapshot_params], self.network.params[f"{key}{out}"])
            for i, key in enumerate("Wb")
        )
        return History(
            config=config,
            data_name=dataset.name,
            data_fingerprint=dataset.fingerprint,
            class_names=tuple(dataset.class_names),
            iterations_per_epoch=self.iterations_per_epoch,
            batch_loss=self.batch_loss[: self.iteration].copy(),
            **evaluations,
            snapshot_stages=np.asarray(self.stages, dtype=np.float64),
            snapshots=snapshots,
            snapshot_weights=weights,
            snapshot_biases=biases,
            test_pred=self.test_pred,
            params={k: v.copy() for k, v in self.network.params.items()},
            seconds=self.elapsed + (time.perf_counter() - self.started if self.started is not None else 0.0),
            diverged=self.diverged,
        )


def _stack(arrays, like):
    """The arrays stacked along a new first axis; none: an empty stack of arrays shaped like ``like``."""
    return np.stack(arrays) if arrays else np.zeros((0, *like.shape), dtype=like.dtype)
