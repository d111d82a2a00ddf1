"""Question 4 on a balanced and a 2:1 unbalanced data set: every class the text names is the one the
study (the object its figures are drawn from) designates, and the baselines fit each set."""

import re

import numpy as np
import pytest

from hw1lib.cli import build_parser
from hw1lib.data.datasets import load_dataset
from hw1lib.report import build, experiments, figures, merge, metrics
from hw1lib.report.discussion import confusion as prose
from hw1lib.report.discussion.words import pct
from hw1lib.report.figures.confusion import cell_labels
from hw1lib.report.studies.confusion import MIN_PAIR_IMAGES, ConfusionStudy
from hw1lib.runs.training import train

from .helpers import SMALL_REPORT, write_noisy_course_folder, write_unbalanced_course_folder

BUDGET = dict(hidden=[16], epochs=3, seed=0, lr=0.2, batch_size=32)


@pytest.fixture(scope="module", params=["balanced", "unbalanced"])
def case(request, tmp_path_factory):
    """(dataset, study of a network trained on it) for each kind of data set."""
    write = write_noisy_course_folder if request.param == "balanced" else write_unbalanced_course_folder
    data = load_dataset(write(tmp_path_factory.mktemp(request.param) / f"{request.param}-stripes"))
    history = train(experiments.model_config("relu", **BUDGET), data, progress=False)
    return data, ConfusionStudy.of(history, data)


def with_predictions(study, data, pred):
    """The study of the same network and data, had it predicted ``pred`` on the test set."""
    return ConfusionStudy.of(study.history.replace(test_pred=np.asarray(pred)), data)


def capital(text):
    return text[:1].upper() + text[1:]


def named_classes(text):
    """Every class the prose names by number ('class 3', 'classes 4 and 9')."""
    found = {int(k) for k in re.findall(r"\b[Cc]lass (\d)\b", text)}
    for listed in re.findall(r"\b[Cc]lasses ((?:\d, )*\d and \d)\b", text):
        found |= {int(k) for k in re.findall(r"\d", listed)}
    return found


def test_the_study_holds_the_figures_numbers(case):
    data, study = case
    assert np.array_equal(study.conf, metrics.confusion_matrix(data.test_y, study.history.test_pred, 10))
    assert study.wrong == int((study.history.test_pred != data.test_y).sum())
    assert study.class_errors.sum() == study.wrong
    low, high = metrics.wilson_interval(study.class_errors, study.test_counts)
    assert np.allclose(study.intervals[0], low) and np.allclose(study.intervals[1], high)
    assert sum(p.images for p in study.pairs) == study.wrong and len(study.pairs) == 45
    assert [p.images for p in study.pairs] == sorted((p.images for p in study.pairs), reverse=True)
    assert all(p.images >= MIN_PAIR_IMAGES for p in study.standout_pairs)
    assert study.networks() == [("question 1's chosen network", study.history.config)]
    answer, key = study.summary()
    assert answer.endswith(".") and key == f"{pct(study.error)} test error"


def test_the_figures_draw_the_study(case):
    _, study = case
    ax = figures.confusion_matrix_figure(study.conf, study.class_names).axes[0]
    assert [t.get_text() for t in ax.texts] == list(cell_labels(study.conf).ravel())
    low, high = study.intervals
    bars = figures.per_class_error_bars(study.class_error_rates, study.class_names, study.error, low, high).axes[0]
    assert [b.get_height() for b in bars.patches] == pytest.approx(list(study.class_error_rates))


def test_every_class_the_text_names_is_the_one_the_study_designates(case):
    _, study = case
    text = prose.confusion_text(study, 8)
    top, bottom = capital(study.names(study.highest_classes)), capital(study.names(study.lowest_classes))
    if study.hardest_class is not None:
        assert f"{top} is the hardest class" in text
    else:
        assert f"{top} has the highest rate" in text or f"{top} share the highest rate" in text
    assert re.search(
        f"lowest observed rate is that of {re.escape(study.names(study.lowest_classes))}:|"
        f"{re.escape(bottom)} share the lowest observed rate|{re.escape(bottom)} have no wrong",
        text,
    )
    designated = {
        *study.highest_classes,
        *study.lowest_classes,
        *study.overlapping_worst,
        *study.above_overall,
        *study.below_overall,
        study.most_alike_pair.a,
        study.most_alike_pair.b,
    }
    if not study.balanced:
        designated.add(study.majority_class)
    if study.standout_pairs:
        top = study.standout_pairs[0]
        designated |= {top.a, top.b}
        assert (
            f"The first, {study.pair_name(top)}, accounts for {top.images:,} of the {study.wrong:,}" in text
            or f"It, {study.pair_name(top)}, accounts for" in text
        )
    assert named_classes(text) <= designated
    i, j, n = study.darkest_cell
    caption = prose.matrix_caption(study)
    assert f"the darkest red cell, {study.name(i)} answered as {study.name(j)} ({n} image" in caption


