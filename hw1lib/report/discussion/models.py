"""Question 1: the learning curves, training and test error of the chosen model and its sigmoid
counterpart, and why the first sigmoid run looked broken.

``models_text`` and ``seed_report_text`` join one function per paragraph; each paragraph reads
the same histories the figures beside it are drawn from.
"""
import math

import numpy as np

from ...runs.config import display_name
from .. import experiments, metrics
from .words import (and_list, diverged_line, error_at_epoch, error_cell, mean_last, mean_until, num, paragraphs,
                    pct, plural, styled_table)


def final_errors_table(histories):
    """One row per run: its settings, final losses and error rates, training time."""
    rows = []
    for label, h in histories.items():
        rows.append({"model": label, "initialisation": h.config.init_label(), "updates": h.iterations,
                     "training loss": num(h.final_loss), "test loss": num(float(h.test_loss[-1])),
                     "training error": error_cell(h, h.final_train_error),
                     "test error": error_cell(h, h.final_test_error), "seconds": f"{h.seconds:.1f}"})
    return styled_table(rows)


def models_text(histories, dataset):
    """Q1 discussion: the runs in ``histories`` ({label: History}) compared on the same budget."""
    ranked = sorted(histories.items(), key=lambda item: item[1].final_test_error)
    return paragraphs(
        _setup_paragraph(histories, ranked, dataset),
        diverged_line(histories),
        _result_paragraph(ranked),
        _early_paragraph(ranked) if len(ranked) > 1 else "",
        _slope_paragraph(histories, dataset) if len(ranked) > 1 else "",
        _gap_paragraph(histories, dataset),
        *_test_loss_paragraphs(histories),
        _noise_paragraph(*ranked[0]))


def _setup_paragraph(histories, ranked, dataset):
    best = ranked[0][1]
    c = best.config
    subject = {1: "The model has", 2: "Both models have"}.get(len(histories), f"All {len(histories)} models have")
    rates = {label: h.config.lr for label, h in histories.items()}
    same_rate = len(set(rates.values())) == 1
    differ = "the activation and the initialisation designed for it"
    if not same_rate:
        differ = ("the activation, the initialisation designed for it and the learning rate ("
                  + and_list([f"{lr:g} for {label}" for label, lr in rates.items()]) + ")")
    return (
        f"{subject} {c.hidden_label()} hidden units, optimiser {c.optimizer_label()} and the budget of "
        f"{best.iterations:,} mini-batch updates of {c.batch_size} images ({best.epochs_run:g} epochs over the "
        f"{len(dataset.train_y):,} training images){f', learning rate {c.lr:g}' if same_rate else ''}, seed {c.seed}."
        + (f" They differ only in {differ}." if len(ranked) > 1 else ""))


def _result_paragraph(ranked):
    (best_label, best), others = ranked[0], ranked[1:]
    versus = "; ".join(f"{label}: {pct(h.final_test_error)} (training {pct(h.final_train_error)})"
                       for label, h in others)
    return (
        f"**Result.** After training, the {best_label} model has "
        f"{'the lowest test error,' if others else 'a test error of'} {pct(best.final_test_error)} "
        f"(training error {pct(best.final_train_error)}){'; ' + versus if others else ''}. Chance is "
        f"{pct(metrics.uniform_guess_error(len(best.class_names)))}.")


def _early_paragraph(ranked):
    """The best against the worst, the clearest contrast: when the difference appears."""
    (best_label, best), (label, other) = ranked[0], ranked[-1]
    first = min(1.0, best.epochs_run)
    early_best, early_other = error_at_epoch(best, first), error_at_epoch(other, first)
    if early_best <= early_other:
        when = f"The difference shows from the start: after epoch {first:g} the test error is "
    else:
        behind = np.flatnonzero(best.test_error > np.interp(best.eval_epoch, other.eval_epoch, other.test_error))
        when = (f"{label} starts faster and {best_label} overtakes it after epoch "
                f"{best.eval_epoch[behind[-1]]:g}: after epoch {first:g} the test error is ")
    return (
        f"{when}{pct(early_best)} for {best_label} and {pct(early_other)} for {label}, and the training loss "
        f"falls from {num(float(best.train_loss[0]))} to {num(best.final_loss)} ({best_label}) against "
        f"{num(float(other.train_loss[0]))} to {num(other.final_loss)} ({label}).")


