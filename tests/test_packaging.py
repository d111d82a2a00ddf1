"""How the package installs: requirements.txt agrees with pyproject.toml, and `hw1lib train` needs only the core."""

import pathlib
import subprocess
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parent.parent


def pins():
    """(name, Requirement) for every line of requirements.txt, comments dropped."""
    result = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            result.append(Requirement(text))
    return result


def declared():
    """{package name: [(where, Requirement)]} over the dependencies and every extra of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    result = {}
    for where, lines in groups.items():
        for line in lines:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) != canonicalize_name(project["name"]):  # hw1lib[report]
                result.setdefault(canonicalize_name(requirement.name), []).append((where, requirement))
    return result


def test_every_line_is_an_exact_pin_and_none_repeats():
    names = [canonicalize_name(pin.name) for pin in pins()]
    assert len(names) == len(set(names)), f"pinned twice: {sorted({n for n in names if names.count(n) > 1})}"
    loose = [str(pin) for pin in pins() if len(pin.specifier) != 1 or next(iter(pin.specifier)).operator != "=="]
    assert not loose, f"requirements.txt holds exact pins only; not exact: {loose}"


def test_every_pin_is_declared_and_inside_its_range():
    ranges = declared()
    problems = []
    for pin in pins():
        version = next(iter(pin.specifier)).version
        found = ranges.get(canonicalize_name(pin.name))
        if not found:
            problems.append(f"{pin}: in no dependency or extra of pyproject.toml")
        for where, requirement in found or ():
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{pin}: outside {where}'s range {requirement.specifier}")
    assert not problems, "\n".join(problems)


def test_every_declared_package_is_pinned():
    pinned = {canonicalize_name(pin.name) for pin in pins()}
    unpinned = sorted(set(declared()) - pinned)
    assert not unpinned, f"declared in pyproject.toml, not pinned in requirements.txt (so `make` skips it): {unpinned}"


def test_the_console_script_is_the_cli_main():
    from hw1lib import cli

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["hw1lib"].partition(":")
    assert module == cli.__name__
    assert callable(getattr(cli, name))


def test_train_imports_no_report_only_package(tmp_path):
    """The core install has none of these, so the command line must not import them to train."""
    code = (
        "import sys\n"
        "from hw1lib.cli import main\n"
        "assert main(['train', '--hidden', '8', '--max-iterations', '2', '--no-cache', '--json']) == 0\n"
        "report_only = ('nbformat', 'nbconvert', 'papermill', 'weasyprint', 'ipywidgets', 'matplotlib', 'seaborn',"
        " 'pandas', 'scipy', 'dask', 'distributed')\n"
        "print(sorted(name for name in report_only if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
