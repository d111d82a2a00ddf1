"""Every bad input a user can hand over, through the Python API and the command line.

Each case must give: a Hw1libError from the API; from the CLI exit status 2 and one line on
stderr naming the file or parameter and what was expected, no traceback; and nothing
half-written in the data cache, the run cache or the output folder.
"""

import errno
import fcntl
import gzip
import json
import os
import pathlib
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
import warnings

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


DATA_CASES = [
    case_missing_folder,
    case_missing_file,
    case_truncated_npz,
    case_corrupt_npz,
    case_pickled_npz,
    case_wrong_keys,
    case_wrong_shape,
    case_wrong_dtype,
    case_labels_out_of_range,
    case_labels_not_whole,
    case_nan_pixels,
    case_inf_pixels,
    case_empty_set,
    case_different_sizes,
    case_truncated_idx,
    case_corrupt_idx,
]


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
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", "train", "--data", str(spec), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert all(f in result.stderr for f in fragments)


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--lr", "0"], ["lr", "> 0"]),
        (["--lr", "-1e-3"], ["lr", "> 0"]),
        (["--batch-size", "0"], ["batch_size", ">= 1"]),
        (["--batch-size", "-5"], ["batch_size", ">= 1"]),
        (["--hidden", "256", "0"], ["hidden size", ">= 1"]),
        (["--epochs", "0"], ["epochs", ">= 1"]),
        (["--activation", "softplus"], ["activation", "softplus", "known: identity, leaky_relu, relu, sigmoid, tanh"]),
        (["--init", "orthogonal"], ["initializer", "orthogonal", "known: he, normal, xavier, zero"]),
        (["--optimizer", "lbfgs"], ["optimizer", "lbfgs", "known: adam, momentum, sgd"]),
    ],
)
def test_bad_parameters_api_and_cli(argv, fragments, tmp_path, empty_caches, capsys):
    field = {
        "--lr": "lr",
        "--batch-size": "batch_size",
        "--hidden": "hidden",
        "--epochs": "epochs",
        "--activation": "activation",
        "--init": "init",
        "--optimizer": "optimizer",
    }[argv[0]]
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
def test_bad_download_through_the_cli(kind, fragment, server, monkeypatch, tmp_path, empty_caches, capsys):
    data_cache = serve_bad_download(server, monkeypatch, tmp_path, kind)
    line = check_cli_error(capsys, ["train", "--data", "mnist", "--quiet"], ["could not download", fragment])
    assert server.url(kind) in line
    assert leftovers(data_cache, empty_caches) == []


def test_bad_download_in_a_real_process(server, monkeypatch, tmp_path, empty_caches):
    data_cache = serve_bad_download(server, monkeypatch, tmp_path, "cut")
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", "train", "--data", "fashion-mnist"],
        capture_output=True,
        text=True,
        timeout=120,
    )
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


def test_download_into_a_data_cache_that_is_not_a_folder(server, monkeypatch, tmp_path, capsys):
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
    # Question 2's normal initialisation with a huge standard deviation: its outputs overflow at once.
    argv = [*small_args(report_course, out), "-p", "init_std", "1e30", "--no-pdf"]
    assert main(argv) == 0, capsys.readouterr().err
    page = (out / report.HTML_NAME).read_text(encoding="utf-8")
    assert "(diverged)" in page and "Diverged:" in page
    assert "Appendix" in page  # every section after the diverged runs was still written


