"""The command line as a contract: JSON output, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest

from hw1lib.cli import main

from .helpers import write_course_folder

REQUIRED_KEYS = {"config", "train_error", "test_error", "final_loss", "epochs", "seconds", "diverged"}


def run_cli(*args, env=None):
    """``python -m hw1lib ARGS`` in a subprocess, the way a user or a script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "hw1lib", *map(str, args)], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return write_course_folder(tmp_path_factory.mktemp("cli") / "course")


def test_train_json_on_a_course_folder(course):
    result = run_cli("train", "--data", course, "--hidden", 32, "--epochs", 3, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout
    assert summary.keys() >= REQUIRED_KEYS
    assert summary["config"]["hidden"] == [32] and summary["config"]["epochs"] == 3
    assert 0 <= summary["test_error"] <= 0.2 and summary["epochs"] == 3 and not summary["diverged"]


def test_the_last_hidden_layer_can_have_its_own_activation(course, capsys):
    args = ["train", "--data", str(course), "--hidden", "8", "2", "--activation", "leaky_relu", "--epochs", "1"]
    assert main([*args, "--latent-activation", "identity", "--quiet"]) == 0
    assert "hidden 8-2 leaky ReLU, last layer linear, He init" in capsys.readouterr().out
    assert main([*args, "--latent-activation", "cosine"]) == 2
    assert "unknown activation 'cosine'; known: identity, leaky_relu" in capsys.readouterr().err


def test_text_output_lists_epochs(course, capsys):
    assert main(["train", "--data", str(course), "--hidden", "8", "--epochs", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "final" in out and "test error" in out and "   2.00" in out


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--lr", "0"], "lr: expected a number > 0"),
        (["--lr", "abc"], "--lr: invalid float value: 'abc'"),
        (["--hidden", "0"], "hidden size: expected a whole number >= 1"),
        (["--batch-size", "-1"], "batch_size"),
        (["--epochs", "0"], "epochs"),
        (["--activation", "swish"], "known: identity, leaky_relu, relu, sigmoid, tanh"),
        (["--init", "glorot"], "known: he, normal, xavier, zero"),
        (["--optimizer", "rmsprop"], "known: adam, momentum, sgd"),
        (["--data", "/no/such/folder"], "/no/such/folder"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_exits_nonzero_with_one_line(args, expected, capsys):
    assert main(["train", "--quiet", *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_bad_input_in_a_subprocess_has_no_traceback(tmp_path):
    (tmp_path / "train.npz").write_bytes(b"not a zip file")
    (tmp_path / "test.npz").write_bytes(b"not a zip file")
    result = run_cli("train", "--data", tmp_path, "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "train.npz" in result.stderr


def test_diverging_run_is_reported_not_crashed(course):
    result = run_cli("train", "--data", course, "--lr", "1e6", "--epochs", 2, "--json", "--no-cache")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["diverged"] is True and summary["final_loss"] is None


def test_default_data_relu_he_learns_and_zero_init_does_not(capsys):
    """The defaults train well and zero init does not: ReLU/He <= 7% test error, zero init >= 80%."""
    assert main(["train", "--json"]) == 0
    good = json.loads(capsys.readouterr().out)
    assert good["config"]["activation"] == "relu" and good["config"]["init"] == "he"
    assert good["test_error"] <= 0.07
    assert main(["train", "--json", "--init", "zero"]) == 0
    zero = json.loads(capsys.readouterr().out)
    assert zero["test_error"] >= 0.80
