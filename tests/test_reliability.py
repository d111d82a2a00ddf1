"""Every bad input a user can hand over, through the Python API and the command line.

Each case must give: a Hw1libError from the API; from the CLI exit status 2 and one line on
stderr naming the file or parameter and what was expected, no traceback; and nothing
half-written in the data cache, the run cache or the output folder.
"""
import errno
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hw1lib import common
from hw1lib.cli import main
from hw1lib.data.datasets import load_dataset
from hw1lib.errors import ConfigError, DataError, Hw1libError
from hw1lib.report import build as report
from hw1lib.report import pdf
from hw1lib.runs.config import RunConfig, known_names
from hw1lib.runs.training import train

from .helpers import striped_images, write_course_folder, write_noisy_course_folder
from .local_mirror import server  # noqa: F401 - server is a fixture
from .test_report import small_args


def course(tmp_path, **train_arrays):
    """A course folder whose train.npz is replaced by ``train_arrays`` (if given)."""
    folder = write_course_folder(tmp_path / "course", n_train=60, n_test=20)
    if train_arrays:
        np.savez(folder / "train.npz", **train_arrays)
    return folder


def good_arrays():
    images, labels = striped_images(60, np.random.default_rng(0))
    return images, labels.astype(np.float64)


def write_idx_folder(folder, train_shape=(30, 28, 28), test_shape=(10, 28, 28), cut_train_images=0):
    folder.mkdir(parents=True)
    for split, shape in (("train", train_shape), ("t10k", test_shape)):
        n = shape[0]
        images = struct.pack(">I", 0x0803) + struct.pack(">III", *shape) + bytes(int(np.prod(shape)))
        if split == "train" and cut_train_images:
            images = images[:-cut_train_images]
        labels = struct.pack(">II", 0x0801, n) + bytes(np.arange(n, dtype=np.uint8) % 10)
        (folder / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
        (folder / f"{split}-labels-idx1-ubyte").write_bytes(labels)
    return folder


def case_missing_folder(tmp_path):
    return tmp_path / "no-such-folder", ["no-such-folder", "neither a known dataset nor a folder"]


def case_missing_file(tmp_path):
    folder = course(tmp_path)
    (folder / "test.npz").unlink()
    return folder, ["test.npz", "missing"]


def case_truncated_npz(tmp_path):
    folder = course(tmp_path)
    data = (folder / "train.npz").read_bytes()
    (folder / "train.npz").write_bytes(data[: len(data) // 2])
    return folder, ["train.npz", "not a valid npz"]


def case_corrupt_npz(tmp_path):
    folder = course(tmp_path)
    (folder / "train.npz").write_bytes(b"PK\x03\x04" + os.urandom(300))
    return folder, ["train.npz"]


def case_pickled_npz(tmp_path):
    images = np.empty(60, dtype=object)
    images[:] = [{"pixels": i} for i in range(60)]
    return course(tmp_path, image=images, label=np.zeros(60)), ["train.npz", "pickled", "never loaded"]


def case_wrong_keys(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, x=images, y=labels), ["train.npz", "missing key(s) image, label", "found x, y"]


def case_wrong_shape(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, image=images.reshape(60, 14, 56), label=labels), ["train.npz['image']", "N x 28 x 28"]


def case_wrong_dtype(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, image=images.astype(np.complex64), label=labels), ["train.npz['image']", "uint8"]


def case_labels_out_of_range(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, image=images, label=labels + 3), ["train.npz['label']", "0-9"]


def case_labels_not_whole(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, image=images, label=labels + 0.25), ["train.npz['label']", "not a whole number"]


def case_nan_pixels(tmp_path):
    images, labels = good_arrays()
    floats = images / 255.0
    floats[3, 5, 5] = np.nan
    return course(tmp_path, image=floats, label=labels), ["train.npz['image']", "NaN or infinite"]


def case_inf_pixels(tmp_path):
    images, labels = good_arrays()
    floats = images / 255.0
    floats[0, 0, 0] = np.inf
    return course(tmp_path, image=floats, label=labels), ["train.npz['image']", "NaN or infinite"]


def case_empty_set(tmp_path):
    images, labels = good_arrays()
    return course(tmp_path, image=images[:0], label=labels[:0]), ["train.npz['image']", "no images"]


def case_different_sizes(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", test_shape=(10, 14, 14))
    return folder, ["t10k-images-idx3-ubyte.gz", "14 x 14", "28 x 28"]


def case_truncated_idx(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", cut_train_images=100)
    return folder, ["train-images-idx3-ubyte.gz", "truncated or corrupt"]


def case_corrupt_idx(tmp_path):
    folder = write_idx_folder(tmp_path / "idx")
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b" + os.urandom(200))
    return folder, ["train-images-idx3-ubyte.gz"]


DATA_CASES = [case_missing_folder, case_missing_file, case_truncated_npz, case_corrupt_npz, case_pickled_npz,
              case_wrong_keys, case_wrong_shape, case_wrong_dtype, case_labels_out_of_range,
              case_labels_not_whole, case_nan_pixels, case_inf_pixels, case_empty_set, case_different_sizes,
              case_truncated_idx, case_corrupt_idx]


def leftovers(*folders):
    """Files in the caches/output that a failed command must not leave: partial or new entries."""
    return sorted(str(p) for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def empty_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("HW1LIB_CACHE", str(tmp_path / "runs"))
    return tmp_path / "runs"


def check_cli_error(capsys, argv, fragments):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.mark.parametrize("make_case", DATA_CASES, ids=lambda f: f.__name__[5:])
def test_bad_data_api_and_cli(make_case, tmp_path, empty_caches, capsys):
    spec, fragments = make_case(tmp_path)
    with pytest.raises(DataError) as error:
        load_dataset(spec)
    for fragment in fragments:
        assert fragment in str(error.value)
    assert "\n" not in str(error.value)
    check_cli_error(capsys, ["train", "--data", str(spec), "--quiet"], fragments)
    assert leftovers(empty_caches) == []


def test_bad_data_in_a_real_process_has_no_traceback(tmp_path, empty_caches):
    spec, fragments = case_pickled_npz(tmp_path)
    result = subprocess.run([sys.executable, "-m", "hw1lib", "train", "--data", str(spec), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert all(f in result.stderr for f in fragments)


@pytest.mark.parametrize("argv, fragments", [
    (["--lr", "0"], ["lr", "> 0"]),
    (["--lr", "-1e-3"], ["lr", "> 0"]),
    (["--batch-size", "0"], ["batch_size", ">= 1"]),
    (["--batch-size", "-5"], ["batch_size", ">= 1"]),
    (["--hidden", "256", "0"], ["hidden size", ">= 1"]),
    (["--epochs", "0"], ["epochs", ">= 1"]),
    (["--activation", "softplus"], ["activation", "softplus", "known: leaky_relu, relu, sigmoid, tanh"]),
    (["--init", "orthogonal"], ["initializer", "orthogonal", "known: he, normal, xavier, zero"]),
    (["--optimizer", "lbfgs"], ["optimizer", "lbfgs", "known: adam, momentum, sgd"]),
])
def test_bad_parameters_api_and_cli(argv, fragments, tmp_path, empty_caches, capsys):
    field = {"--lr": "lr", "--batch-size": "batch_size", "--hidden": "hidden", "--epochs": "epochs",
             "--activation": "activation", "--init": "init", "--optimizer": "optimizer"}[argv[0]]
    value = [int(v) for v in argv[1:]] if field == "hidden" else argv[1]
    if field in ("lr",):
        value = float(value)
    elif field in ("batch_size", "epochs"):
        value = int(value)
    with pytest.raises(ConfigError) as error:
        RunConfig(**{field: value})
    assert all(f in str(error.value) for f in fragments)
    data = course(tmp_path)
    check_cli_error(capsys, ["train", "--data", str(data), "--quiet", *argv], fragments)
    assert leftovers(empty_caches) == []


def test_diverging_learning_rate_is_reported_and_cached_as_diverged(tmp_path, empty_caches, capsys):
    data = course(tmp_path)
    assert main(["train", "--data", str(data), "--lr", "1e8", "--epochs", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["diverged"] is True and summary["final_loss"] is None
    assert summary["iterations"] < 3 * 2  # stopped early: 60 images / batch 32 = 2 updates per epoch
    assert main(["train", "--data", str(data), "--lr", "1e8", "--epochs", "3"]) == 0
    assert "DIVERGED" in capsys.readouterr().out


def serve_bad_download(server, monkeypatch, tmp_path, kind):
    monkeypatch.setenv("HW1LIB_MIRROR", server.url(kind))
    monkeypatch.setenv("HW1LIB_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("kind, fragment", [("bad", "SHA-256"), ("cut", "cut off")])
def test_bad_download_through_the_cli(kind, fragment, server, monkeypatch, tmp_path, empty_caches, capsys):  # noqa: F811
    data_cache = serve_bad_download(server, monkeypatch, tmp_path, kind)
    line = check_cli_error(capsys, ["train", "--data", "mnist", "--quiet"], ["could not download", fragment])
    assert server.url(kind) in line
    assert leftovers(data_cache, empty_caches) == []


def test_bad_download_in_a_real_process(server, monkeypatch, tmp_path, empty_caches):  # noqa: F811
    data_cache = serve_bad_download(server, monkeypatch, tmp_path, "cut")
    result = subprocess.run([sys.executable, "-m", "hw1lib", "train", "--data", "fashion-mnist"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cut off" in result.stderr and leftovers(data_cache) == []


def test_run_cache_that_is_not_a_folder_costs_only_the_caching(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HW1LIB_CACHE", str(blocker))
    assert main(["train", "--data", str(course(tmp_path)), "--epochs", "1", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["test_error"] is not None
    assert "could not write cache file" in captured.err and blocker.read_text() == "not a folder"


def test_read_only_run_cache(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    runs.chmod(0o500)
    monkeypatch.setenv("HW1LIB_CACHE", str(runs))
    if os.geteuid() == 0:  # root writes into read-only folders; make the write fail as a read-only mount would
        def read_only(*args, **kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        monkeypatch.setattr(common.tempfile, "mkstemp", read_only)
    try:
        assert main(["train", "--data", str(course(tmp_path)), "--epochs", "1", "--json"]) == 0
    finally:
        runs.chmod(0o700)
    assert "could not write cache file" in capsys.readouterr().err and leftovers(runs) == []


def test_download_into_a_data_cache_that_is_not_a_folder(server, monkeypatch, tmp_path, capsys):  # noqa: F811
    blocker = tmp_path / "data-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HW1LIB_DATA", str(blocker))
    monkeypatch.setenv("HW1LIB_MIRROR", server.url("good"))
    line = check_cli_error(capsys, ["train", "--data", "mnist", "--quiet"], [str(blocker)])
    assert blocker.read_text() == "not a folder", line


# --- the report: a diverging run, a failing notebook, no PDF engine --------------------------------

@pytest.fixture(scope="module")
def report_course(tmp_path_factory):
    return write_noisy_course_folder(tmp_path_factory.mktemp("report") / "course")


@pytest.mark.usefixtures("jupyter_home")
def test_diverging_runs_are_shown_as_such_and_the_report_goes_on(report_course, tmp_path, capsys):
    out = tmp_path / "out"
    argv = small_args(report_course, out) + ["--lr", "1e8", "-p", "latent_lr", "1e8", "--no-pdf"]
    assert main(argv) == 0, capsys.readouterr().err
    page = (out / report.HTML_NAME).read_text(encoding="utf-8")
    assert "ReLU with Xavier init" in page and "the latent network (after" in page
    assert "(diverged)</td>" in page  # the Q2 table marks the broken runs' error rates
    assert "Appendix" in page  # every section after the diverged runs was still written


@pytest.mark.usefixtures("jupyter_home")
def test_failing_notebook_names_notebook_and_cell_and_keeps_the_rest(report_course, tmp_path, capsys):
    folder = tmp_path / "notebooks"
    shutil.copytree(report.notebooks_dir(), folder)
    broken = nbformat.read(folder / "02_initialization.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell('ratio = 1\nraise ValueError("deliberate failure")'))
    nbformat.write(broken, folder / "02_initialization.ipynb")
    out = tmp_path / "out"
    assert main(small_args(report_course, out) + ["--notebooks", str(folder), "--no-pdf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "02_initialization.ipynb" in err[0] and "`ratio = 1`" in err[0]
    assert "ValueError: deliberate failure" in err[0]
    for name in report.NOTEBOOKS:
        assert (out / "notebooks" / name).is_file()  # the others ran, the failed one shows its error
    assert not (out / report.HTML_NAME).exists()


@pytest.mark.usefixtures("jupyter_home")
def test_without_a_browser_the_html_is_written_and_the_message_says_how_to_get_one(report_course, tmp_path, monkeypatch,
                                                                                       capsys):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    out = tmp_path / "out"
    assert main(small_args(report_course, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apt-get install chromium" in err[0] and "HW1LIB_CHROMIUM" in err[0]
    assert str(out / report.HTML_NAME) in err[0]
    assert (out / report.HTML_NAME).stat().st_size > 100_000
    assert not (out / report.PDF_NAME).exists()


# --- property-based ------------------------------------------------------------------------------

configs = st.builds(
    RunConfig,
    hidden=st.lists(st.integers(1, 12), min_size=1, max_size=3).map(tuple),
    activation=st.sampled_from(known_names()["activation"]),
    init=st.sampled_from(known_names()["init"]),
    init_std=st.floats(1e-4, 1.0),
    optimizer=st.sampled_from(known_names()["optimizer"]),
    lr=st.floats(1e-5, 10.0),
    batch_size=st.integers(1, 80),
    epochs=st.integers(1, 2),
    seed=st.integers(0, 2**32 - 1),
    normalize=st.sampled_from(known_names()["normalize"]),
)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("tiny"), n_train=50, n_test=20))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=configs)
def test_random_valid_configs_train_without_error(config, tiny_data):
    history = train(config, tiny_data, progress=False)
    assert history.iterations >= 1
    assert 0 <= history.final_test_error <= 1
    if not history.diverged:
        assert np.isfinite(history.batch_loss).all()
    json.dumps(history.summary(), allow_nan=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=2000), as_idx=st.booleans(), gz=st.booleans())
def test_random_bytes_as_data_files_are_rejected_cleanly(blob, as_idx, gz, tmp_path_factory):
    folder = tmp_path_factory.mktemp("random")
    if as_idx:
        write_idx_folder(folder / "d")
        name = "train-images-idx3-ubyte" + (".gz" if gz else "")
        for old in (folder / "d").glob("train-images-idx3-ubyte*"):
            old.unlink()
        (folder / "d" / name).write_bytes(gzip.compress(blob) if gz else blob)
    else:
        write_course_folder(folder / "d", n_train=20, n_test=10)
        (folder / "d" / "train.npz").write_bytes(blob)
    with pytest.raises(Hw1libError) as error:
        load_dataset(folder / "d")
    assert "\n" not in str(error.value) and str(folder / "d") in str(error.value)