def _slope_paragraph(histories, dataset):
    rates = {label: h.config.lr for label, h in histories.items()}
    slopes = {label: metrics.activation_slope(h, dataset) for label, h in histories.items()}
    parts = [f"{slopes[label]:.3f} for {label} (at most {metrics.max_activation_slope(h.config.activation):g})"
             for label, h in histories.items()]
    slowest = min(slopes, key=slopes.get)
    fastest = max(slopes, key=slopes.get)
    boost = ""
    if rates[slowest] > rates[fastest]:
        boost = (f" That is why the {slowest} network needs a larger learning rate: {rates[slowest]:g}, "
                 f"{rates[slowest] / rates[fastest]:.2g} times the {fastest} network's {rates[fastest]:g}.")
    return (
        f"**Why.** Every gradient that reaches the first layer is multiplied by the slope of the activation "
        f"of the unit it passes through. Averaged over the test images and hidden units of the trained "
        f"networks, that slope is {', '.join(parts)}. The {slowest} units pass back the smallest share of the "
        f"gradient, so at the same learning rate their first layer learns the most slowly.{boost}")


def _gap_paragraph(histories, dataset):
    gaps = {label: h.final_test_error - h.final_train_error for label, h in histories.items()}
    listed = and_list([f"{100 * gap:+.1f} points for {label}" for label, gap in gaps.items()])
    verdict = (f"each network fits the {len(dataset.train_y):,} training images more closely than new ones"
               if min(gaps.values()) > 0 else "no network does clearly better on its training images than on new ones")
    return f"**Training versus test.** Test error minus training error: {listed}; {verdict}."


def _test_loss_paragraphs(histories):
    """One paragraph per run whose test loss rose after its minimum, then one for the runs whose did not."""
    texts, settled = [], []
    for label, h in histories.items():
        low = int(np.nanargmin(h.test_loss))
        rise = float(h.test_loss[-1]) / float(h.test_loss[low]) - 1
        if low < len(h.test_loss) - 1 and rise > 0.05:
            texts.append(
                f"For {label}, the test loss is lowest at epoch {h.eval_epoch[low]:g} ({num(float(h.test_loss[low]))}) "
                f"and {100 * rise:.0f}% higher at the end ({num(float(h.test_loss[-1]))}) while the training loss keeps "
                f"falling: the network grows over-confident on the images it gets wrong, the first sign of "
                f"over-fitting (its test error moves from {pct(float(h.test_error[low]))} to {pct(h.final_test_error)}).")
        else:
            settled.append((label, num(float(h.test_loss[-1]))))
    if settled:
        names = and_list([label for label, _ in settled])
        values = and_list([value for _, value in settled])
        texts.append(f"For {names}, the test loss is at or near its lowest at the end ({values}): no sign of "
                     f"over-fitting within this budget.")
    return texts


def _noise_paragraph(label, history):
    noisy = history.batch_loss[-history.iterations_per_epoch:]
    return (
        f"**Noise.** The faint line is the loss of each mini-batch of {history.config.batch_size} images, measured "
        f"while training: over the last epoch of the {label} model it ranges from {num(float(np.min(noisy)))} to "
        f"{num(float(np.max(noisy)))} (standard deviation {num(float(np.std(noisy)))}), around a training-set loss of "
        f"{num(history.final_loss)}. The loss on the whole training and test sets, measured after every epoch, is the "
        f"smooth curve.")


def sigmoid_choice_text(trials, result, dataset):
    """How the sigmoid network's learning rate was chosen: ``trials`` (ranked, ``experiments.sigmoid_trials``)
    on the validation split of the sweep ``result``; the test set plays no part."""
    c = trials[0].config
    rates = sorted(t.config.lr for t in trials)
    low, high = next((lo, hi) for name, lo, hi in result.space.lr_ranges if name == c.optimizer)
    scores = and_list([f"{pct(t.val_error)} at lr {t.config.lr:g}" for t in sorted(trials, key=lambda t: t.config.lr)])
    layers = len(c.hidden)
    return (
        f"**The sigmoid network.** To compare activations on the same budget, the chosen network is trained again "
        f"with sigmoid units ({c.init} initialisation): the same {plural(layers, 'hidden layer')} of {c.hidden[0]} "
        f"units, optimiser {c.optimizer_label()}, mini-batches of {c.batch_size} and {c.epochs} epochs. A learning "
        f"rate that suits {display_name(result.chosen.activation)} units need not suit sigmoid units, "
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
             span: num(mean_last(first.batch_loss, window)),
             "final training loss": num(first.final_loss), "final test error": pct(first.final_test_error)}]
    for lr, h in sorted(sweep.items()):
        rows.append({"run": f"lr {lr:g}, full budget", "updates": h.iterations,
                     span: num(mean_until(h.batch_loss, n, window)),
                     "final training loss": num(h.final_loss), "final test error": pct(h.final_test_error)})
    return styled_table(rows)


