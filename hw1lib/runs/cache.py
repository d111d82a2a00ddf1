"""The run cache: a finished History on disk, keyed by config + data, so nothing trains twice.

Files are ``.npz`` (no pickle) written to a temporary name and renamed into place, so a reader
never sees half a file. A cache folder that cannot be written (read-only, disk full) costs only
the caching: the run's result is still returned, with a warning.
"""

import hashlib

from ..common import cache_folder, write_atomic, write_problem
from ..errors import warn
from .history import FORMAT_VERSION, History
from .training import train


def cache_dir():
    """$HW1LIB_CACHE if set, else the user cache folder (e.g. ~/.cache/hw1lib/runs)."""
    return cache_folder("HW1LIB_CACHE", "runs")


def run_key(config, dataset):
    """Hex digest identifying a run: every hyperparameter, the data's fingerprint, the format."""
    text = f"{config.key()}|{dataset.fingerprint}|{FORMAT_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached_train(config, dataset, *, progress=True, use_cache=True, **train_kwargs):
    """``train(config, dataset)`` through the cache: a repeated call returns the saved History.

    A cancelled run (``should_stop`` returned True) is not saved, since it is not the run the
    config describes.
    """
    if use_cache:
        history = load_cached(config, dataset)
        if history is not None:
            return history
    history = train(config, dataset, progress=progress, **train_kwargs)
    if use_cache:
        store(history, dataset)
    return history


def load_cached(config, dataset):
    """The saved History of ``config`` on ``dataset`` (``from_cache`` set), or None if there is none."""
    path = _path(config, dataset)
    if not path.is_file():
        return None
    try:
        return History.from_file(path).replace(from_cache=True)
    except Exception:
        return None


def store(history, dataset):
    """Save a finished run of ``history.config`` on ``dataset``; True if it was written.

    Runs that were cut short are not saved (they are not the run their config describes);
    diverged runs are, since training them again diverges again.
    """
    complete = history.iterations >= history.config.updates(history.iterations_per_epoch) or history.diverged
    return complete and save_atomic(_path(history.config, dataset), history.to_bytes())


def _path(config, dataset):
    return cache_dir() / f"{run_key(config, dataset)}.npz"


def save_atomic(path, data):
    """Write ``data`` to ``path`` atomically; warn (not fail) if the cache folder cannot be written."""
    try:
        write_atomic(path, data)
        return True
    except OSError as error:
        warn(f"could not write cache file {path}: {write_problem(error, path.parent)}; continuing without caching")
        return False
