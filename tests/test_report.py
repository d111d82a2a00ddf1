"""The report command end to end: notebooks -> merged HTML -> PDF, and its failures."""

import os
import re
import subprocess
import sys
import time

import nbformat
import pypdf
import pytest

from hw1lib import load_dataset
from hw1lib.cli import main
from hw1lib.report import build as report
from hw1lib.report import execution, experiments, fonts, pdf
from hw1lib.report.studies.models import run_models_study
from hw1lib.report.text.filters import percent as pct

from .helpers import SMALL_REPORT, headings_ending_a_page, page_fill, write_noisy_course_folder

HAVE_CHROMIUM = pdf.find_chromium() is not None
TITLES = (
    "1. Learning curves, training and test error rates",
    "2. Zero versus random initialisation",
    "3. The 2-D latent features during training",
    "4. Confusion matrix",
)
# The example of a title in the course's language: Traditional Chinese, as written in Taiwan.
CHINESE = "作業一：從零實作全連接神經網路與手寫數字辨識"
HAVE_CJK_FONT = fonts.can_check() and not fonts.missing_characters(CHINESE)
pytestmark = pytest.mark.usefixtures("jupyter_home")


def small_args(course, out):
    args = [
        "report",
        "--data",
        str(course),
        "--out",
        str(out),
        "--epochs",
        str(SMALL_REPORT["epochs"]),
        "--hidden",
        *map(str, SMALL_REPORT["hidden"]),
        "--seed",
        str(SMALL_REPORT["seed"]),
    ]
    for name in (
        "stages",
        "seed_report_lrs",
        "gallery_size",
        "sweep_trials",
        "sweep_epochs",
        "sweep_screen_epochs",
        "sweep_keep",
        "sweep_jobs",
        "sigmoid_lrs",
    ):
        args += ["-p", name, repr(SMALL_REPORT[name])]
    return args


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_noisy_course_folder(tmp_path_factory.mktemp("report") / "course")


@pytest.fixture(scope="module")
def built(course, tmp_path_factory, jupyter_home):
    """The command as a user runs it (``make report``), in a subprocess: the default PDF engine, no subtitle.

    Like ``make report`` it is given a relative output folder: notebooks run side by side must not
    disturb the folder that path is relative to.
    """
    workdir = tmp_path_factory.mktemp("built")
    args = small_args(course, "report")
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        cwd=workdir,
    )
    out = workdir / "report"
    assert result.returncode == 0, result.stderr
    return out, result


def pdf_pages(path):
    """The text of each page of the PDF at ``path``."""
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_prints_where_the_time_goes(built):
    out = built[1].stdout
    for stage in ("load data", *report.NOTEBOOKS, "merge", "html", "pdf", "total"):
        assert re.search(rf"^  {re.escape(stage)}\s+\d+\.\d s$", out, flags=re.M), (stage, out)


def test_html_holds_the_four_sections_with_embedded_figures(built):
    out, _ = built
    html = (out / report.HTML_NAME).read_text(encoding="utf-8")
    for title in TITLES:
        assert f'id="{title.replace(" ", "-")}"' in html
    figures = len(list((out / "figures").glob("*.png")))  # every figure of the four notebooks
    shown = [tag for tag in re.findall(r'<img[^>]+src="data:image/png;base64,', html) if "hw1-equation" not in tag]
    assert figures >= 11 and len(shown) == figures
    assert 'src="data:image/gif;base64,' in html
    assert 'class="hw1-subtitle"' not in html  # the title page is in English only unless --subtitle says otherwise
    text = re.sub(r"<[^>]+>", "", html)  # the appendix lists the network's source, highlighted
    assert "def backward(self, dout" in text and "class SoftmaxCrossEntropy:" in text
    assert "def run_epoch(self" in text and "def he(fan_in" in text  # the training loop and the initialisers
    assert "papermill" not in html.lower() and "injected-parameters" not in html


