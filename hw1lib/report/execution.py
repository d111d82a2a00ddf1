"""Running the report's notebooks: one with papermill (``execute``), all four in order of need (``execute_all``).

A cell tagged ``widget`` is not run. A cell tagged ``training`` marks where a notebook's training
ends: notebooks listed in ``AFTER`` start once that cell has run.
"""

import concurrent.futures
import contextlib
import logging
import pathlib
import queue
import time

from ..errors import Hw1libError, one_line

NOTEBOOKS = ("01_models.ipynb", "02_initialization.ipynb", "03_latent.ipynb", "04_confusion.ipynb")
TRAINING_TAG = "training"  # the cell after which a notebook trains nothing more
# Notebooks that start only once another notebook's training is done (its cell tagged TRAINING_TAG
# has run, or the notebook has ended). Question 4 draws the main model that the validation sweep of
# question 1 chooses, from the run cache (training it twice at the same time would waste the time
# parallelism saves). Questions 2 and 3 wait too: the sweep, most of the report's training, runs
# its trials on all cores, and measured cold builds finished sooner when it had them to itself than
# with two more notebooks competing for them. They need not wait for question 1's figures.
AFTER = dict.fromkeys(("02_initialization.ipynb", "03_latent.ipynb", "04_confusion.ipynb"), "01_models.ipynb")
# Kernels use one BLAS thread: these matrices are small, and on a shared machine a multi-threaded
# BLAS that waits for a busy core is up to ten times slower than a single thread.
KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


class ReportError(Hw1libError):
    """A notebook failed, or the report could not be written."""


def notebooks_dir():
    """The repository's ``notebooks/`` folder, next to the ``hw1lib`` package."""
    folder = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
    if not (folder / NOTEBOOKS[0]).is_file():
        raise ReportError(
            f"notebooks folder {folder} not found; run the report from a clone of the repository "
            f"(pip install -e .) or pass --notebooks DIR"
        )
    return folder


def execute(source, target, parameters, on_tag=None):
    """Run one notebook with papermill; a failing cell becomes a one-line ReportError naming it.

    Cells tagged ``widget`` are not run (see the module's docstring). ``on_tag(tag)`` is called, in
    papermill's thread, for each tag of every cell that has run without an error.

    The kernel starts in the process's working folder: papermill's own ``cwd`` option changes the
    working folder of the whole process, which races when notebooks run in threads side by side.
    Once every cell has run, the kernel is stopped at once rather than asked to shut down: an
    ipykernel asked to shut down often takes the full grace period (2.5 s) to exit, with nothing
    left for it to do (each notebook's worker processes have already been released).
    """
    import papermill
    from nbclient.exceptions import DeadKernelError

    def cell_executed(cell, cell_index, execute_reply):  # nbclient's hook: every cell that has run
        if on_tag is not None and execute_reply.get("content", {}).get("status") == "ok":
            for tag in cell.metadata.get("tags", ()):
                on_tag(tag)

    accepted = papermill.inspect_notebook(str(source))
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in parameters.items() if k in accepted},
            kernel_name="python3",
            progress_bar=False,
            shutdown_kernel="immediate",
            # Written when the notebook ends or fails (and every 30 s of a long cell),
            # not re-serialised, figures and all, after each of its cells.
            request_save_on_cell_execute=False,
            skip_cells_with_tag="widget",
            on_cell_executed=cell_executed,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except DeadKernelError as error:
        raise ReportError(
            f"notebook {source.name}: its kernel died ({one_line(error)}), killed or out of memory "
            f"(the partly executed notebook is {target})"
        ) from None
    except papermill.PapermillExecutionError as error:
        first_line = next((line.strip() for line in error.source.splitlines() if line.strip()), "")
        raise ReportError(
            f"notebook {source.name} failed in cell [{error.exec_count}] `{first_line}`: "
            f"{error.ename}: {one_line(error.evalue)} (the partly executed notebook is {target})"
        ) from None


def execute_all(folder, out, parameters, jobs, log):
    """Run every notebook, up to ``jobs`` at a time, respecting ``AFTER``; return {name: seconds}.

    A notebook named in ``AFTER`` starts once the cell tagged ``TRAINING_TAG`` of the notebook it
    waits for has run, or once that notebook has ended (failed, or without such a cell).
    A failure does not stop the others; the first failing notebook (in ``NOTEBOOKS`` order) is raised
    once all have stopped, so everything that could be written is.
    """
    events = queue.SimpleQueue()  # (name, tag) when a tagged cell has run; (name, seconds or error) at its end

    def run(name):
        begin = time.perf_counter()
        try:
            execute(folder / name, out / "notebooks" / name, parameters, on_tag=lambda tag: events.put((name, tag)))
        except BaseException as error:
            events.put((name, error))
            return
        seconds = time.perf_counter() - begin
        log(f"  {name:<26}{seconds:6.1f} s")
        events.put((name, seconds))

    timings, failures, unexpected, trained = {}, {}, [], set()
    waiting, running = list(NOTEBOOKS), 0
    with (
        contextlib.chdir(folder),
        _quiet_papermill(),
        concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool,
        _kernels_stopped_on_interrupt(pool),
    ):
        while waiting or running:
            for name in [n for n in waiting if n not in AFTER or AFTER[n] in trained]:
                waiting.remove(name)
                pool.submit(run, name)  # the pool starts it when one of its ``jobs`` threads is free
                running += 1
            try:
                name, what = events.get(timeout=1)  # a timeout keeps Ctrl-C working while it waits
            except queue.Empty:
                continue
            if what == TRAINING_TAG:
                trained.add(name)
            elif isinstance(what, str):
                continue
            else:
                running -= 1
                trained.add(name)
                if isinstance(what, Hw1libError):
                    failures[name] = what
                elif isinstance(what, BaseException):  # a bug, not a notebook's failure: raised as it is
                    unexpected.append(what)
                else:
                    timings[name] = what
    if unexpected:
        raise unexpected[0]
    if failures:
        raise failures[min(failures, key=NOTEBOOKS.index)]
    return timings


@contextlib.contextmanager
def _kernels_stopped_on_interrupt(pool):
    """On Ctrl-C or SIGTERM, kill the kernels (this process's children) so the notebook threads end
    at once instead of running their notebooks to the end, then let the interruption go on."""
    try:
        yield
    except BaseException:
        import psutil

        pool.shutdown(wait=False, cancel_futures=True)
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        raise


@contextlib.contextmanager
def _quiet_papermill():
    """papermill's own log lines ("Kernel died while waiting for execute reply.") stay off stderr: a
    failure reaches the user once, as the ReportError that names the notebook."""
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
