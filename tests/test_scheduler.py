"""The report on a Dask cluster: ``hw1lib report --scheduler ADDR`` against a real ``distributed.LocalCluster``
whose workers are separate processes. Its runs equal local ones bit for bit, and so does every number of the report.
"""

import dataclasses
import html
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from hw1lib import ConfigError, load_dataset
from hw1lib.cli import main
from hw1lib.runs.config import RunConfig
from hw1lib.search import sweep as sweep_module
from hw1lib.search.sweep import SweepError, fit_trials

from .helpers import SMALL_REPORT, write_noisy_course_folder

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.usefixtures("jupyter_home")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each, reached over TCP like machines of a real cluster."""
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        protocol="tcp://",
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_noisy_course_folder(tmp_path_factory.mktemp("scheduler") / "course")


def history_arrays(history):
    """Every array a History holds (its weights too), by name."""
    arrays = {}
    for field in dataclasses.fields(history):
        value = getattr(history, field.name)
        if isinstance(value, np.ndarray):
            arrays[field.name] = value
        elif isinstance(value, dict):
            arrays.update({f"{field.name}.{k}": v for k, v in value.items()})
    return arrays


def test_runs_trained_on_the_cluster_equal_local_runs_bit_for_bit(cluster, course):
    data = load_dataset(str(course))
    configs = [
        RunConfig(hidden=(16,), epochs=2, seed=0, lr=0.1, batch_size=32),
        RunConfig(hidden=(8, 8), activation="tanh", init="xavier", optimizer="momentum", lr=0.02, epochs=2, seed=1),
        RunConfig(hidden=(12,), activation="sigmoid", init="xavier", lr=0.5, epochs=1, seed=2, snapshot_stages=(0.5,)),
    ]
    remote, trained, workers = fit_trials(
        configs, data, scheduler=cluster.scheduler_address, progress=False, use_cache=False
    )
    local, _, _ = fit_trials(configs, data, jobs=1, progress=False, use_cache=False)
    assert trained == 3 and workers.startswith(f"dask {cluster.scheduler_address} (2 worker threads")
    for a, b in zip(remote, local, strict=True):
        assert a.config == b.config
        arrays_a, arrays_b = history_arrays(a), history_arrays(b)
        assert arrays_a.keys() == arrays_b.keys()
        for name in arrays_a:
            assert arrays_a[name].dtype == arrays_b[name].dtype, name
            assert np.array_equal(arrays_a[name], arrays_b[name], equal_nan=True), name


def report_text(path):
    """The HTML report's text, without the row that says when it was built and how long it took."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<tr>\s*<td>\s*built\s*</td>.*?</tr>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())


def build(course, out, cache, *extra):
    args = ["report", "--data", str(course), "--out", str(out), "--no-pdf", *extra]
    args += ["--epochs", str(SMALL_REPORT["epochs"]), "--hidden", *map(str, SMALL_REPORT["hidden"])]
    for name in ("stages", "seed_report_lrs", "gallery_size", "sweep_trials", "sweep_epochs", "sweep_screen_epochs"):
        args += ["-p", name, repr(SMALL_REPORT[name])]
    args += [
        "-p",
        "sweep_keep",
        repr(SMALL_REPORT["sweep_keep"]),
        "-p",
        "sigmoid_lrs",
        repr(SMALL_REPORT["sigmoid_lrs"]),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "HW1LIB_CACHE": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    return result


def work_line(result):
    return next(line for line in result.stdout.splitlines() if "training work" in line)


def test_a_report_built_on_the_cluster_has_every_number_of_a_local_build(cluster, course, tmp_path):
    address = cluster.scheduler_address
    tasks_before = cluster.scheduler.transition_counter
    remote = build(course, tmp_path / "remote", tmp_path / "remote-cache", "--scheduler", address)
    assert cluster.scheduler.transition_counter > tasks_before  # the cluster did the training
    assert f"training on the Dask cluster {address}" in remote.stdout
    local = build(course, tmp_path / "local", tmp_path / "local-cache")
    # The runs landed in the local run cache: the same runs, one file each.
    assert sorted(p.name for p in (tmp_path / "remote-cache").iterdir()) == sorted(
        p.name for p in (tmp_path / "local-cache").iterdir()
    )
    # The training work the cluster's workers did is counted as if they were this machine's processes.
    assert work_line(remote) == work_line(local) and " 0 training calls" not in work_line(remote)
    remote_text = report_text(tmp_path / "remote" / "hw1_report.html")
    local_text = report_text(tmp_path / "local" / "hw1_report.html")
    assert address not in remote_text and "notebooks executed in" not in remote_text  # the built row is gone
    assert "Confusion matrix" in remote_text and len(re.findall(r"\d", remote_text)) > 500
    assert re.findall(r"\d+(?:[.,]\d+)*", remote_text) == re.findall(r"\d+(?:[.,]\d+)*", local_text)
    assert remote_text == local_text


@pytest.mark.parametrize("value", ["5", "''", "'localhost'", "'tcp://'", "'tcp://host 8786'"])
def test_a_bad_scheduler_parameter_is_one_line_naming_it(value, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "out"), "-p", "scheduler", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scheduler: expected the address of a Dask scheduler, e.g. tcp://" in err[0], err
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_fails_in_one_line_before_any_notebook_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep_module, "CONNECT_TIMEOUT", 1)
    assert main(["report", "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scheduler 'tcp://127.0.0.1:9': cannot connect" in err[0], err
    assert not (tmp_path / "out").exists()


def _die(index):
    os._exit(1)  # the worker process dies as if killed


def test_a_worker_that_dies_is_retried_then_named_in_one_line(cluster, course):
    # The scheduler gives the trial to another worker each time its worker dies (allowed-failures,
    # 3 by default); once it gives up the sweep says so in one line.
    data = load_dataset(str(course))
    with pytest.raises(SweepError) as raised:
        sweep_module._run_parallel(
            [(_die, 7)],
            [data],
            lambda *result: None,
            jobs=None,
            scheduler=cluster.scheduler_address,
            progress=False,
            total=1,
        )
    message = str(raised.value)
    assert "\n" not in message and f"worker process of the Dask cluster {cluster.scheduler_address} died" in message
    assert "trial(s) 7 had not finished" in message


def test_bad_scheduler_values_are_config_errors():
    from hw1lib.report.parameters import CONSTRAINTS

    assert CONSTRAINTS["scheduler"]("scheduler", None) is None
    assert CONSTRAINTS["scheduler"]("scheduler", "tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    with pytest.raises(ConfigError, match="scheduler: expected"):
        CONSTRAINTS["scheduler"]("scheduler", ["tcp://10.0.0.5:8786"])
