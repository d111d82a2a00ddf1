"""The few ways the templates write numbers and lists: percentages, counts, plurals, lists."""

import math

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def percent(x, digits=1):
    """0.0542 -> '5.4%'; None or NaN -> 'n/a'."""
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def points(x, digits=1):
    """A difference of two rates in percentage points: 0.038 -> '3.8 points'."""
    return f"{100 * abs(x):.{digits}f} points"


def count(n):
    """4000 -> '4,000'."""
    return f"{int(n):,}"


def number_word(n):
    """Small counts as words, as prose writes them: 3 -> 'three'; 12 -> '12'."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def plural(n, noun, many=None, words=False):
    """(1, 'seed') -> '1 seed'; (3, 'seed') -> '3 seeds'; ``many`` for irregular plurals; ``words`` writes
    small counts as words ('three seeds')."""
    amount = number_word(n) if words else f"{n:,}"
    return f"{amount} {noun if n == 1 else many or noun + 's'}"


def join(items, last="and"):
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = [str(item) for item in items]
    return ", ".join(items[:-1]) + f" {last} {items[-1]}" if len(items) > 1 else "".join(items)


def capital(text):
    """The text with its first letter capitalised."""
    text = str(text)
    return text[:1].upper() + text[1:]


def decimal(x, digits=2):
    """A plain number with ``digits`` significant digits: 0.04391 -> '0.044'."""
    return f"{x:.{digits}g}"


def fixed(x, digits=3):
    """A loss or other plain number with ``digits`` decimals, so close values stay apart: 2.3026 -> '2.303'."""
    return f"{x:.{digits}f}" if math.isfinite(x) else "not finite"


def degrees(x):
    """An angle in whole degrees: 5.77 -> '6°'."""
    return f"{x:.0f}°"


def times(x, digits=2):
    """A ratio as 'n times', with ``digits`` significant digits: 3.75 -> '3.8 times'; 1 -> 'once'."""
    return "once" if f"{x:.{digits}g}" == "1" else f"{x:.{digits}g} times"


def classes(labels, numbered):
    """Class labels as prose names them: (['3'], True) -> 'class 3'; (['4', '9'], True) -> 'classes 4 and 9';
    (['Shirt', 'Coat'], False) -> 'Shirt and Coat'."""
    labels = list(labels)
    if not numbered:
        return join(labels)
    return ("class " if len(labels) == 1 else "classes ") + join(labels)


def probability(x):
    """A probability or share to one decimal that never rounds to a certainty it is not: 0.9997 -> '>99.9%',
    0.0003 -> '<0.1%', 1.0 -> '100.0%', 0.812 -> '81.2%'."""
    x = float(x)
    if 0.9995 <= x < 1:
        return ">99.9%"
    if 0 < x < 0.0005:
        return "<0.1%"
    return percent(x)


def correlation(x, digits=2):
    """A correlation to ``digits`` decimals with a true minus sign: -0.3 -> '−0.30'."""
    return f"{x:.{digits}f}".replace("-", "\u2212")


def scientific(x):
    """A small number in scientific notation: 8.7e-10."""
    return f"{x:.1e}"


FILTERS = {
    "scientific": scientific,
    "fixed": fixed,
    "percent": percent,
    "points": points,
    "count": count,
    "number_word": number_word,
    "plural": plural,
    "join": join,
    "capital": capital,
    "decimal": decimal,
    "degrees": degrees,
    "times": times,
    "classes": classes,
    "probability": probability,
    "correlation": correlation,
}
