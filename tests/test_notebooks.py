"""The four homework notebooks: committed clean, and each executes with papermill on a small config."""

import pathlib
import re

import nbformat
import pytest

from hw1lib.report.build import NOTEBOOKS, WIDGET_STATE, WIDGET_VIEW

from .helpers import SMALL_REPORT, write_noisy_course_folder

FOLDER = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
FOCUS = {
    "01_models.ipynb": "curves",
    "02_initialization.ipynb": "init",
    "03_latent.ipynb": "latent",
    "04_confusion.ipynb": "confusion",
}
FIGURES = {
    "01_models.ipynb": ["q1_error_curves.png", "q1_first_attempt.png", "q1_learning_curves.png", "q1_sweep.png"],
    "02_initialization.ipynb": ["q2_hidden_units.png", "q2_initialization.png", "q2_symmetry.png"],
    "03_latent.ipynb": ["q3_folded.png", "q3_latent.gif", "q3_latent_stages.png"],
    "04_confusion.ipynb": ["q4_class_errors.png", "q4_confusion_matrix.png", "q4_misclassified.png"],
}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_without_outputs_and_with_a_parameters_cell(name):
    notebook = nbformat.read(FOLDER / name, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), f"{name} has outputs"
    assert "parameters" in code[0].metadata.get("tags", [])
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    explorers = [cell for cell in code if "widget" in cell.metadata.get("tags", [])]
    assert len(explorers) == 1 and f'focus="{FOCUS[name]}"' in explorers[0].source
    assert "explorer.wait()" in explorers[0].source  # no training thread left running when the kernel moves on


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_noisy_course_folder(tmp_path_factory.mktemp("notebooks") / "course")


@pytest.mark.usefixtures("jupyter_home")
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes_and_saves_its_figures(name, course, tmp_path):
    papermill = pytest.importorskip("papermill")
    figures_dir = tmp_path / "figures"
    accepted = papermill.inspect_notebook(str(FOLDER / name))
    parameters = {
        k: v for k, v in {**SMALL_REPORT, "data": str(course), "figures_dir": str(figures_dir)}.items() if k in accepted
    }
    out = tmp_path / name
    papermill.execute_notebook(
        str(FOLDER / name), str(out), parameters=parameters, kernel_name="python3", progress_bar=False, cwd=str(FOLDER)
    )
    # Question 2 draws the spread between zero-initialised units only when some unit ever differs.
    optional = {"q2_symmetry.png"}
    saved = sorted(p.name for p in figures_dir.iterdir())
    assert set(FIGURES[name]) - optional <= set(saved) <= set(FIGURES[name])
    assert all(p.stat().st_size > 5000 for p in figures_dir.iterdir())
    executed = nbformat.read(out, as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("text/markdown" in o.get("data", {}) for o in outputs) >= 1  # the discussion
    # A numbered figure is shown as HTML (the PNG and its caption), an unnumbered one as a PNG.
    shown = sum(
        "image/png" in o.get("data", {}) or 'src="data:image/png' in o.get("data", {}).get("text/html", "")
        for o in outputs
    )
    assert shown == sum(f.endswith(".png") for f in saved)
    # The explorer was displayed, and its first run is the notebook's own, read from the run cache.
    assert sum(WIDGET_VIEW in o.get("data", {}) for o in outputs) == 1
    state = executed.metadata["widgets"][WIDGET_STATE]["state"]
    values = [m["state"].get("value", "") for m in state.values() if m["model_name"] == "HTMLModel"]
    assert [v for v in values if re.search(r"Test error .* read from the run cache", v)], values
    assert (FOLDER / name).read_bytes() != out.read_bytes()
    assert not any(
        cell.outputs for cell in nbformat.read(FOLDER / name, as_version=4).cells if cell.cell_type == "code"
    )  # executing never writes into the committed notebook
