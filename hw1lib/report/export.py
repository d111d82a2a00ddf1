"""Exporting the merged notebook to static HTML: code inputs hidden, widgets dropped, nothing from the network.

The page's template and print stylesheet are files of ``templates/``: ``hw1.html.j2`` extends
nbconvert's ``lab`` template and includes ``print.css``.
"""

import copy
import pathlib

from . import firstpage

REMOVED_TAGS = ("widget", "parameters", "injected-parameters")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TEMPLATES = pathlib.Path(__file__).resolve().parent / "templates"


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


def export_html(notebook):
    """The static HTML of ``notebook`` (a str): code inputs and prompts hidden, nothing loaded from the network."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_loaders=[jinja2.FileSystemLoader(str(TEMPLATES))],
        template_file="hw1.html.j2",
    )
    body, _ = exporter.from_notebook_node(static_copy(notebook))
    return body
