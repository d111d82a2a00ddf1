"""Figure functions on small histories: what they draw is the data they were given."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from hw1lib.data.datasets import load_dataset
from hw1lib.report import experiments, figures
from hw1lib.runs.training import train

from .helpers import write_course_folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("figures") / "course"))


@pytest.fixture(scope="module")
def runs(data):
    budget = dict(hidden=[16], epochs=2, seed=0, lr=0.2, batch_size=32)
    histories = {
        name: train(experiments.model_config(name, **budget), data, progress=False) for name in ("sigmoid", "relu")
    }
    zero = {
        name: train(experiments.init_configs(name, **budget)["zero"], data, progress=False)
        for name in ("sigmoid", "relu")
    }
    return histories, zero


def line_data(ax, label):
    line = next(line for line in ax.get_lines() if line.get_label() == label)
    return np.asarray(line.get_ydata(), dtype=float)


def test_one_colour_per_class_the_same_everywhere():
    ten = figures.class_colors(10)
    assert len(set(ten)) == 10 and figures.class_colors(10) == ten
    assert figures.class_colors(3) == ten[:3]
    many = figures.class_colors(15)
    assert len({tuple(c) for c in many}) == 15


def test_run_curves_show_one_run_on_the_epochs_it_is_planned_for(runs):
    h = runs[0]["relu"]
    partial = h.replace(
        eval_epoch=h.eval_epoch[:2],
        train_loss=h.train_loss[:2],
        test_loss=h.test_loss[:2],
        train_error=h.train_error[:2],
        test_error=h.test_error[:2],
    )
    loss_ax, error_ax = figures.run_curves(partial, "a title").axes
    np.testing.assert_allclose(line_data(loss_ax, "test set"), h.test_loss[:2])
    np.testing.assert_allclose(line_data(error_ax, "training"), h.train_error[:2])
    assert loss_ax.get_xlim() == error_ax.get_xlim() == (0, h.config.epochs)  # still while the run trains
    assert loss_ax.get_figure()._suptitle.get_text() == "a title"


def test_styled_figures_leave_matplotlibs_settings_alone(runs):
    import matplotlib

    before = dict(matplotlib.rcParams)
    figures.run_curves(runs[0]["relu"])
    assert dict(matplotlib.rcParams) == before


def test_saved_png_has_the_requested_resolution(runs, tmp_path):
    fig = figures.run_curves(runs[0]["relu"])
    path = figures.save_figure(fig, tmp_path / "out", "errors")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size[0] == round(fig.get_figwidth() * figures.DPI)
        assert round(image.info["dpi"][0]) == figures.DPI
    assert not [p for p in path.parent.iterdir() if p.name != "errors.png"]  # no temp file left


def test_confusion_matrix_shows_row_shares_with_counts_and_leaves_zeros_blank():
    conf = np.array([[5, 0, 1], [0, 7, 0], [2, 0, 4]])
    ax = figures.confusion_matrix_figure(conf, ("a", "b", "c")).axes[0]
    assert [t.get_text() for t in ax.texts] == [
        "83.3%\n(5)",
        "",
        "16.7%\n(1)",
        "",
        "100.0%\n(7)",
        "",
        "33.3%\n(2)",
        "",
        "66.7%\n(4)",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (6)", "b (7)", "c (6)"]
    alone = next(ax for ax in figures.confusion_counts(conf, ("a", "b", "c"), "test error 3%").axes if ax.get_title())
    assert [t.get_text() for t in alone.texts] == ["5", "", "1", "", "7", "", "2", "", "4"]
    assert alone.get_title() == "test error 3%"


def test_per_class_bars_use_the_class_colours():
    errors = np.array([0.1, 0.0, 0.3])
    ax = figures.per_class_error_bars(errors, ("a", "b", "c"), 0.13).axes[0]
    bars = ax.patches
    assert [b.get_height() for b in bars] == pytest.approx(errors.tolist())
    assert [b.get_facecolor() for b in bars] == [to_rgba(c) for c in figures.class_colors(3)]


def test_gallery_titles_show_true_and_predicted_class():
    images = np.zeros((3, 28, 28))
    fig = figures.misclassified_gallery(images, [4, 7, 1], [9, 1, 7], [0.95, 0.5, 0.61], tuple("0123456789"), cols=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["4 → 9\n(95%)", "7 → 1\n(50%)", "1 → 7\n(61%)"]


def test_gallery_reference_row_names_every_class_above_the_mistakes():
    images = np.zeros((2, 28, 28))
    fig = figures.misclassified_gallery(
        images, [4, 7], [9, 1], [0.95, 0.5], tuple("0123456789"), cols=10, references=np.ones((10, 28, 28))
    )
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [*"0123456789", "4 → 9\n(95%)", "7 → 1\n(50%)"]
