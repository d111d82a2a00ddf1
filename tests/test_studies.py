"""Questions 1 and 2 on a balanced and on an unbalanced data set: every name, seed, baseline and shape
word in the text is the one the study object holds and its figures draw."""

import dataclasses
import re

import numpy as np
import pytest

from hw1lib.data.datasets import load_dataset
from hw1lib.report import figures, shapes
from hw1lib.report.captions import Numbering, labels_of
from hw1lib.report.studies.initialization import run_init_study
from hw1lib.report.studies.models import run_models_study
from hw1lib.report.studies.models_facts import models_facts
from hw1lib.report.studies.seeds import Spread
from hw1lib.report.tables import init_table
from hw1lib.report.text import render, render_all
from hw1lib.runs.config import RunConfig, display_name
from hw1lib.search import tables

SMALL = dict(hidden=[16], batch_size=32, epochs=3)


def write_folder(folder, weights, n_train=400, n_test=150, seed=0):
    """A course folder whose class k holds a share ``weights[k] / sum(weights)`` of the images."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name, n in (("train", n_train), ("test", n_test)):
        counts = np.floor(n * np.asarray(weights) / np.sum(weights)).astype(int)
        counts[: n - counts.sum()] += 1
        labels = rng.permutation(np.repeat(np.arange(10), counts))
        images = _stripes(labels, rng)
        np.savez(folder / f"{name}.npz", image=images, label=labels.astype(np.float64))
    return folder


def _stripes(labels, rng):
    """Images like ``helpers.striped_images``: class k lights up row band k, plus noise."""
    images = rng.integers(0, 60, size=(len(labels), 28, 28))
    for k in range(10):
        images[labels == k, 2 * k + 2 : 2 * k + 5, 4:24] += 180
    # A few test images per class carry another class's stripe too, so no network is perfect.
    mixed = rng.random(len(labels)) < 0.1
    other = (labels + 1 + rng.integers(0, 9, size=len(labels))) % 10
    for i in np.flatnonzero(mixed):
        images[i, 2 * other[i] + 2 : 2 * other[i] + 5, 4:24] += 180
    return np.clip(images, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module", params=["balanced", "unbalanced"])
def data(request, tmp_path_factory):
    weights = np.ones(10) if request.param == "balanced" else np.linspace(2.0, 1.0, 10)[[3, 7, 0, 9, 5, 1, 8, 2, 6, 4]]
    return load_dataset(write_folder(tmp_path_factory.mktemp(request.param) / request.param, weights))


@pytest.fixture(scope="module")
def models_study(data):
    return run_models_study(
        data,
        seed=0,
        seeds=3,
        trials=3,
        sweep_epochs=2,
        sigmoid_lrs=2,
        first_attempt_rates=[0.001, 1.0],
        jobs=1,
        **SMALL,
    )


@pytest.fixture(scope="module")
def init_study(data):
    base = dict(hidden=(16,), batch_size=32, epochs=3, lr=0.2)
    networks = (RunConfig(activation="sigmoid", init="xavier", **base), RunConfig(activation="relu", init="he", **base))
    return run_init_study(data, networks=networks, seed=0, init_std=0.01, seeds=3, jobs=1)


def q1_facts(study):
    numberings = (
        Numbering(1, figures=("loss", "errors"), tables=("final",)),
        Numbering("A", figures=("first",), tables=("first",)),
        Numbering("B", figures=("sweep",), tables=("top10", "rates")),
    )
    return {**models_facts(study), **labels_of(*numberings)}


def q1_text(study):
    return "\n\n".join(render_all("q1", q1_facts(study)).values())


def q2_facts(study):
    return {**study.facts(), **Numbering(2, figures=study.figure_keys(), tables=("init",)).labels()}


def q2_text(study):
    return "\n\n".join(render_all("q2", q2_facts(study)).values())


def sentences(text):
    plain = re.sub(r"\*\*", "", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", plain) if s.strip()]


def test_baselines_are_computed_from_the_class_counts(data, models_study, init_study):
    counts = np.bincount(data.train_y, minlength=10)
    label = int(np.argmax(counts))
    b = models_study.baselines
    assert b.uniform_error == pytest.approx(0.9)
    assert b.majority_class == label and b.majority_error == pytest.approx(np.mean(data.test_y != label))
    q1_words, q2_words = q1_text(models_study), q2_text(init_study)
    if counts.min() == counts.max():
        assert b.same and b.balanced
        assert "and so does always answering one class" in q1_words
        assert "always answering" not in q2_words
        assert "always answering class" not in q1_words
    else:
        assert not b.same and counts.max() >= 1.8 * counts.min()
        for words in (q1_words, q2_words):
            assert f"always answering class {data.class_names[label]}" in words
            assert f"{100 * b.majority_error:.1f}%" in words


def test_the_stuck_network_is_described_by_what_its_biases_did(data, init_study):
    relu = next(a for a in init_study.activations if a.name == "relu")
    assert relu.stuck
    facts = q2_facts(init_study)
    relu_facts = next(n for n in facts["nets"] if n["label"] == "ReLU")
    answered = list(relu.predicted_classes())
    assert all(len(p) == 1 for p in answered)  # a stuck network gives every image the same class
    assert relu_facts["stuck"] and relu_facts["one_class"]
    assert relu_facts["answers"] == [data.class_names[c] for (c,) in answered]
    text = render("q2", "zero", facts)
    assert "**The ReLU network from zero never moves.**" in text
    label = int(np.argmax(np.bincount(data.train_y, minlength=10)))
    if init_study.baselines.balanced:
        assert "there is no most frequent class to prefer" in text
    elif all(p == (label,) for p in answered):
        assert f"answers class {data.class_names[label]}, the most frequent" in text
    else:
        assert f"although class {data.class_names[label]} is the most frequent in training" in text
    assert ("which one depends on the order of the mini-batches" in text) == (len(set(answered)) > 1)


def test_the_initialiser_named_beside_zero_is_the_one_drawn(init_study):
    facts = q2_facts(init_study)
    titles = [ax.get_title() for ax in figures.activation_heatmaps(init_study).axes if ax.get_title()]
    for a, n in zip(init_study.activations, facts["nets"], strict=False):
        ref = display_name(a.reference)
        assert n["reference"] == ref and n["reference_test"] == a.final(a.reference).mean
        assert any(t.startswith(f"{a.label}, {ref} init") for t in titles)
        assert f"{a.label}, {'Xavier' if ref == 'He' else 'He'} init" not in " ".join(titles)
    assert f"% (sigmoid, {display_name(init_study.activations[0].reference)})" in render("q2", "results", facts)
    # Change the reference: the words and the figure follow it together.
    swapped = dataclasses.replace(
        init_study,
        activations=tuple(
            dataclasses.replace(a, reference="he", inside={**a.inside, "he": a.inside[a.reference]})
            if a.name == "sigmoid"
            else a
            for a in init_study.activations
        ),
    )
    assert "(sigmoid, He)" in render("q2", "results", q2_facts(swapped))
    titles = [ax.get_title() for ax in figures.activation_heatmaps(swapped).axes if ax.get_title()]
    assert any(t.startswith("sigmoid, He init") for t in titles)


def test_q1_names_networks_and_seeds_as_its_figures_draw_them(models_study):
    fig = figures.learning_curves(models_study)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [m.name for m in models_study.models]
    for ax, m in zip(panels, models_study.models, strict=False):
        faint = np.asarray(ax.get_lines()[0].get_ydata(), dtype=float)
        np.testing.assert_allclose(faint, m.repeated.first.batch_loss, rtol=1e-6)
        mean = np.mean([h.train_loss for h in m.repeated.runs], axis=0)
        np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), mean, rtol=1e-6)
    seeds = models_study.seeds
    assert seeds == (0, 1, 2) and [h.config.seed for h in models_study.chosen.repeated.runs] == [0, 1, 2]
    text = q1_text(models_study)
    assert set(re.findall(r"\(seed (\d+)\)", text)) == {str(seeds[0])}
    assert "(chosen)" not in text and "leaky_relu" not in text
    for m in models_study.models:
        assert m.name in text and m.name == f"{display_name(m.config.activation)} network"
        assert f"{100 * m.final('test_error').mean:.1f}%" in text
    assert all(isinstance(role, str) and isinstance(config, RunConfig) for role, config in models_study.networks())
    facts = q1_facts(models_study)
    answer, key = render("q1", "summary_answer", facts), render("q1", "summary_key", facts)
    assert f"{100 * models_study.chosen.final('test_error').mean:.1f}%" in answer and key.startswith("test error")


def test_no_sentence_is_repeated_across_cases(models_study, init_study):
    for text in (q1_text(models_study), q2_text(init_study)):
        seen = sentences(text)
        repeated = {s for s in seen if seen.count(s) > 1}
        assert not repeated, repeated


def test_words_the_report_no_longer_uses(models_study, init_study):
    text = q1_text(models_study) + q2_text(init_study)
    for phrase in (
        "seed report",
        "(chosen)",
        "only 0.0%",
        "trials took",
        "local processes",
        "That is why",
        "needs a larger learning rate",
        "no sign of over-fitting",
        "per epoch, so",
        "Chance is",
    ):
        assert phrase not in text, phrase


def test_xavier_and_he_are_a_tie_only_within_the_seeds_spread(init_study):
    text = render("q2", "random", q2_facts(init_study))
    for a in init_study.activations:
        assert init_study.ties(a, "xavier", "he") == (a.final("xavier").ties(a.final("he"), init_study.resolution))
    # Move He's test errors 30 points away from Xavier's for sigmoid: no longer a tie, and the text says who leads.
    sigmoid = next(a for a in init_study.activations if a.name == "sigmoid")
    far = [h.replace(test_error=np.minimum(1.0, h.test_error + 0.3)) for h in sigmoid.runs["he"].runs]
    runs = {**sigmoid.runs, "he": dataclasses.replace(sigmoid.runs["he"], runs=tuple(far))}
    moved = dataclasses.replace(
        init_study,
        activations=tuple(dataclasses.replace(a, runs=runs) if a is sigmoid else a for a in init_study.activations),
    )
    assert not moved.ties(dataclasses.replace(sigmoid, runs=runs), "xavier", "he")
    words = render("q2", "random", q2_facts(moved))
    assert "With sigmoid units, Xavier ends ahead of He, at" in words
    assert "results over the seeds overlap" in words or "With ReLU units, " in words
    assert text != words


def test_spread_ties_and_formats():
    a, b = Spread.of([0.05, 0.06, 0.055]), Spread.of([0.052, 0.058, 0.06])
    assert a.ties(b) and a.percent() == "5.5% (5.0–6.0%)" and Spread.of([0.05]).percent() == "5.0%"
    assert Spread.of([0.9, 0.9, 0.9]).percent() == "90.0% (every seed)"
    assert Spread.of([0.221, 0.215, 0.23]).text() == "0.222 (0.215–0.230)" and Spread.of([0.2]).text() == "0.200"
    assert Spread.of([0.2, 0.2]).text() == "0.200 (every seed)" and Spread.of([float("nan")]).text() == "not finite"
    assert not Spread.of([0.05, 0.051]).ties(Spread.of([0.08, 0.081]))
    assert Spread.of([0.05]).ties(Spread.of([0.051]), resolution=0.001)
    # A wide range that does not reach the other network's seeds is no tie: every seed orders the two.
    chosen, sigmoid = Spread.of([0.051, 0.053, 0.055]), Spread.of([0.15, 0.20, 0.51])
    assert abs(chosen.mean - sigmoid.mean) < sigmoid.range and not chosen.ties(sigmoid)
    assert Spread.of([0.05, 0.09]).ties(Spread.of([0.085, 0.2]))


def test_shape_words_come_from_the_curve():
    epochs = np.arange(11.0)
    rising = shapes.ending(epochs, [2.4, 0.31, 0.26, 0.26, 0.205, 0.23, 0.21, 0.21, 0.215, 0.22, 0.22])
    assert rising.kind == "rises" and rising.lowest_at == 4 and rising.end == pytest.approx(0.22)
    assert shapes.ending(epochs, np.geomspace(2, 0.001, 11)).kind == "keeps falling"
    flat = shapes.ending(epochs, [2.4, 0.5, 0.3, 0.25, 0.24, 0.24, 0.24, 0.24, 0.24, 0.24, 0.24])
    assert flat.kind == "levels off" and flat.since == 3
    stall = shapes.start(epochs, [2.6, 2.3, 2.3, 2.29, 1.3, 0.7, 0.5, 0.4, 0.4, 0.4, 0.3], 2.07)
    assert stall.stalls and stall.until == 3 and stall.falls_at == 4
    assert not shapes.start(epochs, [2.4, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2], 2.07).stalls
    stages = [0, 0.1, 2, 4, 6, 8, 10]
    jump = shapes.growth(stages, [0, 1e-7, 0.98, 1.0, 0.99, 1.01, 1.0])
    assert jump.kind == "jump" and jump.zero_until == 0 and jump.jump_to == 2 and jump.factor > 1e6
    assert shapes.growth(stages, [0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]).kind == "steady"
    assert shapes.growth(stages, [0] * 7).kind == "zero"
    assert shapes.growth(stages, [0, 0, 1e-7, 2e-7, 1e-7, 1e-7, 3e-7]).kind == "flat"


def test_a_jump_is_described_as_a_jump_not_a_rate(init_study):
    sigmoid = next(a for a in init_study.activations if a.name == "sigmoid")
    sym = dict(sigmoid.inside["zero"].symmetry)
    n = len(sym["stages"])
    scale = np.full(n, 0.5)
    sym["stage_scale"] = scale
    sym["stage_spread"] = np.r_[0.0, 0.5e-7, np.full(n - 2, 0.49)]
    sym["stage_distinct"] = np.r_[1, 1, np.full(n - 2, 40)]
    inside = dataclasses.replace(sigmoid.inside["zero"], symmetry=sym)
    jumped = dataclasses.replace(
        init_study,
        activations=tuple(
            dataclasses.replace(a, inside={**a.inside, "zero": inside}) if a is sigmoid else a
            for a in init_study.activations
        ),
    )
    assert jumped.figure_keys() == ("init", "units", "symmetry")
    facts = q2_facts(jumped)
    assert facts["nets"][0]["growth"] == "jump" and facts["nets"][0]["drift_factor"] > 1e6
    text = render("q2", "zero", facts)
    assert "Training then amplifies that rounding noise" in text and "per epoch" not in text
    assert "(Figure 2.3)" in text
    fig = figures.symmetry_curves(jumped)
    drawn = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(drawn.get_ydata(), sym["stage_spread"][1:] / 0.5)  # the exact 0 is left off
    assert fig.axes[0].get_yscale() == "log"


def test_q1_claims_follow_the_curves(models_study):
    chosen = models_study.chosen
    epochs = np.arange(6.0)

    def shaped(h, test_loss):
        return h.replace(
            eval_epoch=epochs,
            eval_iteration=(epochs * h.iterations_per_epoch).astype(int),
            train_loss=np.geomspace(2.3, 0.01, 6),
            test_loss=np.asarray(test_loss),
            train_error=np.linspace(0.9, 0.0, 6),
            test_error=np.linspace(0.9, 0.1, 6),
        )

    def with_test_loss(test_loss):
        runs = tuple(shaped(h, test_loss) for h in chosen.repeated.runs)
        return dataclasses.replace(
            models_study,
            models=(
                dataclasses.replace(chosen, repeated=dataclasses.replace(chosen.repeated, runs=runs)),
                models_study.sigmoid,
            ),
        )

    def loss_text(test_loss):
        return render("q1", "loss", q1_facts(with_test_loss(test_loss)))

    label = display_name(chosen.config.activation)
    rising = q1_facts(with_test_loss([2.3, 0.5, 0.3, 0.2, 0.25, 0.3]))["chosen"]
    assert rising["test_end"]["kind"] == "rises" and rising["test_end"]["lowest_at"] == 3
    assert rising["train_end"]["kind"] == "falling" and rising["loss_apart"] == "far"
    text = loss_text([2.3, 0.5, 0.3, 0.2, 0.25, 0.3])
    assert f"How the {label} network's losses end.** Its test loss is lowest at epoch 3 and rises after it" in text
    assert "far above its training loss, 0.3 against 0.01" in text
    level = loss_text([2.3, 0.5, 0.3, 0.25, 0.25, 0.25])
    assert (
        "Its training loss is still falling clearly at the end, and its test loss has levelled off by the end" in level
    )
    falling = loss_text([2.3, 0.5, 0.3, 0.2, 0.1, 0.05])
    assert "Its training and test losses are still falling clearly at the end." in falling
    assert "had not finished learning when training stopped" in falling or "Neither network had finished" in falling


def test_figures_have_plain_axes_and_legends_off_the_data(models_study, init_study):
    drawn = [
        figures.learning_curves(models_study),
        figures.error_curves(models_study),
        figures.first_attempt_curves(models_study),
        tables.validation_figure(models_study.sweep),
        figures.init_comparison(init_study),
        figures.activation_heatmaps(init_study),
    ]
    for fig in drawn:
        assert all(ax.get_legend() is None for ax in fig.axes)
        assert all(ax.get_yscale() in ("linear", "log") for ax in fig.axes)
        assert not [t for ax in fig.axes for t in ax.get_yticklabels() if "exactly" in t.get_text()]
    grid = figures.init_comparison(init_study)
    lines = {line.get_color(): line.get_linestyle() for line in grid.axes[1].get_lines()}
    assert lines[figures.series_color("xavier")] == "--" and lines[figures.series_color("he")] == "-"
    # One meaning per colour in the sweep figure: the optimiser, in both panels.
    sweep = tables.validation_figure(models_study.sweep)
    colours = [
        tuple(np.round(c, 3)) for ax in sweep.axes for coll in ax.collections[:-1] for c in coll.get_facecolors()
    ]
    assert len(set(colours)) <= len(models_study.sweep.space.lr_ranges)


def test_networks_and_summary_of_question_2(init_study):
    rows = init_study.networks()
    assert len(rows) == 8 and {c.init for _, c in rows} == {"zero", "normal", "xavier", "he"}
    facts = q2_facts(init_study)
    answer, key = render("q2", "summary_answer", facts), render("q2", "summary_key", facts)
    relu = next(a for a in init_study.activations if a.name == "relu")
    assert f"{100 * relu.final('zero').mean:.1f}%" in answer and "He" in key
    table = init_table(init_study)
    assert table.loc["He", ("ReLU", "test error")] == relu.final("he").percent()


def test_diverged_runs_are_named_in_question_2s_text_and_table(init_study):
    relu = init_study.activations[1]
    broken = [h.replace(diverged=True) for h in relu.runs["xavier"].runs]
    runs = {**relu.runs, "xavier": dataclasses.replace(relu.runs["xavier"], runs=tuple(broken))}
    moved = dataclasses.replace(
        init_study, activations=(init_study.activations[0], dataclasses.replace(relu, runs=runs))
    )
    assert "**Diverged:** the loss of ReLU, Xavier stopped being finite" in render("q2", "results", q2_facts(moved))
    assert init_table(moved).loc["Xavier", ("ReLU", "test error")].endswith("(diverged)")
    assert "Diverged" not in render("q2", "results", q2_facts(init_study))


def test_error_curves_draw_the_seed_means(models_study):
    whole, zoom = (ax for ax in figures.error_curves(models_study).axes if ax.get_title())
    lines = whole.get_lines()
    for i, m in enumerate(models_study.models):
        np.testing.assert_allclose(lines[2 * i].get_ydata(), m.repeated.curve("train_error")[0])
        np.testing.assert_allclose(lines[2 * i + 1].get_ydata(), m.repeated.curve("test_error")[0])
        assert lines[2 * i + 1].get_linestyle() == "--"
    assert whole.get_ylim() == (0, 1.0) and zoom.get_ylim()[1] <= 1.0


def test_first_attempt_curves_mark_where_it_stopped(models_study):
    left, right = figures.first_attempt_curves(models_study).axes
    short = models_study.first_attempt.short
    assert any(list(line.get_xdata()) == [short.iterations] * 2 for line in left.get_lines())
    cross = next(line for line in right.get_lines() if line.get_marker() == "X")
    assert list(cross.get_ydata()) == [short.final_test_error]
    np.testing.assert_allclose(
        models_study.first_attempt.by_rate[short.config.lr].batch_loss[: short.iterations], short.batch_loss
    )  # the first attempt is the start of the curve at its own rate


def test_init_figures_draw_the_study(init_study):
    fig = figures.init_comparison(init_study)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"{a.label}: {what}" for a in init_study.activations for what in ("training loss", "test error")]
    he = next(line for line in fig.axes[3].get_lines() if line.get_color() == figures.series_color("he"))
    relu = init_study.activations[1]
    np.testing.assert_allclose(he.get_ydata(), relu.runs["he"].curve("test_error")[0])
    panels = init_study.heatmap_panels()
    assert all(not a.inside[init].constant for a, init in panels)
    assert (relu, "zero") not in panels  # every output of the stuck network is 0: said in the caption instead
    assert "The ReLU network started from zero is not drawn" in render("q2", "caption_units", q2_facts(init_study))
    heat = [ax for ax in figures.activation_heatmaps(init_study).axes if ax.get_title()]
    assert len(heat) == len(panels)


def test_a_name_printed_through_a_macro_is_escaped_once(models_study):
    facts = q1_facts(models_study)
    named = {**facts["chosen"], "label": "a_b", "setback": True, "setback_at": 2.0}
    facts = {**facts, "chosen": named, "nets": [named, facts["sigmoid"]], "endings_alike": True}
    text = render("q1", "loss", facts)
    assert "a&#95;b network's training loss does not fall smoothly" in text and "&#38;" not in text
