"""Question 3: the stage rule, the exact decision regions, the study object and the words read off it."""

import dataclasses
import re

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from hw1lib.data.datasets import load_dataset
from hw1lib.nn.network import MLP
from hw1lib.report import experiments, figures
from hw1lib.report.discussion import latent as words
from hw1lib.report.figures.latent import RESOLUTION, plane_panel, region_colors
from hw1lib.report.studies.latent import LatentStudy, Stage, decision_regions, panel_scale, pixel_centres

from .helpers import write_course_folder

PARAMS = dict(
    hidden=[16],
    activation="leaky_relu",
    latent_activation="identity",
    lr=0.05,
    batch_size=32,
    seed=0,
    epochs=4,
    frames=8,
    seeds=2,
)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("latent") / "course"))


@pytest.fixture(scope="module")
def study(data):
    return LatentStudy.run(data, **PARAMS)


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


def test_epochs_follow_the_number_of_training_images():
    assert [experiments.latent_epochs(n) for n in (300, 4_000, 12_000, 60_000, 150_000, 10**6)] == [10, 10, 10, 3, 1, 1]


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


def test_each_stage_reads_the_network_of_that_stage(study, data):
    final = study.final
    assert final.epoch == study.linear.epochs_run
    np.testing.assert_array_equal(final.predictions, study.linear.test_pred)
    assert final.network_error == pytest.approx(study.linear.final_test_error)
    assert final.knn_error <= 1 and final.radius > 0
    assert all(np.abs(s.points).max() > 0 for s in study.stages)


def test_the_figure_shows_the_studys_stages_on_comparable_panels(study):
    fig = figures.latent_grid(study)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in panels] == [s.title for s in study.stages]
    assert [s.epoch for s in study.stages] == list(experiments.round_stages(PARAMS["epochs"]))
    for ax, stage in zip(panels, study.stages, strict=False):
        assert ax.get_xlim() == ax.get_ylim() == (-stage.scale, stage.scale) and ax.get_aspect() == 1.0
        assert f"±{stage.scale:g}" in [t.get_text() for t in ax.texts]
        assert stage.scale >= np.quantile(np.abs(stage.points).max(axis=1), 0.99)
    legend = (fig.legends or [ax.get_legend() for ax in fig.axes if ax.get_legend()])[0]  # in a free slot if any
    assert [to_rgba(h.get_color()) for h in legend.legend_handles] == [to_rgba(c) for c in figures.class_colors(10)]


def test_every_stage_the_text_names_is_one_the_figure_draws(study):
    text = words.latent_text(study) + words.table_caption(study) + words.grid_caption(study)
    drawn = {f"{s.epoch:g}" for s in study.stages}
    named = re.findall(r"epoch (\d[\d.]*)", text)
    assert named and set(named) <= drawn
    updates = {f"{s.update:,}" for s in study.stages}
    assert set(re.findall(r"update (\d[\d,]*)", text)) <= updates
    table = words.latent_table(study).data
    assert list(table["stage"]) == [s.name for s in study.stages]


def test_seeds_networks_and_summary(study):
    assert [h.config.seed for h in study.repeats["linear"]] == [0, 1]
    assert [h.config.seed for h in study.repeats["folded"]] == [0, 1]
    roles = [role for role, _ in study.networks()]
    assert roles == ["2-D layer, linear", "2-D layer, leaky ReLU", "no 2-D layer (reference)"]
    assert study.networks()[0][1].latent_activation == "identity" and study.networks()[1][1].latent_activation is None
    assert study.flat.config.hidden == (16,) and study.flat.config.latent_activation is None
    answer, number = study.summary()
    assert answer.endswith(".") and f"{study.final.network_error:.1%}" in number


def test_folded_comparison_and_animation(study, tmp_path):
    fig = figures.folded_comparison(study)
    plane, curves = fig.axes[:2]
    assert plane.get_title().startswith("leaky ReLU 2-unit layer")
    assert len(curves.get_lines()) == 4  # two networks, two seeds each
    gif = figures.save_latent_animation(study.linear, study.dataset.test_y, tmp_path / "latent.gif")
    with Image.open(gif) as image:
        assert image.n_frames == len(study.linear.snapshot_stages)
    assert "Figure 3.2" in words.folded_text(study) and "2 seeds" in words.folded_text(study)


def test_a_diverged_run_shows_the_stages_it_reached(data):
    broken = LatentStudy.run(data, **{**PARAMS, "lr": 1e8, "seeds": 1})
    assert broken.linear.diverged
    reached = [s for s in experiments.round_stages(PARAMS["epochs"]) if round(s * 10) <= broken.linear.iterations]
    assert [s.epoch for s in broken.stages] == reached and len(reached) < 5
    text = words.latent_text(broken)
    assert "the latent network (after" in text
    figures.latent_grid(broken)


def test_panel_scale_is_round_and_holds_the_points():
    rng = np.random.default_rng(1)
    points = rng.standard_normal((500, 2)) * 7
    scale = panel_scale(points)
    assert scale in (10.0, 15.0, 20.0, 30.0) and np.mean((np.abs(points) <= scale).all(axis=1)) >= 0.99
    assert panel_scale(np.full((3, 2), np.nan)) == 1.0


def test_baselines_name_the_majority_class_only_when_classes_are_unbalanced(study, data):
    assert "uniform guess errs on 90.0%" in words.stages_text(study)
    assert "most common training class" not in words.stages_text(study)
    labels = data.train_y.copy()
    labels[labels == 9] = 3  # class 3 now has twice the images of the others
    unbalanced = dataclasses.replace(study, dataset=dataclasses.replace(data, train_y=labels))
    assert "always answering the most common training class, class 3, on" in words.stages_text(unbalanced)
