"""The report's prose and tables, written from the runs: every number in them is computed here.

Each ``*_text`` function returns Markdown (a notebook shows it with ``IPython.display.Markdown``);
each ``*_table`` function returns a pandas DataFrame of formatted values. Sentences that depend
on a result (which model is better, whether the units stayed identical) are chosen by it.
"""
import math

import numpy as np
import pandas as pd

from . import experiments, metrics
from .activations import make_activation
from .sweep_report import optimizer_name


def table(rows):
    """A table of formatted rows (list of dicts) for display, without pandas' numeric index."""
    return pd.DataFrame(rows).style.hide(axis="index")


def count(n, noun):
    """(1, 'distinct unit') -> '1 distinct unit'; (3, ...) -> '3 distinct units'."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def times(count):
    """1 -> 'once', 2 -> 'twice', n -> 'n times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def ratio(x):
    """A spread relative to a mean: 0.047 -> '4.7% of', 4.7 -> '4.7 times'."""
    return f"{100 * x:.2g}% of" if x < 1 else f"{x:.2g} times"


def pct(x, digits=1):
    """0.0542 -> '5.4%'; NaN -> 'n/a'."""
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def num(x, digits=3):
    """A loss or ratio with ``digits`` decimals; non-finite -> 'not finite'."""
    return f"{x:.{digits}f}" if math.isfinite(x) else "not finite"


def sci(x):
    """1.234e-07 -> '1.2e-07' (small spreads); 0 -> '0'."""
    return "0" if x == 0 else f"{x:.2g}" if 1e-3 <= abs(x) < 1e3 else f"{x:.1e}"


