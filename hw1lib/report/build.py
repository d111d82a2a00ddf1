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
  ``AFTER`` start once that cell has run (see ``execute_all``).
* Cells tagged ``parameters`` / ``injected-parameters`` are left out; the title page lists the
  values used.
"""
import ast
import concurrent.futures
import contextlib
import copy
import datetime
import os
import pathlib
import platform
import queue
import re
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
import numpy as np

from . import experiments, firstpage, fonts, pdf
from .output import claim_output_folder
from .parameters import check_report_parameters
from .studies import latent
from ..data.datasets import DATASET_NAMES, load_dataset
from ..common import write_atomic
from ..errors import ConfigError, Hw1libError, one_line

NOTEBOOKS = ("01_models.ipynb", "02_initialization.ipynb", "03_latent.ipynb", "04_confusion.ipynb")
TRAINING_TAG = "training"  # the cell after which a notebook trains nothing more
# Notebooks that start only once another notebook's training is done (its cell tagged TRAINING_TAG
# has run, or the notebook has ended). Question 4 draws the main model that the validation sweep of
# question 1 chooses, from the run cache (training it twice at the same time would waste the time
# parallelism saves). Questions 2 and 3 wait too: the sweep, most of the report's training, runs
# its trials on all cores, and measured cold builds finished sooner when it had them to itself than
# with two more notebooks competing for them. They need not wait for question 1's figures.
AFTER = {name: "01_models.ipynb" for name in ("02_initialization.ipynb", "03_latent.ipynb", "04_confusion.ipynb")}
APPENDIX_TAG = "appendix"  # notebook cells that belong in the appendix, after question 4
REMOVED_TAGS = ("widget", "parameters", "injected-parameters")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HTML_NAME, PDF_NAME, IPYNB_NAME = "hw1_report.html", "hw1_report.pdf", "hw1_report.ipynb"
TITLE = "Homework 1: a neural network from scratch"
SUBTITLE = ""  # none by default: a line in another script needs a font that machine may not have

# Kernels use one BLAS thread: these matrices are small, and on a shared machine a multi-threaded
# BLAS that waits for a busy core is up to ten times slower than a single thread.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


class ReportError(Hw1libError):
    """A notebook failed, or the report could not be written."""


def notebooks_dir():
    """The repository's ``notebooks/`` folder, next to the ``hw1lib`` package."""
    folder = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
    if not (folder / NOTEBOOKS[0]).is_file():
        raise ReportError(f"notebooks folder {folder} not found; run the report from a clone of the repository "
                          f"(pip install -e .) or pass --notebooks DIR")
    return folder


def notebook_defaults(folder):
    """{name: default value} of every notebook's ``parameters`` cell, evaluated as Python literals."""
    import papermill

    defaults = {}
    for name in NOTEBOOKS:
        for key, spec in papermill.inspect_notebook(str(folder / name)).items():
            defaults.setdefault(key, ast.literal_eval(spec["default"]))
    return defaults


