"""End to end: the explorer served by Voila, driven in headless Chromium, a slider moved by keyboard.

Needs a Chromium, found as ``--pdf-engine chromium`` finds one (Debian's chromium on PATH, or
$HW1LIB_CHROMIUM), and the playwright and voila Python packages; Playwright never downloads a
browser. Set HW1LIB_EXPLORER_SCREENSHOT=docs/explorer.png to run it on mnist-5k at the default
settings and also save the screenshot there (for the README).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from hw1lib.report.pdf import find_chromium

from .helpers import write_course_folder

CHROMIUM = find_chromium()
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START = 90  # seconds for Voila to answer
PAGE_WAIT = 120_000  # milliseconds for any one thing to appear in the page
RUN_WAIT = 180_000  # milliseconds for a run (training plus drawing) to be shown

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytest.importorskip("voila", reason="the voila package is not installed")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium, or set HW1LIB_CHROMIUM)"),
    pytest.mark.timeout(600),
]


def free_port():
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with socket.socket() as client:
        client.settimeout(1)
        if client.connect_ex(("127.0.0.1", port)) == 0:
            pytest.fail(f"port {port} answered before our server started")
    return port


def explorer_notebook(path, data, initial):
    cell = f"from hw1lib.explorer.widgets import explore\nexplore({json.dumps(str(data))}, **{initial!r})"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]), path)


@pytest.fixture
def voila(tmp_path):
    """URL of a Voila server on 127.0.0.1 showing the explorer, stopped by its process id afterwards."""
    screenshot_to = os.environ.get("HW1LIB_EXPLORER_SCREENSHOT")
    if screenshot_to:
        data, initial = "mnist-5k", {}
    else:
        data, initial = write_course_folder(tmp_path / "data", n_train=600, n_test=200), {"hidden": (32,), "epochs": 5}
    notebook = tmp_path / "explorer.ipynb"
    explorer_notebook(notebook, data, initial)
    home = tmp_path / "home"
    env = dict(os.environ)  # HW1LIB_CACHE and HW1LIB_DATA come from the test session
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        MPLBACKEND="Agg",
    )
    port = free_port()
    log_path = tmp_path / "voila.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--show_tracebacks=True",
                str(notebook),
            ],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, server, log_path)
        yield url, screenshot_to, log_path
    finally:
        stop(server)


def wait_until_serving(url, server, log_path):
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"voila exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            # /api answers without starting a kernel, unlike the notebook page itself.
            with urllib.request.urlopen(url + "api", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(f"voila did not answer on {url} within {SERVER_START} s:\n{log_path.read_text()[-3000:]}")


def stop(server):
    """End the server and its kernel: the process group started with the server's own id."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def test_slider_move_retrains_and_redraws(voila, tmp_path):
    url, screenshot_to, log_path = voila
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True, timeout=PAGE_WAIT
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(PAGE_WAIT)
            page.goto(url, timeout=PAGE_WAIT)
            results = page.locator(".hw1lib-results")
            curves = page.locator(".hw1lib-curves")
            lr_readout = page.locator(".hw1lib-lr .widget-readout")
            sync_api.expect(results).to_contain_text("Test error", timeout=RUN_WAIT)
            before = {
                "results": results.inner_text(timeout=PAGE_WAIT),
                "lr": lr_readout.inner_text(timeout=PAGE_WAIT),
                "curves": curves.screenshot(timeout=PAGE_WAIT),
            }

            page.locator(".hw1lib-lr .noUi-handle").focus(timeout=PAGE_WAIT)
            page.keyboard.press("ArrowRight")
            moved = time.monotonic()
            page.wait_for_function(
                """old => { const text = document.querySelector('.hw1lib-results').innerText;
                            return text.startsWith('Test error') && text !== old; }""",
                arg=before["results"],
                timeout=RUN_WAIT,
            )
            seconds = time.monotonic() - moved  # key press to final numbers in the page, for the log only
            sync_api.expect(page.locator(".hw1lib-confusion-caption")).to_have_text(
                "Confusion matrix of this run", timeout=RUN_WAIT
            )
            after = {
                "results": results.inner_text(timeout=PAGE_WAIT),
                "lr": lr_readout.inner_text(timeout=PAGE_WAIT),
                "curves": curves.screenshot(timeout=PAGE_WAIT),
            }
            page.locator(".hw1lib-explorer").screenshot(path=tmp_path / "explorer.png", timeout=PAGE_WAIT)
        finally:
            browser.close()
    print(
        f"before: lr {before['lr']}: {before['results']}\nafter:  lr {after['lr']}: {after['results']}\n"
        f"key press to new results in the page: {seconds:.2f} s"
    )
    assert float(after["lr"]) > float(before["lr"]), (before["lr"], after["lr"])
    assert train_loss(after["results"]) != train_loss(before["results"])
    assert after["curves"] != before["curves"]
    assert "Traceback" not in log_path.read_text()
    if screenshot_to:
        shutil.copyfile(tmp_path / "explorer.png", screenshot_to)


def train_loss(results_text):
    """The number after 'train loss' in the results line."""
    return float(results_text.split("train loss ")[1].split()[0])
