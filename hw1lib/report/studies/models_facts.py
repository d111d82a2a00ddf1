"""Question 1's facts: one flat record read by its figures' captions, its tables and its template.

``models_facts(study)`` turns a ``ModelsStudy`` into numbers, named booleans and enums, and
lists of per-network records; ``text/<lang>/q1.md.j2`` words them. Every quantity is quoted one
way: a network's error rates and losses are means over the seeds (their ranges are in the
tables), and a single run's detail (a mini-batch loss, the first attempt) says which run it is.
"""

import math

import numpy as np

from ...runs.config import RunConfig, display_name
from .. import experiments
from .models import STALL_LOSS

# The test loss counts as far above the training loss from this ratio on, and as close below the other.
FAR_ABOVE, CLOSE = 2.0, 1.25
# The first attempt's loss "moved" when it fell by more than this share of where it started.
MOVED = 0.05
# How a loss ends, by how much its last epoch lowered it: "falling" above FALLING, "slowing" above SLOWING.
FALLING, SLOWING = 0.10, 0.01
# A training loss that rises by more than this share between two evaluations has a setback worth naming.
SETBACK = 0.25
# A network's seeds "end far apart" when their test errors span at least this much.
WIDE = 0.05
# Mini-batch losses averaged in the first attempt's numbers (its first and last updates).
WINDOW = 10


