"""A network trained several times, with different seeds: its numbers as a mean and a range.

A seed draws the starting weights and the order of the mini-batches, so runs that differ only in
it show how much of a result is luck. Two results are called a tie when they differ by no more
than either one's seed-to-seed range, and never by less than one test image.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ...common import count as check_count


def seed_list(seed, seeds):
    """The ``seeds`` consecutive seeds starting at ``seed``: (seed, seed + 1, ...)."""
    return tuple(range(seed, seed + check_count("seeds", seeds)))


@dataclass(frozen=True)
class Spread:
    """One number measured on every seed: values in seed order (the first is the figure's seed)."""

    values: tuple

    @classmethod
    def of(cls, values):
        return cls(tuple(float(v) for v in values))

    @property
    def mean(self):
        return float(np.mean(self.values))

    @property
    def low(self):
        return float(np.min(self.values))

    @property
    def high(self):
        return float(np.max(self.values))

    @property
    def range(self):
        return self.high - self.low

    @property
    def finite(self):
        return bool(np.all(np.isfinite(self.values)))

    def percent(self, digits=1):
        """'5.1% (4.9–5.3%)': the mean and, over several seeds, the lowest and highest; '5.1%' for one seed."""
        return self._spread(100, "%", digits)

    def text(self, digits=3):
        """A loss or other plain number: '0.221 (0.215–0.230)' over several seeds, '0.221' for one."""
        return self._spread(1, "", digits)

    def _spread(self, scale, unit, digits):
        if not self.finite:
            return "not finite"
        mean, low, high = (f"{scale * v:.{digits}f}" for v in (self.mean, self.low, self.high))
        if len(self.values) == 1:
            return f"{mean}{unit}"
        if low == high:  # a range from 90.0 to 90.0 says nothing a reader needs the brackets for
            return f"{mean}{unit} (every seed)"
        return f"{mean}{unit} ({low}–{high}{unit})"

    def ties(self, other, resolution=0.0):
        """True when the seeds cannot order the two: their ranges overlap, or the means differ by no more
        than ``resolution`` (one test image). A gap smaller than one network's wide range is no tie when
        every seed of one network is below every seed of the other."""
        overlap = self.low <= other.high and other.low <= self.high
        return overlap or abs(self.mean - other.mean) <= resolution


@dataclass(frozen=True)
class Repeated:
    """One network (``config``, at its first seed) trained once per seed: ``runs`` in seed order.

    Every run is evaluated at the same epochs, so curves average point by point; a run that
    diverged stopped early, and its missing or non-finite points are left out of the mean.
    """

    config: object
    runs: tuple

    @property
    def seeds(self):
        return tuple(h.config.seed for h in self.runs)

    @property
    def first(self):
        """The run at the first seed: the one figures draw single-run details of."""
        return self.runs[0]

    @property
    def epochs(self):
        return max((h.eval_epoch for h in self.runs), key=len)

    def final(self, name):
        """Spread of the last value of the curve ``name`` (test_error, train_error, test_loss, train_loss)."""
        return Spread.of(float(getattr(h, name)[-1]) for h in self.runs)

    def curve(self, name):
        """(mean, low, high) of the curve ``name`` over the seeds, one entry per evaluation."""
        stack = np.full((len(self.runs), len(self.epochs)), np.nan)
        for row, h in zip(stack, self.runs, strict=False):
            values = np.asarray(getattr(h, name), dtype=float)
            row[: len(values)] = np.where(np.isfinite(values), values, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an evaluation no run reached stays NaN
            return np.nanmean(stack, axis=0), np.nanmin(stack, axis=0), np.nanmax(stack, axis=0)

    @property
    def diverged(self):
        return any(h.diverged for h in self.runs)

    def diverged_label(self, label):
        """{label: first diverged run} for ``words.diverged_line``, naming the seeds when not every one diverged;
        {} when no run did."""
        broken = [h for h in self.runs if h.diverged]
        if not broken:
            return {}
        if len(broken) < len(self.runs):
            seeds = ", ".join(str(h.config.seed) for h in broken)
            label = f"{label}, seed{'s' if len(broken) > 1 else ''} {seeds}"
        return {label: broken[0]}
