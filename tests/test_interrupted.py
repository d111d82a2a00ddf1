"""A report build that is stopped leaves the previous report in --out byte for byte, and says so in one line.

Each case is a real ``hw1lib report`` process held inside its first notebook (a cell that waits for a
file), then stopped: by SIGINT (as Ctrl-C sends it), SIGTERM, a kernel killed with SIGKILL, a
failing cell, or a full disk.
"""

import hashlib
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import nbformat
import psutil
import pytest

from hw1lib.report import build as report
from hw1lib.report import staging

from .helpers import write_course_folder
from .test_reliability import gated_notebooks, wait_for
from .test_report import small_args

pytestmark = pytest.mark.usefixtures("jupyter_home")


def snapshot(folder):
    """{relative path: sha256} of every file under ``folder`` but the lock."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".hw1lib-report.lock"
    }


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A course folder and a finished report (HTML only, to keep it cheap) into ``out``."""
    base = tmp_path_factory.mktemp("previous")
    data = write_course_folder(base / "course", n_train=120, n_test=40)
    out = base / "out"
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", *small_args(data, out), "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert (out / report.HTML_NAME).is_file() and len(snapshot(out)) > 10
    return data, out


@pytest.fixture
def out(previous, tmp_path):
    """A copy of the previous report, for one test to stop a build into."""
    target = tmp_path / "out"
    shutil.copytree(previous[1], target)
    return target


def start_held_build(previous, out, tmp_path, extra_cell=None):
    """A second build into ``out``, held in its first notebook; returns (process, gate file)."""
    started, gate = tmp_path / "started", tmp_path / "gate"
    notebooks = gated_notebooks(tmp_path / "notebooks", started, gate)
    if extra_cell:
        notebook = nbformat.read(notebooks / report.NOTEBOOKS[0], as_version=4)
        index = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", ()))
        notebook.cells.insert(index + 2, nbformat.v4.new_code_cell(extra_cell))
        nbformat.write(notebook, notebooks / report.NOTEBOOKS[0])
    argv = [sys.executable, "-m", "hw1lib", *small_args(previous[0], out), "--no-pdf", "--notebooks", str(notebooks)]
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for(started, process, timeout=300)
    return process, gate


def finish(process, timeout=120):
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
            process.wait()
    return process.returncode, stdout, stderr.strip().splitlines()


def check_stopped(out, before, returncode, err, expected_code, fragments):
    assert returncode == expected_code, err
    assert len(err) == 1, err
    assert f"the previous report in {out} is unchanged" in err[0], err[0]
    for fragment in fragments:
        assert fragment in err[0], (fragment, err[0])
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "sent, code, word", [(signal.SIGINT, 130, "hw1lib: interrupted: "), (signal.SIGTERM, 143, "hw1lib: terminated: ")]
)
def test_a_signal_during_the_notebooks_leaves_the_previous_report(sent, code, word, previous, out, tmp_path):
    leftover = out.parent / f".{out.name}{staging.PREFIX}999999"  # as a kill -9 of an earlier build leaves it
    (leftover / "notebooks").mkdir(parents=True)
    before = snapshot(out)
    process, _gate = start_held_build(previous, out, tmp_path)
    process.send_signal(sent)
    returncode, stdout, err = finish(process)
    check_stopped(out, before, returncode, err, code, [word, "partial notebooks are in"])
    assert not leftover.exists() and f"removed {leftover}" in stdout
    partial = err[0].rsplit(" are in ", 1)[1]
    assert (os.path.dirname(partial) != str(out)) and os.path.isdir(partial)


def test_a_kernel_killed_with_sigkill_leaves_the_previous_report(previous, out, tmp_path):
    before = snapshot(out)
    process, _gate = start_held_build(previous, out, tmp_path)
    kernels = [p for p in psutil.Process(process.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels
    kernels[0].kill()
    returncode, _stdout, err = finish(process)
    check_stopped(out, before, returncode, err, 2, ["hw1lib: error: ", "01_models.ipynb", "kernel died"])


def test_a_failing_cell_leaves_the_previous_report_and_names_the_partial_notebook(previous, out, tmp_path):
    before = snapshot(out)
    process, gate = start_held_build(previous, out, tmp_path, extra_cell='raise ValueError("deliberate failure")')
    gate.touch()
    returncode, _stdout, err = finish(process, timeout=300)
    check_stopped(out, before, returncode, err, 2, ["01_models.ipynb", "ValueError: deliberate failure"])
    partial = err[0].split("the partly executed notebook is ", 1)[1].split(")")[0]
    assert "deliberate failure" in pathlib.Path(partial).read_text(encoding="utf-8")


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a small tmpfs to fill needs root"
)
def test_a_full_disk_leaves_the_previous_report(previous, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    size = sum(p.stat().st_size for p in previous[1].rglob("*") if p.is_file())
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size + 600 * 1024}", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        out = disk / "out"
        shutil.copytree(previous[1], out)
        before = snapshot(out)
        result = subprocess.run(
            [sys.executable, "-m", "hw1lib", *small_args(previous[0], out), "--no-pdf"],
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        err = result.stderr.strip().splitlines()
        check_stopped(out, before, result.returncode, err, 2, ["hw1lib: error: "])
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
