"""Question 4 on a balanced and a 2:1 unbalanced data set: its facts are the confusion matrix's numbers,
every class the text names is the one the facts designate, and the text changes with what the data shows
(class frequency only on unbalanced classes, "hardest" only where the intervals separate)."""

import re

import numpy as np
import pandas as pd
import pytest

from hw1lib.cli import build_parser
from hw1lib.data.datasets import load_dataset
from hw1lib.report import build, experiments, figures, firstpage, merge, metrics, tables
from hw1lib.report.captions import Numbering
from hw1lib.report.figures.confusion import cell_labels
from hw1lib.report.studies import confusion
from hw1lib.report.studies.confusion import MIN_PAIR_IMAGES, PAIR_COLORS, ConfusionStudy, conclusion_facts
from hw1lib.report.text import render, render_text
from hw1lib.runs.training import train

from .helpers import SMALL_REPORT, write_noisy_course_folder, write_unbalanced_course_folder

BUDGET = dict(hidden=[16], epochs=3, seed=0, lr=0.2, batch_size=32)
RUNNING = ("setup", "classes", "pairs", "similarity", "confidence")
CAPTIONS = ("caption_matrix", "caption_classes", "caption_pairs", "caption_gallery")


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


def facts_of(study, **changes):
    """The study's facts with the numbering's labels, as the notebook builds them, and ``changes`` on top."""
    facts = study.facts(8)
    numbers = Numbering(4, figures=("matrix", "classes", "gallery"), tables=("pairs",) if facts["has_top"] else ())
    return {**facts, **numbers.labels(), **changes}


def text_of(facts, blocks=RUNNING):
    return "\n\n".join(render("q4", block, facts) for block in blocks)


def named_classes(text):
    """Every class the prose names by number ('class 3', 'classes 4 and 9', 'classes 1, 3 and 4')."""
    found = {int(k) for k in re.findall(r"\b[Cc]lass (\d)\b", text)}
    for listed in re.findall(r"\b[Cc]lasses ((?:\d, )*\d and \d)\b", text):
        found |= {int(k) for k in re.findall(r"\d", listed)}
    return found


def test_the_facts_are_the_matrixs_numbers(case):
    data, study = case
    facts = study.facts(8)
    conf = metrics.confusion_matrix(data.test_y, study.history.test_pred, 10)
    assert np.array_equal(study.conf, conf)
    assert facts["wrong"] == int((study.history.test_pred != data.test_y).sum()) == conf.sum() - np.trace(conf)
    assert facts["right"] == np.trace(conf) and facts["error"] == pytest.approx(facts["wrong"] / len(data.test_y))
    rates = 1 - np.diag(conf) / conf.sum(axis=1)
    assert facts["class_error"] == pytest.approx(list(rates))
    low, high = metrics.wilson_interval(conf.sum(axis=1) - np.diag(conf), conf.sum(axis=1))
    assert facts["class_low"] == pytest.approx(list(low)) and facts["class_high"] == pytest.approx(list(high))
    assert facts["worst_class"] == str(int(np.argmax(rates))) and facts["worst_error"] == pytest.approx(rates.max())
    assert facts["lowest_error"] == pytest.approx(rates.min())
    assert sum(p.images for p in study.pairs) == facts["wrong"] and facts["total_pairs"] == 45
    assert all(p["images"] >= MIN_PAIR_IMAGES for p in facts["pairs"])
    if facts["has_top"]:
        a, b = (int(k) for k in facts["top"])
        assert facts["top_images"] == conf[a, b] + conf[b, a] == max(p.images for p in study.pairs)
        assert facts["highlight"] == [a, b]
    counts = np.bincount(data.train_y, minlength=10)
    assert facts["train_counts"] == list(counts) and facts["balanced"] == (counts.min() == counts.max())
    assert facts["class_sizes"] == ("equal" if facts["balanced"] else "unequal")  # 2:1 is not nearly equal
    assert facts["gallery"] == min(8, facts["wrong"]) and study.networks()[0][1] == study.history.config


