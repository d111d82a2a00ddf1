"""What a curve does, read off the curve itself, so the word a sentence uses is the shape the figure draws.

Each function takes the x values (epochs) and the y values of one curve and returns a small
record of plain numbers; the prose turns a record into words ("keeps falling", "levels off",
"rises", "jumps") and always prints the numbers the word stands for.
"""

from dataclasses import dataclass

import numpy as np

# A curve "levels off" when its last third changes by less than this share of its value there.
LEVEL = 0.2
# A falling curve "rises again" when it ends this share above its lowest point.
RISE = 0.05


@dataclass(frozen=True)
class Ending:
    """How a curve that falls (a loss) ends.

    kind: "keeps falling" (down by more than LEVEL over the last third of the run), "rises" (its
    last value is more than RISE above its lowest, reached before the end), or "levels off".
    lowest / lowest_at: its lowest value and the epoch of it; end: its last value; since: for
    "levels off", the epoch from which every later value is within LEVEL of the last one.
    """

    kind: str
    lowest: float
    lowest_at: float
    end: float
    since: float


def ending(epochs, values):
    epochs, values = np.asarray(epochs, dtype=float), np.asarray(values, dtype=float)
    keep = np.isfinite(values)
    epochs, values = epochs[keep], values[keep]
    low = int(np.argmin(values))
    end = float(values[-1])
    third = int(np.searchsorted(epochs, epochs[-1] - (epochs[-1] - epochs[0]) / 3))
    start = float(values[min(third, len(values) - 1)])
    if low < len(values) - 1 and end > values[low] * (1 + RISE):
        kind = "rises"
    elif start > 0 and (start - end) / start > LEVEL:
        kind = "keeps falling"
    else:
        kind = "levels off"
    near = np.abs(values - end) <= LEVEL * abs(end)
    since = len(values) - 1
    while since > 0 and near[since - 1]:
        since -= 1
    return Ending(kind, float(values[low]), float(epochs[low]), end, float(epochs[since]))


@dataclass(frozen=True)
class Start:
    """How long a curve stays at its starting level before it falls below ``threshold``.

    falls_at: the first epoch at which it is below (None if it never is); until: the last epoch
    before that (None when it starts below); low / high: the range of its values up to then.
    """

    falls_at: float | None
    until: float | None
    low: float
    high: float

    @property
    def stalls(self):
        """True when the curve is still above the threshold after its first evaluation past the start."""
        return self.falls_at is None or (self.until is not None and self.until > 0)


def start(epochs, values, threshold):
    epochs, values = np.asarray(epochs, dtype=float), np.asarray(values, dtype=float)
    below = np.flatnonzero(~(values >= threshold))  # a non-finite value counts as fallen too
    stop = int(below[0]) if len(below) else len(values)
    part = values[:stop] if stop else values[:1]
    return Start(
        float(epochs[stop]) if len(below) else None,
        float(epochs[stop - 1]) if stop else None,
        float(np.min(part)),
        float(np.max(part)),
    )


@dataclass(frozen=True)
class Growth:
    """How a quantity that starts at exactly 0 grows (the spread between units that start identical).

    kind: "zero" (0 at every stage), "flat" (every value above 0 within a factor of 10 of the
    others), "jump" (one step between consecutive stages multiplies it by 100 or more and holds at
    least 90% of the growth, on a log scale, and the values after it stay within a factor of 10),
    "steady" (the same factor per epoch, within a factor of 3 between steps) or "uneven".
    zero_until: the last stage at which it is exactly 0 (None if never); first / first_at: the
    first value above 0 and its stage; jump_from / jump_to / factor: the largest step between
    stages and its factor; end: the last value; after_low / after_high: its range after the jump;
    per_epoch: the mean factor per epoch from the first value above 0 to the last.
    """

    kind: str
    zero_until: float | None
    first: float = 0.0
    first_at: float = 0.0
    jump_from: float = 0.0
    jump_to: float = 0.0
    factor: float = 1.0
    end: float = 0.0
    after_low: float = 0.0
    after_high: float = 0.0
    per_epoch: float = 1.0


def growth(stages, values):
    stages, values = np.asarray(stages, dtype=float), np.asarray(values, dtype=float)
    positive = np.flatnonzero(values > 0)
    zeros = np.flatnonzero(values == 0)
    zero_until = (
        float(stages[zeros[zeros < (positive[0] if len(positive) else len(values))]].max())
        if len(zeros) and (not len(positive) or zeros[0] < positive[0])
        else None
    )
    if not len(positive):
        return Growth("zero", zero_until)
    xs, logs = stages[positive], np.log10(values[positive])
    first, end = float(values[positive[0]]), float(values[positive[-1]])
    per_epoch = 10 ** ((logs[-1] - logs[0]) / (xs[-1] - xs[0])) if len(xs) > 1 and xs[-1] > xs[0] else 1.0
    if len(xs) < 2:
        return Growth("flat", zero_until, first, float(xs[0]), end=end, after_low=end, after_high=end)
    steps = np.diff(logs)
    big = int(np.argmax(steps))
    total = logs.max() - logs[0]
    after = values[positive[big + 1 :]]
    fields = dict(
        first=first,
        first_at=float(xs[0]),
        jump_from=float(xs[big]),
        jump_to=float(xs[big + 1]),
        factor=float(10 ** steps[big]),
        end=end,
        after_low=float(after.min()),
        after_high=float(after.max()),
        per_epoch=float(per_epoch),
    )
    if values[positive].max() <= 10 * values[positive].min():
        return Growth("flat", zero_until, **fields)
    if steps[big] >= 2 and steps[big] >= 0.9 * total and after.max() / after.min() <= 10:
        return Growth("jump", zero_until, **fields)
    rates = steps / np.diff(xs)
    if np.all(rates > 0) and rates.max() - rates.min() <= np.log10(3):
        return Growth("steady", zero_until, **fields)
    return Growth("uneven", zero_until, **fields)