def test_the_baselines_fit_each_data_set(case):
    data, study = case
    text = prose.overall_text(study)
    counts = np.bincount(data.train_y, minlength=10)
    if counts.min() == counts.max():
        assert study.balanced and "most frequent" not in text
        assert f"every class has {counts[0]:,} training images" in text and "wrong 90.0% of the time" in text
    else:
        k = int(np.argmax(counts))
        error = float(np.mean(data.test_y != k))
        assert k == 0 and study.majority_class == 0 and study.majority_error == pytest.approx(error)
        assert f"always answering the most frequent training class, class 0 ({pct(counts[0] / counts.sum())}" in text
        assert f"would be wrong on {pct(error)} of the test images" in text and "wrong 90.0% of the time" in text
        assert counts.max() == 2 * counts.min()
        assert error < 0.9  # below the uniform guess: that is why both are named


def test_hardest_is_said_only_where_the_intervals_separate(case):
    data, study = case
    low, high = study.intervals
    worst = study.worst_class
    separated = low[worst] > max(high[k] for k in range(10) if k != worst)
    assert ("is the hardest class" in prose.by_class_text(study)) == separated
    # Every image of class 4 wrong, every other image right: class 4 is clearly the hardest.
    pred = np.asarray(data.test_y).copy()
    pred[pred == 4] = 5
    clear = with_predictions(study, data, pred)
    assert clear.hardest_class == 4 and "Class 4 is the hardest class: its error rate, 100.0%" in prose.by_class_text(
        clear
    )
    # One more error in class 4 than in class 7: the intervals overlap, so no class is called the hardest.
    pred = np.asarray(data.test_y).copy()
    pred[np.flatnonzero(data.test_y == 4)[:2]] = 5
    pred[np.flatnonzero(data.test_y == 7)[:1]] = 1
    close = with_predictions(study, data, pred)
    text = prose.by_class_text(close)
    assert close.hardest_class is None and "hardest" not in text
    assert "Class 4 has the highest rate" in text and "do not show it to be harder" in text


def test_counts_are_never_written_next_to_a_class_number(case):
    _, study = case
    text = prose.confusion_text(study, 8)
    assert not re.search(r"\d \d", text)  # as in "9 is read as 4 12 times"
    assert "the other way round" not in text and "only 0.0%" not in text


def test_pairs_are_named_only_when_they_stand_out(case):
    data, study = case
    pred = np.asarray(data.test_y).copy()
    nines = np.flatnonzero(data.test_y == 9)
    fours = np.flatnonzero(data.test_y == 4)
    pred[nines[:3]], pred[fours[:1]] = 4, 9
    one = with_predictions(study, data, pred)
    text = prose.pairs_text(one)
    assert "Only one pair of classes is confused at least 3 times (Table 4.1)" in text
    assert (
        "3 test images of class 9 were answered as class 4, and 1 of class 4 as class 9" in text
        or "1 test image of class 4 was answered as class 9, and 3 of class 9 as class 4" in text
    )
    assert prose.pairs_table(one).data["both"].tolist() == [4]
    pred = np.asarray(data.test_y).copy()
    pred[nines[:2]] = 4
    pred[fours[:1]] = 3
    thin = with_predictions(study, data, pred)
    assert prose.pairs_table(thin) is None
    assert "No two classes are confused more than twice" in prose.pairs_text(thin)


