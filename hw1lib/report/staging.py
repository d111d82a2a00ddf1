"""The report is built into a staging folder beside ``--out`` and swapped in only once it is whole.

Whatever stops a build (Ctrl-C, SIGTERM, a failing cell, a dead kernel, a full disk) stops it
before the swap, so the previous report in ``--out`` stays as it was, byte for byte; the staging
folder keeps the partial notebooks for debugging. The staging folder is a sibling of ``--out``,
so it is on the same file system and every move is a rename. The swap moves the report's own
entries only (other files in ``--out`` are the user's) and runs with SIGINT and SIGTERM blocked.

A staging folder whose build was killed outright (kill -9) is removed by the next build into the
same ``--out``: that build holds the folder's lock, so no other build can still be using it.
"""

import contextlib
import os
import pathlib
import shutil
import signal

PREFIX = ".hw1lib-staging-"


def _pattern(out):
    return f".{out.name}{PREFIX}"


def leftover_staging(out):
    """Staging folders of earlier builds into ``out`` (call while holding ``out``'s lock)."""
    out = pathlib.Path(out)
    return sorted(p for p in out.parent.glob(f"{_pattern(out)}*") if p.is_dir())


def remove_leftovers(out, log):
    """Remove the staging folders earlier builds into ``out`` left behind, naming each."""
    for folder in leftover_staging(out):
        shutil.rmtree(folder, ignore_errors=True)
        log(f"  removed {folder}, left by an earlier build that did not finish")


def new_staging(out):
    """A fresh, empty staging folder beside ``out``."""
    out = pathlib.Path(out)
    folder = out.parent / f"{_pattern(out)}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the block ends (a swap is never left half done by them)."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def swap_in(staging, out, names):
    """Replace the entries ``names`` of ``out`` by those of ``staging``, then remove ``staging``.

    The old entries move into ``staging`` first (renames, on one file system); an entry the new
    report lacks is removed, so nothing of an earlier report passes for this one.
    """
    staging, out = pathlib.Path(staging), pathlib.Path(out)
    old = staging / ".previous"
    with signals_held():
        old.mkdir()
        for name in names:
            if (out / name).exists() or (out / name).is_symlink():
                os.rename(out / name, old / name)
        for name in names:
            if (staging / name).exists():
                os.rename(staging / name, out / name)
    shutil.rmtree(staging, ignore_errors=True)