def _and(items):
    """['a', 'b', 'c'] -> 'a, b and c'."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _hidden(config):
    return " + ".join(map(str, config.hidden))


def _error_at_epoch(history, epoch):
    """Test error at the evaluation closest to ``epoch``."""
    return float(history.test_error[np.argmin(np.abs(history.eval_epoch - epoch))])


def _chance(history):
    return 1 - 1 / len(history.class_names)


def _mean_last(values, n):
    values = np.asarray(values, dtype=float)
    return float(np.mean(values[max(0, len(values) - n):]))


def _mean_until(values, stop, n):
    """Mean of the ``n`` values before index ``stop`` (fewer when the run is shorter)."""
    return _mean_last(np.asarray(values)[:stop], n)


# Question 1 -------------------------------------------------------------------------------------

def error_cell(history, value):
    """An error rate for a table, marked when the run it comes from diverged."""
    return pct(value) + (" (diverged)" if history.diverged else "")


def diverged_line(histories):
    """A bold warning naming the runs of ``histories`` ({label: History}) that diverged, or "" if none did."""
    diverged = {label: h for label, h in histories.items() if h.diverged}
    if not diverged:
        return ""
    runs = _and([f"{label} (after {count(h.iterations, 'update')})" for label, h in diverged.items()])
    return (f"**Diverged:** {runs}: the loss stopped being finite, so the run was stopped there and its "
            f"numbers below are those of a broken network; lower the learning rate.")


def final_errors_table(histories):
    """One row per run: its settings, final losses and error rates, training time."""
    rows = []
    for label, h in histories.items():
        rows.append({"model": label, "initialisation": experiments.init_label(h.config), "updates": h.iterations,
                     "training loss": num(h.final_loss), "test loss": num(float(h.test_loss[-1])),
                     "training error": error_cell(h, h.final_train_error),
                     "test error": error_cell(h, h.final_test_error), "seconds": f"{h.seconds:.1f}"})
    return table(rows)


def models_text(histories, dataset):
    """Q1 discussion: the runs in ``histories`` ({label: History}) compared on the same budget."""
    ranked = sorted(histories.items(), key=lambda item: item[1].final_test_error)
    (best_label, best), others = ranked[0], ranked[1:]
    c = best.config
    lines = []
    subject = {1: "The model has", 2: "Both models have"}.get(len(histories), f"All {len(histories)} models have")
    rates = {label: h.config.lr for label, h in histories.items()}
    same_rate = len(set(rates.values())) == 1
    differ = "the activation and the initialisation designed for it"
    if not same_rate:
        differ = ("the activation, the initialisation designed for it and the learning rate ("
                  + _and([f"{lr:g} for {label}" for label, lr in rates.items()]) + ")")
    lines.append(
        f"{subject} {_hidden(c)} hidden units, optimiser {optimizer_name(c)} and the budget of {best.iterations:,} "
        f"mini-batch updates of {c.batch_size} images ({best.epochs_run:g} epochs over the "
        f"{len(dataset.train_y):,} training images){f', learning rate {c.lr:g}' if same_rate else ''}, seed {c.seed}."
        + (f" They differ only in {differ}." if others else ""))
    if note := diverged_line(histories):
        lines.append(note)
    versus = "; ".join(f"{label}: {pct(h.final_test_error)} (training {pct(h.final_train_error)})" for label, h in others)
    lines.append(
        f"**Result.** After training, the {best_label} model has "
        f"{'the lowest test error,' if others else 'a test error of'} {pct(best.final_test_error)} "
        f"(training error {pct(best.final_train_error)}){'; ' + versus if others else ''}. Chance is "
        f"{pct(_chance(best))}.")
    if others:
        label, other = others[-1]  # the best against the worst: the clearest contrast
        first = min(1.0, best.epochs_run)
        early_best, early_other = _error_at_epoch(best, first), _error_at_epoch(other, first)
        if early_best <= early_other:
            when = f"The difference shows from the start: after epoch {first:g} the test error is "
        else:
            behind = np.flatnonzero(best.test_error > np.interp(best.eval_epoch, other.eval_epoch, other.test_error))
            when = (f"{label} starts faster and {best_label} overtakes it after epoch "
                    f"{best.eval_epoch[behind[-1]]:g}: after epoch {first:g} the test error is ")
        lines.append(
            f"{when}{pct(early_best)} for {best_label} and {pct(early_other)} for {label}, and the training loss "
            f"falls from {num(float(best.train_loss[0]))} to {num(best.final_loss)} ({best_label}) against "
            f"{num(float(other.train_loss[0]))} to {num(other.final_loss)} ({label}).")
        slopes = {lab: metrics.activation_slope(h, dataset) for lab, h in histories.items()}
        parts = [f"{slopes[lab]:.3f} for {lab} (at most {metrics.max_activation_slope(h.config.activation):g})"
                 for lab, h in histories.items()]
        slowest = min(slopes, key=slopes.get)
        fastest = max(slopes, key=slopes.get)
        boost = ""
        if rates[slowest] > rates[fastest]:
            boost = (f" That is why the {slowest} network needs a larger learning rate: {rates[slowest]:g}, "
                     f"{rates[slowest] / rates[fastest]:.2g} times the {fastest} network's {rates[fastest]:g}.")
        lines.append(
            f"**Why.** Every gradient that reaches the first layer is multiplied by the slope of the activation "
            f"of the unit it passes through. Averaged over the test images and hidden units of the trained "
            f"networks, that slope is {', '.join(parts)}. The {slowest} units pass back the smallest share of the "
            f"gradient, so at the same learning rate their first layer learns the most slowly.{boost}")
    gaps = {label: h.final_test_error - h.final_train_error for label, h in histories.items()}
    listed = _and([f"{100 * gap:+.1f} points for {label}" for label, gap in gaps.items()])
    verdict = (f"each network fits the {len(dataset.train_y):,} training images more closely than new ones"
               if min(gaps.values()) > 0 else "no network does clearly better on its training images than on new ones")
    lines.append(f"**Training versus test.** Test error minus training error: {listed}; {verdict}.")
    settled = []
    for label, h in histories.items():
        low = int(np.nanargmin(h.test_loss))
        rise = float(h.test_loss[-1]) / float(h.test_loss[low]) - 1
        if low < len(h.test_loss) - 1 and rise > 0.05:
            lines.append(
                f"For {label}, the test loss is lowest at epoch {h.eval_epoch[low]:g} ({num(float(h.test_loss[low]))}) "
                f"and {100 * rise:.0f}% higher at the end ({num(float(h.test_loss[-1]))}) while the training loss keeps "
                f"falling: the network grows over-confident on the images it gets wrong, the first sign of "
                f"over-fitting (its test error moves from {pct(float(h.test_error[low]))} to {pct(h.final_test_error)}).")
        else:
            settled.append((label, num(float(h.test_loss[-1]))))
    if settled:
        names = _and([label for label, _ in settled])
        values = _and([value for _, value in settled])
        lines.append(f"For {names}, the test loss is at or near its lowest at the end ({values}): no sign of "
                     f"over-fitting within this budget.")
    noisy = best.batch_loss[-best.iterations_per_epoch:]
    lines.append(
        f"**Noise.** The faint line is the loss of each mini-batch of {c.batch_size} images, measured while "
        f"training: over the last epoch of the {best_label} model it ranges from {num(float(np.min(noisy)))} to "
        f"{num(float(np.max(noisy)))} (standard deviation {num(float(np.std(noisy)))}), around a training-set loss of "
        f"{num(best.final_loss)}. The loss on the whole training and test sets, measured after every epoch, is the "
        f"smooth curve.")
    return "\n\n".join(lines)


def sigmoid_choice_text(trials, result, dataset):
    """How the sigmoid network's learning rate was chosen: ``trials`` (ranked, ``experiments.sigmoid_trials``)
    on the validation split of the sweep ``result``; the test set plays no part."""
    c = trials[0].config
    rates = sorted(t.config.lr for t in trials)
    low, high = next((lo, hi) for name, lo, hi in result.space.lr_ranges if name == c.optimizer)
    scores = _and([f"{pct(t.val_error)} at lr {t.config.lr:g}" for t in sorted(trials, key=lambda t: t.config.lr)])
    layers = len(c.hidden)
    return (
        f"**The sigmoid network.** To compare activations on the same budget, the chosen network is trained again "
        f"with sigmoid units ({c.init} initialisation): the same {count(layers, 'hidden layer')} of {c.hidden[0]} "
        f"units, optimiser {optimizer_name(c)}, mini-batches of {c.batch_size} and {c.epochs} epochs. A learning "
        f"rate that suits {experiments.display_name(result.chosen.activation)} units need not suit sigmoid units, "
        f"so it was chosen the way the main model's was, without the test set: {len(trials)} rates spaced evenly "
        f"on a log scale from {rates[0]:g} to {rates[-1]:g} (the sweep's range for {c.optimizer}, {low:g}-{high:g}, "
        f"its top raised {experiments.SIGMOID_STRETCH:g} times, since a sigmoid's slope is at most a quarter of "
        f"ReLU's) were each trained on the same {result.n_fit:,} images and scored on the same {result.n_val:,} "
        f"validation images by their lowest error after any epoch: {scores}. The sigmoid network below uses "
        f"lr {c.lr:g}, trained, like the main model, on all {len(dataset.train_y):,} training images.")


def seed_report_table(first, sweep, window=10):
    """The seed report's run and the same network trained for the full budget at each learning rate."""
    n = first.iterations
    span = f"loss, updates {max(1, n - window + 1)}-{n}"
    rows = [{"run": f"seed report: lr {first.config.lr:g}", "updates": n,
             span: num(_mean_last(first.batch_loss, window)),
             "final training loss": num(first.final_loss), "final test error": pct(first.final_test_error)}]
    for lr, h in sorted(sweep.items()):
        rows.append({"run": f"lr {lr:g}, full budget", "updates": h.iterations,
                     span: num(_mean_until(h.batch_loss, n, window)),
                     "final training loss": num(h.final_loss), "final test error": pct(h.final_test_error)})
    return table(rows)


