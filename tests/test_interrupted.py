"""A report build that is stopped leaves the previous report in --out byte for byte, and says so in one line.

Each case is a real ``hw1lib report`` process held inside its first notebook (a cell that waits for a
file), then stopped: by SIGINT (as Ctrl-C sends it), SIGTERM, a kernel killed with SIGKILL, a
failing cell, or a full disk. A kill -9 of the command itself during the swap is tested at every step of the
swap (and of the next build's settling of it), on the staging functions in a child process and on real
``hw1lib report`` processes.
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


# A kill -9 of the command itself during the swap. The swap's steps are counted by staging, whose test hook
# makes the process SIGKILL itself after the N-th; the next build's settling must leave in --out the whole
# previous report or the whole new one, byte for byte, never a mix and never nothing.


def fake_report(folder, tag, with_pdf=True):
    """The entries a build puts in --out, with contents that tell ``tag``'s report apart."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (report.IPYNB_NAME, report.HTML_NAME, *([report.PDF_NAME] if with_pdf else [])):
        (folder / name).write_text(f"{tag}: {name}\n", encoding="utf-8")
    for sub in ("notebooks", "figures"):
        for i in range(2):
            (folder / sub / f"{tag}-{i}.txt").parent.mkdir(exist_ok=True)
            (folder / sub / f"{tag}-{i}.txt").write_text(f"{tag}: {sub} {i}\n", encoding="utf-8")
    return folder


def killed_at(step, function, *args):
    """Run ``function(*args)`` in a forked child that SIGKILLs itself at staging's ``step``-th step.

    Returns the child's exit code: -9 if it was killed there, 0 if it finished first.
    """
    pid = os.fork()
    if pid == 0:  # the child: no pytest, no cleanup, just the staging call and a hard exit
        code = 0
        try:
            os.environ[staging.KILL_AT_STEP] = str(step)
            staging._steps = 0
            function(*args)
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def interrupted_swap(base, step, old_pdf, new_pdf):
    """--out with the previous report and a file of the user's, a staging folder with the new report, and a
    swap killed at ``step``; returns (out, snapshot of the previous report, of the new one, exit code)."""
    out = fake_report(base / "out", "old", with_pdf=old_pdf)
    (out / "mine.txt").write_text("the user's\n", encoding="utf-8")
    before = snapshot(out)
    stage = fake_report(staging.new_staging(out), "new", with_pdf=new_pdf)
    after = {**{k: v for k, v in before.items() if k == "mine.txt"}, **snapshot(stage)}
    code = killed_at(step, staging.swap_in, stage, out, report.REPORT_ENTRIES)
    return out, before, after, code


@pytest.mark.parametrize("old_pdf, new_pdf", [(True, True), (False, True), (True, False)])
def test_a_swap_killed_at_any_step_is_settled_whole_by_the_next_build(tmp_path, old_pdf, new_pdf):
    old, new = sum((old_pdf, True, True, True, True)), sum((new_pdf, True, True, True, True))
    commit = 2 + old + new  # the step after the last new entry's move
    step, outcomes = 0, []
    while True:
        step += 1
        out, before, after, code = interrupted_swap(tmp_path / str(step), step, old_pdf, new_pdf)
        if code == 0:  # past the swap's last step: it finished
            assert snapshot(out) == after and not staging.leftover_staging(out)
            break
        assert code == -signal.SIGKILL, code
        (leftover,) = staging.leftover_staging(out)
        lines = []
        staging.remove_leftovers(out, lines.append)
        assert len(lines) == 1 and str(leftover) in lines[0], lines
        assert not staging.leftover_staging(out), lines
        state = snapshot(out)
        assert state in (before, after), (step, lines, sorted(state))
        outcomes.append("new" if state == after else "old")
        expected = "kept the new report" if step == commit else "restored the previous report"
        if 3 <= step < commit:
            assert expected in lines[0], (step, lines)
    assert step == commit + 2  # the swap has commit + 1 steps: start, journal, each move, journal removed
    assert outcomes == ["old"] * (commit - 1) + ["new", "new"], outcomes


