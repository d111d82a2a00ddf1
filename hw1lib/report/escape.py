"""User text and file names into Markdown and HTML, shown exactly as typed."""
import html
import re

# Characters that Markdown (or MathJax's $) would read as markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|$~>-])")


def markdown_text(text):
    """``text`` escaped for a Markdown cell: HTML-special characters as entities, Markdown ones backslashed."""
    escaped = html.escape(str(text), quote=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped).replace("&lt;", "\\&lt;")