def tuned_learning_rate(sweep):
    """The learning rate of ``sweep`` ({lr: History}) with the lowest final training loss (diverged runs
    excluded): how far training got, judged without the test set."""
    finite = {lr: h for lr, h in sweep.items() if not h.diverged}
    return min(finite or sweep, key=lambda lr: (finite or sweep)[lr].final_loss)


def seed_report_text(first, sweep, dataset, window=10):
    """Q1: why the seed report's sigmoid run looked broken, from its curves and a learning-rate sweep."""
    c, n = first.config, first.iterations
    classes = len(first.class_names)
    start_loss = float(np.mean(first.batch_loss[:window]))
    end_loss = _mean_last(first.batch_loss, window)
    moved = start_loss - end_loss
    progress = (f"it fell by {num(moved)}" if moved > 0.05 * start_loss else
                f"no clear change, lost in the noise of mini-batches of {c.batch_size}")
    acts = metrics.initial_activations(first, dataset)
    change = metrics.weight_change(first, dataset)
    tuned = tuned_learning_rate(sweep)
    best = sweep[tuned]
    slowest = sweep[min(sweep)]
    lines = [
        f"**What the seed report saw.** {_hidden(c)} sigmoid units with weights drawn from a normal distribution "
        f"with standard deviation {c.init_std:g}, learning rate {c.lr:g}, {n} updates of {c.batch_size} images. The "
        f"mini-batch loss starts at {num(start_loss)} (mean of the first {window}); a network that gives each of the "
        f"{classes} classes the same probability has loss ln {classes} = {num(math.log(classes))}. After {n} updates "
        f"the mini-batch loss is {num(end_loss)} (mean of the last {window}) and the loss on the whole training set "
        f"{num(first.final_loss)}: {progress}. The training error is "
        f"{pct(first.final_train_error)} and the test error {pct(first.final_test_error)}, against "
        f"{pct(_chance(first))} for guessing. A flat curve at ln {classes} and chance-level errors look like a "
        f"broken network.",
        f"**What the curves say instead.** With such small weights every hidden unit starts in the middle of the "
        f"sigmoid: it outputs {float(acts.mean()):.3f} ± {float(acts.std()):.3f} on the test images, so the network "
        f"first predicts nearly uniform probabilities, hence the loss of ln {classes}. The gradients are small and "
        f"the learning rate is tiny: in {n} updates the first-layer weights moved by {100 * change:.2g}% of their "
        f"size. That is a network that has barely started, not one that cannot learn.",
    ]
    which = "the seed report's rate" if min(sweep) == c.lr else "the smallest rate tried"
    slow = (f"even {slowest.iterations} updates bring the training loss only to"
            if slowest.final_loss > 0.8 * start_loss else f"{slowest.iterations} updates bring the training loss to")
    lr_parts = "; ".join(f"lr {lr:g}: final training loss {num(h.final_loss)}, test error {pct(h.final_test_error)}"
                         for lr, h in sorted(sweep.items()))
    lines.append(
        f"**The same network, trained properly.** From the same starting weights, with the full budget of "
        f"{best.iterations} updates ({best.epochs_run:g} epochs): {lr_parts}. At lr {min(sweep):g}, "
        f"{which}, {slow} {num(slowest.final_loss)}. "
        f"The rate with the lowest final training loss, {tuned:g}, reaches a test error of "
        f"{pct(best.final_test_error)}; its mini-batch loss "
        f"after the same {n} updates is already {num(_mean_until(best.batch_loss, n, window))}.")
    early = f"{best.iterations / n:.3g}× too early at " if best.iterations > n else "at "
    verdict = ("So the model and its backpropagation are sound: the seed report stopped a working network "
               f"{early}a learning rate {tuned / c.lr:g}× too small — under-training, not a faulty model."
               if best.final_test_error < _chance(first) / 2 else
               "Even the rate that trains furthest stays far from a useful error here, so this budget is too small "
               "for the sigmoid network on this data; try more epochs.")
    lines.append(verdict)
    return "\n\n".join(lines)


