"""A sweep worker killed with SIGKILL: one line naming the unfinished trials, a consistent cache, and a rerun
that goes on from it."""

import subprocess
import sys
import time

import psutil

from hw1lib.runs.history import History

from .helpers import write_course_folder


def test_a_killed_sweep_worker_gives_one_line_and_a_rerun_finishes(tmp_path):
    data = write_course_folder(tmp_path / "course", n_train=3000, n_test=100)
    cache = tmp_path / "runs"
    argv = [sys.executable, "-m", "hw1lib", "sweep", "--data", str(data), "--trials", "4", "--jobs", "2", "--quiet"]
    env = {**__import__("os").environ, "HW1LIB_CACHE": str(cache)}
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 120
        workers = []
        while not workers:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            workers = [
                p for p in psutil.Process(process.pid).children(recursive=True) if "popen_loky" in " ".join(p.cmdline())
            ]  # not loky's resource tracker
            time.sleep(0.2)
        time.sleep(1.5)  # the workers are training
        workers[0].kill()
        _out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Nothing but the one line: no warning from a resource tracker about the dead worker's semaphores.
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1 and "sweep worker process died" in lines[0] and "trial(s) " in lines[0], lines
    for entry in cache.rglob("*.npz"):  # every entry left is whole
        History.from_file(entry)
    assert not [p for p in cache.rglob("*") if ".part" in p.name or p.name.startswith(".tmp")]
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, stdin=subprocess.DEVNULL)
    assert rerun.returncode == 0, rerun.stderr
    assert "chosen" in rerun.stdout
