"""The report command end to end: notebooks -> merged HTML -> PDF, and its failures."""
import re
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from hw1lib import load_dataset
from hw1lib.cli import main
from hw1lib.report import build as report
from hw1lib.report import experiments, pdf
from hw1lib.report.studies.models import run_models_study
from hw1lib.report.discussion.words import pct

from .helpers import SMALL_REPORT, write_noisy_course_folder

HAVE_CHROMIUM = pdf.find_chromium() is not None
HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None
TITLES = ("1. Learning curves, training and test error rates", "2. Zero versus random initialisation",
          "3. The 2-D latent features during training", "4. Confusion matrix")
pytestmark = pytest.mark.usefixtures("jupyter_home")


def small_args(course, out):
    args = ["report", "--data", str(course), "--out", str(out), "--epochs", str(SMALL_REPORT["epochs"]),
            "--hidden", *map(str, SMALL_REPORT["hidden"]), "--seed", str(SMALL_REPORT["seed"])]
    for name in ("latent_epochs", "latent_lr", "stages", "seed_report_lrs", "gallery_size", "sweep_trials",
                 "sweep_epochs", "sweep_jobs", "sigmoid_lrs"):
        args += ["-p", name, repr(SMALL_REPORT[name])]
    return args


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_noisy_course_folder(tmp_path_factory.mktemp("report") / "course")


@pytest.fixture(scope="module")
def built(course, tmp_path_factory, jupyter_home):
    """The command as a user runs it, in a subprocess; without a browser it is asked for HTML only.

    Like ``make report`` it is given a relative output folder: notebooks run side by side must not
    disturb the folder that path is relative to.
    """
    workdir = tmp_path_factory.mktemp("built")
    args = small_args(course, "report") + ([] if HAVE_CHROMIUM else ["--no-pdf"])
    result = subprocess.run([sys.executable, "-m", "hw1lib", *args], capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL, cwd=workdir)
    out = workdir / "report"
    assert result.returncode == 0, result.stderr
    return out, result


def test_prints_where_the_time_goes(built):
    out = built[1].stdout
    for stage in ("load data", *report.NOTEBOOKS, "merge", "html", "total"):
        assert re.search(rf"^  {re.escape(stage)}\s+\d+\.\d s$", out, flags=re.M), (stage, out)


def test_html_holds_the_four_sections_with_embedded_figures(built):
    out, _ = built
    html = (out / report.HTML_NAME).read_text(encoding="utf-8")
    for title in TITLES:
        assert f'id="{title.replace(" ", "-")}"' in html
    figures = len(list((out / "figures").glob("*.png")))  # every figure of the four notebooks
    assert figures >= 11 and len(re.findall(r'<img[^>]+src="data:image/png;base64,', html)) == figures
    assert 'src="data:image/gif;base64,' in html
    assert report.SUBTITLE in html
    text = re.sub(r"<[^>]+>", "", html)  # the appendix lists the network's source, highlighted
    assert "def backward(self, dout" in text and "class SoftmaxCrossEntropy:" in text
    assert "papermill" not in html.lower() and "injected-parameters" not in html


