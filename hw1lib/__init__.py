"""hw1lib: a fully connected network written from scratch in NumPy, and the homework report built on it.

The flow is config -> run -> history -> figure:

    from hw1lib import RunConfig, load_dataset, cached_train
    data = load_dataset("mnist-5k")                # or a folder with train.npz / test.npz
    history = cached_train(RunConfig(hidden=(256, 2), epochs=20), data)
    history.test_error[-1]
"""

from .data import Dataset, load_dataset
from .errors import ConfigError, DataError, Hw1libError
from .nn import MLP
from .runs import History, RunConfig, cached_train, known_names, train

__all__ = [
    "MLP",
    "ConfigError",
    "DataError",
    "Dataset",
    "History",
    "Hw1libError",
    "RunConfig",
    "cached_train",
    "known_names",
    "load_dataset",
    "train",
]