@pytest.mark.usefixtures("jupyter_home")
def test_failing_notebook_names_notebook_and_cell_and_keeps_the_rest(report_course, tmp_path, capsys):
    folder = tmp_path / "notebooks"
    shutil.copytree(report.notebooks_dir(), folder)
    broken = nbformat.read(folder / "02_initialization.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell('ratio = 1\nraise ValueError("deliberate failure")'))
    nbformat.write(broken, folder / "02_initialization.ipynb")
    out = tmp_path / "out"
    assert main([*small_args(report_course, out), "--notebooks", str(folder), "--no-pdf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "02_initialization.ipynb" in err[0] and "`ratio = 1`" in err[0]
    assert "ValueError: deliberate failure" in err[0]
    partial = pathlib.Path(err[0].split("the partly executed notebook is ", 1)[1].split(")")[0])
    for name in report.NOTEBOOKS:
        assert (partial.parent / name).is_file()  # the others ran, the failed one shows its error
    assert "deliberate failure" in partial.read_text() and partial.name == "02_initialization.ipynb"
    assert not (out / report.HTML_NAME).exists() and not (out / "notebooks").exists()


@pytest.mark.usefixtures("jupyter_home")
def test_without_a_browser_the_html_is_written_and_the_message_says_how_to_get_one(
    report_course, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    out = tmp_path / "out"
    assert main([*small_args(report_course, out), "--pdf-engine", "chromium"]) == 2
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


# --- the repository ---------------------------------------------------------------------------------

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("git") is None or not (REPOSITORY / ".git").exists(), reason="not a git checkout")
def test_git_ignores_jupyter_leftovers_and_outputs_but_not_the_package():
    def ignored(path):
        return subprocess.run(["git", "check-ignore", "--quiet", "--no-index", path], cwd=REPOSITORY).returncode == 0

    for path in (
        "notebooks/.ipynb_checkpoints/01_models-checkpoint.ipynb",
        ".ipynb_checkpoints/x.ipynb",
        "notebooks/.virtual_documents/01_models.ipynb",
        "report/hw1_report.html",
        "figures/q1_sweep.png",
    ):
        assert ignored(path), path
    for path in (
        "hw1lib/report/build.py",
        "hw1lib/report/figures/latent.py",
        "hw1lib/report/studies/models_facts.py",
        "hw1lib/report/__init__.py",
        "figures/README.md",
        "notebooks/01_models.ipynb",
    ):
        assert not ignored(path), path


# --- messages ---------------------------------------------------------------------------------------------


def read_only(monkeypatch, folder):
    """Make ``folder`` read-only: by its mode, and for root (whom modes do not stop) as a read-only mount
    would, by failing every open for writing below it. Returns a function that undoes the mode."""
    folder.chmod(0o500)
    if os.geteuid() == 0:
        real_open = os.open

        def open_read_only(path, flags, *args, **kwargs):
            writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if writing and os.path.abspath(path).startswith(str(folder) + os.sep):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", open_read_only)
    return lambda: folder.chmod(0o700)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["train", "--lr", "abc"], "argument --lr: invalid float value: 'abc'"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["report", "--jobs", "x"], "argument --jobs: invalid int value: 'x'"),
        (["sweep", "--bench", "--scheduler", "tcp://127.0.0.1:1"], "--bench times local processes"),
        (["no-such-command"], "invalid choice: 'no-such-command'"),
        ([], "the following arguments are required: COMMAND"),
        (["bench", "--rounds", "0"], "rounds: expected a whole number >= 1"),
    ],
)
def test_every_error_has_one_format(argv, fragment, capsys):
    line = check_cli_error(capsys, argv, [fragment])
    assert line.startswith("hw1lib: error: ") and line.count("hw1lib") == 1, line


def screen(text):
    """The rows a terminal shows for ``text``: a carriage return goes back to the row's start and later
    characters overwrite earlier ones; ESC [ K erases the rest of the row."""
    rows = []
    for raw in text.split("\n"):
        cells, column = [], 0
        for token in re.split(r"(\r|\x1b\[K)", raw):
            if token == "\r":
                column = 0
            elif token == "\x1b[K":
                del cells[column:]
            else:
                for char in token:
                    cells[column : column + 1] = [char]
                    column += 1
        rows.append("".join(cells).rstrip())
    return rows


def test_a_cache_warning_during_the_sweep_gets_its_own_line(tmp_path):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("not a folder")
    data = course(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", "sweep", "--data", str(data), "--trials", "2", "--jobs", "1", "--top", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HW1LIB_CACHE": str(blocker)},
    )
    assert result.returncode == 0, result.stderr
    warnings_shown = [row for row in screen(result.stderr) if "warning" in row]
    assert warnings_shown, result.stderr
    for row in warnings_shown:
        assert row.startswith("hw1lib: warning: could not write cache file"), row
        assert f"{blocker} is a file, not a folder" in row and "File exists" not in row, row


