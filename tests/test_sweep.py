"""The validation sweep: an honest split, ranking on validation only, parallel and cached runs, Dask."""

import dataclasses
import json

import numpy as np
import pytest

from hw1lib import ConfigError, DataError, load_dataset
from hw1lib.cli import main
from hw1lib.data.splits import validation_split
from hw1lib.runs.training import Trainer
from hw1lib.search import sweep as sweep_module
from hw1lib.search.sweep import Screening, SearchSpace, release_workers, run_sweep
from hw1lib.search.tables import (
    report_top_table,
    styled_top_table,
    top_table,
    validation_figure,
)

from .helpers import record_training, write_course_folder

# Small enough that a trial takes a few milliseconds, varied enough that trials differ.
TINY = SearchSpace(
    depths=(1, 2),
    widths=(8, 16),
    activations=("relu", "tanh"),
    lr_ranges=(("sgd", 0.05, 0.5), ("adam", 1e-3, 1e-2)),
    batch_sizes=(16, 32),
    epochs=(4,),
)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("sweep") / "course", n_train=300, n_test=100))


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HW1LIB_CACHE", str(tmp_path / "runs"))
    return tmp_path / "runs"


# --- the split ------------------------------------------------------------------------------------


def test_split_is_stratified_disjoint_and_leaves_the_test_set_out(course):
    split = validation_split(course, 0.1, seed=3)
    assert len(split.train_y) + len(split.test_y) == len(course.train_y)
    # Every training image lands in exactly one part: match rows back to the source.
    source = {row.tobytes(): i for i, row in enumerate(course.train_x)}
    fit_rows = [source[r.tobytes()] for r in split.train_x]
    val_rows = [source[r.tobytes()] for r in split.test_x]
    assert not set(fit_rows) & set(val_rows)
    assert sorted(fit_rows + val_rows) == list(range(len(course.train_y)))
    np.testing.assert_array_equal(split.test_y, course.train_y[val_rows])
    counts = np.bincount(course.train_y, minlength=10)
    np.testing.assert_array_equal(np.bincount(split.test_y, minlength=10), np.round(0.1 * counts))
    assert "validation" in split.name and split.fingerprint != course.fingerprint


def test_split_depends_on_its_seed_and_nothing_else(course):
    a, b, c = (validation_split(course, 0.1, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.test_x, b.test_x)
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert not np.array_equal(a.test_x, c.test_x)
    # New test labels leave the split, and so its cached runs, untouched.
    relabelled = dataclasses.replace(course, test_y=course.test_y[::-1].copy(), fingerprint="other")
    assert validation_split(relabelled, 0.1, seed=7).fingerprint == a.fingerprint


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5, "a", True])
def test_split_rejects_a_bad_fraction(course, fraction):
    with pytest.raises(ConfigError, match="validation fraction"):
        validation_split(course, fraction)


def test_split_too_small_to_hold_out_anything(course):
    with pytest.raises(DataError, match="leaves"):
        validation_split(course, 0.001)


# --- ranking --------------------------------------------------------------------------------------


def test_training_never_sees_the_test_set_and_ranking_uses_validation_only(course, empty_cache, monkeypatch):
    calls = record_training(monkeypatch, sweep_module)
    result = run_sweep(course, trials=6, space=TINY, jobs=1, progress=False)
    seen = [data for _, data in calls]
    assert len(seen) == 6  # one call per trial; the final run went through cached_train, not this spy
    test_rows = {row.tobytes() for row in course.test_x}
    for data in seen:
        assert len(data.test_y) == 30 and "validation" in data.name
        assert not test_rows & {row.tobytes() for row in (*data.train_x, *data.test_x)}
    errors = [t.val_error for t in result.ranked]
    assert errors == sorted(errors) and result.best is result.ranked[0]
    assert result.chosen == result.best.config.replace(epochs=result.best.best_epoch)
    assert result.best.val_error == min(result.best.val_curve)
    assert result.final.config == result.chosen and result.final.data_fingerprint == course.fingerprint

    # Scrambled test labels change the final test error, never the trials or the choice.
    scrambled = dataclasses.replace(course, test_y=np.roll(course.test_y, 1), fingerprint="scrambled")
    seen.clear()
    again = run_sweep(scrambled, trials=6, space=TINY, jobs=1, progress=False)
    assert seen == [] and again.chosen == result.chosen
    assert [t.val_error for t in again.ranked] == errors


