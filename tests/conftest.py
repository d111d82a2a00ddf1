"""Shared fixtures: every test session gets its own data and run caches, never the user's."""

import contextlib
import os

import pytest

from .local_mirror import server  # noqa: F401 - the fixture of the tests that download from a local HTTP server


@contextlib.contextmanager
def environment(values):
    """Set environment variables for the duration of the block, then restore the old ones."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session", autouse=True)
def isolated_caches(tmp_path_factory):
    """Point HW1LIB_DATA and HW1LIB_CACHE at fresh folders for the whole session.

    The data cache is shared by the session so the default dataset is parsed once; tests that
    need an empty cache of their own use ``monkeypatch.setenv`` on top of this.
    """
    base = tmp_path_factory.mktemp("hw1lib-home")
    with environment({"HW1LIB_DATA": str(base / "data"), "HW1LIB_CACHE": str(base / "cache"), "MPLBACKEND": "Agg"}):
        yield base


@pytest.fixture(scope="session")
def jupyter_home(tmp_path_factory):
    """HOME and every Jupyter, IPython and matplotlib folder in a temp dir, for tests that start kernels."""
    base = tmp_path_factory.mktemp("jupyter-home")
    names = {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_DATA_DIR": "jupyter/data",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }
    for sub in names.values():
        (base / sub).mkdir(parents=True, exist_ok=True)
    with environment({key: str(base / sub) for key, sub in names.items()}):
        yield base


def pytest_collection_modifyitems(config, items):
    """Tests marked ``install`` build fresh venvs (minutes): CI runs them (.ci/run), or HW1LIB_INSTALL_TESTS=1."""
    if os.environ.get("HW1LIB_INSTALL_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="installs into a fresh venv; set HW1LIB_INSTALL_TESTS=1 (as .ci/run does)")
    for item in items:
        if "install" in item.keywords:
            item.add_marker(skip)