def tuned_learning_rate(sweep):
    """The learning rate of ``sweep`` ({lr: History}) with the lowest final training loss (diverged runs
    excluded): how far training got, judged without the test set."""
    finite = {lr: h for lr, h in sweep.items() if not h.diverged}
    return min(finite or sweep, key=lambda lr: (finite or sweep)[lr].final_loss)


def seed_report_text(first, sweep, dataset, window=10):
    """Q1: why the seed report's sigmoid run looked broken, from its curves and a learning-rate sweep."""
    return paragraphs(_seed_report_saw(first, window), _seed_report_cause(first, dataset),
                      _trained_properly(first, sweep, window), _seed_report_verdict(first, sweep))


def _seed_report_saw(first, window):
    c, n = first.config, first.iterations
    classes = len(first.class_names)
    start_loss = float(np.mean(first.batch_loss[:window]))
    end_loss = mean_last(first.batch_loss, window)
    moved = start_loss - end_loss
    progress = (f"it fell by {num(moved)}" if moved > 0.05 * start_loss else
                f"no clear change, lost in the noise of mini-batches of {c.batch_size}")
    return (
        f"**What the seed report saw.** {c.hidden_label()} sigmoid units with weights drawn from a normal "
        f"distribution with standard deviation {c.init_std:g}, learning rate {c.lr:g}, {n} updates of {c.batch_size} "
        f"images. The mini-batch loss starts at {num(start_loss)} (mean of the first {window}); a network that gives "
        f"each of the {classes} classes the same probability has loss ln {classes} = {num(math.log(classes))}. After "
        f"{n} updates the mini-batch loss is {num(end_loss)} (mean of the last {window}) and the loss on the whole "
        f"training set {num(first.final_loss)}: {progress}. The training error is {pct(first.final_train_error)} and "
        f"the test error {pct(first.final_test_error)}, against {pct(metrics.uniform_guess_error(classes))} for "
        f"guessing. A flat curve at ln {classes} and chance-level errors look like a broken network.")


def _seed_report_cause(first, dataset):
    acts = metrics.initial_activations(first, dataset)
    change = metrics.weight_change(first, dataset)
    classes = len(first.class_names)
    return (
        f"**What the curves say instead.** With such small weights every hidden unit starts in the middle of the "
        f"sigmoid: it outputs {float(acts.mean()):.3f} ± {float(acts.std()):.3f} on the test images, so the network "
        f"first predicts nearly uniform probabilities, hence the loss of ln {classes}. The gradients are small and "
        f"the learning rate is tiny: in {first.iterations} updates the first-layer weights moved by "
        f"{100 * change:.2g}% of their size. That is a network that has barely started, not one that cannot learn.")


def _trained_properly(first, sweep, window):
    c, n = first.config, first.iterations
    tuned = tuned_learning_rate(sweep)
    best, slowest = sweep[tuned], sweep[min(sweep)]
    start_loss = float(np.mean(first.batch_loss[:window]))
    which = "the seed report's rate" if min(sweep) == c.lr else "the smallest rate tried"
    slow = (f"even {slowest.iterations} updates bring the training loss only to"
            if slowest.final_loss > 0.8 * start_loss else f"{slowest.iterations} updates bring the training loss to")
    lr_parts = "; ".join(f"lr {lr:g}: final training loss {num(h.final_loss)}, test error {pct(h.final_test_error)}"
                         for lr, h in sorted(sweep.items()))
    return (
        f"**The same network, trained properly.** From the same starting weights, with the full budget of "
        f"{best.iterations} updates ({best.epochs_run:g} epochs): {lr_parts}. At lr {min(sweep):g}, "
        f"{which}, {slow} {num(slowest.final_loss)}. "
        f"The rate with the lowest final training loss, {tuned:g}, reaches a test error of "
        f"{pct(best.final_test_error)}; its mini-batch loss "
        f"after the same {n} updates is already {num(mean_until(best.batch_loss, n, window))}.")


def _seed_report_verdict(first, sweep):
    tuned = tuned_learning_rate(sweep)
    best, n = sweep[tuned], first.iterations
    early = f"{best.iterations / n:.3g}× too early at " if best.iterations > n else "at "
    if best.final_test_error < metrics.uniform_guess_error(len(first.class_names)) / 2:
        return ("So the model and its backpropagation are sound: the seed report stopped a working network "
                f"{early}a learning rate {tuned / first.config.lr:g}× too small — under-training, not a faulty model.")
    return ("Even the rate that trains furthest stays far from a useful error here, so this budget is too small "
            "for the sigmoid network on this data; try more epochs.")
