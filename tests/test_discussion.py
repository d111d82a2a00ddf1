"""The report's prose follows the numbers: change a result and the sentence that reports it changes."""
import numpy as np
import pytest

from hw1lib.data.datasets import load_dataset
from hw1lib.report import experiments, metrics
from hw1lib.report.discussion import confusion, latent
from hw1lib.report.discussion.words import pct
from hw1lib.runs.training import train

from .helpers import write_course_folder

BUDGET = dict(hidden=[16], epochs=3, seed=0, lr=0.2, batch_size=32)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("discussion") / "course"))


@pytest.fixture(scope="module")
def models(data):
    return {experiments.display_name(name): train(experiments.model_config(name, **BUDGET), data, progress=False)
            for name in ("sigmoid", "relu")}


def test_latent_text_finds_the_largest_change(data):
    history = train(experiments.latent_config(hidden=[16], activation="leaky_relu", epochs=2, seed=0, lr=0.05,
                                              batch_size=32, stages=5), data, progress=False)
    n = len(history.snapshot_stages)
    knn = np.linspace(0.8, 0.1, n)
    knn[2] = knn[1] - 0.5  # the drop into stage 2 is the largest
    stats = {"stages": history.snapshot_stages.astype(float), "knn_error": knn, "scatter_ratio": np.linspace(0.2, 3, n),
             "scale": np.linspace(1, 9, n), "negative": np.r_[0.0, 0.9, np.zeros(n - 2)]}
    text = latent.latent_text(stats, history, data.test_y)
    stages = stats["stages"]
    assert f"between epoch {stages[1]:g} and {stages[2]:g}" in text
    assert f"from {pct(knn[1])} to {pct(knn[2])}" in text
    assert f"at epoch {stages[1]:g}, 90% of the test images have both coordinates below 0" in text
    assert "spread out" in text


def test_confusion_text_names_the_most_frequent_mistake(data, models):
    conf = np.diag([90] * 10)
    conf[4, 9], conf[9, 4], conf[3, 5] = 7, 2, 1
    correlation = metrics.class_mean_correlation(data.test_x, data.test_y, 10)
    text = confusion.confusion_text(conf, models["ReLU"], correlation)
    assert "The most frequent mistake is 4 read as 9: 7 images" in text
    assert "9 is read as 4 twice, so the confusion runs both ways" in text
    assert f"test error {pct(10 / 910)}" in text
    conf[9, 4] = 0
    assert "but 9 is never read as 4" in confusion.confusion_text(conf, models["ReLU"], correlation)
    perfect = confusion.confusion_text(np.diag([10] * 10), models["ReLU"], correlation)
    assert "nothing to confuse" in perfect


def test_tables_list_every_class(data, models):
    conf = metrics.confusion_matrix(data.test_y, models["ReLU"].test_pred, 10)
    table = confusion.per_class_table(conf, data.class_names).data
    assert list(table["class"]) == list(data.class_names)
    assert table["test images"].sum() == len(data.test_y)


def test_pick_stages_spans_the_record():
    assert latent.pick_stages(np.arange(20.0)) == [0, 4, 8, 11, 15, 19]
    assert latent.pick_stages(np.arange(3.0)) == [0, 1, 2]
