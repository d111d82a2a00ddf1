"""The run cache and the History file format."""

import errno
import os

import numpy as np
import pytest

from hw1lib import common
from hw1lib.data.datasets import load_dataset
from hw1lib.runs import cache as cache_module
from hw1lib.runs.cache import cache_dir, cached_train, run_key
from hw1lib.runs.config import RunConfig
from hw1lib.runs.history import History

from .helpers import write_course_folder

CONFIG = RunConfig(hidden=(12, 2), epochs=2, snapshot_stages=(0, 1, 2))


@pytest.fixture
def data(tmp_path):
    return load_dataset(write_course_folder(tmp_path / "course"))


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HW1LIB_CACHE", str(tmp_path / "runs"))
    return tmp_path / "runs"


def test_history_round_trip(tmp_path, data, own_cache):
    history = cached_train(CONFIG, data, progress=False)
    path = tmp_path / "h.npz"
    path.write_bytes(history.to_bytes())
    loaded = History.from_file(path)
    assert loaded.config == history.config and loaded.class_names == history.class_names
    for name in (
        "batch_loss",
        "eval_iteration",
        "test_error",
        "snapshots",
        "snapshot_stages",
        "test_pred",
        "snapshot_weights",
        "snapshot_biases",
    ):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(history, name))
    assert loaded.params.keys() == history.params.keys()


def test_a_file_written_before_the_output_weights_were_recorded_still_loads(tmp_path, data, own_cache):
    history = cached_train(CONFIG, data, progress=False)
    with np.load(own_cache / f"{run_key(CONFIG, data)}.npz") as npz:
        arrays = {
            name: npz[name]
            for name in npz.files
            if not name.startswith("snapshot_weights") and not name.startswith("snapshot_biases")
        }
    np.savez(tmp_path / "old.npz", **arrays)
    old = History.from_file(tmp_path / "old.npz")
    assert len(old.snapshot_weights) == len(old.snapshot_biases) == 0
    np.testing.assert_array_equal(old.snapshots, history.snapshots)


def test_second_call_comes_from_cache(data, own_cache, monkeypatch):
    first = cached_train(CONFIG, data, progress=False)
    assert not first.from_cache
    assert [p.name for p in own_cache.iterdir()] == [f"{run_key(CONFIG, data)}.npz"]
    monkeypatch.setattr(cache_module, "train", lambda *a, **k: pytest.fail("trained again"))
    second = cached_train(CONFIG, data, progress=False)
    assert second.from_cache and second.summary()["test_error"] == first.summary()["test_error"]
    np.testing.assert_array_equal(second.params["W1"], first.params["W1"])


def test_key_depends_on_config_and_data(data, tmp_path):
    other = load_dataset(write_course_folder(tmp_path / "other", seed=1))
    assert run_key(CONFIG, data) != run_key(CONFIG.replace(lr=0.1), data)
    assert run_key(CONFIG, data) != run_key(CONFIG, other)
    assert run_key(CONFIG, data) == run_key(RunConfig(**CONFIG.to_dict()), data)


def test_corrupt_entry_is_retrained_and_replaced(data, own_cache):
    cached_train(CONFIG, data, progress=False)
    path = own_cache / f"{run_key(CONFIG, data)}.npz"
    path.write_bytes(path.read_bytes()[:100])
    history = cached_train(CONFIG, data, progress=False)
    assert not history.from_cache
    assert History.from_file(path).iterations == history.iterations


def test_cancelled_run_is_not_cached(data, own_cache):
    cached_train(CONFIG, data, progress=False, should_stop=lambda: True)
    assert not own_cache.exists() or not any(own_cache.iterdir())


def test_full_disk_warns_leaves_no_partial_file_and_still_returns(data, own_cache, monkeypatch, capsys):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(common.os, "fsync", disk_full)
    history = cached_train(CONFIG, data, progress=False)
    assert history.iterations > 0
    assert "No space left on device" in capsys.readouterr().err
    assert list(own_cache.iterdir()) == []


def test_unwritable_cache_warns_and_still_returns(data, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("HW1LIB_CACHE", str(blocker / "runs"))
    history = cached_train(CONFIG, data, progress=False)
    assert history.iterations > 0 and not history.from_cache
    assert "could not write cache file" in capsys.readouterr().err


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HW1LIB_CACHE", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("HW1LIB_CACHE")
    assert cache_dir().name == "runs"


@pytest.mark.parametrize("keep", [0, 0.5, -1], ids=["empty", "half", "last-byte-cut"])
def test_a_truncated_entry_is_retrained_not_trusted(keep, data, own_cache, monkeypatch):
    first = cached_train(CONFIG, data, progress=False)
    path = own_cache / f"{run_key(CONFIG, data)}.npz"
    whole = path.read_bytes()
    path.write_bytes(whole[: int(len(whole) * keep) if keep >= 0 else len(whole) - 1])
    calls = []
    real = cache_module.train
    monkeypatch.setattr(cache_module, "train", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = cached_train(CONFIG, data, progress=False)
    assert calls == [1] and not again.from_cache
    assert again.summary()["test_error"] == first.summary()["test_error"]  # the same seed, trained again
    assert cached_train(CONFIG, data, progress=False).from_cache  # the entry was replaced by a whole one
