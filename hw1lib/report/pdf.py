"""Print the HTML report to PDF, with WeasyPrint (the default) or a headless Chromium.

WeasyPrint is a Python package (pip installs it; it draws text with the Pango library most
Linux systems have) that lays the pages out itself from the report's print stylesheet, CSS
paged media included: page numbers in the footer, page numbers in the table of contents
(``target-counter``), figures kept whole. It runs no JavaScript; the report has none.

Chromium prints exactly what the browser shows, but has to be installed apart and does not
fill in ``target-counter``, so its table of contents has no page numbers. The browser is
Debian's ``chromium``, Chrome, or one Playwright installed under ~/.cache/ms-playwright;
``$HW1LIB_CHROMIUM`` names any other.
"""

import logging
import os
import pathlib
import shutil
import subprocess
import tempfile

from ..common import atomic_path
from ..errors import Hw1libError, one_line, unknown_name

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLAYWRIGHT_GLOBS = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-linux*/headless_shell")
# Without the background-networking flags Chromium tries to reach update and sync servers.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=10000",
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)
HOW_TO_GET_ONE = (
    "install one with `sudo apt-get install chromium` (Debian/Ubuntu), or set HW1LIB_CHROMIUM to "
    "the path of a Chrome or Chromium executable, then run the command again (or leave out "
    "--pdf-engine chromium to print with WeasyPrint)"
)


class PdfError(Hw1libError):
    """The PDF could not be printed (no engine, or the engine failed)."""


def find_chromium():
    """Path of a Chromium-family browser, or None: $HW1LIB_CHROMIUM, then PATH, then Playwright's download."""
    named = os.environ.get("HW1LIB_CHROMIUM")
    if named:
        return named if shutil.which(named) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    playwright = pathlib.Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or pathlib.Path.home() / ".cache/ms-playwright"
    )
    for pattern in PLAYWRIGHT_GLOBS:
        for candidate in sorted(playwright.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def missing_browser_message(html_path):
    """The one-line explanation when no browser is found (the HTML has been written)."""
    where = f"$HW1LIB_CHROMIUM ({os.environ['HW1LIB_CHROMIUM']}), " if os.environ.get("HW1LIB_CHROMIUM") else ""
    return (
        f"no Chromium to print the PDF with (looked for {where}{', '.join(BROWSERS)} and Playwright's "
        f"browser); the HTML report is written to {html_path}; to get the PDF, {HOW_TO_GET_ONE}"
    )


def print_with_chromium(html_path, pdf_path, browser=None, timeout=180):
    """Print ``html_path`` to ``pdf_path`` with Chromium (written atomically); raise PdfError saying what went wrong."""
    html_path, pdf_path = pathlib.Path(html_path).resolve(), pathlib.Path(pdf_path)
    browser = browser or find_chromium()
    if browser is None:
        raise PdfError(missing_browser_message(html_path))
    # A fresh profile each time: a shared one can be locked by another Chromium, or carry old state.
    with tempfile.TemporaryDirectory(prefix="hw1lib-chromium-") as profile, atomic_path(pdf_path) as tmp:
        command = [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html_path.as_uri()]
        try:
            result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{browser} did not finish printing {html_path} within {timeout} s") from None
        except OSError as error:
            raise PdfError(f"could not run {browser}: {error.strerror or error}") from None
        if tmp.read_bytes()[:5] != b"%PDF-":
            last = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise PdfError(f"{browser} exited with status {result.returncode} without writing a PDF: {last}")
    return pdf_path


def print_with_weasyprint(html_path, pdf_path):
    """Print ``html_path`` to ``pdf_path`` with WeasyPrint (written atomically); raise PdfError if it cannot start."""
    html_path, pdf_path = pathlib.Path(html_path).resolve(), pathlib.Path(pdf_path)
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango library is missing
        raise PdfError(
            f"WeasyPrint cannot start ({one_line(error)}); the HTML report is written to {html_path}; "
            f"to get the PDF, install the Pango library (`sudo apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0`) or print with --pdf-engine chromium"
        ) from None
    # JupyterLab's stylesheet is full of screen-only rules that WeasyPrint would warn about one by one.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with atomic_path(pdf_path) as tmp:
            weasyprint.HTML(filename=str(html_path)).write_pdf(tmp)
    finally:
        logger.setLevel(level)
    return pdf_path


ENGINES = {"weasyprint": print_with_weasyprint, "chromium": print_with_chromium}
DEFAULT_ENGINE = "weasyprint"


def unknown_engine(engine):
    """The error for an engine name that is not in ``ENGINES``."""
    return unknown_name("PDF engine", engine, ENGINES)


def print_pdf(html_path, pdf_path, engine=DEFAULT_ENGINE):
    """Print ``html_path`` to ``pdf_path`` with ``engine`` (a name of ``ENGINES``); return the PDF's path."""
    if engine not in ENGINES:
        raise unknown_engine(engine)
    return ENGINES[engine](html_path, pdf_path)