def test_html_needs_nothing_from_the_network(built):
    html = (built[0] / report.HTML_NAME).read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.findall(r'<(?:img|link|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
    assert not re.findall(r'url\(["\']?(?:https?:)?//', html)


def test_the_data_is_named_by_its_folder_never_by_its_path(built, course):
    html = (built[0] / report.HTML_NAME).read_text(encoding="utf-8")
    assert str(course.resolve()) not in html and str(course.parent) not in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "course: 300 training and 100 test images" in text  # the title page's data row


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


def test_pdf_has_the_questions_and_the_runs_numbers(built, course):
    out, _ = built
    flat = " ".join(" ".join(pdf_pages(out / report.PDF_NAME)).split())
    for title in TITLES:
        assert title in flat
    data = load_dataset(course)
    screen = {"screen_epochs": SMALL_REPORT["sweep_screen_epochs"], "keep": SMALL_REPORT["sweep_keep"]}
    result = experiments.choose_hyperparameters(
        data,
        trials=SMALL_REPORT["sweep_trials"],
        max_epochs=SMALL_REPORT["sweep_epochs"],
        seed=SMALL_REPORT["seed"],
        **screen,
    )
    assert len(result.stopped) == 1  # the screening ran: one of the three trials stopped after one epoch
    main = result.final
    study = run_models_study(
        data,
        seed=SMALL_REPORT["seed"],
        seeds=3,
        trials=SMALL_REPORT["sweep_trials"],
        sweep_epochs=SMALL_REPORT["sweep_epochs"],
        sigmoid_lrs=SMALL_REPORT["sigmoid_lrs"],
        hidden=SMALL_REPORT["hidden"],
        batch_size=SMALL_REPORT["batch_size"],
        epochs=SMALL_REPORT["epochs"],
        first_attempt_rates=SMALL_REPORT["seed_report_lrs"],
        **screen,
    )
    # The very runs the notebooks made, every seed of both networks.
    assert main.from_cache and all(h.from_cache for m in study.models for h in m.repeated.runs)
    assert "Choosing the hyperparameters" in flat
    assert f"reached a validation error of {result.best.val_error:.2%}" in flat
    chosen, sigmoid = study.models
    assert f"{chosen.name} ends with a test error of {100 * chosen.final('test_error').mean:.1f}%" in flat
    assert f"{sigmoid.name} ends with {100 * sigmoid.final('test_error').mean:.1f}% test error" in flat
    wrong = int((main.test_pred != data.test_y).sum())
    assert main.final_test_error == pytest.approx(wrong / len(data.test_y))
    assert f"whose test error is {pct(main.final_test_error)} (Figure 4.1)." in flat
    assert f"{main.final_train_error:.1%}" in flat


def test_pdf_pages_are_numbered_and_the_contents_gives_each_headings_page(built):
    pages = pdf_pages(built[0] / report.PDF_NAME)
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"{number} / {len(pages)}"), (number, text[-200:])
    entries, pending = [], ""
    for line in pages[0].split("Contents", 1)[1].splitlines():  # "heading ..... 12", long headings wrapped
        match = re.match(r"^(.*?) ?\.{4,} ?(\d+)$", line.strip())
        if match:
            entries.append((f"{pending} {match.group(1)}".strip(), match.group(2)))
            pending = ""
        elif line.strip():
            pending = f"{pending} {line.strip()}".strip()
    assert len(entries) >= 15 and entries[0][0] == "Method" and entries[1][0] == TITLES[0], entries
    for heading, number in entries:
        lines = pages[int(number) - 1].splitlines()
        assert heading in [line.strip() for line in lines], (heading, number)
        earlier = [n for n in range(1, int(number) - 1) if heading in [line.strip() for line in pages[n].splitlines()]]
        assert not earlier, (heading, number, earlier)  # the first page the heading is on