# --- screening ------------------------------------------------------------------------------------


def record_epochs(monkeypatch):
    """Make ``Trainer.run`` record (config, epochs done before, epochs done after) for each call."""
    calls = []
    real = Trainer.run

    def spy(self, *args, **kwargs):
        before = self.epochs_done
        history = real(self, *args, **kwargs)
        calls.append((self.config, before, self.epochs_done))
        return history

    monkeypatch.setattr(Trainer, "run", spy)
    return calls


def test_screening_gives_the_full_budget_to_the_best_only(course, empty_cache, monkeypatch):
    calls = record_epochs(monkeypatch)
    result = run_sweep(course, trials=8, space=TINY, jobs=1, progress=False, final=False, screen=Screening(1, 3))
    full = run_sweep(course, trials=8, space=TINY, jobs=1, progress=False, final=False)
    # 8 runs paused after one epoch, then the 3 best go on from there to 4 epochs; the unscreened sweep
    # reads those 3 from the run cache (the same runs) and trains the other 5 for 4 epochs.
    assert [(before, after) for _, before, after in calls] == [(0, 1)] * 8 + [(1, 4)] * 3 + [(0, 4)] * 5
    assert len(result.stopped) == 5 and result.trained == 11 and full.trained == 5
    assert len(result.continued) == 3 and result.runs == 11 and not set(result.stopped) & set(result.continued)
    for trial in result.trials:
        unscreened = full.trials[trial.index]
        if result.was_stopped(trial):
            assert trial.config.epochs == 1 and trial.val_curve == unscreened.val_curve[:1]
        else:  # gone on from where it paused: the same run as in the unscreened sweep
            assert trial.config.epochs == 4 and trial.val_curve == unscreened.val_curve
    # The three kept are the three best after one epoch, and every one of them ranks above every stopped one.
    first_epoch = sorted(full.trials, key=lambda t: (t.val_curve[0], t.index))
    kept = {t.index for t in result.trials if not result.was_stopped(t)}
    assert kept == {t.index for t in first_epoch[:3]}
    assert [result.was_stopped(t) for t in result.ranked] == [False] * 3 + [True] * 5
    summary = result.to_dict()
    assert summary["stopped"] == list(result.stopped) and summary["screen"] == {"epochs": 1, "keep": 3}


def test_screening_in_worker_processes_continues_the_same_runs(course, empty_cache):
    """The paused runs travel from one worker process to the parent and on to another."""
    result = run_sweep(course, trials=6, space=TINY, jobs=2, progress=False, final=False, screen=Screening(1, 2))
    fresh = run_sweep(course, trials=6, space=TINY, jobs=1, progress=False, final=False, use_cache=False)
    assert len(result.continued) == 2
    for index in result.continued:
        assert result.trials[index].val_curve == fresh.trials[index].val_curve
        assert result.trials[index].train_error == fresh.trials[index].train_error
    release_workers()


def test_screening_shows_in_the_figure_table_and_text(course, empty_cache):
    result = run_sweep(course, trials=8, space=TINY, jobs=1, progress=False, screen=Screening(1, 3))
    # 8 trials for 1 epoch, then 3 go on for 3 more: 8 + 9 = 17 epochs, against 8 × 4 = 32 without screening.
    assert len(result.stopped) == 5 and len(result.continued) == 3
    assert sum(t.config.epochs for t in result.trials) == 17
    readable = report_top_table(result, 8).data
    assert list(readable["best epoch"]) == [f"{t.best_epoch} of {t.config.epochs}" for t in result.ranked]
    figure = validation_figure(result)
    top = figure.axes[0].get_ylim()[1] / 105  # the axis ends 5% above the highest error it shows
    hollow = [c for c in figure.axes[0].collections if len(c.get_offsets()) and not c.get_facecolor().any()]
    # Stopped trials on the axis are hollow dots; the ring round the chosen one is hollow too.
    shown_stopped = sum(t.val_error <= top for t in result.trials if result.was_stopped(t))
    assert shown_stopped and sum(len(c.get_offsets()) for c in hollow) == shown_stopped + 1
    assert any(t.get_text() == "hollow: stopped after 1 epoch" for t in figure.legends[0].get_texts())
    unscreened = run_sweep(course, trials=8, space=TINY, jobs=1, progress=False)
    assert not unscreened.stopped and all(t.config.epochs == 4 for t in unscreened.trials)


