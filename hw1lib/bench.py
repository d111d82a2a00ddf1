"""Training throughput of hw1lib beside PyTorch and scikit-learn, and the bound the machine's BLAS sets.

One epoch of a 784-H-10 ReLU network with plain SGD in float32 is timed for each implementation
that is installed, in one process, the implementations interleaved over several rounds (their
order turning each round) and the best round kept, because a shared machine's timings swing.

The bound: a training step costs about 6 FLOP per parameter and sample (2 forward, 2 for the
weight gradient, 2 for the input gradient), nearly all of it in matrix products, so no
implementation can train faster than ``sgemm rate / (6 x parameters)`` samples per second,
except by skipping work: hw1lib and PyTorch skip the first layer's input gradient, which is
why more than 1.0 of the bound is possible.
"""

import itertools
import os
import time
import tracemalloc
import warnings

import numpy as np

from .common import count
from .data.datasets import DIGITS, Dataset, load_dataset
from .nn.optimizers import make_optimizer
from .runs.config import RunConfig
from .runs.memory import check_memory
from .runs.training import EVAL_CHUNK, build_network, epoch_updates, train

SYNTHETIC_SHAPE = (60_000, 784)
SYNTHETIC_TEST = 10_000
BATCH_SIZES = (128, 1024)
ROUNDS = 5
LR = 0.01  # small enough that no implementation diverges on random data
SGEMM_SIZE = 2048
SGEMM_CALLS = 3  # per round
PAUSE = 0.3  # seconds before each timed epoch
IMPLS = ("hw1lib", "torch", "sklearn")


def synthetic_dataset(n_train=SYNTHETIC_SHAPE[0], n_features=SYNTHETIC_SHAPE[1], n_test=SYNTHETIC_TEST, seed=0):
    """Uniform [0, 1) float32 pixels with random labels 0-9: (n_train, n_features) train, (n_test, ...) test."""
    rng = np.random.default_rng(seed)
    return Dataset(
        name=f"synthetic {n_train:,} x {n_features}",
        class_names=DIGITS,
        fingerprint=f"synthetic-{seed}",
        train_x=rng.random((n_train, n_features), dtype=np.float32),
        train_y=rng.integers(0, len(DIGITS), n_train),
        test_x=rng.random((n_test, n_features), dtype=np.float32),
        test_y=rng.integers(0, len(DIGITS), n_test),
    )


def parameter_count(n_inputs, hidden, n_classes):
    """Weights and biases of an n_inputs-hidden-n_classes network."""
    return (n_inputs + 1) * hidden + (hidden + 1) * n_classes


def sgemm_seconds(a, b, out):
    """Seconds of one float32 product a @ b into ``out``."""
    start = time.perf_counter()
    np.matmul(a, b, out=out)
    return time.perf_counter() - start


def blas_description():
    """E.g. 'openblas 0.3.31 (Haswell kernels, 2 threads)', or 'unknown' without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    for pool in threadpool_info():
        if pool.get("user_api") == "blas" and "numpy" in pool.get("filepath", ""):
            return (
                f"{pool['internal_api']} {pool['version']} ({pool.get('architecture', '?')} kernels, "
                f"{pool['num_threads']} threads)"
            )
    return "unknown"


def hw1lib_runner(dataset, hidden):
    """A function batch_size -> seconds of one hw1lib training epoch (the same code ``train`` runs)."""
    x, y = dataset.train_x, dataset.train_y
    seeds = itertools.count()

    def run(batch_size):
        rng = np.random.default_rng(next(seeds))
        network = build_network(RunConfig(hidden=(hidden,)), x.shape[1], dataset.n_classes, rng)
        optimizer = make_optimizer("sgd", LR)
        start = time.perf_counter()
        for _loss in epoch_updates(network, optimizer, x, y, batch_size, rng):
            pass
        return time.perf_counter() - start

    return run


def torch_runner(dataset, hidden):
    """The same epoch in PyTorch: torch.nn layers, torch.optim.SGD, a fresh permutation each epoch."""
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    x, y = torch.from_numpy(dataset.train_x), torch.from_numpy(dataset.train_y)
    n = len(x)

    def run(batch_size):
        model = nn.Sequential(nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, dataset.n_classes))
        optimizer = torch.optim.SGD(model.parameters(), lr=LR)
        loss_fn = nn.CrossEntropyLoss()
        start = time.perf_counter()
        order = torch.randperm(n)
        for begin in range(0, n, batch_size):
            rows = order[begin : begin + batch_size]  # gathered per batch: faster here than one gather per epoch
            optimizer.zero_grad()
            loss = loss_fn(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    return run


def sklearn_runner(dataset, hidden):
    """The same epoch in scikit-learn: MLPClassifier(solver="sgd", max_iter=1), plain SGD, no L2 penalty."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    x, y = dataset.train_x, dataset.train_y
    seeds = itertools.count()

    def run(batch_size):
        model = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            activation="relu",
            solver="sgd",
            batch_size=batch_size,
            learning_rate_init=LR,
            momentum=0.0,
            alpha=0.0,
            max_iter=1,
            shuffle=True,
            random_state=next(seeds),
        )
        with warnings.catch_warnings():
            # One epoch is the point here; "not converged after 1 iteration" is expected.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(x, y)
            return time.perf_counter() - start

    return run


RUNNERS = {"hw1lib": hw1lib_runner, "torch": torch_runner, "sklearn": sklearn_runner}