# Question 2 -------------------------------------------------------------------------------------

def init_table(runs):
    """Final errors for each initialiser (rows) and activation (column groups). runs: {activation: {init: History}}."""
    data = {}
    for activation, by_init in runs.items():
        for init, h in by_init.items():
            row = data.setdefault(experiments.init_label(h.config), {})
            row[(activation, "training error")] = error_cell(h, h.final_train_error)
            row[(activation, "test error")] = error_cell(h, h.final_test_error)
    table = pd.DataFrame.from_dict(data, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "initialisation"
    return table


def _growth_per_epoch(sym):
    """Factor by which the relative spread across units grows per epoch, fitted over the stages where it is > 0."""
    scale = np.where(sym["stage_scale"] > 0, sym["stage_scale"], 1.0)
    relative = sym["stage_spread"] / scale
    keep = relative > 0
    if keep.sum() < 2:
        return None
    slope = np.polyfit(sym["stages"][keep], np.log(relative[keep]), 1)[0]
    return float(np.exp(slope))


def _zero_text(activation, zero, sym, best_random, random_sym):
    """The zero-initialisation paragraph for one activation, chosen by what the run recorded."""
    eps = float(np.finfo(np.float32).eps)
    units, iterations = sym["units"], zero.iterations
    predicted = np.unique(zero.test_pred)
    unit = make_activation(zero.config.activation)
    at_zero = float(unit.forward(np.zeros((1, 1), dtype=np.float32))[0, 0])
    rival = f"{experiments.init_label(best_random.config)} initialisation"

    def distinct(s):
        return f"all {s['units']} units differ" if s["distinct_end"] == s["units"] else \
            f"{s['distinct_end']} of {s['units']} units differ"
    if sym["act_scale_end"] == 0 and sym["act_spread_end"] == 0:
        nonzero_w2 = int(np.count_nonzero(zero.params["W2"]))
        w2 = ("are all still 0 too" if nonzero_w2 == 0 else
              f"have {nonzero_w2:,} non-zero entries of {zero.params['W2'].size:,}")
        only = (f"class {zero.class_names[predicted[0]]} for all {len(zero.test_pred):,} test images"
                if len(predicted) == 1 else f"only {len(predicted)} different classes")
        moved = ("are all still exactly 0" if sym["w1_scale_end"] == 0
                 else f"moved only to a largest magnitude of {sci(sym['w1_scale_end'])}")
        return (
            f"**{activation}, zero initialisation: stuck.** After {iterations:,} updates the {sym['weights']:,} "
            f"first-layer weights {moved}, and every one of the {units} hidden units outputs exactly 0 for every test "
            f"image (spread across units: {sci(sym['act_spread_end'])}). The next layer's weights {w2}. Every hidden "
            f"input is x·0 + 0 = 0 and {activation}(0) = {at_zero:g}, so the "
            f"gradient of the next layer's weights (hidden outputs × output error) is 0, and the gradient of the "
            f"first layer passes through those zero weights and is 0 too: no weight ever moves, only the output "
            f"biases learn the class frequencies. The network predicts {only}: test error "
            f"{pct(zero.final_test_error)}, chance level, against {pct(best_random.final_test_error)} with {rival}.")
    text = (
        f"**{activation}, zero initialisation: symmetric.** Every hidden unit starts with the same (zero) weights "
        f"and outputs {activation}(0) = {at_zero:g} on every image; the next layer's weights therefore learn "
        f"the same value for every unit, every unit receives the same gradient and takes the same step. In exact "
        f"arithmetic the {units} units would stay copies of each other for ever, and the layer would compute a "
        f"single feature.")
    if "stages" in sym:
        scale = np.where(sym["stage_scale"] > 0, sym["stage_scale"], 1.0)
        relative = sym["stage_spread"] / scale
        exact = sym["stages"][relative == 0]
        first_nonzero = np.flatnonzero(relative > 0)
        until = "before training" if len(exact) and exact.max() == 0 else f"up to epoch {exact.max():g}" if len(exact) else ""
        text += (f" The record of the hidden units on the test set shows it: their spread across units is exactly 0 "
                 f"{until}" if len(exact) else " The record of the hidden units shows")
        if len(first_nonzero):
            i = first_nonzero[0]
            text += (f", then {sci(relative[i])} of the mean activation at epoch {sym['stages'][i]:g}, the size of "
                     f"float32 rounding (2^-23 = {eps:.2g}): the matrix products round slightly differently for "
                     f"different columns.")
        else:
            text += "."
        growth = _growth_per_epoch(sym)
        final_relative = relative[-1]
        if final_relative > 1e-3 and growth is not None:
            text += (
                f" Training amplifies these rounding differences, by about ×{growth:.3g} per epoch, so by epoch "
                f"{sym['stages'][-1]:g} the units differ by {ratio(final_relative)} their mean activation. Yet they "
                f"split into only {sym['distinct_end']} distinct groups of identical units (within 1% of the mean "
                f"activation): the {units}-unit layer works like a {sym['distinct_end']}-unit one. The network learns "
                f"a little, test error {pct(float(zero.test_error[0]))} at the start and {pct(zero.final_test_error)} "
                f"at the end. This is symmetry broken by accident, late and only partly, by rounding noise; with "
                f"{rival} it is broken before the first update, {distinct(random_sym)}, "
                f"and the test error is {pct(best_random.final_test_error)}.")
        else:
            text += (
                f" The units stay identical up to float32 rounding for the whole run (relative spread "
                f"{sci(final_relative)} at the end, {count(sym['distinct_end'], 'distinct unit')}), so the network can use "
                f"only one feature: test error {pct(zero.final_test_error)}, against "
                f"{pct(best_random.final_test_error)} with {rival}.")
    else:
        text += (f" At the end of training the spread across units is {sci(sym['act_spread_end'])} "
                 f"(mean activation {sci(sym['act_scale_end'])}); test error {pct(zero.final_test_error)}.")
    return text


def _init_std(config, fan_in, fan_out):
    """The standard deviation the initialiser of ``config`` draws the first layer's weights with."""
    return {"zero": 0.0, "normal": config.init_std, "xavier": math.sqrt(2 / (fan_in + fan_out)),
            "he": math.sqrt(2 / fan_in)}[config.init]


def init_text(runs, symmetries, dataset):
    """Q2 discussion. runs: {activation: {init: History}}; symmetries: the same shape, ``metrics.symmetry`` dicts."""
    first = next(iter(next(iter(runs.values())).values()))
    fan_in, fan_out = dataset.n_features, first.config.hidden[0]
    normal = next(iter(runs.values()))["normal"].config
    lines = [
        f"Four ways to start the {fan_in} × {fan_out} first-layer weights: all zero; normal with a fixed standard "
        f"deviation of {normal.init_std:g}; Xavier, std √(2 / (fan_in + fan_out)) = "
        f"{_init_std(normal.replace(init='xavier'), fan_in, fan_out):.4f}; He, std √(2 / fan_in) = "
        f"{_init_std(normal.replace(init='he'), fan_in, fan_out):.4f}. Each network trains for "
        f"{first.config.epochs * first.iterations_per_epoch:,} updates with learning rate {first.config.lr:g}."]
    every_run = {f"{activation} with {experiments.init_label(h.config)} init": h
                 for activation, by_init in runs.items() for h in by_init.values()}
    if note := diverged_line(every_run):
        lines.append(note)
    for activation, by_init in runs.items():
        random = {i: h for i, h in by_init.items() if i != "zero"}
        best_init = min(random, key=lambda i: random[i].final_test_error)
        best = random[best_init]
        errs = ", ".join(f"{pct(h.final_test_error)} ({experiments.init_label(h.config)})" for h in by_init.values())
        lines.append(f"**{activation}.** Test error after training: {errs}.")
        if "xavier" in random and "he" in random:
            gap = abs(random["xavier"].final_test_error - random["he"].final_test_error)
            if gap < 0.005:
                ends = "with the same test error" if gap == 0 else f"within {100 * gap:.1f} points of each other"
                lines.append(f"Xavier and He end {ends}: for a layer of {fan_in} inputs and {fan_out} outputs "
                             f"their standard deviations are close.")
        if "normal" in random and best_init != "normal":
            h = random["normal"]
            std_n, std_b = _init_std(h.config, fan_in, fan_out), _init_std(best.config, fan_in, fan_out)
            size = "smaller" if std_n < std_b else "larger"
            effect = ("signals and gradients shrink on their way through the layers at the start"
                      if std_n < std_b else "units start further from their useful range")
            lines.append(
                f"The fixed std {std_n:g} is {size} than {experiments.display_name(best_init)}'s {std_b:.4f}, so "
                f"{effect}: after epoch 1 the test error is {pct(_error_at_epoch(h, 1))} with "
                f"{experiments.init_label(h.config)} and {pct(_error_at_epoch(best, 1))} with "
                f"{experiments.display_name(best_init)}.")
        lines.append(_zero_text(activation, by_init["zero"], symmetries[activation]["zero"], best,
                                symmetries[activation][best_init]))
    spreads = "; ".join(
        f"{sci(symmetries[activation][best]['act_spread_end'])} for {activation} with "
        f"{experiments.display_name(best)}, whose {symmetries[activation][best]['distinct_end']} units are all "
        f"distinct" if symmetries[activation][best]["distinct_end"] == symmetries[activation][best]["units"] else
        f"{sci(symmetries[activation][best]['act_spread_end'])} for {activation} with "
        f"{experiments.display_name(best)}"
        for activation, by_init in runs.items()
        for best in [min((i for i in by_init if i != "zero"), key=lambda i: by_init[i].final_test_error)])
    lines.append(
        f"**Why random initialisation works.** Random weights give every unit its own starting point, so the units "
        f"receive different gradients from the first update and learn different features. At the end of training "
        f"two units' activations on one test image differ by up to {spreads}.")
    return "\n\n".join(lines)


# Question 3 -------------------------------------------------------------------------------------

def pick_stages(stages, count=6):
    """Indices of ``count`` recorded stages for a grid, evenly spaced through the record from the first to the
    last (the stages themselves are spaced geometrically, so early training gets its share)."""
    n = len(stages)
    return sorted(set(np.linspace(0, n - 1, min(count, n)).round().astype(int).tolist()))


def latent_table(stats, history, picks):
    """One row per grid stage: update, 5-NN error, scatter ratio, radius holding 99% of the points."""
    rows = []
    for i in picks:
        stage = float(stats["stages"][i])
        rows.append({"epoch": f"{stage:g}", "update": round(stage * history.iterations_per_epoch),
                     "5-NN error (2-D)": pct(float(stats["knn_error"][i])),
                     "between/within scatter": num(float(stats["scatter_ratio"][i]), 2),
                     "99% of |coordinates| below": f"{float(stats['scale'][i]):.3g}",
                     "both coordinates < 0": pct(float(stats["negative"][i]), 0)})
    return table(rows)


def latent_text(stats, history, labels, baseline=None):
    """Q3 discussion from the per-stage separation of the 2-node layer (``metrics.latent_stage_stats``).

    labels: (n_test,) true classes of the test images.
    baseline: optionally the same network without its 2-unit layer (``experiments.without_latent``), for
    the cost of squeezing through two units.
    """
    c = history.config
    stages, knn, ratio = stats["stages"], stats["knn_error"], stats["scatter_ratio"]
    lines = [
        f"The network has hidden layers {' → '.join(map(str, c.hidden))} with "
        f"{experiments.display_name(c.activation)} units, inputs "
        f"standardised (zero mean, unit variance over the training pixels), learning rate {c.lr:g}, "
        f"{history.epochs_run:g} epochs. The last hidden layer has 2 units, so the output layer sees every image as a "
        f"point in the plane; its outputs on the {len(history.test_pred):,} test images were recorded at "
        f"{len(stages)} stages, from before training to update {history.iterations:,}. How well the classes are "
        f"separated at each stage is measured in that plane: the error of a 5-nearest-neighbour vote among the other "
        f"test points, and the ratio of between-class to within-class scatter."]
    if note := diverged_line({"the latent network": history}):
        lines.append(note)
    lines.append(
        f"**Before training** the classes largely overlap: 5-NN error {pct(float(knn[0]))} (chance "
        f"{pct(_chance(history))}), scatter ratio {num(float(ratio[0]), 2)}; the points come from random weights "
        f"and only reflect how similar the raw images are.")
    collapsed = np.flatnonzero(stats["negative"] > 0.5)
    if len(collapsed) and c.activation in ("relu", "leaky_relu"):
        i = collapsed[0]
        lines.append(
            f"**Early on** the first updates push most images to where both latent units are negative: at epoch "
            f"{stages[i]:g}, {pct(float(stats['negative'][i]), 0)} of the test images have both coordinates below 0, "
            f"where {experiments.display_name(c.activation)} is flat or nearly so and the points crowd into a small "
            f"region. The picture has to "
            f"recover from there.")
    steps = np.diff(knn)
    if len(steps) and steps.min() < 0:
        j = int(np.argmin(steps))
        lines.append(
            f"**The largest change** comes between epoch {stages[j]:g} and {stages[j + 1]:g}: the 5-NN error drops from "
            f"{pct(float(knn[j]))} to {pct(float(knn[j + 1]))} as the classes move apart into separate regions.")
    best = int(np.argmin(knn))
    lines.append(
        f"**At the end** (epoch {stages[-1]:g}) the 5-NN error in the plane is {pct(float(knn[-1]))} and the scatter "
        f"ratio {num(float(ratio[-1]), 2)} ({float(ratio[-1]) / max(float(ratio[0]), 1e-12):.3g} times its starting "
        f"value); the best stage was epoch {stages[best]:g} with {pct(float(knn[best]))}. The points also "
        f"{'spread out' if stats['scale'][-1] > stats['scale'][0] else 'draw together'}: 99% of the coordinates lie below {float(stats['scale'][0]):.3g} in size before training and below "
        f"{float(stats['scale'][-1]):.3g} at the end — each panel is zoomed to its own points.")
    conf = metrics.confusion_matrix(labels, history.test_pred, len(history.class_names))
    pairs = metrics.most_confused_pairs(conf, k=1)
    if pairs:
        t, p, count = pairs[0]
        names = history.class_names
        lines.append(
            f"The classes that overlap most in the final picture are {names[t]} and {names[p]}: the network reads "
            f"{count} of the {int(conf[t].sum())} test images of {names[t]} as {names[p]} (and "
            f"{int(conf[p, t])} the other way round).")
    if baseline is not None:
        lines.append(
            f"The network's own test error is {pct(history.final_test_error)}, against "
            f"{pct(baseline.final_test_error)} for the same network trained the same way without the 2-unit layer "
            f"(hidden layers {' → '.join(map(str, baseline.config.hidden))})"
            + (": two numbers per image are all the output layer gets, and classes that need more than a direction "
               "and a distance in the plane to be told apart end up sharing a region."
               if history.final_test_error > baseline.final_test_error else
               ": on these images the two numbers per image cost the output layer nothing."))
    return "\n\n".join(lines)


# Question 4 -------------------------------------------------------------------------------------

def per_class_table(conf, class_names):
    """One row per true class: test images, errors, error rate, and the class it is most often taken for."""
    errors = metrics.per_class_error(conf)
    off = conf.copy()
    np.fill_diagonal(off, 0)
    rows = []
    for k, name in enumerate(class_names):
        worst = int(np.argmax(off[k]))
        rows.append({"class": name, "test images": int(conf[k].sum()), "errors": int(off[k].sum()),
                     "error rate": pct(float(errors[k])),
                     "most often taken for": f"{class_names[worst]} ({int(off[k, worst])})" if off[k, worst] else "-"})
    return table(rows)


def _pair_similarity(correlation, t, p):
    """(correlation of the two classes' mean images, its rank among all class pairs, number of pairs, median)."""
    upper = correlation[np.triu_indices_from(correlation, k=1)]
    value = float(correlation[t, p])
    return value, int(np.sum(upper > value)) + 1, len(upper), float(np.median(upper))


def confused_pairs_table(conf, class_names, correlation, k=5):
    """The ``k`` most frequent confusions: counts both ways, share of the class, mean-image correlation."""
    rows = []
    for t, p, count in metrics.most_confused_pairs(conf, k):
        value, rank, pairs, _ = _pair_similarity(correlation, t, p)
        rows.append({"true": class_names[t], "predicted": class_names[p], "images": count,
                     "share of the true class": pct(count / conf[t].sum()),
                     "the other way round": int(conf[p, t]),
                     "mean-image correlation (rank)": f"{value:.2f} ({rank} of {pairs})"})
    return table(rows)


def confusion_text(conf, history, correlation, confidence=None):
    """Q4 discussion of the confusion matrix ``conf`` of ``history``'s final predictions.

    correlation: ``metrics.class_mean_correlation`` of the test images; confidence: optional (n_errors,)
    probabilities the network gave its wrong answers.
    """
    names = history.class_names
    n, wrong = int(conf.sum()), int(conf.sum() - np.trace(conf))
    errors = metrics.per_class_error(conf)
    order = np.argsort(-np.nan_to_num(errors, nan=-1))
    lines = [
        f"The network of question 1 ({history.config.describe()}) gets {wrong} of the {n:,} test images wrong: test "
        f"error {pct(wrong / n)}, against {pct(history.final_train_error)} on the training images."]
    if note := diverged_line({"this network": history}):
        lines.append(note)
    if wrong == 0:
        lines.append("With no mistakes on the test set there is nothing to confuse: the matrix is diagonal.")
        return "\n\n".join(lines)
    hardest = ", ".join(f"{names[k]} ({pct(float(errors[k]))})" for k in order[:3])
    easiest = order[-1]
    lines.append(
        f"**By class.** The error rate per class runs from {pct(float(errors[easiest]))} for {names[easiest]} to "
        f"{pct(float(errors[order[0]]))} for {names[order[0]]}. The hardest classes are {hardest}; "
        f"{np.sum(errors > wrong / n)} of the {len(names)} classes are above the overall rate.")
    pairs = metrics.most_confused_pairs(conf, 5)
    if pairs:
        t, p, count = pairs[0]
        value, rank, total, median = _pair_similarity(correlation, t, p)
        reverse = int(conf[p, t])
        both = (f"and {names[p]} is read as {names[t]} {times(reverse)}, so the confusion runs both ways"
                if reverse else f"but {names[p]} is never read as {names[t]}")
        covered = sum(c for _, _, c in pairs)
        lines.append(
            f"**Most confused.** The most frequent mistake is {names[t]} read as {names[p]}: {count} images, "
            f"{pct(count / conf[t].sum())} of the test images of {names[t]} and {pct(count / wrong)} of all errors; "
            f"{both}. The "
            f"{len(pairs)} most frequent confusions together make up {pct(covered / wrong)} of the errors, spread over "
            f"{int(np.count_nonzero(conf - np.diag(np.diag(conf))))} of the {len(names) * (len(names) - 1)} possible "
            f"(true, predicted) pairs.")
        alike = rank <= total / 3
        lines.append(
            f"**Why these.** The average test image of {names[t]} and that of {names[p]} have a correlation of "
            f"{value:.2f}, rank {rank} of the {total} class pairs (median {median:.2f}): "
            + ("these classes look alike even on average, so a stroke more or less turns one into the other."
               if alike else
               "on average they do not look especially alike, so these mistakes come from individual "
               "handwriting (slanted, thick or broken strokes) rather than from the typical shapes.")
            + " The gallery of misclassified test images shows such mistakes with the network's answer.")
    if confidence is not None and len(confidence):
        confidence = np.asarray(confidence)
        median = float(np.median(confidence))
        lines.append(
            f"**How sure it was.** The network gave its wrong answer a probability above 90% for "
            f"{int(np.sum(confidence > 0.9))} of the {len(confidence)} mistakes; the median is {pct(median, 0)}. "
            + ("Most wrong answers were given with better than even odds: the softmax output does not signal "
               "when the network is wrong." if median > 0.5 else
               "Most wrong answers were close calls, where a second class had nearly as much probability."))
    if history.final_train_error < (wrong / n) / 2:
        lines.append(
            f"On the training images the error is only {pct(history.final_train_error)}, so most of these confusions "
            f"are a matter of generalising to new handwriting; more training data or regularisation would address "
            f"them more than a longer training run.")
    return "\n\n".join(lines)