def test_the_legend_fits_the_figure_with_every_optimizer_activation_and_stopped_trials(course, empty_cache):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    space = SearchSpace(widths=(8, 16), batch_sizes=(64,), epochs=(2,))  # the report's choices, small networks
    result = run_sweep(course, trials=16, space=space, jobs=1, progress=False, final=False, screen=Screening(1, 4))
    figure = validation_figure(result)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)  # lays out the figure and its legend
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert len(labels) == 3 + 3 + 2  # three optimisers, three activations, stopped, chosen
    legend, whole = figure.legends[0].get_window_extent(renderer), figure.bbox
    assert whole.x0 <= legend.x0 and legend.x1 <= whole.x1


def test_cli_screen_reaches_the_sweep(course, empty_cache, tmp_path, capsys):
    folder = write_course_folder(tmp_path / "cli", n_train=100, n_test=20)
    args = ["sweep", "--data", str(folder), "--quiet", "--trials", "4", "--jobs", "1", "--screen", "1", "2"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    # 4 screening runs and 2 taken on to their budget: 6 runs, none from the cache on a first sweep.
    assert (
        "trials   4 (6 runs: 2 taken on to their whole budget): 6 trained on this process, 0 from the cache" in lines[1]
    )
    assert lines[2] == "screen   all trained 1 epoch first; 2 stopped there, 2 went on"
    assert main([*args, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["screen"] == {"epochs": 1, "keep": 2} and len(result["stopped"]) == len(result["continued"]) == 2
    assert result["trained"] == 0  # the second sweep read all six runs from the cache


# --- parallel, cached, Dask -----------------------------------------------------------------------


def test_two_jobs_match_one_and_a_repeat_comes_from_the_cache(course, empty_cache, monkeypatch):
    parallel = run_sweep(course, trials=6, space=TINY, jobs=2, progress=False, final=False)
    assert parallel.trained == 6 and parallel.workers == "2 local processes"
    assert len(list(empty_cache.glob("*.npz"))) == 6  # stored by this process, atomically

    def no_training(*args, **kwargs):
        raise AssertionError("a cached sweep trained")

    monkeypatch.setattr(sweep_module, "train", no_training)
    monkeypatch.setattr("hw1lib.runs.cache.train", no_training)
    repeat = run_sweep(course, trials=6, space=TINY, jobs=2, progress=False, final=False)
    assert repeat.trained == 0 and all(t.from_cache for t in repeat.trials)
    assert [t.to_dict() | {"cached": None} for t in repeat.ranked] == [
        t.to_dict() | {"cached": None} for t in parallel.ranked
    ]
    monkeypatch.undo()
    monkeypatch.setenv("HW1LIB_CACHE", str(empty_cache.parent / "other"))
    sequential = run_sweep(course, trials=6, space=TINY, jobs=1, progress=False, final=False)
    assert [t.val_curve for t in sequential.ranked] == [t.val_curve for t in parallel.ranked]


@pytest.fixture
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    # Threads in this process, but reached over TCP on 127.0.0.1 like a real scheduler.
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    )
    yield cluster
    cluster.close()


def test_the_same_sweep_runs_on_a_dask_cluster(course, empty_cache, dask_cluster):
    result = run_sweep(course, trials=4, space=TINY, scheduler=dask_cluster.scheduler_address, progress=False)
    assert result.trained == 4 and result.workers.startswith(f"dask {dask_cluster.scheduler_address}")
    local = run_sweep(course, trials=4, space=TINY, jobs=1, progress=False)  # now all cached
    assert local.trained == 0 and local.chosen == result.chosen


def test_an_unreachable_scheduler_is_one_clear_error(course, empty_cache, monkeypatch):
    monkeypatch.setattr(sweep_module, "CONNECT_TIMEOUT", 1)
    with pytest.raises(ConfigError, match=r"scheduler 'tcp://127\.0\.0\.1:9': cannot connect"):
        run_sweep(course, trials=2, space=TINY, scheduler="tcp://127.0.0.1:9", progress=False)


# --- space, CLI, report -----------------------------------------------------------------------------


def test_the_sample_is_seeded_and_stays_in_the_space():
    a, b = SearchSpace().sample(30, seed=1), SearchSpace().sample(30, seed=1)
    assert a == b and a != SearchSpace().sample(30, seed=2)
    space = SearchSpace()
    ranges = {name: (low, high) for name, low, high in space.lr_ranges}
    for config in a:
        assert len(config.hidden) in space.depths and len(set(config.hidden)) == 1
        assert config.hidden[0] in space.widths and config.batch_size in space.batch_sizes
        low, high = ranges[config.optimizer]
        assert low * 0.999 <= config.lr <= high * 1.001 and config.seed == 1
    assert len({c.optimizer for c in a}) == 3 and len({len(c.hidden) for c in a}) == 3


def test_learning_rates_span_an_optimizers_range_on_a_log_scale():
    space = SearchSpace()
    assert space.learning_rates("sgd", 3) == (0.03, 0.155, 0.8)
    assert space.learning_rates("momentum", 2, stretch=4) == (0.005, 0.4)
    with pytest.raises(ConfigError, match="no range for optimizer 'rmsprop'"):
        space.learning_rates("rmsprop", 3)


def test_learning_rate_trials_are_scored_like_the_sweeps_on_the_same_split(course, empty_cache, monkeypatch):
    calls = record_training(monkeypatch, sweep_module)
    result = run_sweep(course, trials=2, space=TINY, seed=4, jobs=1, progress=False)
    trials = sweep_module.learning_rate_trials(result.chosen, course, [0.5, 0.01, 0.1], seed=4, jobs=1)
    seen = [data.fingerprint for _, data in calls]
    assert sorted(t.config.lr for t in trials) == [0.01, 0.1, 0.5]
    assert {t.config.replace(lr=1) for t in trials} == {result.chosen.replace(lr=1)}
    assert [t.rank_key() for t in trials] == sorted(t.rank_key() for t in trials)
    assert len(set(seen)) == 1 and validation_split(course, 0.1, 4).fingerprint in seen  # the sweep's split only
    configs, split = sweep_module.learning_rate_runs(result.chosen, course, [0.5, 0.01, 0.1], seed=4)
    assert split.fingerprint in seen and {c.lr for c in configs} == {0.5, 0.01, 0.1}


def test_fit_trials_trains_each_config_on_its_own_data(course, empty_cache):
    split = validation_split(course, 0.1, 0)
    config = TINY.sample(1)[0]
    histories, trained, _ = sweep_module.fit_trials(
        [config, config.replace(seed=5)], [split, course], jobs=1, progress=False
    )
    assert trained == 2
    assert [h.data_fingerprint for h in histories] == [split.fingerprint, course.fingerprint]
    again, trained, _ = sweep_module.fit_trials(
        [config, config.replace(seed=5)], [split, course], jobs=1, progress=False
    )
    assert trained == 0 and all(h.from_cache for h in again)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"widths": ()}, "widths: expected at least one choice"),
        ({"activations": ("swish",)}, "unknown 'swish'"),
        ({"lr_ranges": (("sgd", 0.5, 0.1),)}, "0 < low <= high"),
        ({"lr_ranges": (("rmsprop", 0.1, 0.5),)}, "lr_ranges"),
    ],
)
def test_a_bad_search_space_is_rejected(change, message):
    with pytest.raises(ConfigError, match=message):
        SearchSpace(**change)


