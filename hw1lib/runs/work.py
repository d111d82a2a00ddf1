"""Training work, counted in images: how many images a build's trainings pushed through the network.

A process that sets ``HW1LIB_WORK_LOG`` to a file path (the report build does) gets one line appended
to it per training call, by itself and by every process it starts, since kernels and sweep workers
inherit its environment: the images trained on (forward and backward, one per image per epoch) and
the images evaluated (forward only: the whole training and test sets at every evaluation). Runs read
from the run cache cost nothing and write nothing. Unlike seconds, the counts do not depend on how
busy the machine is, so a change that saves work shows in them even on a noisy machine.

A worker of a Dask cluster does not inherit that environment (it may be on another machine), so the
sweep trains each run inside ``captured()`` and the process that dispatched it records the counts
the worker sends back (``search.sweep``), wherever the run was trained.
"""

import contextlib
import os
import pathlib
import threading

ENV = "HW1LIB_WORK_LOG"
_capture = threading.local()  # .rows: a list while captured() runs in this thread


def images_trained(iteration, iterations_per_epoch, batch_size, n_train):
    """Images a run has trained on after ``iteration`` updates (the last mini-batch of an epoch may be short)."""
    epochs, rest = divmod(iteration, iterations_per_epoch)
    return epochs * n_train + min(rest * batch_size, n_train)


def record(trained, evaluated):
    """Append one training call's counts to the work log, if this process has one (inside
    ``captured()``: to its list instead)."""
    rows = getattr(_capture, "rows", None)
    if rows is not None:
        if trained or evaluated:
            rows.append((trained, evaluated))
        return
    path = os.environ.get(ENV)
    if path and (trained or evaluated):
        with open(path, "a", encoding="ascii") as log:  # one short append per call: whole lines, any process
            log.write(f"{trained} {evaluated}\n")


@contextlib.contextmanager
def captured():
    """Collect this thread's ``record`` calls in the list it yields instead of writing them; a caller
    that sends them elsewhere (a worker to the process it trains for) passes them to ``record`` there."""
    outer = getattr(_capture, "rows", None)
    _capture.rows = rows = []
    try:
        yield rows
    finally:
        _capture.rows = outer


def total(path):
    """(training calls, images trained, images evaluated) summed over the log at ``path`` (zeros if none)."""
    path = pathlib.Path(path)
    if not path.exists():
        return 0, 0, 0
    rows = [tuple(map(int, line.split())) for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
    return len(rows), sum(r[0] for r in rows), sum(r[1] for r in rows)
