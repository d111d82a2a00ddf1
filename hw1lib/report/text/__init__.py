"""The report's prose: Jinja templates over facts records, one folder of templates per language.

A study computes a flat facts record (numbers, and named booleans and enums such as ``stuck``);
a question's template file holds its text in reading order, one block per paragraph group or
caption, and branches only on those facts. ``render("q2", "results", facts)`` gives one block
as Markdown. Every string value that reaches the text is escaped for Markdown (``finalize``), so
a name shows exactly as typed; filters that build markup return ``markupsafe.Markup``.
"""

from .render import LANGUAGES, render, render_all, render_text

__all__ = ["LANGUAGES", "render", "render_all", "render_text"]
