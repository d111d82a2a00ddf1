"""Every command in README.md and docs/ is run or, when running it takes minutes, parsed by the real CLI.

The commands are the lines of the ```bash and ```console blocks (a console line starts with ``$ ``).
Each must match one rule below; a command that matches none fails the test, so a new command in
the docs needs a way to be checked here. ``path/to/folder`` stands for a small folder this test writes.
"""

import pathlib
import re
import shlex
import subprocess
import sys

import numpy as np
import pytest

from hw1lib.cli import build_parser

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
VENV_BIN = pathlib.Path(sys.executable).parent
# hw1lib commands that finish in seconds on small data are run, with these options appended
# (the last value of an option wins); the others (report, bench, a cluster) are parsed only.
SMALL = {"train": ["--max-iterations", "10", "--quiet"], "sweep": ["--trials", "2", "--jobs", "1", "--quiet"]}


def blocks(path, languages):
    """(language, text) of every fenced block of these languages in the file."""
    return [
        (m[1], m[2]) for m in re.finditer(r"^```(\w+)\n(.*?)^```", path.read_text(), re.S | re.M) if m[1] in languages
    ]


def commands(path):
    found = []
    for language, text in blocks(path, ("bash", "console")):
        text = text.replace("\\\n", " ")
        for line in text.splitlines():
            if language == "console":
                if not line.startswith("$ "):
                    continue  # output
                line = line[2:]
            line = re.sub(r"\s+#.*$", "", line).strip().removesuffix("&").strip()
            if line:
                found.append(line)
    return found


DOCUMENTED = [(path.relative_to(ROOT).as_posix(), command) for path in DOCS for command in commands(path)]


def test_the_docs_hold_commands():
    files = {where for where, _ in DOCUMENTED}
    assert "README.md" in files and "docs/cli.md" in files and "docs/report.md" in files
    assert ("README.md", "make report") in DOCUMENTED and ("README.md", "make test") in DOCUMENTED


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    """A course-format folder: 100 training and 50 test images, every class present."""
    folder = tmp_path_factory.mktemp("folder")
    rng = np.random.default_rng(0)
    for name, n in (("train", 100), ("test", 50)):
        np.savez(
            folder / f"{name}.npz", image=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), label=np.arange(n) % 10
        )
    return folder


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{shlex.join(map(str, argv))}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


def check_hw1lib(words, small_folder, tmp_path):
    words = [str(small_folder) if word == "path/to/folder" else word for word in words]
    args = build_parser().parse_args(words)  # a usage error raises, naming the option
    if words[0] in SMALL:
        run([sys.executable, "-m", "hw1lib", *words, *SMALL[words[0]]], cwd=tmp_path)
    elif words[0] == "report":
        assert args.out and args.run.__name__ == "run_report"


def check(command, small_folder, tmp_path):
    words = shlex.split(command)
    env_prefix = []
    while words[0] == "env" or "=" in words[0]:  # env -u NAME ..., NAME=VALUE ...
        if words[0] == "env":
            words = words[1:]
            while words[0] == "-u":
                env_prefix += words[:2]
                words = words[2:]
        else:
            words = words[1:]
    head = words[0]
    if words[:3] == [".venv/bin/python", "-m", "hw1lib"]:
        return check_hw1lib(words[3:], small_folder, tmp_path)
    if head == "make":
        dry = run(["make", "-n", *words[1:]], cwd=ROOT).stdout
        assert {"report": "-m hw1lib report", "test": "-m pytest"}[words[1]] in dry
        return None
    if head == "pip":  # installs into a fresh venv: tests/test_install.py runs exactly these
        assert words[1] == "install" and words[2] in (".", ".[report]")
        assert f'install(python, "{words[2]}")' in (ROOT / "tests" / "test_install.py").read_text()
        return None
    if words[:3] == [".venv/bin/python", "-m", "pytest"]:
        run([sys.executable, "-m", "pytest", "--collect-only", "-q", *words[3:]], cwd=ROOT)
        return None
    if head == ".venv/bin/ruff":  # on this file: the whole tree is CI's job (.ci/run), this checks the command
        run([VENV_BIN / "ruff", *["tests/test_docs.py" if word == "." else word for word in words[1:]]], cwd=ROOT)
        return None
    if head == ".venv/bin/jupyter":
        assert words[1] == "lab"
        run([VENV_BIN / "jupyter", "lab", "--help"])
        return None
    if head == "dask":  # starting a cluster is the sweep test's job; here: the options exist
        help_text = run([VENV_BIN / "dask", words[1], "--help"]).stdout
        for option in (word for word in words[2:] if word.startswith("--")):
            assert option in help_text, f"dask {words[1]} has no option {option}"
        return None
    raise AssertionError(f"no rule checks this documented command: {command}")


@pytest.mark.parametrize(("where", "command"), DOCUMENTED, ids=[f"{w}: {c}" for w, c in DOCUMENTED])
def test_documented_command(where, command, small_folder, tmp_path):
    check(command, small_folder, tmp_path)


def subcommand_options(name):
    parser = build_parser()
    choices = next(action for action in parser._actions if action.dest == "command").choices
    return set(choices[name]._option_string_actions)


SYNOPSES = [
    (path.relative_to(ROOT).as_posix(), text)
    for path in DOCS
    for _, text in blocks(path, ("text",))
    if text.startswith("usage: hw1lib ")
]


@pytest.mark.parametrize(("where", "synopsis"), SYNOPSES, ids=[w for w, _ in SYNOPSES])
def test_synopsis_names_real_options(where, synopsis):
    name = synopsis.split()[2]
    known = subcommand_options(name)
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", synopsis))
    assert named, synopsis
    assert named <= known, f"{where}: hw1lib {name} has no {sorted(named - known)}"