def test_run_cache_that_is_a_file_is_named_as_such(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HW1LIB_CACHE", str(blocker))
    assert main(["train", "--data", str(course(tmp_path)), "--epochs", "1", "--json"]) == 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hw1lib: warning: "), lines
    assert f"{blocker} is a file, not a folder" in lines[0] and "File exists" not in lines[0]


def test_read_only_data_cache_is_one_warning_line_not_a_python_warning(tmp_path, monkeypatch, capsys):
    data_cache = tmp_path / "data"
    data_cache.mkdir()
    monkeypatch.setenv("HW1LIB_DATA", str(data_cache))
    restore = read_only(monkeypatch, data_cache)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = load_dataset("mnist-5k")
    finally:
        restore()
    # Only hw1lib's own: the garbage collector may report, as ResourceWarnings, event loops that earlier
    # tests' kernels left behind.
    assert data.n_classes == 10 and [str(w.message) for w in caught if w.category is not ResourceWarning] == []
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hw1lib: warning: could not cache mnist-5k"), lines
    assert str(data_cache) in lines[0] and ".py" not in lines[0]


def test_interrupted_gets_its_own_line_on_a_terminal(tmp_path):
    """Ctrl-C typed on a real (pseudo-)terminal while the progress bar is drawn."""
    data = write_course_folder(tmp_path / "course", n_train=2000, n_test=100)
    main_fd, terminal_fd = pty.openpty()
    fcntl.ioctl(terminal_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows of 100 columns

    def own_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        # A test run started in the background inherits an ignored SIGINT, which Python would keep ignoring.
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hw1lib",
            "train",
            "--data",
            str(data),
            "--hidden",
            "256",
            "--epochs",
            "500",
            "--no-cache",
        ],
        stdin=terminal_fd,
        stdout=terminal_fd,
        stderr=terminal_fd,
        preexec_fn=own_terminal,
        close_fds=True,
    )
    os.close(terminal_fd)
    shown = b""
    try:
        deadline = time.monotonic() + 120
        while b"training" not in shown:
            assert time.monotonic() < deadline, shown
            if select.select([main_fd], [], [], 1)[0]:
                shown += os.read(main_fd, 4096)
        os.write(main_fd, b"\x03")  # what the terminal sends for Ctrl-C
        while True:
            try:
                chunk = os.read(main_fd, 4096) if select.select([main_fd], [], [], 60)[0] else b""
            except OSError:  # the process has closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_fd)
    rows = screen(shown.decode("utf-8", "replace").replace("\r\n", "\n"))
    assert "hw1lib: interrupted" in rows, rows


# --- memory ----------------------------------------------------------------------------------------------


def test_a_network_too_large_for_the_memory_is_refused_before_it_is_allocated(tmp_path, empty_caches, capsys):
    data = course(tmp_path)
    line = check_cli_error(
        capsys,
        ["train", "--data", str(data), "--hidden", "1000000000", "--quiet"],
        ["hidden 1000000000", "GiB", "available"],
    )
    assert line.startswith("hw1lib: error: ")
    with pytest.raises(ConfigError, match="memory"):
        train(RunConfig(hidden=(10**9,)), load_dataset(data), progress=False)
    assert leftovers(empty_caches) == []


