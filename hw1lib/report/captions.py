"""Numbered figures and tables with captions.

Figures and tables are numbered per question, in the order its notebook shows them ("Figure 3.2"
is question 3's second figure), so the text can cite a figure before it appears and no number
depends on another notebook. A notebook declares its figures and tables once, in order:

    numbers = Numbering(3, figures=("stages", "separation"), tables=("stages",))
    numbers.figure("separation")          # 'Figure 3.2'

and passes ``label=numbers.figure(key)`` and a caption to ``figures.show`` or ``captioned``.
"""

import base64
import html

from ..errors import ConfigError


class Numbering:
    """The figure and table labels of one question."""

    def __init__(self, question, figures=(), tables=()):
        self.question, self.figures, self.tables = question, tuple(figures), tuple(tables)

    def figure(self, key):
        """'Figure q.n' for the figure declared as ``key``."""
        return f"Figure {self.question}.{self._position(self.figures, key, 'figure')}"

    def table(self, key):
        """'Table q.n' for the table declared as ``key``."""
        return f"Table {self.question}.{self._position(self.tables, key, 'table')}"

    def labels(self):
        """{"fig": {key: 'Figure q.n'}, "table": {key: 'Table q.n'}}: what a template cites."""
        return {
            "fig": {key: self.figure(key) for key in self.figures},
            "table": {key: self.table(key) for key in self.tables},
        }

    def _position(self, keys, key, kind):
        if key not in keys:
            raise ConfigError(f"unknown {kind} {key!r} of question {self.question}; declared: {', '.join(keys)}")
        return keys.index(key) + 1


def figure_html(png, label, caption, width_px, anchor=""):
    """A PNG (bytes) with its numbered caption below, as one HTML <figure> that print keeps on one page."""
    data = base64.b64encode(png).decode("ascii")
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    return (
        f'<figure class="hw1-figure"{ident}><img src="data:image/png;base64,{data}" '
        f'style="width: {width_px}px; max-width: 100%" alt="{html.escape(label)}">'
        f"<figcaption>{caption_html(label, caption)}</figcaption></figure>"
    )


def caption_html(label, caption):
    """'<b>Figure 1.2.</b> caption', the caption's text escaped."""
    return f"<b>{html.escape(label)}.</b> {html.escape(caption)}" if label else html.escape(caption)


def captioned(table, label, caption):
    """A DataFrame or Styler with a numbered caption above it (a Styler, for display)."""
    styler = table if hasattr(table, "set_caption") else table.style
    return styler.set_caption(caption_html(label, caption))


def labels_of(*numberings):
    """The labels of several numberings (a question and its appendices) in one {"fig": ..., "table": ...};
    a key declared twice is an error."""
    merged = {"fig": {}, "table": {}}
    for numbering in numberings:
        for kind, labels in numbering.labels().items():
            twice = set(labels) & set(merged[kind])
            if twice:
                raise ConfigError(f"{kind} keys declared twice: {', '.join(sorted(twice))}")
            merged[kind].update(labels)
    return merged