def peak_epoch_memory(dataset, hidden, batch_size):
    """Peak memory of ``train`` for one epoch (evaluations included), measured with tracemalloc.

    NumPy reports its array buffers to tracemalloc, so the traced peak is what training
    allocates on top of the dataset, which is already in memory; the peak counts both.
    """
    config = RunConfig(hidden=(hidden,), batch_size=batch_size, epochs=1, lr=LR)
    data_bytes = sum(a.nbytes for a in (dataset.train_x, dataset.train_y, dataset.test_x, dataset.test_y))
    tracemalloc.start()
    try:
        train(config, dataset, progress=False)
        traced_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    peak = data_bytes + traced_peak
    return {
        "method": "tracemalloc",
        "batch_size": batch_size,
        "data_bytes": data_bytes,
        "peak_bytes": peak,
        "peak_over_data": peak / data_bytes,
    }


def check_options(hidden, batch_sizes, rounds):
    """ConfigError naming the first bad option; the hidden and batch sizes get training's own checks."""
    for batch_size in batch_sizes:
        RunConfig(hidden=(hidden,), batch_size=batch_size)
    count("rounds", rounds)


def run_benchmark(dataset, hidden=256, batch_sizes=BATCH_SIZES, rounds=ROUNDS):
    """Time one training epoch per implementation and batch size; return the JSON-ready result dict."""
    check_options(hidden, batch_sizes, rounds)
    check_memory(RunConfig(hidden=(hidden,), batch_size=max(batch_sizes)), dataset, EVAL_CHUNK)
    runners, skipped = {}, {}
    for impl in IMPLS:
        try:
            runners[impl] = RUNNERS[impl](dataset, hidden)
        except ImportError as error:
            skipped[impl] = f"not installed ({error})"
    rng = np.random.default_rng(0)
    a, b = (rng.random((SGEMM_SIZE, SGEMM_SIZE), dtype=np.float32) for _ in range(2))
    product = np.empty_like(a)
    best_sgemm = float("inf")
    best = {(impl, batch_size): float("inf") for impl in runners for batch_size in batch_sizes}
    for round_ in range(rounds):
        best_sgemm = min(best_sgemm, *(sgemm_seconds(a, b, product) for _ in range(SGEMM_CALLS)))
        order = list(runners)
        order = order[round_ % len(order) :] + order[: round_ % len(order)]
        for batch_size in batch_sizes:
            for impl in order:
                # Idle BLAS and OpenMP threads of the previous run spin for a while before they
                # sleep; a pause keeps them from taking a core from the next implementation.
                time.sleep(PAUSE)
                best[impl, batch_size] = min(best[impl, batch_size], runners[impl](batch_size))
    n, n_inputs = dataset.train_x.shape
    parameters = parameter_count(n_inputs, hidden, dataset.n_classes)
    sgemm_gflops = 2 * SGEMM_SIZE**3 / best_sgemm / 1e9
    result = {
        "data": dataset.name,
        "samples": n,
        "layers": [n_inputs, hidden, dataset.n_classes],
        "parameters": parameters,
        "rounds": rounds,
        "threads": os.cpu_count() or 1,
        "blas": blas_description(),
        "sgemm_size": SGEMM_SIZE,
        "sgemm_gflops": sgemm_gflops,
        "flop_per_sample": 6 * parameters,
        "bound_samples_per_s": sgemm_gflops * 1e9 / (6 * parameters),
        "results": [
            {"impl": impl, "batch_size": batch_size, "samples_per_s": n / best[impl, batch_size]}
            for batch_size in batch_sizes
            for impl in runners
        ],
        "skipped": skipped,
        "memory": peak_epoch_memory(dataset, hidden, batch_sizes[0]),
    }
    return result


def format_report(result):
    """The text form: throughput per batch size and the ratios hw1lib/torch, hw1lib/sklearn, hw1lib/bound."""
    rate = {(r["impl"], r["batch_size"]): r["samples_per_s"] for r in result["results"]}
    impls = [impl for impl in IMPLS if any(key[0] == impl for key in rate)]
    peers = [impl for impl in ("torch", "sklearn") if impl in impls]
    bound = result["bound_samples_per_s"]
    layers = "-".join(map(str, result["layers"]))
    lines = [
        f"data     {result['data']}, {layers} relu, SGD, float32; best of {result['rounds']} interleaved rounds",
        f"blas     {result['blas']}; sgemm {result['sgemm_size']}^3 best call {result['sgemm_gflops']:.1f} GFLOP/s",
        f"bound    6 x {result['parameters']:,} parameters = {result['flop_per_sample'] / 1e6:.2f} MFLOP/sample "
        f"-> {bound:,.0f} samples/s",
        "",
        "samples/s"
        + "".join(f"{impl:>11}" for impl in impls)
        + "".join(f"{'hw1lib/' + p:>16}" for p in peers)
        + f"{'hw1lib/bound':>14}",
    ]
    for batch_size in dict.fromkeys(r["batch_size"] for r in result["results"]):
        mine = rate[("hw1lib", batch_size)]
        lines.append(
            f"batch {batch_size:<4}"
            + "".join(f"{rate[impl, batch_size]:11,.0f}" for impl in impls)
            + "".join(f"{mine / rate[p, batch_size]:16.2f}" for p in peers)
            + f"{mine / bound:14.2f}"
        )
    memory = result["memory"]
    lines += [
        "",
        f"memory   one epoch of train() at batch {memory['batch_size']}: peak "
        f"{memory['peak_bytes'] / 2**20:,.0f} MiB = {memory['peak_over_data']:.2f} x the data "
        f"({memory['data_bytes'] / 2**20:,.0f} MiB), measured with {memory['method']}",
    ]
    for impl, reason in result["skipped"].items():
        lines.append(f"skipped  {impl}: {reason}")
    return "\n".join(lines)


def load_bench_data(spec):
    """The synthetic 60,000 x 784 set when ``spec`` is None, else ``load_dataset(spec)``."""
    return synthetic_dataset() if spec is None else load_dataset(spec)
