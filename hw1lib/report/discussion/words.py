"""How the report writes numbers, lists and tables, shared by the four questions' prose."""

import math

import numpy as np
import pandas as pd

from ..escape import html_table


def styled_table(rows):
    """A pandas Styler of formatted rows (a list of dicts), shown without pandas' numeric index."""
    return html_table(pd.DataFrame(rows).style.hide(axis="index"))


def plural(n, noun):
    """(1, 'distinct unit') -> '1 distinct unit'; (3, ...) -> '3 distinct units'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def times(n):
    """1 -> 'once', 2 -> 'twice', n -> 'n times'."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def pct(x, digits=1):
    """0.0542 -> '5.4%'; NaN -> 'n/a'."""
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def num(x, digits=3):
    """A loss or ratio with ``digits`` decimals; non-finite -> 'not finite'."""
    return f"{x:.{digits}f}" if math.isfinite(x) else "not finite"


def of_images(rate, n):
    """An error rate as a count of images: (0, 4000) -> 'none of the 4,000'; (0.051, 1000) -> '51 of the 1,000'."""
    wrong = round(rate * n)
    return f"none of the {n:,}" if wrong == 0 else f"all {n:,}" if wrong == n else f"{wrong:,} of the {n:,}"


def sci(x):
    """1.234e-07 -> '1.2e-07' (small spreads); 0 -> '0'."""
    return "0" if x == 0 else f"{x:.2g}" if 1e-3 <= abs(x) < 1e3 else f"{x:.1e}"


def and_list(items):
    """['a', 'b', 'c'] -> 'a, b and c'."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def paragraphs(*texts):
    """The non-empty ``texts`` as Markdown paragraphs."""
    return "\n\n".join(text for text in texts if text)


def mean_last(values, n):
    """Mean of the last ``n`` values (all of them when there are fewer)."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values[max(0, len(values) - n) :]))


def mean_until(values, stop, n):
    """Mean of the ``n`` values before index ``stop`` (fewer when the run is shorter)."""
    return mean_last(np.asarray(values)[:stop], n)


def diverged_line(histories):
    """A bold warning naming the runs of ``histories`` ({label: History}) that diverged, or "" if none did."""
    diverged = {label: h for label, h in histories.items() if h.diverged}
    if not diverged:
        return ""
    runs = and_list([f"{label} (after {plural(h.iterations, 'update')})" for label, h in diverged.items()])
    return (
        f"**Diverged:** {runs}: the loss stopped being finite, so the run was stopped there and its "
        f"numbers below are those of a broken network; lower the learning rate."
    )
