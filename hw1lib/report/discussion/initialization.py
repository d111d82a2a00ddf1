"""Question 2: zero versus random initialisation, and why zero-initialised units stay alike.

``init_text`` joins one function per paragraph; each reads the runs ({activation: {init: History}})
and their unit-symmetry measures (``metrics.symmetry``) that the figures are drawn from.
"""
import numpy as np
import pandas as pd

from ...nn import initializers
from ...nn.activations import make_activation
from ...runs.config import display_name
from .. import metrics
from .words import diverged_line, error_at_epoch, error_cell, paragraphs, pct, plural, relative_size, sci

FLOAT32_EPS = float(np.finfo(np.float32).eps)


def init_table(runs):
    """Final errors for each initialiser (rows) and activation (column groups), as a DataFrame.

    runs: {activation: {init: History}}.
    """
    data = {}
    for activation, by_init in runs.items():
        for h in by_init.values():
            row = data.setdefault(h.config.init_label(), {})
            row[(activation, "training error")] = error_cell(h, h.final_train_error)
            row[(activation, "test error")] = error_cell(h, h.final_test_error)
    frame = pd.DataFrame.from_dict(data, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    frame.index.name = "initialisation"
    return frame


def init_text(runs, symmetries, dataset):
    """Q2 discussion. runs: {activation: {init: History}}; symmetries: the same shape, ``metrics.symmetry`` dicts."""
    every_run = {f"{activation} with {h.config.init_label()} init": h
                 for activation, by_init in runs.items() for h in by_init.values()}
    per_activation = []
    for activation, by_init in runs.items():
        best_init = _best_random(by_init)
        per_activation += [
            _errors_paragraph(activation, by_init),
            _xavier_he_paragraph(by_init, dataset),
            _fixed_std_paragraph(by_init, best_init, dataset),
            _zero_paragraph(activation, by_init["zero"], symmetries[activation]["zero"], by_init[best_init],
                            symmetries[activation][best_init])]
    return paragraphs(_setup_paragraph(runs, dataset), diverged_line(every_run), *per_activation,
                      _why_random_paragraph(runs, symmetries))


def _best_random(by_init):
    """The random initialiser with the lowest final test error."""
    return min((i for i in by_init if i != "zero"), key=lambda i: by_init[i].final_test_error)


def _first_layer(runs, dataset):
    """(fan_in, fan_out) of the first layer of every network in ``runs``."""
    first = next(iter(next(iter(runs.values())).values()))
    return dataset.n_features, first.config.hidden[0]


def _init_std(config, fan_in, fan_out):
    """The standard deviation the initialiser of ``config`` draws the first layer's weights with."""
    return initializers.standard_deviation(config.init, fan_in, fan_out, config.init_std)


def _setup_paragraph(runs, dataset):
    fan_in, fan_out = _first_layer(runs, dataset)
    first = next(iter(next(iter(runs.values())).values()))
    normal = next(iter(runs.values()))["normal"].config
    return (
        f"Four ways to start the {fan_in} × {fan_out} first-layer weights: all zero; normal with a fixed standard "
        f"deviation of {normal.init_std:g}; Xavier, std {initializers.FORMULAS['xavier']} = "
        f"{_init_std(normal.replace(init='xavier'), fan_in, fan_out):.4f}; He, std {initializers.FORMULAS['he']} = "
        f"{_init_std(normal.replace(init='he'), fan_in, fan_out):.4f}. Each network trains for "
        f"{first.config.updates(first.iterations_per_epoch):,} updates with learning rate {first.config.lr:g}.")


def _errors_paragraph(activation, by_init):
    errors = ", ".join(f"{pct(h.final_test_error)} ({h.config.init_label()})" for h in by_init.values())
    return f"**{activation}.** Test error after training: {errors}."


def _xavier_he_paragraph(by_init, dataset):
    if "xavier" not in by_init or "he" not in by_init:
        return ""
    gap = abs(by_init["xavier"].final_test_error - by_init["he"].final_test_error)
    if gap >= 0.005:
        return ""
    fan_in, fan_out = dataset.n_features, by_init["he"].config.hidden[0]
    ends = "with the same test error" if gap == 0 else f"within {100 * gap:.1f} points of each other"
    return (f"Xavier and He end {ends}: for a layer of {fan_in} inputs and {fan_out} outputs "
            f"their standard deviations are close.")


def _fixed_std_paragraph(by_init, best_init, dataset):
    if "normal" not in by_init or best_init == "normal":
        return ""
    h, best = by_init["normal"], by_init[best_init]
    fan_in, fan_out = dataset.n_features, h.config.hidden[0]
    std_n, std_b = _init_std(h.config, fan_in, fan_out), _init_std(best.config, fan_in, fan_out)
    size = "smaller" if std_n < std_b else "larger"
    effect = ("signals and gradients shrink on their way through the layers at the start"
              if std_n < std_b else "units start further from their useful range")
    return (f"The fixed std {std_n:g} is {size} than {display_name(best_init)}'s {std_b:.4f}, so "
            f"{effect}: after epoch 1 the test error is {pct(error_at_epoch(h, 1))} with "
            f"{h.config.init_label()} and {pct(error_at_epoch(best, 1))} with {display_name(best_init)}.")


def _growth_per_epoch(sym):
    """Factor by which the relative spread across units grows per epoch, fitted over the stages where it is > 0."""
    relative = metrics.relative_stage_spread(sym)
    keep = relative > 0
    if keep.sum() < 2:
        return None
    slope = np.polyfit(sym["stages"][keep], np.log(relative[keep]), 1)[0]
    return float(np.exp(slope))


def _zero_paragraph(activation, zero, sym, best_random, random_sym):
    """The zero-initialisation paragraph for one activation: stuck (every unit outputs 0) or symmetric."""
    if sym["act_scale_end"] == 0 and sym["act_spread_end"] == 0:
        return _zero_stuck(activation, zero, sym, best_random)
    return _zero_symmetric(activation, zero, sym, best_random, random_sym)


def _value_at_zero(config):
    """The activation of ``config`` at an input of 0."""
    return float(make_activation(config.activation).forward(np.zeros((1, 1), dtype=np.float32))[0, 0])


def _zero_stuck(activation, zero, sym, best_random):
    predicted = np.unique(zero.test_pred)
    nonzero_w2 = int(np.count_nonzero(zero.params["W2"]))
    w2 = ("are all still 0 too" if nonzero_w2 == 0 else
          f"have {nonzero_w2:,} non-zero entries of {zero.params['W2'].size:,}")
    only = (f"class {zero.class_names[predicted[0]]} for all {len(zero.test_pred):,} test images"
            if len(predicted) == 1 else f"only {len(predicted)} different classes")
    moved = ("are all still exactly 0" if sym["w1_scale_end"] == 0
             else f"moved only to a largest magnitude of {sci(sym['w1_scale_end'])}")
    return (
        f"**{activation}, zero initialisation: stuck.** After {zero.iterations:,} updates the {sym['weights']:,} "
        f"first-layer weights {moved}, and every one of the {sym['units']} hidden units outputs exactly 0 for every "
        f"test image (spread across units: {sci(sym['act_spread_end'])}). The next layer's weights {w2}. Every hidden "
        f"input is x·0 + 0 = 0 and {activation}(0) = {_value_at_zero(zero.config):g}, so the "
        f"gradient of the next layer's weights (hidden outputs × output error) is 0, and the gradient of the "
        f"first layer passes through those zero weights and is 0 too: no weight ever moves, only the output "
        f"biases learn the class frequencies. The network predicts {only}: test error "
        f"{pct(zero.final_test_error)}, chance level, against {pct(best_random.final_test_error)} with "
        f"{best_random.config.init_label()} initialisation.")


def _zero_symmetric(activation, zero, sym, best_random, random_sym):
    text = (
        f"**{activation}, zero initialisation: symmetric.** Every hidden unit starts with the same (zero) weights "
        f"and outputs {activation}(0) = {_value_at_zero(zero.config):g} on every image; the next layer's weights "
        f"therefore learn the same value for every unit, every unit receives the same gradient and takes the same "
        f"step. In exact arithmetic the {sym['units']} units would stay copies of each other for ever, and the layer "
        f"would compute a single feature.")
    if "stages" not in sym:
        return text + (f" At the end of training the spread across units is {sci(sym['act_spread_end'])} "
                       f"(mean activation {sci(sym['act_scale_end'])}); test error {pct(zero.final_test_error)}.")
    return text + _symmetry_record(sym) + _symmetry_outcome(zero, sym, best_random, random_sym)


def _symmetry_record(sym):
    """What the recorded stages show: exactly equal units, then rounding-sized differences."""
    relative = metrics.relative_stage_spread(sym)
    exact = sym["stages"][relative == 0]
    first_nonzero = np.flatnonzero(relative > 0)
    if len(exact):
        until = "before training" if exact.max() == 0 else f"up to epoch {exact.max():g}"
        text = f" The record of the hidden units on the test set shows it: their spread across units is exactly 0 {until}"
    else:
        text = " The record of the hidden units shows"
    if not len(first_nonzero):
        return text + "."
    i = first_nonzero[0]
    return text + (f", then {sci(relative[i])} of the mean activation at epoch {sym['stages'][i]:g}, the size of "
                   f"float32 rounding (2^-23 = {FLOAT32_EPS:.2g}): the matrix products round slightly differently "
                   f"for different columns.")


def _symmetry_outcome(zero, sym, best_random, random_sym):
    """How far the units drifted apart by the end, and what that cost against the best random start."""
    units, distinct_end = sym["units"], sym["distinct_end"]
    rival = f"{best_random.config.init_label()} initialisation"
    growth = _growth_per_epoch(sym)
    final_relative = metrics.relative_stage_spread(sym)[-1]
    if final_relative > 1e-3 and growth is not None:
        differ = (f"all {random_sym['units']} units differ" if random_sym["distinct_end"] == random_sym["units"]
                  else f"{random_sym['distinct_end']} of {random_sym['units']} units differ")
        return (
            f" Training amplifies these rounding differences, by about ×{growth:.3g} per epoch, so by epoch "
            f"{sym['stages'][-1]:g} the units differ by {relative_size(final_relative)} their mean activation. Yet "
            f"they split into only {distinct_end} distinct groups of identical units (within 1% of the mean "
            f"activation): the {units}-unit layer works like a {distinct_end}-unit one. The network learns "
            f"a little, test error {pct(float(zero.test_error[0]))} at the start and {pct(zero.final_test_error)} "
            f"at the end. This is symmetry broken by accident, late and only partly, by rounding noise; with "
            f"{rival} it is broken before the first update, {differ}, "
            f"and the test error is {pct(best_random.final_test_error)}.")
    return (
        f" The units stay identical up to float32 rounding for the whole run (relative spread "
        f"{sci(final_relative)} at the end, {plural(distinct_end, 'distinct unit')}), so the network can use "
        f"only one feature: test error {pct(zero.final_test_error)}, against "
        f"{pct(best_random.final_test_error)} with {rival}.")


def _why_random_paragraph(runs, symmetries):
    spreads = []
    for activation, by_init in runs.items():
        best = _best_random(by_init)
        sym = symmetries[activation][best]
        spread = f"{sci(sym['act_spread_end'])} for {activation} with {display_name(best)}"
        if sym["distinct_end"] == sym["units"]:
            spread += f", whose {sym['distinct_end']} units are all distinct"
        spreads.append(spread)
    return (
        f"**Why random initialisation works.** Random weights give every unit its own starting point, so the units "
        f"receive different gradients from the first update and learn different features. At the end of training "
        f"two units' activations on one test image differ by up to {'; '.join(spreads)}.")
