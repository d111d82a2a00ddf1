"""The training loop: mini-batch updates, periodic evaluation, latent snapshots -> History."""
import math
import time

import numpy as np
from tqdm.auto import tqdm

from .history import History
from .network import MLP
from .optimizers import make_optimizer

EVAL_CHUNK = 4096


def build_network(config, n_inputs, n_classes, rng, dtype=np.float32):
    """The untrained network ``config`` describes, its weights drawn from ``rng``."""
    return MLP(n_inputs, config.hidden, n_classes, activation=config.activation, init=config.init,
               init_std=config.init_std, rng=rng, dtype=dtype)


def normalized_inputs(config, dataset):
    """(train_x, test_x) as the network sees them, float32."""
    if config.normalize == "standardize":
        mean, std = float(dataset.train_x.mean()), float(dataset.train_x.std())
        scale = 1.0 / max(std, 1e-6)
        return ((dataset.train_x - mean) * scale).astype(np.float32), ((dataset.test_x - mean) * scale).astype(np.float32)
    return dataset.train_x, dataset.test_x


def evaluate(network, x, y):
    """(mean cross-entropy, error rate, predictions) of ``network`` on x (n, features), y (n,)."""
    losses, preds = [], []
    for start in range(0, len(x), EVAL_CHUNK):
        xb, yb = x[start:start + EVAL_CHUNK], y[start:start + EVAL_CHUNK]
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
        rows = order[begin:begin + batch_size]
        x = np.take(train_x, rows, axis=0, out=batch_x[:len(rows)], mode="clip")
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
    start_time = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    train_x, test_x = normalized_inputs(config, dataset)
    train_y, test_y = dataset.train_y, dataset.test_y
    network = build_network(config, train_x.shape[1], dataset.n_classes, rng)
    optimizer = make_optimizer(config.optimizer, config.lr, config.momentum)

    n, batch = len(train_x), config.batch_size
    per_epoch = math.ceil(n / batch)
    total = config.epochs * per_epoch
    if config.max_iterations is not None:
        total = min(total, config.max_iterations)
    snapshot_at = {}
    for stage in config.snapshot_stages:
        snapshot_at.setdefault(min(round(stage * per_epoch), total), stage)

    record = {k: [] for k in ("eval_iteration", "eval_epoch", "train_loss", "train_error", "test_loss", "test_error")}
    stages, snapshots, batch_loss = [], [], np.empty(total, dtype=np.float32)
    state = {"pred": np.zeros(len(test_y), dtype=np.int64), "diverged": False, "iteration": 0}

    def history():
        it = state["iteration"]
        width = config.hidden[config.snapshot_layer]
        return History(
            config=config, data_name=dataset.name, data_fingerprint=dataset.fingerprint,
            class_names=tuple(dataset.class_names), iterations_per_epoch=per_epoch,
            batch_loss=batch_loss[:it].copy(),
            **{k: np.asarray(v, dtype=np.int64 if k == "eval_iteration" else np.float64) for k, v in record.items()},
            snapshot_stages=np.asarray(stages, dtype=np.float64),
            snapshots=np.stack(snapshots) if snapshots else np.zeros((0, len(test_y), width), np.float32),
            test_pred=state["pred"], params={k: v.copy() for k, v in network.params.items()},
            seconds=time.perf_counter() - start_time, diverged=state["diverged"])

    def evaluate_now():
        it = state["iteration"]
        if record["eval_iteration"] and record["eval_iteration"][-1] == it:
            return
        train_loss, train_error, _ = evaluate(network, train_x, train_y)
        test_loss, test_error, state["pred"] = evaluate(network, test_x, test_y)
        for key, value in (("eval_iteration", it), ("eval_epoch", it / per_epoch), ("train_loss", train_loss),
                           ("train_error", train_error), ("test_loss", test_loss), ("test_error", test_error)):
            record[key].append(value)
        if on_eval is not None:
            on_eval(history())

    def snapshot_now():
        stage = snapshot_at.get(state["iteration"])
        if stage is not None:
            stages.append(stage)
            snapshots.append(np.concatenate([network.hidden_output(test_x[i:i + EVAL_CHUNK], config.snapshot_layer)
                                             for i in range(0, len(test_x), EVAL_CHUNK)]).astype(np.float32))

    evaluate_now()
    snapshot_now()
    bar = tqdm(total=total, desc="training", unit="it", disable=not progress, leave=False)
    # Overflow on the way to divergence is expected; the loss check below is what reports it.
    with np.errstate(over="ignore", invalid="ignore"):
        for _epoch in range(config.epochs):
            for loss in epoch_updates(network, optimizer, train_x, train_y, batch, rng):
                batch_loss[state["iteration"]] = loss
                state["iteration"] += 1
                if not math.isfinite(loss):
                    state["diverged"] = True
                    break
                bar.update()
                it = state["iteration"]
                if config.eval_every and it % config.eval_every == 0:
                    evaluate_now()
                snapshot_now()
                if it >= total or (should_stop is not None and should_stop()):
                    break
            else:
                evaluate_now()
                continue
            break
        bar.close()
        evaluate_now()
    return history()
