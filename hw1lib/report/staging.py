"""The report is built into a staging folder beside ``--out`` and swapped in only once it is whole.

Whatever stops a build (Ctrl-C, SIGTERM, a failing cell, a dead kernel, a full disk) stops it
before the swap, so the previous report in ``--out`` stays as it was, byte for byte; the staging
folder keeps the partial notebooks for debugging. The staging folder is a sibling of ``--out``,
so it is on the same file system and every move is a rename. The swap moves the report's own
entries only (other files in ``--out`` are the user's) and runs with SIGINT and SIGTERM blocked.

Only a kill -9 (or a power cut) can stop the swap itself. So before its first move the swap
writes a journal into the staging folder (atomically: it is there whole or not at all) naming
the entries of the previous report and of the new one; the old entries move into the staging
folder's ``.previous``, then the new ones into ``--out``, then the journal is removed. The next
build into the same ``--out`` holds the folder's lock, so no other build can still be using a
staging folder it finds, and it settles each one before anything else:

* no journal: the build was killed before its swap began, and ``--out`` holds the previous
  report untouched; the folder is removed;
* a journal, and every new entry already moved into ``--out``: the swap had done its moves, and
  the folder (the previous report's entries) is removed, leaving the new report;
* a journal, and some new entry still in the staging folder: the moves are undone (new entries
  back into the staging folder, old ones back into ``--out``), restoring the previous report
  whole, and the folder is removed.

Each of these steps is a rename that the rules above can resume from, so a kill during the
settling is settled in turn by the run after. Every point of the swap thus ends, once the next
build has started, with the whole previous report or the whole new one in ``--out``.
"""

import contextlib
import json
import os
import pathlib
import shutil
import signal

from ..common import write_atomic
from .execution import ReportError

PREFIX = ".hw1lib-staging-"
JOURNAL = ".swap.json"  # in the staging folder while its swap is under way
PREVIOUS = ".previous"  # in the staging folder: the previous report's entries, moved aside
# Test hook, read here only: the process SIGKILLs itself at the swap's (or the settling's) N-th step.
KILL_AT_STEP = "HW1LIB_TEST_KILL_AT_SWAP_STEP"


class SwapError(ReportError):
    """A staging folder whose interrupted swap cannot be settled without losing a report."""


def _pattern(out):
    return f".{out.name}{PREFIX}"


def leftover_staging(out):
    """Staging folders of earlier builds into ``out`` (call while holding ``out``'s lock)."""
    out = pathlib.Path(out)
    return sorted(p for p in out.parent.glob(f"{_pattern(out)}*") if p.is_dir())


