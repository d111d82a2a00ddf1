"""What a training run leaves behind: curves, latent snapshots, final predictions and weights.

Saved as one ``.npz`` (arrays) with the scalars and config as JSON inside it, never pickled.
"""

import dataclasses
import io
import json
import math
from dataclasses import dataclass, field

import numpy as np

from .config import RunConfig

FORMAT_VERSION = 1
_ARRAYS = (
    "batch_loss",
    "eval_iteration",
    "eval_epoch",
    "train_loss",
    "train_error",
    "test_loss",
    "test_error",
    "snapshot_stages",
    "snapshots",
    "test_pred",
)
# Recorded since files of this format were first written: a file without them still loads, with none.
_LATER_ARRAYS = {"snapshot_weights": (0, 0, 0), "snapshot_biases": (0, 0)}


@dataclass
class History:
    """The record of one run.

    batch_loss: (iterations,) loss of each mini-batch as it was trained on.
    eval_*: one entry per evaluation (before training, every ``eval_every`` updates, end of
        every epoch): iteration, epoch (fractional), loss and error rate on the whole training
        and test sets.
    snapshot_stages: (stages,) epochs at which ``snapshots`` (stages, n_test, width) recorded the
        outputs of hidden layer ``config.snapshot_layer`` on the test set.
    test_pred: (n_test,) final predicted classes; params: final weights by name (W1, b1, ...).
    snapshot_weights, snapshot_biases: (stages, last hidden width, n_classes) and (stages, n_classes),
        the output layer's weights at the same stages, so the classes it assigns to any point of a
        2-D latent layer can be drawn as they were then. Empty (0 stages) in files written before
        they were recorded.
    """

    config: RunConfig
    data_name: str
    data_fingerprint: str
    class_names: tuple
    iterations_per_epoch: int
    batch_loss: np.ndarray
    eval_iteration: np.ndarray
    eval_epoch: np.ndarray
    train_loss: np.ndarray
    train_error: np.ndarray
    test_loss: np.ndarray
    test_error: np.ndarray
    snapshot_stages: np.ndarray
    snapshots: np.ndarray
    test_pred: np.ndarray
    params: dict
    seconds: float
    diverged: bool
    snapshot_weights: np.ndarray = field(default_factory=lambda: np.zeros(_LATER_ARRAYS["snapshot_weights"]))
    snapshot_biases: np.ndarray = field(default_factory=lambda: np.zeros(_LATER_ARRAYS["snapshot_biases"]))
    from_cache: bool = field(default=False, compare=False)

    @property
    def iterations(self):
        return len(self.batch_loss)

    @property
    def epochs_run(self):
        return float(self.eval_epoch[-1]) if len(self.eval_epoch) else 0.0

    @property
    def final_train_error(self):
        return float(self.train_error[-1])

    @property
    def final_test_error(self):
        return float(self.test_error[-1])

    @property
    def final_loss(self):
        """Training-set loss at the last evaluation (NaN or inf when the run diverged)."""
        return float(self.train_loss[-1])

    def summary(self):
        """The JSON-ready result of the run: config, final errors, loss, time, divergence."""
        return {
            "config": self.config.to_dict(),
            "data": self.data_name,
            "train_error": _json_number(self.final_train_error),
            "test_error": _json_number(self.final_test_error),
            "final_loss": _json_number(self.final_loss),
            "epochs": self.epochs_run,
            "iterations": self.iterations,
            "seconds": round(self.seconds, 3),
            "diverged": self.diverged,
            "cached": self.from_cache,
        }

    def to_bytes(self):
        """The whole history as the bytes of an ``.npz`` file."""
        meta = {
            "format": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "data_name": self.data_name,
            "data_fingerprint": self.data_fingerprint,
            "class_names": list(self.class_names),
            "iterations_per_epoch": self.iterations_per_epoch,
            "seconds": self.seconds,
            "diverged": self.diverged,
        }
        arrays = {name: getattr(self, name) for name in (*_ARRAYS, *_LATER_ARRAYS)}
        arrays.update({f"param_{k}": v for k, v in self.params.items()})
        arrays["meta_json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_file(cls, path):
        """Read a history written by ``to_bytes``; raises ValueError/OSError/KeyError if it is not one."""
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta_json"].tobytes().decode())
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"history format {meta.get('format')} is not {FORMAT_VERSION}")
            arrays = {name: npz[name] for name in _ARRAYS}
            arrays.update(
                {
                    name: npz[name] if name in npz.files else np.zeros(shape, np.float32)
                    for name, shape in _LATER_ARRAYS.items()
                }
            )
            params = {k[len("param_") :]: npz[k] for k in npz.files if k.startswith("param_")}
        return cls(
            config=RunConfig.from_dict(meta["config"]),
            data_name=meta["data_name"],
            data_fingerprint=meta["data_fingerprint"],
            class_names=tuple(meta["class_names"]),
            iterations_per_epoch=meta["iterations_per_epoch"],
            params=params,
            seconds=meta["seconds"],
            diverged=meta["diverged"],
            **arrays,
        )

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


def _json_number(value):
    """JSON has no NaN or infinity: a diverged run reports null."""
    return value if math.isfinite(value) else None
