"""``python -m hw1lib bench-widgets``: how long a slider change takes to show new curves.

It builds the explorer on the given data with default settings, then moves the learning-rate
slider by setting its value, exactly as the browser's message does, and times the same
callbacks (observer -> background run -> drawing -> image widget) until the curves image
shows the new run: its first frame (after the first epoch) and its final curves, and until the
latent and confusion views are drawn too. Each trial moves to a new learning rate (never
trained, so it trains) and then back to the default (read from the run cache). Runs go to a
fresh temporary cache, so the user's cache is neither read nor filled. The time for the
browser to receive the image is not included.
"""

import math
import os
import statistics
import tempfile
import time

from ..data.datasets import load_dataset
from ..errors import Hw1libError
from .widgets import Explorer


class BenchError(Hw1libError):
    """A run did not finish within the benchmark's timeout."""


def run_benchmark(data="mnist-5k", repeats=3, timeout=120):
    """Print the latencies of ``repeats`` uncached and cached learning-rate changes."""
    dataset = load_dataset(data)
    with tempfile.TemporaryDirectory(prefix="hw1lib-bench-") as cache:
        old = os.environ.get("HW1LIB_CACHE")
        os.environ["HW1LIB_CACHE"] = cache
        try:
            explorer = Explorer(dataset)
            if not explorer.wait(timeout):
                raise BenchError(f"the first run did not finish within {timeout:g} s")
            print(f"data    {dataset.name}")
            print(f"config  {explorer.config().describe()}")
            print(f"first run (on opening): {explorer.shown.seconds:.2f} s of training")
            print(f"{'change':<22} {'first curves':>12} {'final curves':>12} {'all views':>10}")
            rows = {"uncached": [], "cached": []}
            lr = explorer.controls["lr"]
            default = lr.value
            for trial in range(1, repeats + 1):
                step = (trial + 1) // 2 * (1 if trial % 2 else -1)  # +1, -1, +2, -2, ...: always a new value
                for kind, value in (("uncached", default * 10 ** (0.1 * step)), ("cached", default)):
                    times = time_change(explorer, lr, value, timeout)
                    rows[kind].append(times)
                    print(f"lr {value:<8.3g} {kind:<10} {times[0]:11.3f}s {times[1]:11.3f}s {times[2]:9.3f}s")
        finally:
            if old is None:
                os.environ.pop("HW1LIB_CACHE", None)
            else:
                os.environ["HW1LIB_CACHE"] = old
    for kind, times in rows.items():
        first, final, views = zip(*times, strict=True)
        print(
            f"{kind:<9} median: first curves {statistics.median(first):.3f} s, final curves "
            f"{statistics.median(final):.3f} s, all views {statistics.median(views):.3f} s; "
            f"worst final curves {max(final):.3f} s"
        )
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (timings vary with other work)")
    return 0


def time_change(explorer, control, value, timeout):
    """(first curves, final curves, all views) seconds after ``control.value = value``."""
    seen = {"first": math.nan, "final": math.nan}
    before = explorer.shown

    def on_curves(_change):
        now = time.perf_counter()
        if math.isnan(seen["first"]):
            seen["first"] = now
        if explorer.shown is not before:
            seen["final"] = now

    explorer.curves.observe(on_curves, names="value")
    try:
        start = time.perf_counter()
        control.value = value
        if not explorer.wait(timeout):
            raise BenchError(f"the run for {control.description} {value:g} did not finish within {timeout:g} s")
        done = time.perf_counter()
    finally:
        explorer.curves.unobserve(on_curves, names="value")
    return seen["first"] - start, seen["final"] - start, done - start
