"""Merging the executed notebooks into one: the first page, the four sections, the Conclusion, the appendix.

Cells tagged ``appendix`` move to the appendix, after question 4, in order; cells tagged
``parameters`` / ``injected-parameters`` are left out of the static report (the first page and the
appendix list the values used).
"""

import copy
import datetime
import platform
import re

import nbformat
import numpy as np

from . import firstpage
from .escape import markdown_text
from .studies.conclusion import conclusion_facts
from .text import render

APPENDIX_TAG = "appendix"  # notebook cells that belong in the appendix, after question 4
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


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
    """The data in words, as Markdown for the first page: its name, images, size, classes and their counts
    (``text/<lang>/appendix.md.j2``, block ``data_line``). Classes named 0 ... K-1 need no list."""
    counts = np.bincount(dataset.train_y, minlength=dataset.n_classes)
    numbered = list(dataset.class_names) == [str(k) for k in range(dataset.n_classes)]
    facts = {
        "data_title": data_title(dataset, parameters),
        "n_train": len(dataset.train_y),
        "n_test": len(dataset.test_y),
        "height": dataset.image_shape[0],
        "width": dataset.image_shape[1],
        "n_classes": dataset.n_classes,
        "class_names": [] if numbered else list(dataset.class_names),
        "fewest": int(counts.min()),
        "most": int(counts.max()),
    }
    return render("appendix", "data_line", facts)


def _settings_markdown(dataset, parameters, seconds):
    """The appendix's record of how this report was built: every notebook parameter, versions, time."""
    # Where the runs were trained (the scheduler) changes no number of the report, so it is not listed.
    shown = {k: v for k, v in sorted(parameters.items()) if k not in ("figures_dir", "data", "scheduler")}
    rows = [
        ("data fingerprint", f"`{dataset.fingerprint[:16]}`"),
        ("notebook parameters", "; ".join(f"{k} = <code>{markdown_text(repr(v))}</code>" for k, v in shown.items())),
        (
            "built",
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}, notebooks executed in {seconds:.0f} s; "
            f"Python {platform.python_version()}, NumPy {np.__version__}",
        ),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return f"## How this report was built\n\n{render('appendix', 'settings_intro', {})}\n\n| | |\n|---|---|\n{table}\n"


def _appendix_cells(dataset, parameters, seconds):
    """The appendix the build adds after the notebooks' own appendix parts: equations, gradient check, code."""
    from . import appendix  # imported here (and ahead by _import_writers): matplotlib and pandas take 0.5 s

    cell = nbformat.v4.new_markdown_cell
    checks = appendix.gradient_check_rows()
    worst = max(row["error"] for row in checks)
    return [
        cell(
            f"## Backpropagation\n\n{render('appendix', 'backprop_intro', {})}\n\n"
            + appendix.equations_html(appendix.FORWARD + appendix.BACKWARD)
        ),
        cell(
            f"## Gradient check\n\n{render('appendix', 'gradcheck', {'worst': worst})}\n\n"
            + appendix.gradient_check_table(checks).to_html()
        ),
        cell(f"## The code\n\n{render('appendix', 'code_intro', {})}"),
        *appendix.code_cells(),
        cell(_settings_markdown(dataset, parameters, seconds), metadata={"tags": ["keep-together"]}),
    ]


def _conclusion_cells(published):
    """The Conclusion, worded from the facts the questions published; none when no question published any."""
    facts = conclusion_facts(published)
    if not facts["questions"]:
        return []
    heading = render("conclusion", "heading", facts)
    return [nbformat.v4.new_markdown_cell(f"# {heading}\n\n{render('conclusion', 'body', facts)}")]


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
    appendix_part = [
        nbformat.v4.new_markdown_cell("# Appendix"),
        *tagged,
        *_appendix_cells(dataset, parameters, seconds),
    ]
    conclusion = _conclusion_cells(firstpage.collect(executed))
    contents = ["## Contents", "", '<nav class="hw1-toc">', ""]  # the print stylesheet adds page numbers
    for level, text in _headings([*body, *conclusion, *appendix_part]):
        contents.append(f"{'    ' * (level - 1)}- [{text}](#{_heading_id(text)})")
    contents += ["", "</nav>"]
    published = firstpage.collect(executed)
    first = firstpage.markdown(title, subtitle, author, student_id, data_line(dataset, parameters), published)
    cells = [
        nbformat.v4.new_markdown_cell(first),
        nbformat.v4.new_markdown_cell("\n".join(contents)),
        *body,
        *conclusion,
        *appendix_part,
    ]
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
