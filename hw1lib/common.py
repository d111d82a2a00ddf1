"""Helpers every part of the package shares: atomic writes, cache folders, number checks.

Each exists once here, so a download, a cached run, a figure and the PDF are all written the
same way, and "a whole number >= 1" is checked, and worded, the same way everywhere.
"""

import contextlib
import math
import numbers
import os
import pathlib
import tempfile

import platformdirs

from .errors import ConfigError

FILE_MODE = 0o644  # what a plain open() gives with the usual umask; mkstemp's files start at 0o600


@contextlib.contextmanager
def atomic_path(target):
    """Yield a fresh temporary path beside ``target``; on success rename it onto ``target``.

    The name is unique to this call (two processes writing the same target never share one) and
    keeps the target's suffix, so a writer that picks its format by extension still works. On any
    exception the temporary file is removed, so ``target`` is either its old self or complete.
    """
    target = pathlib.Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}")
    os.close(fd)
    try:
        yield pathlib.Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_file(target):
    """Yield a binary file open for writing; it replaces ``target`` (see ``atomic_path``) once complete."""
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        yield out
        out.flush()
        os.fsync(out.fileno())


def write_atomic(target, data):
    """Write the bytes (or UTF-8 text) ``data`` to ``target`` atomically; return the path."""
    with atomic_file(target) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return pathlib.Path(target)


def not_a_folder(folder):
    """Why ``folder`` cannot be (or become) a folder: '<path> is a file, not a folder' for the first part
    of its path that is a file, or None."""
    folder = pathlib.Path(folder)
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else f"{part} is a file, not a folder"
    return None


def write_problem(error, folder):
    """Why writing into ``folder`` failed with OSError ``error``, in words (a file in the way says so)."""
    return not_a_folder(folder) or error.strerror or str(error)


def cache_folder(variable, name):
    """``$variable`` if set, else the user cache folder of hw1lib + ``name`` (``~/.cache/hw1lib/name`` on Linux)."""
    value = os.environ.get(variable)
    if value:
        return pathlib.Path(value).expanduser()
    return pathlib.Path(platformdirs.user_cache_dir("hw1lib")) / name


def whole_number(name, value, minimum=None):
    """``value`` as an int if it is a whole number (>= ``minimum``), else ConfigError naming ``name``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise ConfigError(f"{name}: expected a whole number{_at_least(minimum)}, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}: expected a whole number{_at_least(minimum)}, got {value}")
    return value


def count(name, value):
    """``value`` if it is a whole number >= 1 (a count of trials, jobs, rows ...), else ConfigError."""
    return whole_number(name, value, minimum=1)


def finite_number(name, value, positive=False):
    """``value`` as a float if it is finite (and > 0 when ``positive``), else ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ConfigError(f"{name}: expected a number > 0, got {value}")
    return float(value)


def _at_least(minimum):
    return "" if minimum is None else f" >= {minimum}"