def test_the_appendix_starts_a_page_and_no_page_before_it_is_left_part_empty(built):
    pages = pdf_pages(built[0] / report.PDF_NAME)
    starts = [number for number, page in enumerate(pages, start=1) if page.strip().splitlines()[0] == "Appendix"]
    assert len(starts) == 1 and starts[0] <= 13, starts  # the answers take at most 12 pages
    for title in TITLES:  # the questions follow one another without forced breaks
        assert [page for page in pages[: starts[0] - 1] if title in page], title
    fill = page_fill(built[0] / report.HTML_NAME)
    assert len(fill) == len(pages)
    # A figure too tall for what is left of a page moves to the next one, so a page can end early; a forced
    # break (each question on a new page, say) leaves far more empty. The default data is checked at 2/3.
    part_empty = [number for number, share in enumerate(fill[: starts[0] - 2], start=1) if share < 1 / 2]
    assert not part_empty, (part_empty, [round(f, 2) for f in fill])


def test_no_heading_is_left_alone_at_the_foot_of_a_page(built):
    out = built[0]
    assert headings_ending_a_page(out / report.HTML_NAME, out / report.PDF_NAME) == []


def test_the_default_report_gives_no_warning(built):
    assert "warning" not in built[1].stderr


def test_user_text_no_font_can_draw_gives_one_warning_and_the_command_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fonts, "missing_characters", lambda text: [c for c in text if not c.isascii()])
    argv = [
        "report",
        "--out",
        str(tmp_path / "out"),
        "--title",
        "Homework 1 ✓",
        "--subtitle",
        CHINESE,
        "--data",
        "/no/such/folder",
    ]  # stops at the data, the step after the warning
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith("hw1lib: warning: no installed font has the characters ✓作業一"), err
    assert "of the title and subtitle" in err[0] and "install fonts-noto-core and fonts-noto-cjk" in err[0]
    assert err[1].startswith("hw1lib: error:") and "/no/such/folder" in err[1]


@pytest.mark.skipif(not HAVE_CJK_FONT, reason="no CJK font for Chinese text (apt-get install fonts-noto-cjk)")
def test_a_chinese_subtitle_keeps_its_characters_in_the_pdf(course, tmp_path):
    data = load_dataset(course)
    merged = report.merge(
        [widget_notebook("a", tagged=True)], data, {**SMALL_REPORT, "data": str(course)}, "Homework 1", CHINESE, 1.0
    )
    (tmp_path / "title.html").write_text(report.export_html(merged), encoding="utf-8")
    first = pdf_pages(pdf.print_pdf(tmp_path / "title.html", tmp_path / "title.pdf"))[0]
    assert CHINESE in first.replace(" ", "").replace("\n", "")


def test_without_a_font_for_the_script_the_warning_names_the_package(tmp_path):
    # fontconfig reads its configuration once per process: ask a fresh one, given a config with no fonts.
    (tmp_path / "fonts.conf").write_text(f"""<?xml version="1.0"?>
<fontconfig><dir>{tmp_path / "no-fonts"}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>""")
    code = (
        "from hw1lib.report import fonts; "
        f"print(fonts.font_warning({{'title': 'Homework 1', 'subtitle': {CHINESE!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")},
    )
    if not fonts.can_check():
        assert result.stdout.strip() == "None"  # nothing to ask: no warning, no crash
        return
    message = result.stdout.strip()
    assert message.startswith("no installed font has the characters 作業一") and "of the subtitle," in message
    assert "fonts-noto-cjk" in message and "title" not in message.replace("subtitle", "")


def test_a_title_in_latin_script_needs_no_warning():
    assert fonts.font_warning({"title": "Homework 1: a neural network from scratch", "subtitle": ""}) is None


@pytest.mark.skipif(not HAVE_CHROMIUM, reason="no Chromium for --pdf-engine chromium (apt-get install chromium)")
def test_chromium_engine_prints_the_same_report_with_page_numbers(built, tmp_path):
    target = pdf.print_pdf(built[0] / report.HTML_NAME, tmp_path / "chromium.pdf", engine="chromium")
    pages = pdf_pages(target)
    flat = " ".join(" ".join(pages).split())
    assert all(title in flat for title in TITLES)
    assert f"{len(pages)} / {len(pages)}" in [line.strip() for line in pages[-1].splitlines()]  # its footer