def test_the_memory_estimate_counts_parameters_batches_and_data(tmp_path, monkeypatch):
    from hw1lib.runs import memory

    data = load_dataset(course(tmp_path))
    config = RunConfig(hidden=(4096, 4096), optimizer="adam", batch_size=1024, normalize="standardize")
    need = memory.estimate(config, data, eval_chunk=4096)
    parameters = (784 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 10
    assert need.parameters >= parameters * 4 * 6  # weights, gradients, Adam's moments and scratch arrays, float32
    assert need.activations >= min(config.batch_size, len(data.train_y)) * (4096 + 4096 + 10) * 4
    assert need.data >= (data.train_x.nbytes + data.test_x.nbytes)  # the standardised copy
    monkeypatch.setattr(memory, "available_bytes", lambda: need.total - 1)
    with pytest.raises(ConfigError) as error:
        memory.check_memory(config, data, 4096)
    assert f"{need.total / 2**30:,.1f} GiB" in str(error.value) or f"{need.total / 2**20:,.1f} MiB" in str(error.value)
    monkeypatch.setattr(memory, "available_bytes", lambda: need.total + 1)
    memory.check_memory(config, data, 4096)


# --- the data's classes ----------------------------------------------------------------------------------


def labelled_folder(folder, train_classes, test_classes, classes_txt=None, n_classes=10):
    """A course folder whose train labels are ``train_classes`` and test labels ``test_classes`` (in turn)."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True)
    for name, classes, n in (("train", train_classes, 60), ("test", test_classes, 20)):
        images, _ = striped_images(n, rng, n_classes=n_classes)
        labels = np.resize(np.asarray(classes), n)
        np.savez(folder / f"{name}.npz", image=images, label=labels.astype(np.float64))
    if classes_txt is not None:
        (folder / "classes.txt").write_text("\n".join(classes_txt) + "\n", encoding="utf-8")
    return folder


def test_without_classes_txt_the_classes_are_those_the_labels_use(tmp_path):
    data = load_dataset(labelled_folder(tmp_path / "five", range(5), range(5)))
    assert data.n_classes == 5 and data.class_names == ("0", "1", "2", "3", "4")
    fewer_in_test = load_dataset(labelled_folder(tmp_path / "test-lacks-4", range(5), range(4)))
    assert fewer_in_test.class_names == ("0", "1", "2", "3", "4")  # a class only the training set has is fine


def test_a_test_class_with_no_training_images_is_refused_by_name(tmp_path, capsys):
    folder = labelled_folder(tmp_path / "train-lacks-4", range(4), range(5))
    check_cli_error(
        capsys,
        ["train", "--data", str(folder), "--quiet"],
        ["class 4", "no training images", "4 test images", "train.npz"],
    )
    named = labelled_folder(tmp_path / "named", [0, 1, 3], [0, 1, 2, 3], classes_txt=["ant", "bee", "cat", "dog"])
    with pytest.raises(DataError, match=r"class 2 \('cat'\) has no training images, but 5 test images"):
        load_dataset(named)


def test_classes_txt_whose_length_disagrees_with_the_labels_is_refused_with_both_numbers(tmp_path, capsys):
    folder = labelled_folder(tmp_path / "ten-names", range(5), range(5), classes_txt=[str(d) for d in range(10)])
    check_cli_error(
        capsys,
        ["train", "--data", str(folder), "--quiet"],
        ["classes.txt", "10 class names", "labels", "0 to 4", "5 classes"],
    )
    short = labelled_folder(tmp_path / "three-names", range(5), range(5), classes_txt=["a", "b", "c"])
    with pytest.raises(
        DataError,
        match=r"labels range from 0 to 4; expected whole numbers 0-2 \(3 classes, one "
        r"per line of .*classes.txt\)",
    ):
        load_dataset(short)


def test_classes_txt_takes_part_in_the_fingerprint_and_old_fingerprints_stay(tmp_path):
    # Pinned: a course folder with labels 0-9 and no classes.txt keeps the fingerprint (and so the cached
    # runs) it had before the classes were counted from the labels.
    plain = write_course_folder(tmp_path / "plain", n_train=60, n_test=20)
    assert load_dataset(plain).fingerprint == "6728b022f5dc831e6d58ec6103c97bfe5afa2507bc6bb4740d4c990eaa517081"
    named = write_course_folder(tmp_path / "named", n_train=60, n_test=20)
    (named / "classes.txt").write_text("\n".join("abcdefghij"), encoding="utf-8")
    renamed = write_course_folder(tmp_path / "renamed", n_train=60, n_test=20)
    (renamed / "classes.txt").write_text("\n".join("abcdefghiJ"), encoding="utf-8")
    prints = {load_dataset(f).fingerprint for f in (plain, named, renamed)}
    assert len(prints) == 3
    five = load_dataset(labelled_folder(tmp_path / "five", range(5), range(5)))
    assert five.fingerprint not in prints


# --- the report's inputs, checked before any notebook runs -----------------------------------------------


@pytest.fixture
def no_notebooks(monkeypatch):
    """Fail the test at once if the report gets as far as executing a notebook."""

    def execute_all(*args, **kwargs):
        raise AssertionError("a notebook was executed before the input was checked")

    monkeypatch.setattr(report, "execute_all", execute_all)


def check_report_error(capsys, argv, fragments):
    line = check_cli_error(capsys, ["report", *argv], fragments)
    assert line.startswith("hw1lib: error: "), line
    return line


@pytest.mark.usefixtures("no_notebooks")
def test_report_out_that_is_a_file_is_refused_in_one_line(tmp_path, capsys):
    data = course(tmp_path)
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    for out in (blocker, blocker / "inside"):
        check_report_error(
            capsys,
            ["--data", str(data), "--out", str(out), "--no-pdf"],
            ["--out", str(blocker), "is a file, not a folder"],
        )
    assert blocker.read_text() == "a file"


@pytest.mark.usefixtures("no_notebooks")
def test_report_out_that_cannot_be_written_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    data = course(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    restore = read_only(monkeypatch, locked)
    try:
        for out in (locked, locked / "new"):
            check_report_error(
                capsys, ["--data", str(data), "--out", str(out), "--no-pdf"], ["--out", str(out), "cannot"]
            )
    finally:
        restore()
    assert leftovers(locked) == []


@pytest.mark.usefixtures("no_notebooks")
@pytest.mark.parametrize(
    "name, value, fragments",
    [
        ("stages", "-3", ["stages: expected a whole number between 0 and", "got -3"]),
        ("stages", "201", ["stages: expected a whole number between 0 and 200", "got 201"]),
        ("stages", "'many'", ["stages: expected a whole number", "'many'"]),
        ("seed_report_lrs", "[]", ["seed_report_lrs: expected a list of at least one", "got []"]),
        ("seed_report_lrs", "[0.1, 0]", ["seed_report_lrs: expected a number > 0, got 0"]),
        ("seed_report_lrs", "0.1", ["seed_report_lrs: expected a list", "got 0.1"]),
        ("gallery_size", "-1", ["gallery_size: expected a whole number between 1 and", "got -1"]),
        ("gallery_size", "0", ["gallery_size: expected a whole number between 1 and", "got 0"]),
        ("gallery_size", "2.5", ["gallery_size: expected a whole number", "got 2.5"]),
        ("sweep_trials", "True", ["sweep_trials: expected a whole number >= 1, got True"]),
        ("sweep_epochs", "0", ["sweep_epochs: expected a whole number >= 1, got 0"]),
        ("sweep_jobs", "0", ["sweep_jobs: expected a whole number >= 1, got 0"]),
        ("sweep_screen_epochs", "0", ["sweep_screen_epochs: expected a whole number >= 1, got 0"]),
        ("sweep_keep", "0", ["sweep_keep: expected a whole number >= 1, got 0"]),
        ("sweep_keep", "2.5", ["sweep_keep: expected a whole number", "got 2.5"]),
        ("sigmoid_lrs", "0", ["sigmoid_lrs: expected a whole number >= 1, got 0"]),
        ("init_std", "0", ["init_std: expected a number > 0, got 0"]),
        ("hidden", "[]", ["hidden: expected a list of at least one", "got []"]),
        ("hidden", "[64, -2]", ["hidden size: expected a whole number >= 1, got -2"]),
        ("seed", "-1", ["seed: expected a whole number >= 0, got -1"]),
        ("batch_size", "0", ["batch_size: expected a whole number >= 1, got 0"]),
        ("data", "3", ["data: expected a dataset name or a folder", "got 3"]),
        ("figures_dir", "'elsewhere'", ["figures_dir: set from --out", "--out"]),
    ],
)
def test_every_report_parameter_is_checked_against_its_range(name, value, fragments, tmp_path, capsys):
    out = tmp_path / "out"
    data = [] if name == "data" else ["--data", str(course(tmp_path))]  # --data would win over -p data
    check_report_error(capsys, [*data, "--out", str(out), "--no-pdf", "-p", name, value], fragments)
    assert not (out / "notebooks").exists()


@pytest.mark.usefixtures("no_notebooks")
def test_a_notebook_parameter_without_a_range_is_checked_against_its_defaults_type(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    shutil.copytree(report.notebooks_dir(), folder)
    notebook = nbformat.read(folder / "04_confusion.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", ()))
    cell.source += "\nbrand_new_count = 3\nbrand_new_rates = [0.1, 0.2]"
    nbformat.write(notebook, folder / "04_confusion.ipynb")
    base = ["--data", str(course(tmp_path)), "--out", str(tmp_path / "out"), "--notebooks", str(folder), "--no-pdf"]
    check_report_error(
        capsys,
        [*base, "-p", "brand_new_count", "'three'"],
        ["brand_new_count: expected a whole number like its default 3, got 'three'"],
    )
    check_report_error(capsys, [*base, "-p", "brand_new_count", "2.5"], ["brand_new_count", "got 2.5"])
    check_report_error(
        capsys,
        [*base, "-p", "brand_new_rates", "0.3"],
        ["brand_new_rates: expected a list like its default [0.1, 0.2], got 0.3"],
    )


# --- two reports into one folder -------------------------------------------------------------------------


def gated_notebooks(folder, started, gate):
    """The report's notebooks, the first of which announces that it runs (``started``), then waits for ``gate``."""
    shutil.copytree(report.notebooks_dir(), folder)
    notebook = nbformat.read(folder / report.NOTEBOOKS[0], as_version=4)
    index = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", ()))
    notebook.cells.insert(
        index + 1,
        nbformat.v4.new_code_cell(
            f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\n"
            f"while not pathlib.Path({str(gate)!r}).exists():\n    time.sleep(0.05)"
        ),
    )
    nbformat.write(notebook, folder / report.NOTEBOOKS[0])
    return folder


def wait_for(path, process, timeout):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def five_class_folder(folder):
    """Labels 0-4 in both files and no classes.txt: five classes."""
    rng = np.random.default_rng(3)
    folder.mkdir(parents=True)
    for name, n in (("train", 300), ("test", 100)):
        images, labels = striped_images(n, rng, n_classes=5)
        np.savez(folder / f"{name}.npz", image=images, label=labels)
    return folder


@pytest.mark.usefixtures("jupyter_home")
def test_a_second_report_into_the_same_folder_is_refused_while_the_first_runs(tmp_path):
    """The first report is held inside its first notebook until the second has given up."""
    started, gate = tmp_path / "started", tmp_path / "gate"
    notebooks = gated_notebooks(tmp_path / "notebooks", started, gate)
    out = tmp_path / "out"
    argv = [
        sys.executable,
        "-m",
        "hw1lib",
        *small_args(five_class_folder(tmp_path / "five"), out),
        "--notebooks",
        str(notebooks),
        "--no-pdf",
    ]
    first = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    second = None
    try:
        wait_for(started, first, timeout=300)
        second = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        second_out, second_err = second.communicate(timeout=120)
        gate.touch()
        _first_out, first_err = first.communicate(timeout=600)
    finally:
        gate.touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert second.returncode == 2 and second_out == "", second_err
    lines = second_err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hw1lib: error: ") and "Traceback" not in second_err
    assert str(out) in lines[0] and "another hw1lib report" in lines[0], lines[0]
    assert first.returncode == 0, first_err
    for name in report.NOTEBOOKS:
        assert nbformat.read(out / "notebooks" / name, as_version=4).metadata["papermill"]["exception"] is None
    assert not [p for p in out.rglob("*") if ".part" in p.name]
    html = (out / report.HTML_NAME).read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "5 classes; " in text and "classes (0, 1" not in text  # classes named 0 ... K-1 are not listed
    unknown = re.search(r".{0,80}\b(nan|n/a)\b.{0,80}", text)  # a class without test images, or a count of none
    assert unknown is None, unknown.group(0)


def test_the_report_lock_is_released_when_its_process_dies(tmp_path):
    from hw1lib.report.output import claim_output_folder

    out = tmp_path / "out"
    code = (
        f"import os\nfrom hw1lib.report.output import claim_output_folder\n"
        f"claim = claim_output_folder({str(out)!r})\nclaim.__enter__()\nos.kill(os.getpid(), 9)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == -signal.SIGKILL
    with (
        claim_output_folder(out),
        pytest.raises(Hw1libError, match="another hw1lib report is writing into"),
        claim_output_folder(out),
    ):
        pass
    with claim_output_folder(out):
        pass
