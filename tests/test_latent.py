"""Question 3: the stage rule, the exact decision regions, the study and its facts, and the words read off them."""

import json
import re

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from hw1lib.data.datasets import load_dataset
from hw1lib.nn.network import MLP
from hw1lib.report import experiments, figures, firstpage
from hw1lib.report.captions import Numbering
from hw1lib.report.figures.latent import RESOLUTION, plane_panel, region_colors
from hw1lib.report.studies.latent import (
    RADIUS_PERCENTILE,
    Stage,
    decision_regions,
    panel_scale,
    pixel_centres,
    run_latent_study,
    trial_rates,
)
from hw1lib.report.tables import latent_table
from hw1lib.report.text import render, render_all
from hw1lib.runs.config import RunConfig

from .helpers import write_course_folder

# Question 1's chosen network as the sweep might give it, small: everything question 3 must keep.
CHOSEN = RunConfig(
    hidden=(16,),
    activation="leaky_relu",
    init="he",
    optimizer="momentum",
    lr=0.02,
    batch_size=32,
    epochs=4,
    seed=0,
)
SEEDS, FRAMES = 2, 8


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("latent") / "course"))


@pytest.fixture(scope="module")
def study(data):
    return run_latent_study(data, CHOSEN, seeds=SEEDS, frames=FRAMES, jobs=1)


@pytest.fixture(scope="module")
def facts(study):
    numbers = Numbering(3, figures=study.figure_keys(), tables=("stages",))
    return {**study.facts(), **numbers.labels()}


@pytest.mark.parametrize(
    "epochs, stages",
    [
        (1, (0, 0.25, 1)),
        (3, (0, 0.25, 1, 2, 3)),
        (10, (0, 0.25, 1, 2, 5, 10)),
        (13, (0, 0.25, 1, 2, 5, 13)),
        (20, (0, 0.25, 1, 2, 5, 20)),
        (100, (0, 0.25, 1, 5, 20, 100)),
    ],
)
def test_stages_fall_on_round_points_of_any_budget(epochs, stages):
    assert experiments.round_stages(epochs) == stages


def test_animation_keeps_every_shown_stage_and_one_frame_per_update():
    shown = experiments.round_stages(10)
    frames = experiments.animation_stages(10, shown, 125, 20)
    assert set(shown) <= set(frames) and max(frames) == 10 and len(frames) > len(shown)
    updates = [round(s * 125) for s in frames]
    assert len(set(updates)) == len(updates)


def test_regions_are_the_networks_own_classes_for_points_placed_in_the_plane():
    """A network whose first layer copies its 2-D input into a linear 2-unit layer: its forward pass on a
    point of the plane is the output layer's answer there, which the shading must equal."""
    rng = np.random.default_rng(0)
    net = MLP(2, (2,), 6, activation="identity", init="he", rng=rng)
    net.params["W1"][...] = np.eye(2)
    net.params["b1"][...] = 0
    net.params["W2"][...] = rng.standard_normal((2, 6))
    net.params["b2"][...] = rng.standard_normal(6)
    scale = 3.0
    centres = pixel_centres(scale, RESOLUTION)
    x, y = np.meshgrid(centres, centres)
    points = np.column_stack([x.ravel(), y.ravel()]).astype(np.float32)
    expected = net.forward(points).argmax(axis=1)
    assert np.array_equal(decision_regions(points, net.params["W2"], net.params["b2"]), expected)
    assert len(np.unique(expected)) > 1  # the test sees borders, not one colour
    # What the figure paints: pixel (row, column) of the image, row 0 at y = -scale.
    stage = Stage(
        epoch=1.0,
        update=1,
        points=points[:50],
        labels=np.arange(50) % 6,
        weights=net.params["W2"],
        biases=net.params["b2"],
    )
    stage.scale = scale
    image = plane_panel(Figure().subplots(), stage, [str(k) for k in range(6)])
    assert list(image.get_extent()) == [-scale, scale, -scale, scale]
    painted = region_colors(figures.class_colors(6))[expected.reshape(RESOLUTION, RESOLUTION)]
    np.testing.assert_allclose(np.asarray(image.get_array()), painted)


def test_the_network_is_the_chosen_one_with_a_linear_2_unit_layer(study):
    """Only the inserted layer (and the learning rate, when the trial says so) differs from the chosen network."""
    linear = study.linear.config
    assert linear.hidden == (*CHOSEN.hidden, 2) and linear.latent_activation == "identity"
    for name in ("activation", "init", "optimizer", "momentum", "batch_size", "epochs", "normalize", "seed"):
        assert getattr(linear, name) == getattr(CHOSEN, name), name
    assert study.folded.config.latent_activation is None and study.folded.config.lr == linear.lr
    assert study.chosen.config == CHOSEN and study.chosen.seeds == study.linear.seeds == (0, 1)
    assert [role for role, _ in study.networks()] == ["2-unit layer, linear", "2-unit layer, leaky ReLU"]