def test_html_needs_nothing_from_the_network(built):
    html = (built[0] / report.HTML_NAME).read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.findall(r'<(?:img|link|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
    assert not re.findall(r'url\(["\']?(?:https?:)?//', html)


def test_table_of_contents_links_resolve(built):
    html = (built[0] / report.HTML_NAME).read_text(encoding="utf-8")
    targets = re.findall(r'<a href="#([^"]+)"', html)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert len(targets) >= 15 and not [t for t in targets if t not in ids]


def test_executed_notebooks_and_merged_notebook_are_kept(built):
    out, _ = built
    for name in report.NOTEBOOKS:
        assert nbformat.read(out / "notebooks" / name, as_version=4).metadata["papermill"]["exception"] is None
    merged = nbformat.read(out / report.IPYNB_NAME, as_version=4)
    nbformat.validate(merged)
    ids = [cell.id for cell in merged.cells]
    assert len(ids) == len(set(ids))


@pytest.mark.skipif(not HAVE_CHROMIUM, reason="no Chromium to print the PDF (apt-get install chromium)")
@pytest.mark.skipif(not HAVE_PDFTOTEXT, reason="no pdftotext to read the PDF (apt-get install poppler-utils)")
def test_pdf_has_the_questions_and_the_runs_numbers(built, course):
    out, _ = built
    text = subprocess.run(["pdftotext", "-layout", str(out / report.PDF_NAME), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for title in TITLES:
        assert title in flat
    assert report.SUBTITLE in flat.replace(" ", "")  # CJK text survives (needs fonts-noto-cjk)
    data = load_dataset(course)
    result = experiments.choose_hyperparameters(data, trials=SMALL_REPORT["sweep_trials"],
                                                max_epochs=SMALL_REPORT["sweep_epochs"], seed=SMALL_REPORT["seed"])
    main = result.final
    study = run_models_study(data, seed=SMALL_REPORT["seed"], seeds=3, trials=SMALL_REPORT["sweep_trials"],
                             sweep_epochs=SMALL_REPORT["sweep_epochs"], sigmoid_lrs=SMALL_REPORT["sigmoid_lrs"],
                             hidden=SMALL_REPORT["hidden"], batch_size=SMALL_REPORT["batch_size"],
                             epochs=SMALL_REPORT["epochs"], first_attempt_rates=SMALL_REPORT["seed_report_lrs"])
    # The very runs the notebooks made, every seed of both networks.
    assert main.from_cache and all(h.from_cache for m in study.models for h in m.repeated.runs)
    assert "Choosing the hyperparameters" in flat
    assert f"reached a validation error of {result.best.val_error:.2%}" in flat
    assert f"test error of {result.test_error:.2%}" in flat
    for m in study.models:
        assert f"{m.name} ends with a test error of {m.final('test_error').percent()}" in flat
    wrong = int((main.test_pred != data.test_y).sum())
    assert f"gets {wrong} of the {len(data.test_y)} test images wrong: test error {pct(main.final_test_error)}" in flat
    assert f"{main.final_train_error:.1%}" in flat


@pytest.mark.parametrize("args, expected", [
    (["--activation", "swish"], "known: leaky_relu, relu, sigmoid, tanh"),
    (["-p", "no_such_thing", "1"], "unknown notebook parameter(s) no_such_thing"),
    (["-p", "latent_activation", "'cosine'"], "unknown activation 'cosine'"),
    (["--hidden", "0"], "hidden size: expected a whole number >= 1"),
    (["--jobs", "0"], "--jobs: expected a whole number >= 1"),
    (["-p", "sweep_trials", "0"], "sweep_trials: expected a whole number >= 1, got 0"),
    (["-p", "sweep_epochs", "0"], "epochs: expected a whole number >= 1"),
    (["--data", "/no/such/folder"], "/no/such/folder"),
])
def test_bad_input_fails_in_one_line_before_any_notebook_runs(args, expected, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert not (tmp_path / "out" / "notebooks").exists()


def test_a_notebook_starts_only_after_the_one_whose_runs_it_reuses(tmp_path, monkeypatch):
    events = []

    def execute(source, target, parameters):
        events.append(("start", source.name))
        time.sleep(0.3 if source.name in report.AFTER.values() else 0.05)
        events.append(("end", source.name))

    monkeypatch.setattr(report, "execute", execute)
    timings = report.execute_all(tmp_path, tmp_path, {}, jobs=2, log=lambda line: None)
    assert sorted(timings) == sorted(report.NOTEBOOKS)
    assert report.AFTER
    for later, first in report.AFTER.items():
        assert events.index(("end", first)) < events.index(("start", later))


def widget_notebook(state_key, tagged):
    """A small executed-looking notebook with one widget output and its saved widget state."""
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": state_key, "version_major": 2,
                                                         "version_minor": 0},
            "text/plain": "IntSlider(value=3)"}
    widget = nbformat.v4.new_code_cell("explore()", outputs=[nbformat.v4.new_output("display_data", data=view)])
    if tagged:
        widget.metadata["tags"] = ["widget"]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# Section {state_key}"), widget,
        nbformat.v4.new_markdown_cell(f"static text {state_key}")])
    notebook.metadata["widgets"] = {report.WIDGET_STATE: {"version_major": 2, "version_minor": 0,
                                                          "state": {state_key: {"model_name": "IntSliderModel"}}}}
    return notebook


def test_merge_keeps_widget_state_and_the_static_report_drops_widgets(course):
    data = load_dataset(course)
    parameters = {**SMALL_REPORT, "data": str(course), "activation": "relu"}
    merged = report.merge([widget_notebook("a", tagged=True), widget_notebook("b", tagged=False)], data,
                          parameters, "Title", "副标题", 1.0)
    assert set(merged.metadata["widgets"][report.WIDGET_STATE]["state"]) == {"a", "b"}
    ids = [cell.id for cell in merged.cells]
    assert len(ids) == len(set(ids))
    html = report.export_html(merged)
    assert "static text a" in html and "static text b" in html
    assert "widget-view" not in html and "widget-state" not in html and "IntSlider" not in html
    assert 'href="#Section-a"' in html and 'id="Section-a"' in html