def test_without_weasyprint_the_message_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if it were not installed
    (tmp_path / "page.html").write_text("<p>text</p>")
    with pytest.raises(pdf.PdfError, match="--pdf-engine chromium"):
        pdf.print_pdf(tmp_path / "page.html", tmp_path / "page.pdf")
    assert not (tmp_path / "page.pdf").exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-p", "no_such_thing", "1"], "unknown notebook parameter(s) no_such_thing"),
        (["-p", "latent_lr", "0.1"], "unknown notebook parameter(s) latent_lr"),  # question 3 takes question 1's
        (["--hidden", "0"], "hidden size: expected a whole number >= 1"),
        (["--jobs", "0"], "--jobs: expected a whole number >= 1"),
        (["-p", "sweep_trials", "0"], "sweep_trials: expected a whole number >= 1, got 0"),
        (["-p", "sweep_epochs", "0"], "epochs: expected a whole number >= 1"),
        (["--data", "/no/such/folder"], "/no/such/folder"),
        (["--pdf-engine", "latex"], "argument --pdf-engine: invalid choice: 'latex'"),
    ],
)
def test_bad_input_fails_in_one_line_before_any_notebook_runs(args, expected, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert not (tmp_path / "out" / "notebooks").exists()


def fake_execute(events, tags_first=True, fail_first=False):
    """A stand-in for ``report.execute`` that logs starts, tags and ends; the notebook others wait
    for runs longest, reaching its ``training`` cell (if ``tags_first``) a third of the way in."""
    first_notebooks = set(report.AFTER.values())

    def execute(source, target, parameters, on_tag=None):
        events.append(("start", source.name))
        if source.name in first_notebooks:
            time.sleep(0.15)
            if tags_first:
                events.append(("trained", source.name))
                on_tag(report.TRAINING_TAG)
            time.sleep(0.3)
            if fail_first:
                raise report.ReportError(f"{source.name} failed")
        else:
            time.sleep(0.05)
        events.append(("end", source.name))

    return execute


def test_a_notebook_starts_once_the_one_whose_runs_it_reuses_has_trained(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(execution, "execute", fake_execute(events))
    timings = report.execute_all(tmp_path, tmp_path, {}, jobs=2, log=lambda line: None)
    assert sorted(timings) == sorted(report.NOTEBOOKS)
    assert report.AFTER
    for later, first in report.AFTER.items():
        assert events.index(("trained", first)) < events.index(("start", later))
    # The second worker thread does not wait for the end of the first notebook, only its training.
    assert min(events.index(("start", later)) for later in report.AFTER) < events.index(("end", "01_models.ipynb"))


def test_without_a_training_cell_a_notebook_waits_for_the_end_of_the_other(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(execution, "execute", fake_execute(events, tags_first=False))
    report.execute_all(tmp_path, tmp_path, {}, jobs=2, log=lambda line: None)
    for later, first in report.AFTER.items():
        assert events.index(("end", first)) < events.index(("start", later))


def test_a_failed_notebook_is_raised_after_the_others_have_run(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(execution, "execute", fake_execute(events, fail_first=True))
    with pytest.raises(report.ReportError, match=r"01_models\.ipynb failed"):
        report.execute_all(tmp_path, tmp_path, {}, jobs=2, log=lambda line: None)
    assert {("end", later) for later in report.AFTER} <= set(events)


def test_an_unexpected_error_in_a_notebook_thread_is_raised_not_waited_for(tmp_path, monkeypatch):
    def execute(source, target, parameters, on_tag=None):
        if source.name == "03_latent.ipynb":
            raise RuntimeError("a bug")
        if on_tag is not None:
            on_tag(report.TRAINING_TAG)

    monkeypatch.setattr(execution, "execute", execute)
    with pytest.raises(RuntimeError, match="a bug"):
        report.execute_all(tmp_path, tmp_path, {}, jobs=2, log=lambda line: None)


def test_the_notebooks_mark_where_their_training_ends():
    """The build relies on these tags to start the next notebooks early; a lost tag only costs time."""
    for first in set(report.AFTER.values()):
        notebook = nbformat.read(report.notebooks_dir() / first, as_version=4)
        tagged = [cell for cell in notebook.cells if report.TRAINING_TAG in cell.metadata.get("tags", ())]
        assert len(tagged) == 1 and "run_" in tagged[0].source


def widget_notebook(state_key, tagged):
    """A small executed-looking notebook with one widget output and its saved widget state."""
    view = {
        "application/vnd.jupyter.widget-view+json": {"model_id": state_key, "version_major": 2, "version_minor": 0},
        "text/plain": "IntSlider(value=3)",
    }
    widget = nbformat.v4.new_code_cell("explore()", outputs=[nbformat.v4.new_output("display_data", data=view)])
    if tagged:
        widget.metadata["tags"] = ["widget"]
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"# Section {state_key}"),
            widget,
            nbformat.v4.new_markdown_cell(f"static text {state_key}"),
        ]
    )
    notebook.metadata["widgets"] = {
        report.WIDGET_STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {state_key: {"model_name": "IntSliderModel"}},
        }
    }
    return notebook


