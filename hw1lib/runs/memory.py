"""How much memory a run needs, estimated before its network is allocated.

A hidden layer of ten million units asks for tens of GiB; without this check NumPy starts
allocating and fails with a traceback, or the machine starts swapping. The estimate counts what
training holds at its peak: the parameters with their gradients and the optimiser's state, the
arrays of one mini-batch and of one evaluation chunk, and the copies of the data the run makes.
"""

import itertools
import pathlib
from dataclasses import dataclass

import psutil

from ..errors import ConfigError

FLOAT32 = 4
# Arrays the optimiser keeps per parameter array: its state (velocity; Adam's two moments and two scratch arrays).
OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "adam": 4}
CGROUP = pathlib.Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class MemoryNeed:
    """Bytes a run needs beyond the dataset it is given, in three parts."""

    parameters: int  # weights and biases, their gradients, the optimiser's state, the History's copy
    activations: int  # one mini-batch's forward and backward arrays, one evaluation chunk's
    data: int  # standardised copies of the inputs, the recorded snapshots and losses
    n_parameters: int
    batch: int

    @property
    def total(self):
        return self.parameters + self.activations + self.data


def estimate(config, dataset, eval_chunk):
    """The MemoryNeed of training ``config`` on ``dataset``, evaluating ``eval_chunk`` images at a time."""
    sizes = (dataset.n_features, *config.hidden, dataset.n_classes)
    weights = [fan_in * fan_out for fan_in, fan_out in itertools.pairwise(sizes)]
    n_parameters = sum(weights) + sum(sizes[1:])
    n_train, n_test = len(dataset.train_y), len(dataset.test_y)
    # Weights, gradients, the optimiser's arrays and the History's copy in float32, plus the float64 array a
    # weight matrix is drawn in and a float32 temporary, both the size of the largest matrix.
    copies = 3 + OPTIMIZER_STATE.get(config.optimizer, 4)
    parameters = FLOAT32 * n_parameters * copies + (8 + FLOAT32) * max(weights)
    batch, chunk = min(config.batch_size, n_train), min(eval_chunk, max(n_train, n_test))
    # A training batch: its gathered inputs, and every layer's forward and backward buffers. An evaluation
    # chunk: every layer's output, the copy each layer keeps for a backward pass, and an activation's
    # temporaries; then one predicted class (int64) per image, in chunks and joined.
    activations = FLOAT32 * (
        batch * dataset.n_features + 2 * batch * sum(sizes[1:]) + 3 * chunk * sum(sizes[1:])
    ) + 2 * 8 * max(n_train, n_test)
    inputs = dataset.train_x.nbytes + dataset.test_x.nbytes
    snapshots = FLOAT32 * len(config.snapshot_stages) * n_test * config.hidden[config.snapshot_layer]
    losses = FLOAT32 * config.updates(-(-n_train // config.batch_size))
    data = (inputs if config.normalize == "standardize" else 0) + snapshots + losses
    return MemoryNeed(parameters, activations, data, n_parameters, batch)


def available_bytes():
    """Memory this process can still get: the system's available memory, or less under a cgroup limit."""
    available = psutil.virtual_memory().available
    try:
        limit = (CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            available = min(available, int(limit) - int((CGROUP / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return max(available, 0)


def size_text(n_bytes):
    """Bytes as '1.5 GiB' or '300.0 MiB'."""
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:,.1f} MiB"


def check_memory(config, dataset, eval_chunk):
    """ConfigError, with the numbers, if training ``config`` on ``dataset`` needs more memory than is available."""
    need, available = estimate(config, dataset, eval_chunk), available_bytes()
    if need.total <= available:
        return need
    advice = {
        need.parameters: "use fewer or smaller hidden layers",
        need.activations: "use fewer hidden units or a smaller batch size",
        need.data: "use less data or fewer snapshot stages",
    }[max(need.parameters, need.activations, need.data)]
    raise ConfigError(
        f"hidden {config.hidden_label()}: training needs about {size_text(need.total)} of memory "
        f"({size_text(need.parameters)} for {need.n_parameters:,} parameters with their gradients and optimiser "
        f"state, {size_text(need.activations)} for batches of {need.batch} and evaluation, "
        f"{size_text(need.data)} for copies of the data) but {size_text(available)} is available; {advice}"
    )