def test_confidence_is_compared_on_right_and_wrong_answers(case):
    _, study = case
    text = prose.confidence_text(study, 8)
    right, wrong = study.confidence_correct, study.confidence_wrong
    assert len(right) + len(wrong) == study.n_test and len(wrong) == study.wrong
    assert f"{len(right):,} test images it gets right" in text and f"{len(wrong):,} it gets wrong" in text
    assert "does not signal" not in text and "regularisation" not in text and "more training data" not in text


def test_cell_labels_never_print_zero_for_a_cell_with_images():
    conf = np.array([[9998, 1, 1], [0, 7, 0], [2, 0, 4]])
    labels = cell_labels(conf)
    assert labels[0, 1] == "<0.1%\n(1)" and labels[0, 0] == ">99.9%\n(9,998)"
    assert labels[1, 0] == "" and labels[1, 1] == "100.0%\n(7)" and labels[2, 0] == "33.3%\n(2)"


def test_data_name_is_the_folders_name_and_not_its_path(tmp_path):
    folder = write_noisy_course_folder(tmp_path / "stripes")
    data = load_dataset(folder)
    assert data.title == "stripes" and str(tmp_path) in data.name
    copy = write_noisy_course_folder(tmp_path / "other-name")
    assert load_dataset(copy).fingerprint == data.fingerprint  # the name is not part of what a run is keyed on
    assert load_dataset("mnist-5k").title == "mnist-5k"
    args = build_parser().parse_args(["report", "--data", str(folder), "--data-name", "Striped digits"])
    assert args.data_name == "Striped digits"


def test_the_data_name_reaches_the_title_page_and_no_path_does(tmp_path):
    folder = write_noisy_course_folder(tmp_path / "stripes")
    data = load_dataset(folder)
    parameters = {
        **SMALL_REPORT,
        "data": str(folder.resolve()),
        "data_name": "",
        "activation": "relu",
        "figures_dir": str(tmp_path / "figures"),
    }
    for name, shown in (("", "stripes"), ("Striped digits", "Striped digits")):
        line = build.data_line(data, {**parameters, "data_name": name})
        assert line.startswith(f"{shown}: 300 training and 100 test images")
        assert "30 training images per class" in line and "30 to 30" not in line
        settings = merge._settings_markdown(data, {**parameters, "data_name": name}, 1.0)
        assert str(tmp_path) not in line + settings and str(folder) not in line + settings
    study = ConfusionStudy.of(
        train(experiments.model_config("relu", **BUDGET), data, progress=False), data, "Striped digits"
    )
    for text in (prose.matrix_caption(study), prose.classes_caption(study), prose.overall_text(study)):
        assert "Striped digits" in text and str(tmp_path) not in text


def test_the_similarity_claims_follow_the_numbers(case):
    _, study = case
    text = prose.pairs_text(study)
    if not study.standout_pairs:
        return
    top, total = study.standout_pairs[0], len(study.pairs)
    assert ("are among the most alike" in text) == (top.similarity_rank <= total / 5)
    assert f"rank {top.similarity_rank} of {total}" in text or f"ranks {top.similarity_rank} of {total}" in text
    link, chance = study.similarity_link, 1.96 / np.sqrt(total - 1)
    assert f"ρ = {link:.2f}" in text
    assert ("tend to be confused more often" in text or "the more often the network confuses them" in text) == (
        link >= chance
    )
    assert "look alike even on average" not in text


@pytest.mark.usefixtures("jupyter_home")
def test_the_notebook_names_the_data_as_asked(tmp_path):
    papermill = pytest.importorskip("papermill")
    import nbformat

    folder = write_noisy_course_folder(tmp_path / "stripes")
    notebook = build.notebooks_dir() / "04_confusion.ipynb"
    accepted = papermill.inspect_notebook(str(notebook))
    parameters = {
        k: v
        for k, v in {
            **SMALL_REPORT,
            "data": str(folder),
            "data_name": "Striped digits",
            "figures_dir": str(tmp_path / "figures"),
        }.items()
        if k in accepted
    }
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "out.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(notebook.parent),
    )
    outputs = [
        o
        for cell in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
        if cell.cell_type == "code"
        for o in cell.outputs
    ]
    shown = " ".join(
        o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/html", "") for o in outputs
    )
    assert shown.count("Striped digits") >= 4 and str(tmp_path) not in shown  # text and every caption