def test_class_size_is_correlated_with_error_only_when_the_classes_differ(case):
    _, study = case
    facts = study.facts()
    if facts["class_sizes"] != "unequal":
        assert facts["size_rho"] is None and not facts["size_clear"]
        return
    counts, rates = pd.Series(facts["train_counts"]), pd.Series(facts["class_error"])
    assert facts["size_rho"] == pytest.approx(counts.corr(rates, method="spearman"))
    assert facts["size_low"] < facts["size_rho"] < facts["size_high"]
    assert facts["size_strength"] == confusion.strength(facts["size_rho"])
    assert facts["size_clear"] == (facts["size_high"] < 0 or facts["size_low"] > 0)


def test_correlations_are_worded_no_stronger_than_they_are():
    assert [confusion.strength(r) for r in (0.05, -0.3, 0.45, 0.63, -0.7, 0.95, float("nan"))] == [
        "none",
        "weak",
        "moderate",
        "moderate",
        "strong",
        "strong",
        "none",
    ]
    low, high = confusion.spearman_interval(0.63, 10)
    assert low < 0.1 < 0.63 < high < 1  # with ten classes even 0.63 is far from sure


def test_the_conclusions_facts_are_plain_json(case):
    _, study = case
    facts = conclusion_facts(study.facts())
    assert firstpage.plain(facts) == facts
    assert set(facts) == {
        "test_error",
        "train_error",
        "wrong",
        "n_test",
        "numbered",
        "worst_class",
        "worst_error",
        "hardest",
        "top_pair",
        "top_pair_images",
        "balanced",
        "class_sizes",
        "size_rho",
        "size_strength",
        "size_direction",
        "size_clear",
        "largest_class",
        "largest_lowest",
        "similarity_rho",
        "similarity_strength",
    }


def test_the_figures_draw_the_facts_and_the_caption_names_their_colours(case):
    _, study = case
    facts = facts_of(study)
    ax = figures.confusion_matrix_figure(study.conf, study.class_names).axes[0]
    assert [t.get_text() for t in ax.texts] == list(cell_labels(study.conf).ravel())
    colors = figures.pair_colors(10, facts["highlight"], facts["pair_colors"], facts["other_color"])
    bars = figures.per_class_error_bars(
        facts["class_error"], study.class_names, facts["error"], facts["class_low"], facts["class_high"], colors
    ).axes[0]
    assert [b.get_height() for b in bars.patches] == pytest.approx(facts["class_error"])
    assert PAIR_COLORS == ("#0072B2", "#E69F00")  # Okabe-Ito blue and orange: the caption's words
    caption = render_text("q4", "caption_classes", facts)
    if facts["has_top"]:
        a, b = facts["highlight"]
        assert colors[a] == PAIR_COLORS[0] and colors[b] == PAIR_COLORS[1]
        assert f"lass {a} is drawn in blue and class {b} in orange" in caption
    else:
        assert set(colors) == {facts["other_color"]} and "blue" not in caption
    assert "overlap" not in caption and not re.search(r"\b(red|green)\b", caption)


def test_every_class_the_text_names_is_the_one_the_facts_designate(case):
    _, study = case
    facts = facts_of(study)
    designated = {
        *study.highest_classes,
        *study.lowest_classes,
        *study.overlapping_worst,
        *study.above_overall,
        *study.below_overall,
        study.most_alike_pair.a,
        study.most_alike_pair.b,
        study.majority_class,
    }
    if study.standout_pairs:
        top = study.standout_pairs[0]
        designated |= {top.a, top.b}
    assert named_classes(text_of(facts)) <= designated
    i, j, n = study.darkest_cell
    caption = render_text("q4", "caption_matrix", facts)
    assert f"The darkest red cell is class {i} answered as class {j}: {n} image" in caption


