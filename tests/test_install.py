"""``pip install .`` into a fresh venv gives a working ``hw1lib`` command, with only the declared dependencies.

These tests install for real (no ``--no-deps``), so a dependency missing from pyproject.toml fails them.
pip's own cache keeps the second run cheap. They are marked ``install`` and run by .ci/run.
"""

import json
import os
import pathlib
import subprocess
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.install, pytest.mark.timeout(1800)]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, cwd=kwargs.pop("cwd", None), **kwargs)
    shown = " ".join(map(str, command))
    assert result.returncode == 0, f"{shown} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def fresh_venv(path):
    """A venv with pip and setuptools, so the package builds without fetching setuptools again."""
    venv.EnvBuilder(with_pip=True).create(path)
    python = path / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "setuptools>=64", "wheel"])
    return python


def install(python, target):
    # --no-build-isolation: the build backend is the venv's setuptools; the dependencies still come from pip.
    run([python, "-m", "pip", "install", "--quiet", "--no-build-isolation", target], cwd=ROOT)


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory):
    python = fresh_venv(tmp_path_factory.mktemp("venv-core") / "venv")
    install(python, ".")
    return python


def test_core_install_trains(core_venv, tmp_path):
    command = core_venv.parent / "hw1lib"
    result = run(
        [command, "train", "--hidden", "16", "--epochs", "1", "--max-iterations", "20", "--json"],
        cwd=tmp_path,
        env={**os.environ, "HW1LIB_CACHE": str(tmp_path / "runs")},
    )
    summary = json.loads(result.stdout)
    assert summary["config"]["hidden"] == [16]
    assert summary["iterations"] == 20
    assert 0 <= summary["test_error"] <= 1


def test_core_install_leaves_report_packages_out(core_venv):
    """The core install holds no report-only package, so the test above shows train does not need one."""
    missing = run(
        [
            core_venv,
            "-c",
            "import importlib.util as u; "
            "print([m for m in ('nbformat', 'papermill', 'weasyprint', 'ipywidgets') if u.find_spec(m)])",
        ]
    )
    assert missing.stdout.strip() == "[]"


def test_report_extra_installs_report_command(tmp_path):
    python = fresh_venv(tmp_path / "venv")
    install(python, ".[report]")
    result = run([python.parent / "hw1lib", "report", "--help"], cwd=tmp_path)
    assert "--pdf-engine" in result.stdout
    # The modules the build imports (notebook execution, HTML and PDF) import from the declared packages.
    run([python, "-c", "import hw1lib.report.build, hw1lib.report.pdf, weasyprint, papermill, seaborn, scipy"])
