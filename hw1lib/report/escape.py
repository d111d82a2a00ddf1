"""User text and file names, escaped where they enter Markdown or HTML, so they show exactly as typed.

``markdown_text`` is for Markdown cells: every character that Markdown, the HTML inside it, or the
math of nbconvert's Markdown renderer would read as markup becomes a numeric character reference
(``*`` -> ``&#42;``). A reference is never markup: CommonMark decodes it to the character after
parsing, the math pass (which looks for a literal ``$``) does not see it, and a table does not
split a cell on ``&#124;``. ``html_text`` is for HTML: text and attribute values.
"""

import html

# Markdown emphasis, code, links (":" too: the renderer links bare URLs), headings, tables, strikethrough,
# raw HTML, math; & starts a reference.
MARKDOWN_SPECIAL = frozenset("\\`*_[]<>#|$&~:")


def markdown_text(s: str) -> str:
    """``s`` as Markdown that renders to exactly ``s`` (on one line)."""
    s = " ".join(str(s).splitlines())
    return "".join(f"&#{ord(c)};" if c in MARKDOWN_SPECIAL else c for c in s)


def html_text(s: str) -> str:
    """``s`` as HTML text or a quoted attribute value."""
    return html.escape(str(s), quote=True)


def html_table(styler):
    """A pandas Styler whose cells and headers are escaped as HTML text when rendered.

    ``DataFrame.to_html`` escapes by default; a Styler and ``to_markdown`` (tabulate) do not, so a
    class name from classes.txt would otherwise reach the page as markup. For Markdown tables, pass
    each cell through ``markdown_text``.
    """
    return styler.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
