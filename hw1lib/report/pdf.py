"""Print the HTML report to PDF with a headless Chromium, the browser that renders it on screen.

Chromium prints exactly what it shows, CJK text included (given fonts such as fonts-noto-cjk),
with no TeX installation. The browser is Debian's ``chromium``, Chrome, or one Playwright
installed under ~/.cache/ms-playwright; ``$HW1LIB_CHROMIUM`` names any other.
"""
import os
import pathlib
import shutil
import subprocess
import tempfile

from ..common import atomic_path
from ..errors import Hw1libError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLAYWRIGHT_GLOBS = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-linux*/headless_shell")
# Without the background-networking flags Chromium tries to reach update and sync servers.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000", "--no-pdf-header-footer", "--print-to-pdf-no-header")
HOW_TO_GET_ONE = ("install one with `sudo apt-get install chromium` (Debian/Ubuntu), or set HW1LIB_CHROMIUM to "
                  "the path of a Chrome or Chromium executable, then run the command again")


class PdfError(Hw1libError):
    """The PDF could not be printed (no browser, or the browser failed)."""


def find_chromium():
    """Path of a Chromium-family browser, or None: $HW1LIB_CHROMIUM, then PATH, then Playwright's download."""
    named = os.environ.get("HW1LIB_CHROMIUM")
    if named:
        return named if shutil.which(named) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    playwright = pathlib.Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or pathlib.Path.home() / ".cache/ms-playwright")
    for pattern in PLAYWRIGHT_GLOBS:
        for candidate in sorted(playwright.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def missing_browser_message(html_path):
    """The one-line explanation when no browser is found (the HTML has been written)."""
    where = f"$HW1LIB_CHROMIUM ({os.environ['HW1LIB_CHROMIUM']}), " if os.environ.get("HW1LIB_CHROMIUM") else ""
    return (f"no Chromium to print the PDF with (looked for {where}{', '.join(BROWSERS)} and Playwright's "
            f"browser); the HTML report is written to {html_path}; to get the PDF, {HOW_TO_GET_ONE}")


def print_pdf(html_path, pdf_path, browser=None, timeout=180):
    """Print ``html_path`` to ``pdf_path`` (written atomically); raise PdfError saying what went wrong."""
    html_path, pdf_path = pathlib.Path(html_path).resolve(), pathlib.Path(pdf_path)
    browser = browser or find_chromium()
    if browser is None:
        raise PdfError(missing_browser_message(html_path))
    # A fresh profile each time: a shared one can be locked by another Chromium, or carry old state.
    with tempfile.TemporaryDirectory(prefix="hw1lib-chromium-") as profile, atomic_path(pdf_path) as tmp:
        command = [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html_path.as_uri()]
        try:
            result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                    timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{browser} did not finish printing {html_path} within {timeout} s") from None
        except OSError as error:
            raise PdfError(f"could not run {browser}: {error.strerror or error}") from None
        if tmp.read_bytes()[:5] != b"%PDF-":
            last = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise PdfError(f"{browser} exited with status {result.returncode} without writing a PDF: {last}")
    return pdf_path