def test_merge_keeps_widget_state_and_the_static_report_drops_widgets(course):
    data = load_dataset(course)
    parameters = {**SMALL_REPORT, "data": str(course)}
    merged = report.merge(
        [widget_notebook("a", tagged=True), widget_notebook("b", tagged=False)],
        data,
        parameters,
        "Title",
        "副標題",
        1.0,
    )
    assert set(merged.metadata["widgets"][report.WIDGET_STATE]["state"]) == {"a", "b"}
    ids = [cell.id for cell in merged.cells]
    assert len(ids) == len(set(ids))
    html = report.export_html(merged)
    assert "static text a" in html and "static text b" in html
    assert "widget-view" not in html and "widget-state" not in html and "IntSlider" not in html
    assert 'href="#Section-a"' in html and 'id="Section-a"' in html


def test_appendix_has_equations_and_a_gradient_check_computed_at_build_time(built):
    html = (built[0] / report.HTML_NAME).read_text(encoding="utf-8")
    appendix = html[html.index('id="Appendix"') :]
    assert len(re.findall(r'<img[^>]*class="hw1-equation"[^>]*src="data:image/png;base64,', appendix)) >= 5
    errors = [float(e) for e in re.findall(r"<td[^>]*>(\d\.\de-\d\d)</td>", appendix)]
    assert len(errors) >= 10 and max(errors) < 1e-6
    assert appendix.index("Backpropagation") < appendix.index("Gradient check") < appendix.index("The code")


def test_no_page_ends_with_a_code_file_label_cut_from_its_code(built):
    out, _ = built
    pages = [[line for line in text.splitlines() if line.strip()] for text in pdf_pages(out / report.PDF_NAME)]
    labels = [page.index(line) for page in pages for line in page if re.match(r"hw1lib/\S+\.py\b", line)]
    assert len(labels) >= 6
    for page in pages:
        body = page[:-1]  # the last line is the page number
        assert not (body and re.match(r"hw1lib/\S+\.py\b", body[-1])), body[-1]


def test_author_and_student_id_reach_the_first_page(course, tmp_path, jupyter_home):
    out = tmp_path / "with-author"
    args = [*small_args(course, out), "--no-pdf", "--author", "Lin Mei-Ling", "--student-id", "R12345678"]
    assert main(args) == 0
    html = (out / report.HTML_NAME).read_text(encoding="utf-8")
    first_page = html[: html.index('id="Contents"')]
    assert "Author: Lin Mei-Ling" in first_page and "Student ID: R12345678" in first_page