@pytest.mark.parametrize("swap_step", [3, 5, 8, 12, 13])
def test_a_settling_killed_at_any_step_is_settled_by_the_run_after(tmp_path, swap_step):
    """Each settling is killed after its first step, so every run makes one step, until one finishes."""
    out, before, after, code = interrupted_swap(tmp_path, swap_step, True, True)
    assert code == -signal.SIGKILL
    runs = 0
    while killed_at(1, staging.remove_leftovers, out, lambda line: None) == -signal.SIGKILL:
        runs += 1
        assert runs < 20
    assert not staging.leftover_staging(out)
    assert snapshot(out) == (after if swap_step >= 12 else before), (swap_step, runs)


def failing_notebooks(folder):
    """The report's notebooks, the first of which fails in its first cell after the parameters."""
    shutil.copytree(report.notebooks_dir(), folder)
    notebook = nbformat.read(folder / report.NOTEBOOKS[0], as_version=4)
    index = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", ()))
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell('raise ValueError("stopped after the settling")'))
    nbformat.write(notebook, folder / report.NOTEBOOKS[0])
    return folder


# The previous report has no PDF (built with --no-pdf), so a swap's steps are: 1 begin, 2 journal written,
# 3-6 the four old entries moved aside, 7-10 the four new ones moved in, 11 journal removed.
@pytest.mark.parametrize("step, kept", [(7, "previous"), (10, "new")])
def test_a_report_command_killed_during_its_swap_is_settled_by_the_next_one(previous, out, tmp_path, step, kept):
    before = snapshot(out)
    argv = [sys.executable, "-m", "hw1lib", *small_args(previous[0], out), "--no-pdf"]
    env = {**os.environ, staging.KILL_AT_STEP: str(step)}
    killed = subprocess.run(
        [*argv, "--title", "The second build"], capture_output=True, text=True, timeout=600, env=env
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (leftover,) = staging.leftover_staging(out)
    assert (leftover / staging.JOURNAL).is_file()
    if kept == "previous":
        assert snapshot(out) != before  # a mix: the new notebook, and the rest of the previous report moved aside
        assert not (out / report.HTML_NAME).exists()
    new = snapshot(out)
    # The next build settles the swap, then fails in its first notebook: what it leaves in --out is the settling's.
    settled = subprocess.run(
        [*argv, "--notebooks", str(failing_notebooks(tmp_path / "notebooks"))],
        capture_output=True,
        text=True,
        timeout=600,
    )
    err = settled.stderr.strip().splitlines()
    check_stopped(out, before if kept == "previous" else new, settled.returncode, err, 2, ["stopped after"])
    line = next(line for line in settled.stdout.splitlines() if str(leftover) in line)
    assert ("restored the previous report" if kept == "previous" else "kept the new report") in line, line
    # Only the failed build's own staging folder is left (its partial notebooks); no swap is under way.
    partial = pathlib.Path(err[0].split("the partly executed notebook is ", 1)[1].split(")")[0])
    assert staging.leftover_staging(out) == [partial.parent.parent] and leftover != partial.parent.parent
    html = (out / report.HTML_NAME).read_text(encoding="utf-8")
    assert ("The second build" in html) == (kept == "new")


@pytest.mark.parametrize("failing", ["journal", "third move"])
def test_a_swap_that_fails_is_undone_at_once(tmp_path, monkeypatch, failing):
    out = fake_report(tmp_path / "out", "old")
    before = snapshot(out)
    stage = fake_report(staging.new_staging(out), "new")
    new = snapshot(stage)
    full = OSError(28, "No space left on device")
    if failing == "journal":

        def write_atomic(target, data):
            raise full

        monkeypatch.setattr(staging, "write_atomic", write_atomic)
    else:
        real, calls = os.rename, []

        def rename(source, target):
            calls.append(source)
            if len(calls) == 3:
                raise full
            real(source, target)

        monkeypatch.setattr(staging.os, "rename", rename)
    with pytest.raises(staging.SwapError) as error:
        staging.swap_in(stage, out, report.REPORT_ENTRIES)
    assert str(error.value) == (
        f"could not swap the new report into {out} (No space left on device); the previous report in {out} is "
        f"unchanged, and the new one is in {stage}"
    )
    assert snapshot(out) == before and snapshot(stage) == new