def test_class_frequency_is_discussed_only_on_unbalanced_classes(case):
    _, study = case
    facts = facts_of(study)
    text = render("q4", "classes", facts)
    discussed = "Spearman rank correlation between a class's training images and its test error rate" in text
    assert discussed == (not study.balanced)
    if study.balanced:
        assert "Every class has the same number of training images, so these differences cannot" in text
    else:
        assert "not equal in size" in text and "cause" in text and "cannot rule out that there is no link" in text
    # Nearly equal classes: one clause, no correlation.
    near = render("q4", "classes", {**facts, "class_sizes": "near", "train_min": 400, "train_max": 430})
    assert "nearly equal in size, with 400 to 430 training images" in near and "Spearman" not in near
    # A clear link is said to be clear, and never to be the cause.
    clear = render(
        "q4",
        "classes",
        {
            **facts,
            "class_sizes": "unequal",
            "size_defined": True,
            "size_rho": -0.9,
            "size_low": -0.98,
            "size_high": -0.6,
            "size_strength": "strong",
            "size_direction": "larger_better",
            "size_clear": True,
        },
    )
    assert "a strong tendency for larger classes to have lower error" in clear and "excludes zero" in clear
    assert "would not show that size is the cause" in clear


def test_hardest_is_said_only_where_the_intervals_separate(case):
    data, study = case
    low, high = study.intervals
    worst = study.worst_class
    separated = low[worst] > max(high[k] for k in range(10) if k != worst)
    assert ("is the hardest class" in render("q4", "classes", facts_of(study))) == separated
    # Every image of class 4 wrong, every other image right: class 4 is clearly the hardest.
    pred = np.asarray(data.test_y).copy()
    pred[pred == 4] = 5
    clear = with_predictions(study, data, pred)
    assert clear.facts()["ranking"] == "hardest"
    assert "Class 4 is the hardest class: its interval lies wholly above" in render("q4", "classes", facts_of(clear))
    # One more error in class 4 than in class 7: the intervals overlap, so no class is called the hardest.
    pred = np.asarray(data.test_y).copy()
    pred[np.flatnonzero(data.test_y == 4)[:2]] = 5
    pred[np.flatnonzero(data.test_y == 7)[:1]] = 1
    close = with_predictions(study, data, pred)
    text = render("q4", "classes", facts_of(close))
    assert close.facts()["ranking"] == "overlap" and "hardest class" not in text
    assert "Class 4 has the highest rate, but its interval overlaps" in text


def test_no_raw_number_no_order_and_no_long_sentence(case):
    _, study = case
    for facts in (facts_of(study), facts_of(study, diverged=True)):
        running = text_of(facts)
        captions = text_of(facts, CAPTIONS if facts["has_top"] else CAPTIONS[:2] + CAPTIONS[3:])
        for text in (running, captions):
            assert not re.search(r"\d \d|nan|None|\d\.\d{3,}|\{|\}", text), text
            assert not re.search(r"\b(Look|Compare|Note|See)\b", text)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", running) if s.strip()]
        assert max(len(s.split()) for s in sentences) <= 45
        assert "largely follow" not in running and "only where their intervals do not overlap" not in captions


def test_pairs_are_named_only_when_they_stand_out(case):
    data, study = case
    pred = np.asarray(data.test_y).copy()
    nines = np.flatnonzero(data.test_y == 9)
    fours = np.flatnonzero(data.test_y == 4)
    pred[nines[:3]], pred[fours[:1]] = 4, 9
    one = with_predictions(study, data, pred)
    facts = facts_of(one)
    assert render("q4", "pairs", facts) == (
        "Only one pair, classes 4 and 9, is confused at least 3 times (Table 4.1). It accounts for 4 of the 4 "
        "mistakes, most of them images of class 9 answered as class 4."
    )
    columns = [line.removeprefix("- ") for line in render_text("q4", "pairs_columns", facts).splitlines()]
    assert columns[-1] == "mean-image correlation (rank of 45)"
    assert tables.pairs_table(facts, columns).data["both"].tolist() == [4]
    pred = np.asarray(data.test_y).copy()
    pred[nines[:2]] = 4
    pred[fours[:1]] = 3
    thin = facts_of(with_predictions(study, data, pred))
    assert not thin["has_top"] and thin["table"] == {}  # the notebook declares no table of pairs
    assert render("q4", "pairs", thin).startswith("No two classes are confused more than 2 times")
    assert render("q4", "similarity", thin) == ""


