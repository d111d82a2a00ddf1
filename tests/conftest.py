"""Shared fixtures: every test session gets its own data and run caches, never the user's."""
import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_caches(tmp_path_factory):
    """Point HW1LIB_DATA and HW1LIB_CACHE at fresh folders for the whole session.

    The data cache is shared by the session so the default dataset is parsed once; tests that
    need an empty cache of their own use ``monkeypatch.setenv`` on top of this.
    """
    base = tmp_path_factory.mktemp("hw1lib-home")
    old = {k: os.environ.get(k) for k in ("HW1LIB_DATA", "HW1LIB_CACHE", "MPLBACKEND")}
    os.environ["HW1LIB_DATA"] = str(base / "data")
    os.environ["HW1LIB_CACHE"] = str(base / "cache")
    os.environ["MPLBACKEND"] = "Agg"
    yield base
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def jupyter_home(tmp_path_factory):
    """HOME and every Jupyter, IPython and matplotlib folder in a temp dir, for tests that start kernels."""
    base = tmp_path_factory.mktemp("jupyter-home")
    names = {"HOME": "home", "JUPYTER_CONFIG_DIR": "jupyter/config", "JUPYTER_DATA_DIR": "jupyter/data",
             "JUPYTER_RUNTIME_DIR": "jupyter/runtime", "IPYTHONDIR": "ipython", "MPLCONFIGDIR": "matplotlib"}
    old = {k: os.environ.get(k) for k in names}
    for key, sub in names.items():
        (base / sub).mkdir(parents=True, exist_ok=True)
        os.environ[key] = str(base / sub)
    yield base
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