def test_the_learning_rate_is_the_trials_best_on_the_validation_split(study, facts):
    assert [t.config.lr for t in study.trials] == list(trial_rates(CHOSEN.lr)) == [0.00667, 0.02, 0.06]
    assert all(t.config.hidden == (*CHOSEN.hidden, 2) and not t.config.snapshot_stages for t in study.trials)
    best = min((t for t in study.trials if not t.diverged), key=lambda t: (t.val_error, t.val_loss))
    assert study.lr == best.config.lr == facts["lr_used"]
    assert facts["lr_kept"] == (study.lr == CHOSEN.lr) and facts["lr_used_error"] == best.val_error
    assert study.validation_images == round(0.1 * len(study.dataset.train_y))


def test_each_stage_reads_the_network_of_that_stage(study):
    final = study.final
    assert final.epoch == study.recorded.epochs_run
    np.testing.assert_array_equal(final.predictions, study.recorded.test_pred)
    assert final.network_error == pytest.approx(study.recorded.final_test_error)
    assert final.knn_error <= 1 and final.radius > 0
    assert all(np.abs(s.points).max() > 0 for s in study.stages)


def test_every_panel_holds_at_least_99_percent_of_its_points(study):
    """Read back from the drawn axes: the share of each stage's test points inside its panel's limits."""
    fig = figures.latent_grid(study)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(panels) == len(study.stages)
    for ax, stage in zip(panels, study.stages, strict=True):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        x, y = stage.points.T
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        assert inside.mean() >= RADIUS_PERCENTILE / 100, stage.name
        assert stage.radius <= stage.scale  # the radius the table gives fits inside the panel
    folded = figures.folded_comparison(study).axes[0]
    stage = study.folded_stage()
    (x0, x1), (y0, y1) = folded.get_xlim(), folded.get_ylim()
    inside = (stage.points[:, 0] >= x0) & (stage.points[:, 0] <= x1)
    inside &= (stage.points[:, 1] >= y0) & (stage.points[:, 1] <= y1)
    assert inside.mean() >= RADIUS_PERCENTILE / 100


def test_the_figure_shows_the_studys_stages_on_comparable_panels(study, facts):
    fig = figures.latent_grid(study)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in panels] == [s["title"] for s in facts["stages"]]
    assert [s.epoch for s in study.stages] == list(experiments.round_stages(CHOSEN.epochs))
    for ax, stage in zip(panels, facts["stages"], strict=True):
        assert ax.get_xlim() == ax.get_ylim() == (-stage["scale"], stage["scale"]) and ax.get_aspect() == 1.0
        assert f"±{stage['scale']:g}" in [t.get_text() for t in ax.texts]
    legend = (fig.legends or [ax.get_legend() for ax in fig.axes if ax.get_legend()])[0]  # in a free slot if any
    assert [to_rgba(h.get_color()) for h in legend.legend_handles] == [to_rgba(c) for c in figures.class_colors(10)]


def test_the_facts_are_one_record_the_table_and_the_text_read(study, facts):
    assert facts["stage_count"] == len(study.stages) == len(facts["stages"])
    assert facts["layers"] == "784-16-2-10" and facts["chosen_layers"] == "784-16-10"
    assert facts["last"]["network_error"] == facts["end_error"] == study.final.network_error
    assert facts["latent_mean"] == pytest.approx(np.mean([h.final_test_error for h in study.linear.runs]))
    assert facts["chosen_mean"] == pytest.approx(np.mean([h.final_test_error for h in study.chosen.runs]))
    assert facts["comparison"] in ("chosen_ahead", "latent_ahead", "tie")
    assert facts["folded_verdict"] in ("linear_ahead", "folded_ahead", "overlap")
    assert facts["radius_percentile"] == RADIUS_PERCENTILE and facts["frames"] == len(study.recorded.snapshot_stages)
    table = latent_table(facts).data
    assert list(table["stage"]) == [s.name for s in study.stages]
    assert list(table["panel's half-width"]) == [f"{s.scale:g}" for s in study.stages]


def test_the_conclusion_facts_are_plain_json_and_agree_with_the_facts(study, facts):
    conclusion = study.conclusion_facts(facts)
    assert json.loads(json.dumps(firstpage.plain(conclusion))) == firstpage.plain(conclusion)
    assert conclusion["latent_error"] == facts["latent_mean"] and conclusion["chosen_error"] == facts["chosen_mean"]
    assert conclusion["separated"] == bool(study.final.directed.all())
    assert set(conclusion["overlap"]) <= set(study.class_names) and len(conclusion["overlap"]) in (0, 2)
    assert set(conclusion) == {
        "separated",
        "directed_end",
        "classes",
        "latent_error",
        "chosen_error",
        "comparison",
        "seeds",
        "knn_end",
        "knn_start",
        "spread_apart",
        "overlap",
        "overlap_count",
        "lr_kept",
        "lr",
        "folded_verdict",
    }