def remove_leftovers(out, log):
    """Settle and remove the staging folders earlier builds into ``out`` left behind, one line for each.

    A folder whose swap was interrupted first has the swap undone or finished (see the module's
    text); SwapError, naming the folder and keeping it, if that cannot be done.
    """
    out = pathlib.Path(out)
    for folder in leftover_staging(out):
        try:
            settled, moved = settle(folder, out)
        except OSError as error:
            raise SwapError(
                f"cannot settle {folder}, left by a build killed while swapping its report into {out} "
                f"({error.strerror or error}); it is kept: fix that, then run again"
            ) from None
        shutil.rmtree(folder, ignore_errors=True)
        if settled == "restored" and moved:
            log(
                f"  restored the previous report in {out} ({moved} of its entries moved back from {folder}, where a "
                f"build killed during its swap had put them) and removed {folder}"
            )
        elif settled == "restored":
            log(
                f"  removed {folder}, left by a build killed as its swap began, before any of the previous "
                f"report in {out} had moved"
            )
        elif settled == "finished":
            log(
                f"  kept the new report in {out}, which a build killed at the end of its swap had moved in "
                f"whole, and removed {folder}, which held the previous one"
            )
        else:
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
    report lacks is removed, so nothing of an earlier report passes for this one. A journal
    written before the first move lets the next build settle a swap that a kill -9 cut short.
    A swap that fails (a full disk cannot hold the journal) is undone at once: SwapError, in one
    line, says which report ``out`` holds.
    """
    staging, out = pathlib.Path(staging), pathlib.Path(out)
    previous = staging / PREVIOUS
    with signals_held():
        _step()
        old = [name for name in names if os.path.lexists(out / name)]
        new = [name for name in names if os.path.lexists(staging / name)]
        if not new:
            raise ValueError(f"{staging} holds none of the report's entries {', '.join(names)}")
        try:
            previous.mkdir()
            write_atomic(staging / JOURNAL, json.dumps({"old": old, "new": new}))
            _sync_folder(staging)
            _step()
            for name in old:
                os.rename(out / name, previous / name)
                _step()
            for name in new:
                os.rename(staging / name, out / name)
                _step()
            os.unlink(staging / JOURNAL)  # the new report is whole in out: nothing is left to undo
            _step()
        except OSError as error:
            raise _undone(staging, out, error) from None
    shutil.rmtree(staging, ignore_errors=True)


def _undone(staging, out, error):
    """The SwapError for a swap that failed with ``error``, once its moves are undone (if they can be)."""
    problem = error.strerror or str(error)
    try:
        settled, _moved = settle(staging, out)
    except (OSError, SwapError):
        return SwapError(
            f"could not swap the new report into {out} ({problem}), nor undo the swap; the next build into "
            f"{out} restores the previous report from {staging}"
        )
    if settled == "finished":  # only the journal's removal failed: the new report is whole in out
        return SwapError(f"the new report is in {out}, but {staging} could not be cleaned up ({problem})")
    with contextlib.suppress(OSError):
        (staging / PREVIOUS).rmdir()
    return SwapError(
        f"could not swap the new report into {out} ({problem}); the previous report in {out} is unchanged, "
        f"and the new one is in {staging}"
    )


def settle(staging, out):
    """Settle the swap of ``staging`` into ``out`` if one was under way, leaving ``staging`` safe to remove.

    Returns (None, 0) if ``staging`` has no journal (its build never began its swap, or finished
    it); ("finished", 0) if every new entry had already moved into ``out`` (the new report stays);
    ("restored", number of the previous report's entries moved back) if the moves were undone, so
    that the previous report is back in ``out``, whole.
    """
    staging, out = pathlib.Path(staging), pathlib.Path(out)
    journal = staging / JOURNAL
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        old, new = list(entries["old"]), list(entries["new"])
    except FileNotFoundError:
        return None, 0
    except (ValueError, KeyError, TypeError) as error:  # it is written atomically, so this is not ours
        raise SwapError(f"{journal}: not a journal of hw1lib's ({error}); {staging} is kept") from None
    previous = staging / PREVIOUS
    with signals_held():
        # A new entry missing from the staging folder was moved into out, and the new entries
        # start moving only once every old entry is in .previous: all gone means all moves done.
        if all(not os.path.lexists(staging / name) for name in new):
            os.unlink(journal)
            _step()
            return "finished", 0
        for name in new:  # the new entries already in out go back
            if not os.path.lexists(staging / name) and os.path.lexists(out / name):
                os.rename(out / name, staging / name)
                _step()
        moved = 0
        for name in old:  # then the previous report's entries return to out
            if os.path.lexists(previous / name):
                if os.path.lexists(out / name):
                    raise SwapError(
                        f"cannot restore the previous report's {name} from {previous}: {out / name} is in the "
                        f"way; move one of them, then run again ({staging} is kept)"
                    )
                os.rename(previous / name, out / name)
                moved += 1
                _step()
        os.unlink(journal)
        _step()
    return "restored", moved


def _sync_folder(folder):
    """Make the entries of ``folder`` (the journal's rename) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_steps = 0


def _step():
    """Count a step of a swap or a settling; with the test hook set, SIGKILL this process at the N-th."""
    global _steps
    _steps += 1
    if os.environ.get(KILL_AT_STEP) == str(_steps):
        os.kill(os.getpid(), signal.SIGKILL)
