"""The benchmark command on a tiny configuration: JSON shape, ratios, skipped peers, bad input."""

import json
import sys

import numpy as np
import pytest

from hw1lib import bench
from hw1lib.cli import main
from hw1lib.nn.network import MLP

from .helpers import write_course_folder

TINY = ["--hidden", "8", "--batch-size", "16", "64", "--rounds", "1"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course_folder(tmp_path_factory.mktemp("bench") / "course")


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """A 256^3 product for the matrix-multiply rate and no pauses: enough to exercise the code, and quick."""
    monkeypatch.setattr(bench, "SGEMM_SIZE", 256)
    monkeypatch.setattr(bench, "PAUSE", 0)


def bench_json(course, capsys, *extra):
    assert main(["bench", "--data", str(course), *TINY, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # exactly one JSON object on stdout


def test_json_shape(course, capsys):
    result = bench_json(course, capsys)
    parameters = sum(p.size for p in MLP(784, (8,), 10).params.values())
    assert result["parameters"] == parameters and result["flop_per_sample"] == 6 * parameters
    assert result["sgemm_gflops"] > 0
    assert result["bound_samples_per_s"] == pytest.approx(result["sgemm_gflops"] * 1e9 / (6 * parameters))
    ran = [impl for impl in bench.IMPLS if impl not in result["skipped"]]
    assert "hw1lib" in ran and set(result["skipped"]) <= {"torch", "sklearn"}
    assert [(r["impl"], r["batch_size"]) for r in result["results"]] == [
        (impl, batch) for batch in (16, 64) for impl in ran
    ]
    assert all(r["samples_per_s"] > 0 for r in result["results"])
    memory = result["memory"]
    assert memory["method"] == "tracemalloc" and memory["batch_size"] == 16
    assert memory["peak_bytes"] > memory["data_bytes"] > 0
    assert memory["peak_over_data"] == pytest.approx(memory["peak_bytes"] / memory["data_bytes"])


def test_a_missing_peer_is_skipped_and_said(course, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    result = bench_json(course, capsys)
    assert "torch" in result["skipped"]
    assert all(r["impl"] != "torch" for r in result["results"])
    assert main(["bench", "--data", str(course), *TINY]) == 0
    text = capsys.readouterr().out
    assert "skipped  torch" in text and "hw1lib/torch" not in text


def test_text_form_prints_the_ratios(course, capsys):
    assert main(["bench", "--data", str(course), *TINY]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("samples/s"))
    assert "hw1lib/bound" in header and "hw1lib/sklearn" in header
    rows = [line for line in lines if line.startswith("batch ")]
    assert [row.split()[1] for row in rows] == ["16", "64"]
    assert all(float(row.split()[-1]) > 0 for row in rows)
    assert any(line.startswith("memory") and "tracemalloc" in line for line in lines)


def test_synthetic_default_has_the_issue_shape():
    data = bench.synthetic_dataset(n_train=100, n_test=10)
    assert data.train_x.shape == (100, 784) and data.train_x.dtype == np.float32
    assert data.train_y.min() >= 0 and data.train_y.max() < 10
    assert bench.synthetic_dataset().train_x.shape == bench.SYNTHETIC_SHAPE == (60_000, 784)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--rounds", "0"], "rounds: expected a whole number >= 1"),
        (["--batch-size", "0"], "batch_size"),
        (["--hidden", "0"], "hidden size"),
        (["--data", "/no/such/folder"], "/no/such/folder"),
    ],
)
def test_bad_input_is_one_line(args, expected, capsys):
    assert main(["bench", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]