def running_text(blocks):
    return " ".join(blocks[b] for b in ("setup", "stages", "end", "folded"))


def test_every_block_renders_and_every_stage_it_names_is_drawn(study, facts):
    blocks = render_all("q3", facts)
    text = " ".join(blocks.values())
    drawn = {f"{s.epoch:g}" for s in study.stages}
    assert set(re.findall(r"epoch (\d[\d.]*)", text)) <= drawn
    assert "Figure 3.1" in blocks["stages"] and "Table 3.1" in blocks["stages"] and "Figure 3.2" in blocks["folded"]
    # Only the HTML animates the GIF: nothing the PDF prints points to it.
    printed = " ".join(v for k, v in blocks.items() if k != "caption_animation")
    assert not re.search(r"gif|animat|HTML", printed, re.IGNORECASE)
    # Captions say what is drawn; they give no orders.
    for key in ("caption_stages", "caption_table", "caption_folded", "caption_animation"):
        assert not re.search(r"\b(Look|Compare|See|Note)\b", blocks[key]), key


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"comparison": "latent_ahead"},
        {"comparison": "tie"},
        {"folded_verdict": "overlap", "folded_l": False},
        {"folded_verdict": "folded_ahead"},
        {"lr_kept": False, "lr_used": 0.06, "lr_used_error": 0.1},
        {"lr_kept": False, "lr_chosen_diverged": True, "lr_used": 0.00667},
        {"start_mixed": False, "has_early": False, "growth_shown": False, "rays": False, "mistakes_near": False},
        {"same_direction": False, "confused_is": "closest"},
        {"confused_count": 0},
        {"undirected": ["3", "8"], "seeds": 1, "folded_verdict": "one_seed"},
        {"diverged": ["the 2-unit network"]},
    ],
)
def test_the_prose_keeps_its_bounds_on_every_branch(facts, change):
    """Sentences of at most 45 words, averaging at most 22, whichever way the facts fall."""
    blocks = render_all("q3", {**facts, **change})
    text = re.sub(r"\*\*", "", running_text(blocks))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]
    lengths = [len(re.findall(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*", s)) for s in sentences]
    assert max(lengths) <= 45 and sum(lengths) / len(lengths) <= 22, sentences[lengths.index(max(lengths))]


def test_a_few_sentences_read_as_written(facts):
    if facts["lr_kept"]:
        assert "The chosen rate did best, with" in render("q3", "setup", facts)
    ahead = render("q3", "end", {**facts, "comparison": "latent_ahead"})
    assert "beats it on the test set" in ahead
    assert render("q3", "summary_key", facts).startswith("test error ")
    mixed = render("q3", "summary_answer", {**facts, "rays": False, "knn_fell": False})
    assert "the classes stay mixed in the plane" in mixed
    diverged = render("q3", "setup", {**facts, "diverged": ["the 2-unit network"]})
    assert "**Diverged:** the loss of the 2-unit network stopped being finite" in diverged


def test_folded_comparison_and_animation(study, tmp_path):
    fig = figures.folded_comparison(study)
    plane, curves = fig.axes[:2]
    assert plane.get_title().startswith("leaky ReLU 2-unit layer")
    assert len(curves.get_lines()) == 4  # two networks, two seeds each
    gif = figures.save_latent_animation(study.recorded, study.dataset.test_y, tmp_path / "latent.gif")
    with Image.open(gif) as image:
        assert image.n_frames == len(study.recorded.snapshot_stages)


def test_a_diverged_run_shows_the_stages_it_reached(data):
    broken = run_latent_study(data, CHOSEN.replace(lr=1e8), seeds=1, frames=FRAMES, jobs=1)
    assert broken.linear.diverged
    reached = [s for s in experiments.round_stages(CHOSEN.epochs) if round(s * 10) <= broken.recorded.iterations]
    assert [s.epoch for s in broken.stages] == reached and len(reached) < 5
    facts = {**broken.facts(), **Numbering(3, figures=broken.figure_keys(), tables=("stages",)).labels()}
    assert "the 2-unit network" in facts["diverged"]
    assert "**Diverged:** the loss of the 2-unit network" in render("q3", "setup", facts)
    render_all("q3", facts)
    figures.latent_grid(broken)


def test_panel_scale_is_round_and_holds_the_disc_of_99_percent():
    rng = np.random.default_rng(1)
    points = rng.standard_normal((500, 2)) * 7
    scale = panel_scale(points)
    radius = np.quantile(np.linalg.norm(points, axis=1), 0.99)
    assert scale in (20.0, 30.0) and radius <= scale
    assert np.mean((np.abs(points) <= scale).all(axis=1)) >= 0.99
    assert panel_scale(np.full((3, 2), np.nan)) == 1.0