def test_confidence_is_compared_on_right_and_wrong_answers(case):
    _, study = case
    facts = study.facts()
    right, wrong = study.confidence_correct, study.confidence_wrong
    assert len(right) + len(wrong) == study.n_test and len(wrong) == study.wrong
    assert facts["median_right"] == pytest.approx(np.median(right))
    assert facts["median_wrong"] == pytest.approx(np.median(wrong))
    low, caught, mistakes = study.unsure
    assert facts["unsure_share"] == low / study.n_test and facts["sure_mistakes"] == mistakes - caught


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
    facts = facts_of(study)
    for text in (render_text("q4", "caption_matrix", facts), render_text("q4", "caption_classes", facts)):
        assert "Striped digits" in text and str(tmp_path) not in text
    assert "Striped digits" in render("q4", "setup", facts)


def test_the_similarity_claims_follow_the_numbers(case):
    _, study = case
    facts = facts_of(study)
    if not facts["has_top"]:
        return
    text = render("q4", "similarity", facts)
    assert ("is also among the most alike" in text) == (facts["top_alike"] and not facts["alike_is_top"])
    assert ("is not among the most alike" in text) == (not facts["top_alike"])
    assert f"ρ = {facts['similarity_rho']:.2f}".replace("-", "\u2212") in text
    assert ("within what chance alone gives" in text) == (not facts["similarity_clear"])
    moderate = render(
        "q4",
        "similarity",
        {
            **facts,
            "similarity_rho": 0.63,
            "similarity_clear": True,
            "similarity_positive": True,
            "similarity_strength": "moderate",
        },
    )
    assert "ρ = 0.63. That is a moderate link: pairs that look more alike on average tend to be confused" in moderate


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


def test_every_branch_of_the_template_reads_as_sentences(case):
    """The facts' enums and booleans in every combination the text branches on: each renders, no sentence of
    the running text exceeds 45 words, and no braces, raw numbers or doubled spaces leak."""
    import itertools

    _, study = case
    base = facts_of(study)
    if not base["has_top"]:
        return
    variants = itertools.product(
        ("hardest", "tied", "overlap"),
        ("equal", "near", "unequal"),
        ("none", "weak", "strong"),
        ("larger_better", "larger_worse"),
        (True, False),
        ("only", "mostly", "both"),
        ("flags_most", "somewhat", "no"),
    )
    for ranking, sizes, strength, direction, clear, way, confidence in variants:
        facts = {
            **base,
            "ranking": ranking,
            "class_sizes": sizes,
            "size_defined": True,
            "size_rho": -0.5 if direction == "larger_better" else 0.5,
            "size_low": -0.9,
            "size_high": 0.2,
            "size_strength": strength,
            "size_direction": direction,
            "size_clear": clear,
            "majority_lowest": True,
            "top_direction": way,
            "confidence": confidence,
            "unsure_none": False,
            "unsure_amount": {"flags_most": "rare", "somewhat": "small", "no": "many"}[confidence],
            "similarity_clear": clear,
            "pairs_listed": 1 if clear else 3,
            "one_pair": clear,
            "listed_most": clear,
        }
        running = text_of(facts)
        assert not re.search(r"\{|\}|  |\d\.\d{3,}| ,| \.", running), running
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", running) if s.strip()]
        assert max(len(s.split()) for s in sentences) <= 45
        assert ("cause" in running) == (sizes == "unequal" and strength != "none")