def resolve_parameters(folder, overrides):
    """The report's parameters: the notebooks' defaults with ``overrides`` applied, checked up front.

    Unknown names and bad values raise ConfigError/DataError before any notebook runs: each value
    against its own range (``parameters.CONSTRAINTS``), then together, by building every run.
    """
    values = notebook_defaults(folder)
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise ConfigError(f"unknown notebook parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(values))}")
    check_report_parameters({**values, **overrides}, values, overrides)
    values.update(overrides)
    data = values["data"]
    if isinstance(data, (str, os.PathLike)) and str(data) not in DATASET_NAMES and pathlib.Path(data).expanduser().exists():
        values["data"] = str(pathlib.Path(data).expanduser().resolve())  # kernels run in another folder
    experiments.model_config("sigmoid", hidden=values["hidden"], epochs=values["epochs"], seed=values["seed"],
                             lr=1.0, batch_size=values["batch_size"], init="normal", init_std=values["init_std"])
    experiments.seed_report_configs(hidden=values["hidden"], epochs=values["epochs"], seed=values["seed"],
                                    batch_size=values["batch_size"], learning_rates=values["seed_report_lrs"])
    latent.check_parameters(hidden=values["hidden"], activation=values["hidden_activation"],
                            latent_activation=values["latent_activation"], epochs=values["latent_epochs"],
                            seed=values["seed"], lr=values["latent_lr"], batch_size=values["batch_size"],
                            frames=values["stages"], seeds=values["latent_seeds"])
    experiments.check_sweep_parameters(trials=values["sweep_trials"], max_epochs=values["sweep_epochs"],
                                       seed=values["seed"], screen_epochs=values["sweep_screen_epochs"],
                                       keep=values["sweep_keep"], jobs=values["sweep_jobs"],
                                       sigmoid_lrs=values["sigmoid_lrs"])
    return values


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

    def cell_executed(cell, cell_index, execute_reply):  # nbclient's hook: every cell that has run
        if on_tag is not None and execute_reply.get("content", {}).get("status") == "ok":
            for tag in cell.metadata.get("tags", ()):
                on_tag(tag)

    accepted = papermill.inspect_notebook(str(source))
    try:
        papermill.execute_notebook(str(source), str(target), parameters={k: v for k, v in parameters.items()
                                                                         if k in accepted},
                                   kernel_name="python3", progress_bar=False, shutdown_kernel="immediate",
                                   # Written when the notebook ends or fails (and every 30 s of a long cell),
                                   # not re-serialised, figures and all, after each of its cells.
                                   request_save_on_cell_execute=False,
                                   skip_cells_with_tag="widget", on_cell_executed=cell_executed,
                                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except papermill.PapermillExecutionError as error:
        first_line = next((line.strip() for line in error.source.splitlines() if line.strip()), "")
        raise ReportError(f"notebook {source.name} failed in cell [{error.exec_count}] `{first_line}`: "
                          f"{error.ename}: {one_line(error.evalue)} (the partly executed notebook is {target})") from None


def _heading_id(text):
    # The id nbconvert gives a heading: its text with spaces replaced by hyphens.
    return text.strip().replace(" ", "-")


def _headings(cells):
    """(level, text) of every level-1 and level-2 heading in the Markdown ``cells``."""
    for cell in cells:
        if cell.cell_type == "markdown":
            for match in re.finditer(r"^(#{1,2})\s+(.+?)\s*$", cell.source, flags=re.M):
                yield len(match.group(1)), match.group(2)


def data_title(dataset, parameters):
    """What the report calls the data: the ``data_name`` parameter, else the dataset's own short name
    (a folder's name, never its path)."""
    return parameters.get("data_name") or dataset.title or dataset.name


def data_line(dataset, parameters):
    """The data in words, for the first page: its name, images, size, classes and their counts."""
    names = ", ".join(dataset.class_names)
    counts = np.bincount(dataset.train_y, minlength=dataset.n_classes)
    per_class = f"{counts.min():,}" if counts.min() == counts.max() else f"{counts.min():,} to {counts.max():,}"
    return (f"{data_title(dataset, parameters)}: {len(dataset.train_y):,} training and {len(dataset.test_y):,} "
            f"test images of {dataset.image_shape[0]} × {dataset.image_shape[1]} pixels; {dataset.n_classes} "
            f"classes ({names}); {per_class} training images per class.")


def _settings_markdown(dataset, parameters, seconds):
    """The appendix's record of how this report was built: every notebook parameter, versions, time."""
    shown = {k: v for k, v in sorted(parameters.items()) if k not in ("figures_dir", "data")}
    rows = [
        ("data fingerprint", f"`{dataset.fingerprint[:16]}`"),
        ("notebook parameters", "; ".join(f"{k} = `{v!r}`" for k, v in shown.items())),
        ("built", f"{datetime.datetime.now():%Y-%m-%d %H:%M}, notebooks executed in {seconds:.0f} s; "
                  f"Python {platform.python_version()}, NumPy {np.__version__}"),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (f"## How this report was built\n\nThe notebooks' parameters as this build set them (each question's "
            f"text and the first page give the settings of every network).\n\n| | |\n|---|---|\n{table}\n")


def _appendix_cells(dataset, parameters, seconds):
    """The appendix the build adds after the notebooks' own appendix parts: equations, gradient check, code."""
    from . import appendix  # imported here (and ahead by _import_writers): matplotlib and pandas take 0.5 s

    cell = nbformat.v4.new_markdown_cell
    checks = appendix.gradient_check_rows()
    worst = max(row["error"] for row in checks)
    return [
        cell("## Backpropagation\n\nFor a mini-batch of B images (one per row), hidden layers l = 1 ... L-1 with "
             "activation f and an output layer L, the code computes:\n\n"
             + appendix.equations_html(appendix.FORWARD + appendix.BACKWARD)),
        cell("## Gradient check\n\nEach backward pass against centred finite differences (step 1e-5) in float64, "
             "computed when this report was built: the largest relative error ‖a − n‖ / (‖a‖ + ‖n‖) between the "
             f"analytic gradient a and the numerical one n. The worst is {worst:.1e}; an error in a backward pass "
             "shows as 1e-2 or more.\n\n" + appendix.gradient_check_table(checks).to_html()),
        cell("## The code\n\nThe parts of `hw1lib` the answers rest on, in NumPy alone: the layers with their "
             "forward and backward passes, the activations, the initialisers, the network that chains them, "
             "the optimisers and the training loop."),
        *appendix.code_cells(),
        cell(_settings_markdown(dataset, parameters, seconds), metadata={"tags": ["keep-together"]}),
    ]


def merge(executed, dataset, parameters, title, subtitle, seconds, author="", student_id=""):
    """One notebook: the first page (title, data, results at a glance, networks, contents), each
    executed notebook's cells, then the appendix: the notebooks' cells tagged ``appendix``, in
    order, and the build's own parts (equations, gradient check, code, build settings).

    Cell ids are renumbered (ids must be unique within a notebook) and the widget state of every
    notebook is merged, so the .ipynb still shows each widget's last state when opened.
    """
    merged = nbformat.v4.new_notebook()
    merged.metadata = copy.deepcopy(executed[0].metadata)
    merged.metadata.pop("papermill", None)
    merged.metadata["title"] = title
    body, tagged, states = [], [], {}
    for notebook in executed:
        for cell in notebook.cells:
            (tagged if APPENDIX_TAG in cell.metadata.get("tags", ()) else body).append(copy.deepcopy(cell))
        state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {})
        states.update(state.get("state", {}))
    appendix_part = [nbformat.v4.new_markdown_cell("# Appendix"), *tagged,
                     *_appendix_cells(dataset, parameters, seconds)]
    contents = ["## Contents", "", '<nav class="hw1-toc">', ""]  # the print stylesheet adds page numbers
    for level, text in _headings([*body, *appendix_part]):
        contents.append(f"{'    ' * (level - 1)}- [{text}](#{_heading_id(text)})")
    contents += ["", "</nav>"]
    first = firstpage.markdown(title, subtitle, author, student_id, data_line(dataset, parameters),
                               firstpage.collect(executed))
    cells = [nbformat.v4.new_markdown_cell(first), nbformat.v4.new_markdown_cell("\n".join(contents)),
             *body, *appendix_part]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
        lines = [line for line in cell.source.splitlines() if line.strip()] if cell.cell_type == "markdown" else []
        if lines and lines[-1].startswith("#"):  # a cell ending in a heading stays on the page of what follows
            cell.metadata["tags"] = sorted({*cell.metadata.get("tags", ()), "heading"})
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    merged.cells = cells
    if states:
        merged.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": states}}
    else:
        merged.metadata.pop("widgets", None)
    nbformat.validate(merged)
    return merged


def static_copy(notebook):
    """The notebook as paper shows it: tagged cells removed, widget outputs and widget state dropped."""
    static = copy.deepcopy(notebook)
    static.cells = [c for c in static.cells if not set(c.metadata.get("tags", ())) & set(REMOVED_TAGS)]
    for cell in static.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not {WIDGET_VIEW, firstpage.MIME} & set(o.get("data", {}))]
    # A code cell that shows nothing (its input is hidden) would stand between a heading and what follows it.
    static.cells = [c for c in static.cells if c.cell_type != "code" or c.outputs]
    static.metadata.pop("widgets", None)
    return static


