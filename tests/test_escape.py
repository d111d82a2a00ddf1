"""Names a user types, or a folder is called, are text in the report, never markup."""

import html.parser
import subprocess
import sys

import pypdf
import pytest

from hw1lib import load_dataset
from hw1lib.report import build as report
from hw1lib.report import pdf
from hw1lib.report.escape import html_text, markdown_text

from .helpers import write_course_folder
from .test_report import small_args, widget_notebook

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "*emphasis* and __strong__",
    "[a link](https://example.com/x)",
    "$$",
]


class Page(html.parser.HTMLParser):
    """Every element, attribute and piece of text of an HTML page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.text, self.hidden = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag in ("style", "title"):
            self.hidden = tag

    def handle_endtag(self, tag):
        if tag == self.hidden:
            self.hidden = None

    def handle_data(self, data):
        if self.hidden is None:  # the page's text, not its stylesheet
            self.text.append(data)

    def flat(self):
        return " ".join("".join(self.text).split())


def check_no_markup_from(page):
    assert "script" not in page.tags
    assert not [a for a in page.attributes if a[1].startswith("on") or "example.com" in a[2] or a[2] == "x"]
    csp = [v for t, n, v in page.attributes if t == "meta" and n == "content" and "script-src 'none'" in v]
    assert csp, "no Content-Security-Policy forbidding scripts"


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_text_renders_as_typed(name):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for source in (f"Data: {markdown_text(name)}.", f"| a |\n|---|\n| {markdown_text(name)} |"):
        page = Page(markdown2html_mistune(source))
        assert not set(page.tags) - {"p", "table", "thead", "tbody", "tr", "th", "td"}, page.tags
        assert name in page.flat()
    assert Page(f'<p title="{html_text(name)}">{html_text(name)}</p>').attributes == [("p", "title", name)]


@pytest.mark.usefixtures("jupyter_home")
def test_hostile_names_on_the_first_page_show_as_typed_in_html_and_pdf(tmp_path):
    folder_name = '<img src=x onerror="alert(1)"> *a* [l](x) $$'
    data = write_course_folder(tmp_path / folder_name, n_train=60, n_test=20)
    dataset = load_dataset(data)
    for data_name in (HOSTILE[0], ""):  # --data-name, then the folder's own name
        title, subtitle, author, student_id = HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4]
        parameters = {"data": str(data), "data_name": data_name}
        merged = report.merge(
            [widget_notebook("a", tagged=True)], dataset, parameters, title, subtitle, 1.0, author, student_id
        )
        page_html = report.export_html(merged)
        page = Page(page_html)
        check_no_markup_from(page)
        shown = data_name or folder_name
        first = page.flat().split("Contents")[0]
        for text in (title, subtitle, f"Author: {author}", f"Student ID: {student_id}", f"{shown}: 60 training"):
            assert text in first, (text, first[:600])
        (tmp_path / "page.html").write_text(page_html, encoding="utf-8")
        reader = pypdf.PdfReader(pdf.print_pdf(tmp_path / "page.html", tmp_path / "page.pdf"))
        pdf_text = " ".join(reader.pages[0].extract_text().split())
        for text in (title, subtitle, author, student_id, shown):
            assert text in pdf_text, (text, pdf_text[:600])


@pytest.mark.usefixtures("jupyter_home")
def test_a_hostile_data_name_through_the_command_is_text_in_every_section(tmp_path):
    data = write_course_folder(tmp_path / "course", n_train=120, n_test=40)
    out = tmp_path / "out"
    name = "<script>alert(1)</script> *x* $$"
    result = subprocess.run(
        [sys.executable, "-m", "hw1lib", *small_args(data, out), "--no-pdf", "--data-name", name],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    page = Page((out / report.HTML_NAME).read_text(encoding="utf-8"))
    check_no_markup_from(page)
    text = page.flat()
    assert text.count(name) >= 3, text.count(name)  # the first page, question 4's text and captions, the appendix


@pytest.mark.parametrize("name", HOSTILE)
def test_a_class_name_in_a_table_is_text(name):
    from hw1lib.report.captions import captioned
    from hw1lib.report.tables import styled_table

    page = Page(captioned(styled_table([{"class": name, "error": "3.0%"}]), "Table 4.1", name).to_html())
    assert "script" not in page.tags and not [a for a in page.attributes if a[1].startswith("on")]
    assert page.flat().count(name) == 2  # the caption and the cell
