"""Build the homework report: execute the four notebooks, merge them, write HTML and PDF.

``build_report`` runs each notebook of ``notebooks/`` with papermill (its ``parameters`` cell
replaced by the report's parameters) into ``DIR/notebooks/``, merges the executed notebooks
into one document (a title, the data and settings used, a table of contents, the four
sections, and an appendix listing the network's source), and writes ``DIR/hw1_report.ipynb``,
``DIR/hw1_report.html`` (self-contained: figures embedded, no script or style from the
network) and ``DIR/hw1_report.pdf`` (WeasyPrint or Chromium prints the HTML; see ``pdf.py``).

Static report conventions for notebook authors:

* Code inputs are hidden: the prose, figures and tables answer the questions.
* A cell tagged ``widget`` (an interactive ipywidgets view) is not run by the build and is left
  out of the HTML and PDF, since a widget cannot work on paper or without its JavaScript and a
  kernel; put a static figure of the same content in an untagged cell next to it. Widget outputs
  in untagged cells are dropped too. The merged ``.ipynb`` keeps every cell (the widget cells
  unrun, ready to run in JupyterLab) and the widget state of all notebooks.
* A cell tagged ``training`` marks where a notebook's training ends: notebooks listed in
  ``AFTER`` start once that cell has run (see ``execution.execute_all``).
* Cells tagged ``parameters`` / ``injected-parameters`` are left out; the title page lists the
  values used.

The jobs live in files of their own: ``parameters`` (checked up front), ``execution`` (running the
notebooks), ``merge``, ``export`` (HTML; ``pdf`` prints it) and ``staging`` (the output folder).
"""

import contextlib
import os
import pathlib
import signal
import sys
import threading
import time