_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- Nothing is loaded from the network: no require.js, MathJax, Mermaid or widget manager. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{#- In html_head_css, after JupyterLab's own styles, so these win. -#}
{%- block html_head_css -%}
<style type="text/css">
:root { --jp-content-font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK TC", "Noto Sans CJK SC", sans-serif; }
body.jp-Notebook { max-width: 1000px; margin: 0 auto; padding: 1em 2em; }
.hw1-subtitle { font-size: 1.3em; color: #444; margin-top: -0.4em; }
.hw1-author { font-size: 1.1em; }
figure.hw1-figure { margin: 0.6em 0; }
figure.hw1-figure figcaption { font-size: 0.9em; margin-top: 0.2em; }
.jp-RenderedHTMLCommon table caption { caption-side: top; text-align: left; font-size: 0.95em; padding-bottom: 0.3em; }
table.hw1-equations td { border: none; padding: 0.15em 0.6em 0.15em 0; vertical-align: middle; }
.jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-RenderedHTMLCommon table { font-size: 0.85em; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { text-align: left; }
.jp-RenderedMarkdown pre { font-size: 0.78em; line-height: 1.3; white-space: pre-wrap; }
/* A cell ending in a heading stays with the next cell; WeasyPrint needs the rule on the cell itself. */
.celltag_heading, .jp-Cell:has(.celltag_heading) { break-after: avoid; }
.jp-MarkdownCell .jp-RenderedMarkdown, .jp-OutputArea-output.jp-RenderedMarkdown { padding-left: 0; }
.jp-Cell { padding: 0.15em 0; }
.hw1-animation img { max-width: 70%; }
.hw1-animation figcaption { font-style: italic; }
.hw1-print-only { display: none; }
@media print {
  @page { size: A4; margin: 14mm 12mm;
          @bottom-center { content: counter(page) " / " counter(pages); font: 8pt "DejaVu Sans", sans-serif; color: #555; } }
  body.jp-Notebook { max-width: none; padding: 0; }
  /* The questions follow one another without forced breaks, so no page is left part empty; the
     appendix starts a page. The break is on the cell, not on its h1: WeasyPrint drops a forced
     break that deep in the cell when the cell before it was split across pages. */
  .jp-Cell:has(h1#Appendix) { break-before: page; }
  .jp-OutputArea-child { break-inside: auto; }  /* long prose may run on to the next page */
  img, table, figure, tr { break-inside: avoid; }  /* figure.hw1-figure holds an image and its caption */
  .celltag_keep-together { break-inside: avoid; }  /* a short section: its heading stays with its table */
  figcaption { break-before: avoid; }  /* should a figure be taller than a page */
  caption { break-after: avoid; }
  .jp-RenderedHTMLCommon .hw1-toc ul { list-style: none; padding-left: 0; }
  .jp-RenderedHTMLCommon .hw1-toc ul ul { padding-left: 1.5em; }
  .jp-RenderedHTMLCommon .hw1-toc a { color: inherit; text-decoration: none; }
  /* WeasyPrint fills these in; Chromium drops the declaration, leaving the contents without page numbers. */
  .hw1-toc a::after { content: leader(".") target-counter(attr(href), page); }
  h1, h2, h3, .hw1-code-label { break-after: avoid; }  /* the appendix's file labels stay with their code */
  .hw1-animation { display: none; }
  .hw1-print-only { display: block; }
  .jp-RenderedMarkdown pre { font-size: 7pt; }
  /* A little smaller than on screen, so the answers fit on few pages. */
  :root { --jp-content-font-size1: 12.5px; --jp-content-line-height: 1.45; }
  .jp-RenderedHTMLCommon table { font-size: 0.8em; }
  .hw1-networks table { font-size: 0.72em; }
  .hw1-networks td, .hw1-networks th { padding: 0.2em 0.4em; }
  .hw1-toc { columns: 2; column-gap: 2em; font-size: 0.9em; line-height: 1.3; }
  .hw1-toc li { margin: 0; }
}
</style>
{%- endblock html_head_css -%}
"""


def export_html(notebook):
    """The static HTML of ``notebook`` (a str): code inputs and prompts hidden, nothing loaded from the network."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, extra_loaders=[jinja2.DictLoader({"hw1.html.j2": _TEMPLATE})],
                            template_file="hw1.html.j2")
    body, _ = exporter.from_notebook_node(static_copy(notebook))
    return body


def _import_writers(with_weasyprint):
    """Import the appendix, nbconvert (and WeasyPrint), about 2.5 s, while this process only waits for
    the notebooks, rather than after them. A failure here is left for the import that needs the module."""
    with contextlib.suppress(Exception):
        from . import appendix  # noqa: F401
        import nbconvert  # noqa: F401
        if with_weasyprint:
            import weasyprint  # noqa: F401


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
        except BaseException as error:  # noqa: BLE001 - handed to the loop below, which raises it
            events.put((name, error))
            return
        seconds = time.perf_counter() - begin
        log(f"  {name:<26}{seconds:6.1f} s")
        events.put((name, seconds))

    timings, failures, unexpected, trained = {}, {}, [], set()
    waiting, running = list(NOTEBOOKS), 0
    with contextlib.chdir(folder), concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
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


def build_report(out_dir, overrides=None, *, title=TITLE, subtitle=SUBTITLE, author="", student_id="",
                 make_pdf=True, pdf_engine=pdf.DEFAULT_ENGINE, folder=None, jobs=2, log=print):
    """Execute the notebooks with ``overrides`` of their parameters and write the report into ``out_dir``.

    Returns {"html": path, "pdf": path or None, "notebooks": [paths], "seconds": {stage: seconds}}.
    A failing notebook raises ReportError naming it and the cell; notebooks already executed stay
    in ``out_dir/notebooks``. If ``pdf_engine`` cannot print, the HTML is written, then PdfError says
    what to install. Text that no installed font can draw gives one warning on stderr, not an error.
    Another report writing into ``out_dir`` at the same time is refused (ConfigError) before anything is written.
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
    warning = fonts.font_warning({"title": title, "subtitle": subtitle, "author": author})
    if warning:
        print(f"hw1lib: warning: {warning}", file=sys.stderr)
    with claim_output_folder(out):
        return _write_report(out, folder, parameters, start, title=title, subtitle=subtitle, author=author,
                             student_id=student_id, make_pdf=make_pdf, pdf_engine=pdf_engine, jobs=jobs, log=log)


def _write_report(out, folder, parameters, start, *, title, subtitle, author, student_id, make_pdf, pdf_engine,
                  jobs, log):
    """``build_report``'s work, in the output folder it holds."""
    begin = time.perf_counter()
    dataset = load_dataset(parameters["data"])  # fails early on bad data, and fills the data cache for the kernels
    data_seconds = time.perf_counter() - begin
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    # A report, or an executed notebook, from earlier settings must not pass for this one.
    for path in (out / IPYNB_NAME, out / HTML_NAME, out / PDF_NAME, *(out / "notebooks" / n for n in NOTEBOOKS)):
        path.unlink(missing_ok=True)
    parameters["figures_dir"] = str((out / "figures").resolve())
    for key, value in KERNEL_ENV.items():
        os.environ.setdefault(key, value)
    log(f"hw1lib report: data {dataset.name}, writing to {out}/ ({jobs} notebook(s) at a time)")
    log(f"  {'load data':<26}{data_seconds:6.1f} s")
    threading.Thread(target=_import_writers, args=(make_pdf and pdf_engine == "weasyprint",), daemon=True,
                     name="hw1lib-import-writers").start()
    begin = time.perf_counter()
    timings = execute_all(folder, out, parameters, jobs, log)
    timings["load data"] = data_seconds
    timings["notebooks"] = time.perf_counter() - begin
    log(f"  {'all notebooks (wall)':<26}{timings['notebooks']:6.1f} s")
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
    log(f"wrote {html_path}" + (f" and {pdf_path}" if pdf_path else ""))
    return {"html": html_path, "pdf": pdf_path, "notebooks": paths, "seconds": timings}