def test_cli_json_has_every_trial_and_the_choice(course, empty_cache, tmp_path, capsys, monkeypatch):
    folder = write_course_folder(tmp_path / "cli", n_train=200, n_test=50)
    monkeypatch.setattr(sweep_module, "SearchSpace", lambda: TINY)
    assert main(["sweep", "--data", str(folder), "--trials", "3", "--jobs", "1", "--seed", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["trials"]) == 3 and out["seed"] == 2 and out["n_val"] == 20
    for trial in out["trials"]:
        assert {"config", "val_error", "best_epoch", "seconds", "val_curve"} <= trial.keys()
        assert 1 <= trial["best_epoch"] <= 4 and len(trial["val_curve"]) == 4
    chosen = out["chosen"]
    assert chosen["trial"] == out["trials"][0]["index"] and chosen["val_error"] == out["trials"][0]["val_error"]
    assert chosen["config"]["epochs"] == chosen["best_epoch"] and 0 <= chosen["test_error"] <= 1

    assert main(["sweep", "--data", str(folder), "--trials", "3", "--jobs", "1", "--seed", "2", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "3: all from the cache" in text and "val error" in text and "test     error" in text


def test_cli_bench_reports_both_timings_and_caches_nothing(empty_cache, tmp_path, capsys, monkeypatch):
    folder = write_course_folder(tmp_path / "bench", n_train=200, n_test=50)
    monkeypatch.setattr(sweep_module, "SearchSpace", lambda: TINY)
    assert main(["sweep", "--bench", "--data", str(folder), "--trials", "4", "--jobs", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["trials"] == 4 and out["jobs"] == 2
    assert out["speedup"] == pytest.approx(out["seconds_1"] / out["seconds_parallel"], rel=0.01)
    assert out["trials_per_minute_1"] == pytest.approx(240 / out["seconds_1"], rel=0.01)
    assert not empty_cache.exists() or not list(empty_cache.glob("*.npz"))


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--trials", "0"], "trials: expected a whole number >= 1"),
        (["--jobs", "0"], "jobs: expected a whole number >= 1"),
        (["--fraction", "2"], "validation fraction"),
        (["--bench", "--scheduler", "tcp://127.0.0.1:9"], "does not take --scheduler"),
        (["--top", "0"], "--top: expected a whole number >= 1"),
        (["--screen", "0", "3"], "--screen EPOCHS: expected a whole number >= 1"),
        (["--screen", "2", "0"], "--screen KEEP: expected a whole number >= 1"),
        (["--bench", "--screen", "2", "3"], "does not take --screen"),
    ],
)
def test_cli_bad_input_is_one_line(course, args, expected, tmp_path, capsys):
    folder = write_course_folder(tmp_path / "bad", n_train=100, n_test=20)
    assert main(["sweep", "--data", str(folder), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]


def test_report_pieces_come_from_the_result(course, empty_cache):
    result = run_sweep(course, trials=6, space=TINY, jobs=1, progress=False)
    table = top_table(result, 4)
    assert list(table.index) == [1, 2, 3, 4] and table["trial"].iloc[0] == result.best.index
    assert table["val error"].is_monotonic_increasing
    figure = validation_figure(result)
    assert len(figure.axes) == 2 and figure.axes[0].get_xscale() == "log"
    top = figure.axes[0].get_ylim()[1] / 105  # the axis ends 5% above the highest error it shows
    shown = sum(t.val_error <= top for t in result.trials)
    for ax in figure.axes:  # every trial on the axis is one dot, plus the ring round the chosen one
        assert sum(len(c.get_offsets()) for c in ax.collections) == shown + 1
    assert ("not shown" in (figure.get_suptitle() or "")) == (shown < len(result.trials))
    assert "val error" in styled_top_table(result).to_html()
    readable = report_top_table(result, 3).data
    assert list(readable["rank"]) == [1, 2, 3] and "seconds" not in readable and "trial" not in readable
    assert list(readable["validation error"]) == [f"{t.val_error:.2%}" for t in result.ranked[:3]]
    with pytest.raises(ConfigError, match="top"):
        top_table(result, 0)


def test_released_workers_stop_and_later_trials_start_new_ones(course):
    from joblib.externals.loky import get_reusable_executor

    configs = [TINY.sample(1, 0)[0].replace(seed=s, epochs=1) for s in range(2)]
    first, trained, workers = sweep_module.fit_trials(configs, course, jobs=2, progress=False, use_cache=False)
    assert trained == 2 and workers == "2 local processes"
    executor = get_reusable_executor(reuse=True)
    sweep_module.release_workers()
    assert executor._flags.shutdown  # its worker processes have stopped
    again, _, _ = sweep_module.fit_trials(configs, course, jobs=2, progress=False, use_cache=False)
    assert [h.final_test_error for h in again] == [h.final_test_error for h in first]