def _skip_iri_format_checks():
    """Keep jsonschema, which nbformat imports, from importing ``rfc3987_syntax``.

    That package compiles about 35 grammars when imported, 1.5 s of this command's start-up
    (jsonschema issue #1428). It only checks the "iri" string formats, which the notebook schema
    does not use; jsonschema skips a format checker whose package it cannot import.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


_skip_iri_format_checks()

import nbformat  # noqa: E402 - after the line above

from ..common import write_atomic  # noqa: E402
from ..data.datasets import load_dataset  # noqa: E402
from ..errors import Terminated  # noqa: E402
from ..runs import work  # noqa: E402
from . import (  # noqa: E402
    fonts,
    pdf,
    staging,
)
from .execution import (  # noqa: E402,F401
    AFTER,
    KERNEL_ENV,
    NOTEBOOKS,
    TRAINING_TAG,
    ReportError,
    execute,
    execute_all,
    notebooks_dir,
)
from .export import REMOVED_TAGS, WIDGET_VIEW, export_html, static_copy  # noqa: E402,F401
from .merge import APPENDIX_TAG, WIDGET_STATE, data_line, data_title, merge  # noqa: E402,F401
from .output import claim_output_folder  # noqa: E402
from .parameters import notebook_defaults, resolve_parameters  # noqa: E402,F401

HTML_NAME, PDF_NAME, IPYNB_NAME = "hw1_report.html", "hw1_report.pdf", "hw1_report.ipynb"
TITLE = "Homework 1: a neural network from scratch"
SUBTITLE = ""  # none by default: a line in another script needs a font that machine may not have
REPORT_ENTRIES = (IPYNB_NAME, HTML_NAME, PDF_NAME, "notebooks", "figures")  # what a build replaces in --out


def _terminate(signum, frame):
    raise Terminated()


def _import_writers(with_weasyprint):
    """Import the appendix, nbconvert (and WeasyPrint), about 2.5 s, while this process only waits for
    the notebooks, rather than after them. A failure here is left for the import that needs the module."""
    with contextlib.suppress(Exception):
        import nbconvert  # noqa: F401

        from . import appendix  # noqa: F401

        if with_weasyprint:
            import weasyprint  # noqa: F401


def build_report(
    out_dir,
    overrides=None,
    *,
    title=TITLE,
    subtitle=SUBTITLE,
    author="",
    student_id="",
    make_pdf=True,
    pdf_engine=pdf.DEFAULT_ENGINE,
    folder=None,
    jobs=2,
    log=print,
):
    """Execute the notebooks with ``overrides`` of their parameters and write the report into ``out_dir``.

    Returns {"html": path, "pdf": path or None, "notebooks": [paths], "seconds": {stage: seconds}}.
    A failing notebook raises ReportError naming it and the cell; notebooks already executed stay
    in ``out_dir/notebooks``. If ``pdf_engine`` cannot print, the HTML is written, then PdfError says
    what to install. Text that no installed font can draw gives one warning on stderr, not an error.
    Another report writing into ``out_dir`` at the same time is refused (ConfigError) before anything is written.
    With the parameter ``scheduler`` (a Dask scheduler's address) every run trains on that cluster; a scheduler
    that does not answer is a ConfigError naming it, before any notebook runs.
    """
    start = time.perf_counter()
    folder = pathlib.Path(folder) if folder else notebooks_dir()
    missing = [name for name in NOTEBOOKS if not (folder / name).is_file()]
    if missing:
        raise ReportError(f"notebooks folder {folder}: missing {', '.join(missing)}")
    folder, out = folder.resolve(), pathlib.Path(out_dir).resolve()
    parameters = resolve_parameters(folder, dict(overrides or {}))
    if pdf_engine not in pdf.ENGINES:
        raise pdf.unknown_engine(pdf_engine)
    if parameters.get("scheduler") is not None:
        from ..search.sweep import check_scheduler

        check_scheduler(parameters["scheduler"])
    warning = fonts.font_warning({"title": title, "subtitle": subtitle, "author": author})
    if warning:
        print(f"hw1lib: warning: {warning}", file=sys.stderr)
    with claim_output_folder(out), _sigterm_stops_the_build():
        staging.remove_leftovers(out, log)
        stage = staging.new_staging(out)
        try:
            result = _write_report(
                stage,
                folder,
                parameters,
                start,
                title=title,
                subtitle=subtitle,
                author=author,
                student_id=student_id,
                make_pdf=make_pdf,
                pdf_engine=pdf_engine,
                jobs=jobs,
                log=log,
                shown=out,
            )
        except KeyboardInterrupt as error:
            raise type(error)(
                f"the previous report in {out} is unchanged; the partial notebooks are in {stage / 'notebooks'}"
            ) from None
        except pdf.PdfError as error:  # the HTML is whole: it replaces the old report, whose PDF would not match
            staging.swap_in(stage, out, REPORT_ENTRIES)
            raise pdf.PdfError(str(error).replace(str(stage), str(out))) from None
        except OSError as error:
            raise ReportError(
                f"could not write the report into {stage} ({error.strerror or error}); the previous "
                f"report in {out} is unchanged"
            ) from None
        except ReportError as error:
            raise ReportError(f"{error}; the previous report in {out} is unchanged") from None
        staging.swap_in(stage, out, REPORT_ENTRIES)
        moved = {
            "html": out / HTML_NAME,
            "pdf": out / PDF_NAME if result["pdf"] else None,
            "notebooks": [out / "notebooks" / name for name in NOTEBOOKS],
        }
        log(f"wrote {moved['html']}" + (f" and {moved['pdf']}" if moved["pdf"] else ""))
        return {**result, **moved}


@contextlib.contextmanager
def _sigterm_stops_the_build():
    """SIGTERM raises Terminated (a KeyboardInterrupt) in the main thread while the block runs."""
    try:
        old = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _write_report(
    out, folder, parameters, start, *, title, subtitle, author, student_id, make_pdf, pdf_engine, jobs, log, shown
):
    """``build_report``'s work, in the staging folder ``out``; ``shown`` is the --out it will replace."""
    begin = time.perf_counter()
    dataset = load_dataset(parameters["data"])  # fails early on bad data, and fills the data cache for the kernels
    data_seconds = time.perf_counter() - begin
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    parameters["figures_dir"] = str((out / "figures").resolve())
    for key, value in KERNEL_ENV.items():
        os.environ.setdefault(key, value)
    where = f"; training on the Dask cluster {parameters['scheduler']}" if parameters.get("scheduler") else ""
    log(f"hw1lib report: data {dataset.name}, writing to {shown}/ ({jobs} notebook(s) at a time{where})")
    log(f"  {'load data':<26}{data_seconds:6.1f} s")
    threading.Thread(
        target=_import_writers,
        args=(make_pdf and pdf_engine == "weasyprint",),
        daemon=True,
        name="hw1lib-import-writers",
    ).start()
    begin = time.perf_counter()
    work_log = out / ".training-work"  # every training of the build appends its image counts here
    os.environ[work.ENV] = str(work_log)
    try:
        timings = execute_all(folder, out, parameters, jobs, log)
    finally:
        os.environ.pop(work.ENV, None)
    timings["load data"] = data_seconds
    timings["notebooks"] = time.perf_counter() - begin
    log(f"  {'all notebooks (wall)':<26}{timings['notebooks']:6.1f} s")
    calls, trained, evaluated = work.total(work_log)
    work_log.unlink(missing_ok=True)
    timings["work"] = {"calls": calls, "trained": trained, "evaluated": evaluated}
    log(
        f"  {'training work':<26}{trained / 1e6:6.1f} M images trained, {evaluated / 1e6:.1f} M evaluated "
        f"({calls} training call{'s' if calls != 1 else ''}; runs from the cache cost none)"
    )
    paths = [out / "notebooks" / name for name in NOTEBOOKS]
    executed = [nbformat.read(path, as_version=4) for path in paths]
    begin = time.perf_counter()
    merged = merge(executed, dataset, parameters, title, subtitle, timings["notebooks"], author, student_id)
    write_atomic(out / IPYNB_NAME, nbformat.writes(merged))
    timings["merge"] = time.perf_counter() - begin
    log(f"  {'merge':<26}{timings['merge']:6.1f} s")
    begin = time.perf_counter()
    html_path = out / HTML_NAME
    write_atomic(html_path, export_html(merged))
    timings["html"] = time.perf_counter() - begin
    log(f"  {'html':<26}{timings['html']:6.1f} s")
    pdf_path = None
    if make_pdf:
        begin = time.perf_counter()
        pdf_path = pdf.print_pdf(html_path, out / PDF_NAME, pdf_engine)
        timings["pdf"] = time.perf_counter() - begin
        log(f"  {'pdf':<26}{timings['pdf']:6.1f} s")
    timings["total"] = time.perf_counter() - start
    log(f"  {'total':<26}{timings['total']:6.1f} s")
    return {"html": html_path, "pdf": pdf_path, "notebooks": paths, "seconds": timings}
