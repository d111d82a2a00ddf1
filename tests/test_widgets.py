"""The explorer's callbacks, without a browser: controls -> config -> background run -> views."""

import threading

import pytest

from hw1lib.cli import main
from hw1lib.data.datasets import load_dataset
from hw1lib.errors import ConfigError, DataError
from hw1lib.explorer import widgets
from hw1lib.explorer.widgets import explore, split_hidden
from hw1lib.runs import cache

from .helpers import record_training, write_course_folder

SMALL = dict(hidden=(16,), epochs=3, lr=0.1)
PNG = b"\x89PNG"
TIMEOUT = 60


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    return write_course_folder(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def small_data(small_folder):
    return load_dataset(small_folder)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HW1LIB_CACHE", str(tmp_path / "runs"))


@pytest.fixture
def trainings(monkeypatch):
    """The (config, dataset) pairs actually trained (not read from the cache), in order."""
    return record_training(monkeypatch, cache)


def is_png(image):
    return bytes(image.value[:4]) == PNG


def opened(data, **initial):
    explorer = explore(data, **initial)
    assert explorer.wait(TIMEOUT)
    return explorer


def test_first_run_fills_every_view(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL)
    assert explorer.shown.config == explorer.config()
    assert is_png(explorer.curves) and is_png(explorer.confusion)
    assert f"Test error {explorer.shown.final_test_error:.2%}" in explorer.results.value
    assert explorer.message.value == ""
    assert explorer.captions["confusion"].value == widgets.CAPTIONS["confusion"]
    explorer.controls["seed"].value = 5
    assert "previous run" in explorer.captions["confusion"].value  # until the new run's matrix is drawn
    assert explorer.wait(TIMEOUT)
    assert explorer.captions["confusion"].value == widgets.CAPTIONS["confusion"]


def test_control_change_trains_the_config_it_describes(small_data, fresh_cache, trainings):
    explorer = opened(small_data, **SMALL)
    before = explorer.curves.value
    explorer.controls["width"].value = 32
    explorer.controls["layers"].value = 2
    explorer.controls["activation"].value = "tanh"
    assert explorer.wait(TIMEOUT)
    expected = widgets.RunConfig(hidden=(32, 32), epochs=3, lr=0.1, activation="tanh")
    assert trainings[-1][0] == expected
    assert explorer.shown.config == expected
    assert bytes(explorer.curves.value) != bytes(before)
    assert "hidden 32-32 tanh" in explorer.config().describe()


def test_curves_are_drawn_while_training(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL)
    shown = []
    explorer.results.observe(lambda change: shown.append(change["new"]), names="value")
    frames = []
    explorer.curves.observe(lambda change: frames.append(change["new"]), names="value")
    explorer.controls["epochs"].value = 4
    assert explorer.wait(TIMEOUT)
    assert shown[0] == "Training&hellip;"
    assert shown[1].startswith("Training&hellip; epoch 1 of 4: test error")
    assert shown[-1].startswith("<b>Test error")
    assert len(frames) >= 2 and bytes(frames[0]) != bytes(frames[-1])


def test_every_control_reaches_the_config(small_data, fresh_cache):
    explorer = explore(small_data, **SMALL)
    changes = {
        "lr": 0.01,
        "optimizer": "adam",
        "batch_size": 64,
        "epochs": 2,
        "init": "normal",
        "init_std": 0.1,
        "seed": 3,
    }
    for name, value in changes.items():
        explorer.controls[name].value = value
    assert explorer.wait(TIMEOUT)
    config = explorer.shown.config
    assert {name: getattr(config, name) for name in changes} == pytest.approx(changes)
    assert not explorer.controls["init_std"].disabled
    explorer.controls["init"].value = "he"
    assert explorer.controls["init_std"].disabled


def test_newer_change_cancels_the_running_one(small_data, fresh_cache, trainings, monkeypatch):
    """The first run is held inside its first evaluation until the second change has been made."""
    paused, release = threading.Event(), threading.Event()
    results = []
    real = widgets.cached_train

    def held(config, dataset, on_eval=None, **kwargs):
        def hold(partial):
            if config.epochs == 40 and partial.iterations > 0:
                paused.set()
                release.wait(TIMEOUT)
            on_eval(partial)

        history = real(config, dataset, on_eval=hold, **kwargs)
        results.append(history)
        return history

    monkeypatch.setattr(widgets, "cached_train", held)
    explorer = opened(small_data, **SMALL)
    explorer.controls["epochs"].value = 40
    assert paused.wait(TIMEOUT)
    explorer.controls["lr"].value = 0.05
    release.set()
    assert explorer.wait(TIMEOUT)

    cancelled = results[-2]
    assert cancelled.config.epochs == 40
    assert cancelled.iterations < 40 * cancelled.iterations_per_epoch
    assert explorer.shown is results[-1]
    assert explorer.shown.config.lr == pytest.approx(0.05) and explorer.shown.config.epochs == 40
    assert "epoch 40 of 40" not in explorer.results.value
    # The cancelled run was not the run its config describes, so it must not be cached.
    explorer.controls["lr"].value = 0.1
    assert explorer.wait(TIMEOUT)
    assert not explorer.shown.from_cache and trainings[-1][0].epochs == 40


def test_cached_settings_do_not_retrain(small_data, fresh_cache, trainings):
    explorer = opened(small_data, **SMALL)
    explorer.controls["seed"].value = 1
    assert explorer.wait(TIMEOUT)
    count = len(trainings)
    explorer.controls["seed"].value = 0
    assert explorer.wait(TIMEOUT)
    assert len(trainings) == count
    assert explorer.shown.from_cache and explorer.shown.config.seed == 0
    assert "run cache" in explorer.results.value


def test_bad_value_shows_a_message_not_a_traceback(small_data, fresh_cache, trainings):
    explorer = opened(small_data, **SMALL)
    count = len(trainings)
    explorer.controls["seed"].value = -1
    assert explorer.wait(TIMEOUT)
    assert "seed: expected a whole number &gt;= 0, got -1" in explorer.message.value
    assert "No run" in explorer.results.value
    assert len(trainings) == count
    explorer.controls["seed"].value = 2
    assert explorer.wait(TIMEOUT)
    assert explorer.message.value == "" and "Test error" in explorer.results.value


def test_diverging_learning_rate_is_explained(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL, normalize="standardize")
    explorer.controls["lr"].value = 10
    assert explorer.wait(TIMEOUT)
    assert explorer.shown.diverged
    assert "Diverged" in explorer.results.value
    assert "learning rate 10 is too large" in explorer.message.value


def test_chance_level_is_pointed_out(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL, init="zero")
    assert "chance level" in explorer.message.value


@pytest.mark.parametrize(
    "error, shown",
    [
        (DataError("train.npz: bad labels"), "train.npz: bad labels"),
        (RuntimeError("boom"), "unexpected error: RuntimeError: boom"),
    ],
)
def test_errors_during_a_run_go_to_the_panel(small_data, fresh_cache, monkeypatch, error, shown):
    def failing(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(widgets, "cached_train", failing)
    explorer = opened(small_data, **SMALL)
    assert shown in explorer.message.value
    assert "failed" in explorer.results.value
    assert "Traceback" not in explorer.message.value


def test_latent_view_only_with_the_two_node_layer(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL)
    assert explorer.latent_view.layout.display == "none"
    assert explorer.shown.snapshots.shape[0] == 0
    explorer.controls["latent"].value = True
    assert explorer.latent_view.layout.display != "none"
    assert explorer.wait(TIMEOUT)
    assert explorer.shown.config.hidden == (16, 2)
    assert explorer.shown.snapshots.shape == (1, len(small_data.test_y), 2)
    assert list(explorer.shown.snapshot_stages) == [3]
    assert is_png(explorer.latent)
    explorer.controls["latent"].value = False
    assert explorer.latent_view.layout.display == "none"


def test_a_notebooks_latent_run_comes_from_the_cache(small_data, fresh_cache, trainings):
    """A latent run recorded at many stages (as question 3 records it) is the explorer's run too."""
    recorded = widgets.RunConfig(hidden=(16, 2), epochs=3, lr=0.1, snapshot_stages=(0, 0.5, 1, 2, 3))
    cache.cached_train(recorded, small_data, progress=False)
    count = len(trainings)
    explorer = opened(small_data, focus="latent", **recorded.to_dict())
    assert len(trainings) == count and explorer.shown.from_cache
    assert explorer.config() == recorded and is_png(explorer.latent)
    explorer.controls["epochs"].value = 2
    assert explorer.config().snapshot_stages == (0, 0.5, 1, 2)


def test_the_latent_layer_has_its_own_activation(small_data, fresh_cache):
    explorer = opened(small_data, focus="latent", epochs=2)
    control = explorer.controls["latent_activation"]
    assert control.value == "identity" and not control.disabled
    assert explorer.shown.config.latent_activation == "identity" and explorer.shown.config.activation == "relu"
    control.value = ""  # the same as the other hidden layers
    assert explorer.config().latent_activation is None
    explorer.controls["latent"].value = False
    assert control.disabled and explorer.config().latent_activation is None
    assert explorer.wait(TIMEOUT)


def test_focus_orders_controls_and_views(small_data, fresh_cache):
    init_first = opened(small_data, focus="init", **SMALL)
    assert init_first.controls["init"] in init_first.panel.children[0].children
    latent_first = opened(small_data, focus="latent", epochs=2)
    assert latent_first.controls["latent"].value and latent_first.shown.config.hidden[-1] == 2
    assert latent_first.figures.children[0].children[0] is latent_first.latent_view
    with pytest.raises(ConfigError, match="unknown focus 'nope'; known: all, curves, init"):
        explore(small_data, focus="nope")


def test_initial_values_are_checked(small_data):
    with pytest.raises(ConfigError, match="unknown config field"):
        explore(small_data, learning_rate=0.1)
    with pytest.raises(ConfigError, match="lr: expected a number > 0"):
        explore(small_data, lr=0)
    with pytest.raises(ConfigError, match="equal hidden layers"):
        split_hidden((64, 32))
    assert split_hidden((64, 64, 2)) == (64, 2, True)
    assert split_hidden((2,)) == (2, 1, False)


def test_unusual_initial_values_get_their_own_slider_positions(small_data, fresh_cache):
    explorer = opened(small_data, hidden=(20, 2), batch_size=48, epochs=2, lr=30.0)
    config = explorer.shown.config
    assert (config.hidden, config.batch_size, config.lr) == ((20, 2), 48, pytest.approx(30.0))


def test_benchmark_command_prints_both_latencies(small_folder, capsys):
    assert main(["bench-widgets", "--data", str(small_folder), "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "uncached  median: first curves" in out and "cached    median: first curves" in out


def test_a_diverged_run_shows_no_confusion_matrix(small_data, fresh_cache):
    explorer = opened(
        small_data, **{**SMALL, "hidden": (16, 2), "lr": 100.0}, activation="leaky_relu", normalize="standardize"
    )
    for lr, diverged in ((100.0, True), (0.1, False), (100.0, True)):  # from scratch, and after a good run
        explorer.controls["lr"].value = lr
        assert explorer.wait(TIMEOUT) and explorer.shown.diverged == diverged
        if diverged:
            assert explorer.captions["confusion"].value == "Diverged, no confusion matrix."
            assert explorer.captions["latent"].value == "Diverged, no latent features."
            assert not is_png(explorer.confusion) and not is_png(explorer.latent)  # nothing to pass for this run's
        else:
            assert explorer.captions["confusion"].value == widgets.CAPTIONS["confusion"]
            assert is_png(explorer.confusion) and is_png(explorer.latent)


def test_the_caption_during_a_run_is_one_plain_sentence(small_data, fresh_cache):
    explorer = opened(small_data, **SMALL)
    explorer.controls["seed"].value = 7
    caption = explorer.captions["confusion"].value
    assert caption == "Confusion matrix of the previous run, shown until this run finishes."
    assert explorer.wait(TIMEOUT)