def mean_last(values, n):
    """Mean of the last ``n`` values (all of them when there are fewer)."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values[max(0, len(values) - n) :]))


def mean_until(values, stop, n):
    """Mean of the ``n`` values before index ``stop`` (fewer when the run is shorter)."""
    return mean_last(np.asarray(values)[:stop], n)


def _ending(ending, epochs, values):
    """A loss curve's ending as facts. kind: "rises" (``shapes.ending``: it ends above its lowest point, reached
    before the end), else by how much the last epoch lowered it: "falling" (by more than FALLING of its value),
    "slowing" (by more than SLOWING) or "level"; with its numbers."""
    epochs, values = np.asarray(epochs, dtype=float), np.asarray(values, dtype=float)
    keep = np.isfinite(values)
    epochs, values = epochs[keep], values[keep]
    before = values[np.searchsorted(epochs, epochs[-1] - 1, side="right") - 1] if len(values) > 1 else values[-1]
    last_drop = (before - values[-1]) / before if before > 0 else 0.0
    if ending.kind == "rises":
        kind = "rises"
    else:
        kind = "falling" if last_drop > FALLING else "slowing" if last_drop > SLOWING else "level"
    return {
        "kind": kind,
        "end": ending.end,
        "lowest": ending.lowest,
        "lowest_at": ending.lowest_at,
        "since": ending.since,
        "last_drop": float(last_drop),
    }


def _net(study, m):
    """One compared network's facts."""
    b = study.baselines
    start = m.loss_start()
    mean, _, _ = m.repeated.curve("train_loss")
    test, train = m.final("test_error"), m.final("train_error")
    train_loss, test_loss = m.ending("train_loss"), m.ending("test_loss")
    test_mean, _, _ = m.repeated.curve("test_loss")
    ratio = test_loss.end / train_loss.end if train_loss.end > 0 else math.inf
    gap = test.mean - train.mean
    broken = [h for h in m.repeated.runs if h.diverged]
    epochs = np.asarray(m.repeated.epochs, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rises = np.nan_to_num(mean[1:] / mean[:-1] - 1, nan=0.0, posinf=0.0)
    setback = int(np.argmax(rises)) + 1 if len(rises) and rises.max() > SETBACK else 0
    return {
        "role": m.role,
        "label": m.activation,
        "lr": m.config.lr,
        "test": test.mean,
        "test_low": test.low,
        "test_high": test.high,
        "train": train.mean,
        "train_low": train.low,
        "train_high": train.high,
        "gap": gap,
        "gap_clear": gap > max(test.range, study.resolution),
        "wide": test.range >= WIDE,
        "fits_training": train.high < 0.5 / b.n_train,
        "loss_start": "at_once" if not start.stalls else "never" if start.falls_at is None else "late",
        "stall_share": STALL_LOSS,
        "stall_until": start.until if start.until is not None else 0.0,
        "loss_before": float(mean[0]),
        "loss_first_epoch": float(mean[1]) if len(mean) > 1 else float(mean[0]),
        "train_end": _ending(train_loss, m.repeated.epochs, mean),
        "test_end": _ending(test_loss, m.repeated.epochs, test_mean),
        "loss_apart": "far" if ratio >= FAR_ABOVE else "close" if ratio < CLOSE else "apart",
        "start_slope": m.start_slope,
        # The mean training loss rises by more than SETBACK between two evaluations: where it peaks.
        "setback": bool(setback),
        "setback_at": float(epochs[setback]) if setback else 0.0,
        "setback_from": float(epochs[setback - 1]) if setback else 0.0,
        "diverged": bool(broken),
        "diverged_seeds": [h.config.seed for h in broken],
        "diverged_all": len(broken) == len(m.repeated.runs),
    }


def network_facts(config):
    """A network's settings as the templates word them: its hidden layers, units, activation, initialisation,
    optimiser (name, label and momentum), learning rate, mini-batch size and epochs."""
    return {
        "hidden_layers": len(config.hidden),
        "width": config.hidden[0],
        "same_width": len(set(config.hidden)) == 1,
        "activation": display_name(config.activation),
        "init": config.init_label(),
        "optimiser": config.optimizer,
        "optimiser_label": config.optimizer_label(),
        "momentum": config.momentum,
        "lr": config.lr,
        "batch": config.batch_size,
        "epochs": config.epochs,
    }


def _sweep(study):
    """The validation sweep's facts (appendix B and the Method's one paragraph)."""
    sweep = study.sweep
    space, best, chosen = sweep.space, sweep.best, sweep.chosen
    top = sweep.ranked[:10]
    return {
        "trials": len(sweep.trials),
        "n_val": sweep.n_val,
        "n_fit": sweep.n_fit,
        "fraction": sweep.fraction,
        "split_seed": sweep.seed,
        "depths": list(space.depths),
        "widths": list(space.widths),
        "activations": [display_name(a) for a in space.activations],
        "optimisers": [
            {"name": name, "label": display_name(name), "low": low, "high": high, "momentum": RunConfig().momentum}
            for name, low, high in space.lr_ranges
        ],
        "batch_sizes": list(space.batch_sizes),
        "max_epochs": max(space.epochs),
        "screened": sweep.screen is not None,
        "screen_epochs": sweep.screen.epochs if sweep.screen else 0,
        "kept": len(sweep.trials) - len(sweep.stopped),
        "stopped": len(sweep.stopped),
        "best_val": best.val_error,
        "best_val_images": round(best.val_error * sweep.n_val),
        "best_epoch": best.best_epoch,
        "near": sweep.near_best(),
        "near_images": max(1, round(0.01 * sweep.n_val)),
        "top": len(top),
        "top_stopped": [rank for rank, t in enumerate(top, start=1) if sweep.was_stopped(t)],
        **{f"chosen_{key}": value for key, value in network_facts(chosen).items()},
    }


def _sigmoid_choice(study):
    """How the sigmoid network's learning rate was chosen: the range tried and the rate kept."""
    c = study.sigmoid.config
    low, high = next((lo, hi) for name, lo, hi in study.sweep.space.lr_ranges if name == c.optimizer)
    rates = sorted(t.config.lr for t in study.sigmoid_trials)
    return {
        "sigmoid_rates": len(rates),
        "sigmoid_rate_low": rates[0],
        "sigmoid_rate_high": rates[-1],
        "sweep_rate_low": low,
        "sweep_rate_high": high,
        "stretch": experiments.SIGMOID_STRETCH,
        "sigmoid_init": c.init_label(),
        "sigmoid_lr": c.lr,
        "sigmoid_val": study.sigmoid_trials[0].val_error,
        "sigmoid_best_at_top": c.lr == rates[-1],
    }


def _first_attempt(study):
    """Appendix A's facts: the first sigmoid attempt rerun, and the same network given the full budget."""
    b, first = study.baselines, study.first_attempt
    h, c = first.short, first.short.config
    start, end = float(np.mean(h.batch_loss[:WINDOW])), mean_last(h.batch_loss, WINDOW)
    best_lr = first.best_rate
    best = first.by_rate[best_lr]
    slowest_lr = min(first.by_rate)
    slowest = first.by_rate[slowest_lr]
    near_uniform = max(abs(h.final_train_error - b.uniform_error), abs(h.final_test_error - b.uniform_error)) < 0.01
    return {
        "first_hidden": c.hidden_label(),
        "first_std": c.init_std,
        "first_lr": c.lr,
        "first_updates": h.iterations,
        "first_batch": c.batch_size,
        "first_seed": c.seed,
        "window": WINDOW,
        "first_loss_start": start,
        "first_loss_end": end,
        "first_moved": start - end > MOVED * start,
        "first_train": h.final_train_error,
        "first_test": h.final_test_error,
        "first_near_uniform": near_uniform,
        "first_output_mean": first.start_output_mean,
        "first_output_std": first.start_output_std,
        "first_weight_change": first.weight_change,
        "full_updates": best.iterations,
        "full_epochs": best.epochs_run,
        "rates": [
            {"lr": lr, "loss": run.final_loss, "test": run.final_test_error, "diverged": run.diverged}
            for lr, run in sorted(first.by_rate.items())
        ],
        "slowest_is_first": slowest_lr == c.lr,
        "slowest_updates": slowest.iterations,
        "slowest_loss": slowest.final_loss,
        "longer_helps_little": slowest.final_loss > 0.8 * start,
        "best_rate": best_lr,
        "best_rate_test": best.final_test_error,
        "best_rate_loss_at_first": mean_until(best.batch_loss, h.iterations, WINDOW),
        "first_works": best.final_test_error < b.lowest / 2,
        "rate_ratio": best_lr / c.lr,
    }


def models_facts(study):
    """Question 1's flat facts record (see the module docstring)."""
    b = study.baselines
    nets = [_net(study, m) for m in study.models]
    chosen, sigmoid = nets
    ranked = sorted(nets, key=lambda n: n["test"])
    worst = ranked[-1]["test"]
    stalls = [n for n, m in zip(nets, study.models, strict=True) if n["loss_start"] != "at_once"]
    noisy = study.chosen.repeated.first
    last_epoch = noisy.batch_loss[-noisy.iterations_per_epoch :]
    return {
        "nets": nets,
        "chosen": chosen,
        "sigmoid": sigmoid,
        "best": ranked[0],
        "worst": ranked[-1],
        "tie": study.tie(),
        # Networks one of whose losses still fell clearly in the last epoch; every loss level.
        "unfinished": [n["label"] for n in nets if "falling" in (n["train_end"]["kind"], n["test_end"]["kind"])],
        "all_level": all(n["train_end"]["kind"] == n["test_end"]["kind"] == "level" for n in nets),
        "zoom_clipped": [display_name(m.config.activation) for m in study.error_zoom()[1]],
        # Both networks' losses end the same way, so one sentence describes them.
        "endings_alike": all(n["loss_start"] != "never" for n in nets)
        and len({(n["train_end"]["kind"], n["test_end"]["kind"]) for n in nets}) == 1,
        "ahead_by": ranked[-1]["test"] - ranked[0]["test"],
        "seeds": len(study.seeds),
        "seed_list": list(study.seeds),
        "first_seed": study.seeds[0],
        "epochs": study.chosen.config.epochs,
        "batch": study.chosen.config.batch_size,
        "n_train": b.n_train,
        "n_test": b.n_test,
        "n_classes": b.n_classes,
        "ln_k": math.log(b.n_classes),
        "uniform_error": b.uniform_error,
        "majority_error": b.majority_error,
        "majority_class": b.name(b.majority_class),
        "majority_count": b.train_counts[b.majority_class],
        "baselines_same": b.same,
        "test_per_class": b.test_counts[0] if b.same else 0,
        "standing": "far_below" if worst < b.lowest / 2 else "below" if worst < b.lowest else "not_all",
        # A reason offered for a slow start only when the sigmoid network alone stalls.
        "explain_stall": len(stalls) == 1 and stalls[0]["role"] == "sigmoid",
        "sigmoid_layers": len(study.sigmoid.config.hidden),
        "slope_bound": 0.25 ** len(study.sigmoid.config.hidden),
        "batch_loss_low": float(np.min(last_epoch)),
        "batch_loss_high": float(np.max(last_epoch)),
        "noisy_final_loss": noisy.final_loss,
        **_sweep(study),
        **_sigmoid_choice(study),
        **_first_attempt(study),
    }


def conclusion_facts(facts):
    """The few of question 1's facts the Conclusion words (see ``studies.conclusion``)."""
    keys = ("tie", "ahead_by", "seeds", "epochs", "explain_stall")
    fields = ("label", "test", "test_low", "test_high", "train", "gap", "loss_start", "fits_training")
    nets = {n["role"]: {k: n[k] for k in fields} for n in facts["nets"]}
    sigmoid = facts["sigmoid"]
    other = {"question": 1, "kind": "sigmoid", "test": sigmoid["test"], "low": sigmoid["test_low"]}
    return {
        **{k: facts[k] for k in keys},
        **nets,
        "best_role": facts["best"]["role"],
        "others": [{**other, "high": sigmoid["test_high"], "label": sigmoid["label"]}],
    }
