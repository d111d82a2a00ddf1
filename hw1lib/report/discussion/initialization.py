"""Question 2 in words: zero versus random initialisation, and why zero-initialised units stay alike.

Every function reads an ``InitStudy`` (``report.studies.initialization``), the object question
2's figures and table are drawn from: the initialiser a sentence sets beside the zero-initialised
network is the study's reference for that activation, the one the figures draw. Sentences about
several activations are built from each one's own facts, and activations whose facts agree share
one sentence instead of repeating it.
"""
import numpy as np
import pandas as pd

from ...nn import initializers
from ...nn.activations import make_activation
from ...runs.config import display_name
from .. import metrics
from ..studies.initialization import COMPARED_IMAGES
from ..studies.seeds import Spread
from .words import and_list, diverged_line, paragraphs, pct, sci

FLOAT32_EPS = float(np.finfo(np.float32).eps)


def figure_keys(study):
    """The figures question 2 shows for ``study``, in order: the spread between units during training only
    when a zero-initialised network's units differ at some stage (otherwise a sentence says they never do)."""
    return ("init", "units", "symmetry") if study.symmetry_drawn() else ("init", "units")


# ---------------------------------------------------------------------------------------------------
# Table and captions


def init_table(study):
    """Final error rates by initialiser (rows) and activation (column groups): mean and range over seeds."""
    data = {}
    for activation in study.activations:
        for init, repeated in activation.runs.items():
            row = data.setdefault(repeated.config.init_label(), {})
            broken = " (diverged)" if repeated.diverged else ""
            row[(activation.label, "training error")] = activation.final(init, "train_error").percent() + broken
            row[(activation.label, "test error")] = activation.final(init).percent() + broken
    frame = pd.DataFrame.from_dict(data, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    frame.index.name = "initialisation"
    return frame


def captions(study):
    """{key: caption} for question 2's figures and table."""
    seeds = len(study.seeds)
    over = (f"Lines: mean of {seeds} seeds; shaded: lowest to highest." if seeds > 1 else f"Seed {study.seeds[0]}.")
    names = and_list([a.label for a in study.activations])
    rows = " and ".join(f"{a.label} ({position})" for a, position in
                        zip(study.activations, ("top", "bottom") if len(study.activations) == 2 else
                            [f"row {i + 1}" for i in range(len(study.activations))]))
    b = study.baselines
    baseline = ("Dotted: a uniform guess, which errs as often as always answering one class." if b.same else
                f"Dotted: a uniform guess; dash-dotted: always answering class {b.name(b.majority_class)}.")
    shown = study.heatmap_panels()
    left_out = [a for a in study.activations for init in ("zero", a.reference) if (a, init) not in shown]
    omitted = "".join(f" Not drawn: the {a.label} network started from zero, whose every output is "
                      f"{_value_at_zero(a):g} on every image." for a in left_out)
    first_seed = study.seeds[0]
    captions_ = {
        "init": (f"Training loss (left, log scale) and test error (right) after each epoch of the networks with "
                 f"{names} units, rows {rows}, started from each initialisation. {over} Xavier is dashed with hollow "
                 f"markers so that it shows where it lies on top of He. {baseline} Look at how far zero "
                 f"initialisation stays from the three random ones, and how close those end."),
        "table": (f"Final error rates for each initialisation (rows) and activation (column pairs), as the mean of "
                  f"{seeds} runs with different seeds (lowest–highest in brackets)." if seeds > 1 else
                  "Final error rates for each initialisation (rows) and activation (column pairs)."),
        "units": (f"Outputs of the first hidden layer at the end of training (seed {first_seed}): the first 40 test "
                  f"images (rows) by the first 64 units (columns), colour = output. The title counts the distinct "
                  f"units among all {study.fan_out}: units whose outputs on the first {COMPARED_IMAGES} test images "
                  f"agree within 1% count as one. Identical columns are units that compute the same thing.{omitted}"),
    }
    drawn = study.symmetry_drawn()
    if drawn:
        zeros = []
        for a in drawn:
            sym = a.inside["zero"].symmetry
            at = [f"{x:g}" for x, v in zip(sym["stages"], metrics.relative_stage_spread(sym)) if v == 0]
            if at:
                zeros.append(f"for {a.label} it is exactly 0 at epoch {and_list(at)}, which a log axis cannot show")
        refs = and_list([f"{display_name(a.reference)} ({a.label})" for a in drawn])
        captions_["symmetry"] = (
            f"How far apart the first-layer units of the zero-initialised {and_list([a.label for a in drawn])} "
            f"network{'s' if len(drawn) > 1 else ''} drift during training (seed {first_seed}): the largest "
            f"difference between two units' outputs on one test image, divided by the mean output, at each recorded "
            f"stage; the number by a point counts the distinct units. Dashed: the same measure at the end of "
            f"training for {refs} initialisation. Dotted: float32 rounding."
            + (" " + "; ".join(zeros).capitalize() + "." if zeros else ""))
    return captions_


# ---------------------------------------------------------------------------------------------------
# Prose


def setup_text(study):
    c = study.budget
    seeds = study.seeds
    return (
        f"Every layer starts from one of four kinds of weights (biases start at 0): all zero; normal with a fixed "
        f"standard deviation of {study.stds['normal']:g}; Xavier, std {initializers.FORMULAS['xavier']}; He, std "
        f"{initializers.FORMULAS['he']}. For the first layer's {study.fan_in} × {study.fan_out} matrix these are "
        f"{study.stds['xavier']:.4f} and {study.stds['he']:.4f}. Every network has "
        f"{_hidden(c)} and trains with {c.optimizer_label()}, learning rate {c.lr:g} and mini-batches of "
        f"{c.batch_size} for {c.epochs} epochs ({c.updates(study.activations[0].zero.first.iterations_per_epoch):,} "
        f"updates)"
        + (f", once with each of the seeds {and_list([str(s) for s in seeds])}, which change the random weights and "
           f"the order of the mini-batches." if len(seeds) > 1 else f", seed {seeds[0]}."))


def _hidden(c):
    if len(c.hidden) == 1:
        return f"one hidden layer of {c.hidden[0]} units"
    return f"{len(c.hidden)} hidden layers ({c.hidden_label()} units)"


def results_text(study, figure, table):
    """Zero against random, then the random initialisers against one another, for every activation."""
    broken = {}
    for a in study.activations:
        for r in a.runs.values():
            broken.update(r.diverged_label(f"{a.label} with {r.config.init_label()} init"))
    b = study.baselines
    zero = and_list([f"{a.final('zero').percent()} for {a.label}" for a in study.activations])
    random_ends = []
    for a in study.activations:
        randoms = [i for i in a.runs if i != "zero"]
        means = [a.final(i).mean for i in randoms]
        random_ends.append(f"{pct(min(means))} to {pct(max(means))} for {a.label}")
    opening = (f"**Zero against random.** {figure} and {table}"
               + (" (means over the seeds, lowest and highest in brackets)" if len(study.seeds) > 1 else "")
               + f": started from zero, the networks end with test errors of {zero}; started from random weights, "
               f"they reach {and_list(random_ends)}. For comparison, {_baselines(b)}.")
    return paragraphs(diverged_line(broken), opening,
                      _xavier_he(study), _fixed_std(study))


def _baselines(b):
    if b.same:
        return (f"a uniform guess errs on {pct(b.uniform_error)} of the test images, as does always answering the "
                f"same class")
    return (f"a uniform guess errs on {pct(b.uniform_error)} of the test images and always answering class "
            f"{b.name(b.majority_class)}, the most frequent in training, on {pct(b.majority_error)}")


def _xavier_he(study):
    """Xavier against He: one sentence for the activations where they tie, one per activation where they do not."""
    pairs = [a for a in study.activations if "xavier" in a.runs and "he" in a.runs]
    if not pairs:
        return ""
    ties = [a for a in pairs if study.ties(a, "xavier", "he")]
    apart = [a for a in pairs if a not in ties]
    close = abs(study.stds["xavier"] - study.stds["he"]) / max(study.stds["xavier"], study.stds["he"])
    sentences = []
    if ties:
        numbers = "; ".join(f"{a.label}: {a.final('xavier').percent()} with Xavier, {a.final('he').percent()} with He"
                            for a in ties)
        whom = "both activations" if len(ties) == len(pairs) and len(pairs) > 1 else f"the {ties[0].label} network" \
            if len(ties) == 1 else and_list([a.label for a in ties])
        sentences.append(f"**Xavier against He.** For {whom}, Xavier and He tie ({numbers}): the difference is no "
                         f"larger than the spread between seeds.")
    for i, a in enumerate(apart):
        better, worse = sorted(("xavier", "he"), key=lambda init: a.final(init).mean)
        d = a.final(worse).mean - a.final(better).mean
        lead = "**Xavier against He.** " if not ties and i == 0 else ""
        sentences.append(f"{lead}With {a.label} units, {display_name(better)} is ahead of {display_name(worse)} by "
                         f"{100 * d:.1f} points ({a.final(better).percent()} against {a.final(worse).percent()}), more "
                         f"than the seeds of either spread.")
    sentences.append(f"For this layer their standard deviations, {study.stds['xavier']:.4f} and {study.stds['he']:.4f}, "
                     f"differ by {100 * close:.0f}%.")
    return " ".join(sentences)


def _fixed_std(study):
    """Normal weights with a fixed, small standard deviation against the reference initialiser, per activation."""
    parts = []
    for a in study.activations:
        if "normal" not in a.runs or a.reference == "normal":
            continue
        ref = a.reference
        early_normal = _after_first_epoch(a.runs["normal"])
        early_ref = _after_first_epoch(a.runs[ref])
        scale = a.start_std["normal"] / a.start_std[ref] if a.start_std[ref] > 0 else float("nan")
        if study.ties(a, "normal", ref):
            end = f"by the end the two tie ({a.final('normal').percent()} and {a.final(ref).percent()})"
        elif a.final("normal").mean > a.final(ref).mean:
            still = "" if early_normal.ties(early_ref, study.resolution) or early_normal.mean < early_ref.mean else "still "
            end = (f"it is {still}behind at the end, {a.final('normal').percent()} against {a.final(ref).percent()}, "
                   f"by more than the spread between seeds")
        else:
            end = (f"yet it ends ahead, {a.final('normal').percent()} against {a.final(ref).percent()}, by more than "
                   f"the spread between seeds")
        pace = (f"after the first epoch its test error, {early_normal.percent()} against {early_ref.percent()}, "
                f"differs by less than the spread between seeds"
                if early_normal.ties(early_ref, study.resolution) else
                f"the network starts {'slower' if early_normal.mean > early_ref.mean else 'faster'}, "
                f"{early_normal.percent()} test error after the first epoch against {early_ref.percent()}")
        parts.append(
            f"With {a.label} units, the first layer's outputs start {1 / scale:.1f} times less spread out (standard "
            f"deviation over test images and units {a.start_std['normal']:.3g} against {a.start_std[ref]:.3g} with "
            f"{display_name(ref)}); {pace}, and {end}." if scale < 1 else
            f"With {a.label} units the first layer's outputs start {scale:.1f} times more spread out than with "
            f"{display_name(ref)}; after the first epoch the test error is {early_normal.percent()} against "
            f"{early_ref.percent()}, and {end}.")
    if not parts:
        return ""
    smaller = min(study.stds["xavier"], study.stds["he"]) / study.stds["normal"]
    size = (f"about {smaller:.0f} times smaller than Xavier's and He's" if smaller >= 1.5 else
            "close to Xavier's and He's" if smaller > 1 / 1.5 else
            f"about {1 / smaller:.0f} times larger than Xavier's and He's")
    return (f"**A fixed standard deviation.** Normal weights with std {study.stds['normal']:g} are {size} for this "
            f"layer, and nothing else differs between these runs. " + " ".join(parts))


def _after_first_epoch(repeated):
    """Spread over the seeds of the test error at the evaluation closest to epoch 1."""
    return Spread.of(float(h.test_error[np.argmin(np.abs(h.eval_epoch - 1))]) for h in repeated.runs)


def zero_text(study, figures):
    """One paragraph per activation on its zero-initialised network: stuck (every output 0) or symmetric.

    ``figures``: {key: label} of the figures shown, e.g. {'units': 'Figure 2.2'}.
    """
    return paragraphs(*(_stuck(study, a, figures) if a.stuck else _symmetric(study, a, figures)
                        for a in study.activations))


def _value_at_zero(activation):
    return float(make_activation(activation.name).forward(np.zeros((1, 1), dtype=np.float32))[0, 0])


def _stuck(study, a, figures):
    h = a.zero.first
    sym = a.inside["zero"].symmetry
    shown = (a, "zero") in study.heatmap_panels()
    picture = "" if shown else f" ({figures['units']} leaves it out: it would be a single colour)"
    text = (f"**{_capital(a.label)} from zero: stuck.** After {h.iterations:,} updates its {sym['weights']:,} first-layer weights "
            f"are all still exactly 0, and each of its {sym['units']} hidden units outputs {_value_at_zero(a):g} for "
            f"every test image{picture}. Every hidden input is x·0 + 0 = 0 and {a.label}(0) = {_value_at_zero(a):g}, "
            f"so the gradient of the output weights (hidden outputs × output error) is 0, and the gradient reaching "
            f"the first layer passes through those zero output weights and is 0 too: no weight ever moves. Only the "
            f"output biases can learn.")
    return text + " " + _biases(study, a)


def _biases(study, a):
    """What the output biases of a stuck network learned, checked against the class counts and across seeds."""
    b = study.baselines
    predicted = a.predicted_classes("zero")
    single = all(len(p) == 1 for p in predicted)
    shares = np.array(b.train_counts, dtype=float) / b.n_train
    preferences = a.output_preferences("zero")
    off = max(float(np.abs(p - shares).max()) for p in preferences)
    errors = a.final("zero")
    seeds = a.zero.seeds
    settle = (f"At the end, the probabilities the network gives every image are within {100 * off:.1f} points of "
              f"each class's share of the training images")
    if not single:
        return settle + (f"; the network answers {and_list([str(len(p)) for p in predicted])} different classes on the "
                         f"test images, test error {errors.percent()}.")
    answers = [b.name(p[0]) for p in predicted]
    if len(set(answers)) == 1 and predicted[0][0] == b.majority_class and not b.balanced:
        return (settle + f", and with {_seeds_word(seeds)} the network answers class {answers[0]}, the most frequent "
                f"({b.train_counts[b.majority_class]:,} of {b.n_train:,} images), for every test image: test error "
                f"{errors.percent()}, exactly that of always answering it.")
    by_seed = and_list([f"class {c} with seed {s}" for c, s in zip(answers, seeds)])
    if b.balanced:
        why = (f"Every class has {b.train_counts[0]:,} training images, so there is no most frequent class to learn, "
               f"and the network ends up answering one class for every test image: {by_seed}")
    else:
        why = (f"Yet the network answers {by_seed} for every test image, while class {b.name(b.majority_class)} is "
               f"the most frequent in training ({b.train_counts[b.majority_class]:,} of {b.n_train:,} images)")
    if len(set(answers)) > 1:
        why += (". Which class it is depends on the order of the mini-batches, the only thing a seed changes when "
                "every weight starts at zero")
    return f"{settle}. {why}. Its test error is {errors.percent()}, {_against_baselines(b, errors.mean)}."


def _seeds_word(seeds):
    return f"seed {seeds[0]}" if len(seeds) == 1 else "every seed"


def _against_baselines(b, error):
    if b.same:
        return "that of a uniform guess" if abs(error - b.uniform_error) < 0.5 / b.n_test else \
            f"against {pct(b.uniform_error)} for a uniform guess"
    return f"against {pct(b.majority_error)} for always answering the most frequent class"


def _symmetric(study, a, figures):
    inside = a.inside["zero"]
    ref = a.reference
    units = inside.units
    text = (f"**{_capital(a.label)} from zero: symmetric.** Every hidden unit starts with the same zero weights and outputs "
            f"{a.label}(0) = {_value_at_zero(a):g} on every image, so every unit receives the same gradient and takes "
            f"the same step: in exact arithmetic the {units} units would stay copies of one another, and the layer "
            f"would compute a single feature.")
    if "stages" not in inside.symmetry:
        return text
    g = inside.growth()
    result = (f"test error {a.final('zero').percent()}, against {a.final(ref).percent()} with "
              f"{display_name(ref)} initialisation")
    if g.kind == "zero":
        stages = and_list([f"{x:g}" for x in inside.symmetry["stages"]])
        return text + (f" And so they do here: at every recorded stage (epochs {stages}) no two units differ on any "
                       f"test image, and at the end the layer has {_units(inside.distinct)} ({figures['units']}, "
                       f"identical columns). The network has a single feature to work with: {result}.")
    where = f" ({figures['symmetry']})" if "symmetry" in figures else ""
    rounding = (f", the size of float32 rounding (2^-23 = {FLOAT32_EPS:.2g}): the matrix products round slightly "
                f"differently from column to column" if g.first <= 100 * FLOAT32_EPS else "")
    zero_part = (f"exactly 0 up to epoch {g.zero_until:g}, then " if g.zero_until is not None else "")
    drift = (f" In float32 they do not quite. Relative to the mean output, the largest difference between two units "
             f"on one test image is {zero_part}{sci(g.first)} at epoch {g.first_at:g}{rounding}.")
    if g.kind == "flat":
        drift += f" It stays that small: {sci(g.end)} at the end{where}."
    elif g.kind == "jump":
        drift += (f" By epoch {g.jump_to:g} it has jumped by a factor of about {_power(g.factor)}, to "
                  f"{_relative(g.after_low, g.after_high)} from then on{where}.")
    elif g.kind == "steady":
        drift += (f" Training then widens it steadily, by about ×{g.per_epoch:.2g} per epoch, to {sci(g.end)} at "
                  f"the end{where}.")
    else:
        drift += f" It then grows unevenly, to {sci(g.end)} at the end{where}."
    distinct = inside.distinct
    if distinct == 1:
        end = (f" Yet at the end every unit is still within 1% of every other (relative to the mean output), so the "
               f"{units}-unit layer works like a single unit: {result}. Rounding breaks the symmetry only in the last "
               f"digits.")
    elif distinct < units:
        end = (f" Yet at the end the units fall into only {_units(distinct)} (units within 1% of each other count "
               f"as one), so the {units}-unit layer works like a {distinct}-unit one: {result}. Symmetry broken by "
               f"rounding is broken late and only partly.")
    else:
        end = f" By the end all {units} units differ: {result}."
    return text + drift + end


def _capital(text):
    return text[:1].upper() + text[1:]


def _units(n):
    return "1 distinct unit" if n == 1 else f"{n} distinct units"


def _power(factor):
    """1.2e7 -> '10^7'; 35 -> '35'."""
    return f"10^{round(np.log10(factor))}" if factor >= 1000 else f"{factor:.2g}"


def _relative(low, high):
    """A range of relative spreads: 'between 0.9 and 1.1 times the mean output' or 'about 2% of the mean output'."""
    def words(x):
        return (f"{sci(x)} of the mean output" if x < 0.01 else f"{100 * x:.2g}% of the mean output" if x < 1
                else f"{x:.2g} times the mean output")
    if high <= 1.25 * low:
        return f"about {words(low)}"
    return f"between {words(low)} and {words(high)}"


def why_random_text(study, figure):
    """Random starts give distinct units: one sentence for the activations that end with every unit distinct."""
    every = [a for a in study.activations if a.inside[a.reference].distinct == a.inside[a.reference].units]
    partly = [a for a in study.activations if a not in every]
    parts = []
    if every:
        names = and_list([f"{a.label} ({display_name(a.reference)})" for a in every])
        units = {a.inside[a.reference].units for a in every}
        count = f"all {units.pop()}" if len(units) == 1 else "all"
        parts.append(f"at the end of training {count} units of the {names} network{'s' if len(every) > 1 else ''} "
                     f"are distinct")
    for a in partly:
        inside = a.inside[a.reference]
        silent = (f", because {inside.silent} of its units output 0 on all of the {COMPARED_IMAGES} test images used "
                  f"for the count and so count as one"
                  if inside.silent > 1 and inside.distinct + inside.silent - 1 == inside.units else "")
        parts.append(f"the {a.label} network started with {display_name(a.reference)} ends with {inside.distinct} "
                     f"distinct units of {inside.units}{silent}")
    return ("**Why random starts work.** Random weights give every unit its own starting point, so the units "
            "receive different gradients from the first update and can learn different features: "
            + "; ".join(parts) + f" ({figure}).")


def summary(study):
    """(one-sentence answer to question 2, its key number as text)."""
    zero = and_list([f"{pct(a.final('zero').mean)} ({a.label})" for a in study.activations])
    ref = and_list([f"{pct(a.final(a.reference).mean)} ({a.label}, {display_name(a.reference)})"
                    for a in study.activations])
    how = and_list([f"the {a.label} network's weights never move" if a.stuck else
                    f"the {a.label} network's hidden units stay copies of one another" if a.inside["zero"].distinct == 1
                    else f"the {a.label} network's hidden units stay alike" for a in study.activations])
    first = study.activations[-1]
    return (f"Started from zero weights, the networks fail with test errors of {zero}: {how}. Random starts reach "
            f"{ref}.",
            f"zero {pct(first.final('zero').mean)} vs {display_name(first.reference)} "
            f"{pct(first.final(first.reference).mean)} ({first.label})")
