"""Render one block of a question's template in one language."""

import functools
import html
import pathlib

import jinja2
from markupsafe import Markup

from ...errors import ConfigError
from ..escape import markdown_text
from .filters import FILTERS

HERE = pathlib.Path(__file__).parent
LANGUAGES = ("en",)


def _finalize(value):
    """Every value a template prints: markup from a filter as it is, any other text escaped for Markdown."""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a template printed {value!r}: format numbers with a filter (percent, count, decimal)")
    return f"{value:,}"


@functools.cache
def environment(lang):
    """The Jinja environment of ``lang``'s templates: a missing fact is an error, not an empty string."""
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / lang),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=_finalize,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


def render(name, block, facts, lang="en"):
    """The Markdown of block ``block`` of template ``name`` (e.g. 'q2', 'results'), from ``facts``.

    Paragraphs are separated by one blank line; a template's line breaks inside a paragraph are joined.
    """
    template = environment(lang).get_template(f"{name}.md.j2")
    if block not in template.blocks:
        raise ConfigError(f"template {name!r} has no block {block!r}; it has: {', '.join(template.blocks)}")
    context = template.new_context(dict(facts))
    return _paragraphs("".join(template.blocks[block](context)))


def render_all(name, facts, lang="en"):
    """{block: Markdown} for every block of template ``name``."""
    template = environment(lang).get_template(f"{name}.md.j2")
    return {block: render(name, block, facts, lang) for block in template.blocks}


def _paragraphs(text):
    """Paragraphs split on blank lines, each joined into one line (list items and table rows keep their
    lines); empty ones dropped."""
    paragraphs = []
    for part in text.split("\n\n"):
        lines = [line.strip() for line in part.splitlines() if line.strip()]
        keep = any(line.startswith(("- ", "| ")) for line in lines)
        paragraphs.append("\n".join(lines) if keep else " ".join(lines))
    return "\n\n".join(p for p in paragraphs if p)


def render_text(name, block, facts, lang="en"):
    """Block ``block`` of template ``name`` as plain text, for a place that escapes text itself (a figure's or
    a table's caption, which ``captions.caption_html`` escapes as HTML): ``render``'s Markdown with the
    character references it escaped the facts' strings into decoded again, so no name is escaped twice."""
    return html.unescape(render(name, block, facts, lang))
