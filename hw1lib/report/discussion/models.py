"""Question 1 in words: how the hyperparameters were chosen, the learning curves and error rates of
the chosen network and a sigmoid network, and (appendix) why the first sigmoid attempt looked broken.

Every function reads a ``ModelsStudy`` (``report.studies.models``), the object the figures and
tables beside the text are drawn from; sentences that depend on a result (which network is
ahead, whether a curve still falls) are chosen by it, and a word for a curve's shape is the
shape ``report.shapes`` reads off that curve.
"""

import math

import numpy as np

from ...runs.config import display_name
from .. import experiments
from .words import and_list, diverged_line, mean_last, mean_until, num, of_images, paragraphs, pct, styled_table

# ---------------------------------------------------------------------------------------------------
# Tables


def final_table(study):
    """One row per compared network: learning rate, final error rates and losses (mean and range over seeds)."""
    rows = []
    for m in study.models:
        broken = " (diverged)" if m.repeated.diverged else ""
        rows.append(
            {
                "network": m.name,
                "learning rate": f"{m.config.lr:g}",
                "training error": m.final("train_error").percent() + broken,
                "test error": m.final("test_error").percent() + broken,
                "training loss": m.final("train_loss").text(),
                "test loss": m.final("test_loss").text(),
            }
        )
    return styled_table(rows)


def first_attempt_table(study, window=10):
    """The first sigmoid attempt rerun, then the same network given the full budget at each learning rate."""
    first = study.first_attempt
    n = first.short.iterations
    span = f"mini-batch loss, updates {max(1, n - window + 1)}–{n}"
    rows = [
        {
            "run": f"first attempt: learning rate {first.short.config.lr:g}, {n} updates",
            "updates": f"{n:,}",
            span: num(mean_last(first.short.batch_loss, window)),
            "final training loss": num(first.short.final_loss),
            "final test error": pct(first.short.final_test_error),
        }
    ]
    for lr, h in sorted(first.by_rate.items()):
        rows.append(
            {
                "run": f"learning rate {lr:g}, full budget",
                "updates": f"{h.iterations:,}",
                span: num(mean_until(h.batch_loss, n, window)),
                "final training loss": num(h.final_loss),
                "final test error": pct(h.final_test_error) + (" (diverged)" if h.diverged else ""),
            }
        )
    return styled_table(rows)


# ---------------------------------------------------------------------------------------------------
# Captions


def captions(study):
    """{key: caption} for question 1's figures and tables and those of its appendix."""
    chosen, sigmoid = study.chosen, study.sigmoid
    seeds = len(study.seeds)
    sweep = study.sweep
    over = (
        f"Lines: mean of {seeds} seeds ({_seed_names(study.seeds)}); shaded: lowest to highest."
        if seeds > 1
        else f"Seed {study.seeds[0]}."
    )
    near = sweep.near_best()
    first = study.first_attempt
    return {
        "sweep": (
            f"Validation error of each of the {len(sweep.trials)} configurations tried, on {sweep.n_val:,} "
            f"training images held out for validation, against its learning rate (left) and its hidden "
            f"layers (right: units per layer, then the number of layers). Colour: optimiser; marker: "
            f"activation; ring: the configuration chosen. "
            + (
                f"Hollow: the {len(sweep.stopped)} stopped after the first {sweep.screen.epochs} epochs, at "
                f"their error then. "
                if sweep.stopped
                else ""
            )
            + (
                f"{_count_word(near, True)} other configuration{'s are' if near > 1 else ' is'} within one "
                f"percentage point of it."
                if near
                else "No other configuration is within one percentage point of it."
            )
        ),
        "top": (
            f"The three configurations with the lowest validation error, best first (the "
            f"{_count_word(min(10, len(sweep.trials)))} best are in Table B.1). "
            f"Errors are at the epoch of the lowest validation error, which became the "
            f"number of epochs." + _stopped_rows(sweep, 3)
        ),
        "loss": (
            f"Cross-entropy loss during training of the {chosen.name} (left) and the {sigmoid.name} (right). "
            f"Faint: the loss of each mini-batch of {chosen.config.batch_size} images as it was trained on "
            f"(seed {study.seeds[0]}); solid: the loss on all {study.baselines.n_train:,} training images and "
            f"dashed: on the {study.baselines.n_test:,} test images, after each epoch. {over} Dotted: ln "
            f"{study.baselines.n_classes}, the loss of a uniform guess."
        ),
        "errors": (
            f"Training (solid) and test (dashed) error rate of the {chosen.name} and the {sigmoid.name} after "
            f"each epoch: the whole run (left) and the last epochs, magnified (right). "
            + (f"Averaged over the same {seeds} seeds, shaded from the lowest to the highest. " if seeds > 1 else "")
            + _baseline_caption(study.baselines)
        ),
        "final": (
            f"Error rates and losses of both networks at the end of training: the mean over seeds "
            f"{_seed_names(study.seeds)}, with the lowest and highest in brackets."
            if seeds > 1
            else "Error rates and losses of both networks at the end of training."
        ),
        "first": (
            f"The first sigmoid attempt and the same network trained longer. Left: the mini-batch loss over "
            f"the updates (log scale; each point the mean of {_window(first)} updates); the first attempt is the first "
            f"{first.short.iterations} updates of the {first.short.config.lr:g} curve and stopped at the dotted "
            f"line. Right: test error after each epoch; the cross is where the first attempt stopped. Colour: "
            f"learning rate. Same starting weights (seed {first.short.config.seed}) in every run."
        ),
        "first_table": (
            f"The first attempt ({first.short.iterations} updates) and the same network given the full "
            f"budget at each learning rate. The third column is the mini-batch loss over the first "
            f"attempt's last 10 updates, or over the same updates of the longer runs."
        ),
        "top10": (
            f"The {min(10, len(sweep.trials))} configurations of the validation sweep with the lowest validation "
            f"error, best first." + _stopped_rows(sweep, 10)
        ),
    }


def _stopped_rows(sweep, n):
    """A sentence on the rows of the sweep's top-``n`` table that the screening stopped, if any."""
    stopped = [rank for rank, t in enumerate(sweep.ranked[:n], start=1) if sweep.was_stopped(t)]
    if not stopped:
        return ""
    epochs = sweep.screen.epochs
    rows = f"Rank {stopped[0]} was" if len(stopped) == 1 else f"Ranks {and_list([str(r) for r in stopped])} were"
    unit = "epoch" if epochs == 1 else "epochs"
    return (
        f" {rows} stopped by the screening after {epochs} {unit} (\u201cof {epochs}\u201d in the best-epoch "
        f"column), with {'its' if len(stopped) == 1 else 'their'} errors from then."
    )


def _count_word(n, capital=False):
    word = {
        1: "one",
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
        10: "ten",
    }.get(n, f"{n:,}")
    return word.capitalize() if capital else word


def _seed_names(seeds):
    return and_list([str(s) for s in seeds])


def _window(first):
    h = first.by_rate[min(first.by_rate)]
    return max(1, h.iterations_per_epoch // 10)


def _baseline_caption(b):
    if b.same:
        return (
            f"Dotted: {pct(b.uniform_error)}, the error of a uniform guess and of always answering one class "
            f"(every class has {b.test_counts[0]:,} test images)."
        )
    return (
        f"Dotted: {pct(b.uniform_error)}, a uniform guess; dash-dotted: {pct(b.majority_error)}, always "
        f"answering class {b.name(b.majority_class)}, the most frequent training class."
    )


# ---------------------------------------------------------------------------------------------------
# Body


def sigmoid_choice_text(study):
    """How the sigmoid network's learning rate was chosen, on the validation set like everything else."""
    trials, sweep = study.sigmoid_trials, study.sweep
    c = study.sigmoid.config
    low, high = next((lo, hi) for name, lo, hi in sweep.space.lr_ranges if name == c.optimizer)
    rates = sorted(t.config.lr for t in trials)
    scores = and_list([f"{pct(t.val_error)} at {t.config.lr:g}" for t in sorted(trials, key=lambda t: t.config.lr)])
    layers = len(c.hidden)
    return (
        f"**The sigmoid network.** To see what the activation changes, the chosen network is trained again with "
        f"sigmoid units and {display_name(c.init)} initialisation, the one designed for them, keeping its "
        f"{_layers(layers)} of {c.hidden[0]} units, {c.optimizer_label()}, mini-batches of {c.batch_size} and "
        f"{c.epochs} epochs. A learning rate that suits {display_name(study.chosen.config.activation)} units need "
        f"not suit sigmoid units, so it was chosen on the same validation set: {len(trials)} rates spaced evenly on "
        f"a log scale from {rates[0]:g} to {rates[-1]:g} (the sweep's range for this optimiser, {low:g}–{high:g}, "
        f"its top raised {experiments.SIGMOID_STRETCH:g} times, since a sigmoid's slope is at most 0.25, a quarter "
        f"of the others') reached validation errors of {scores}. The sigmoid network below uses {c.lr:g}."
    )


def _layers(n):
    return "hidden layer" if n == 1 else f"{n} hidden layers"


def learning_curves_text(study, figure):
    """The loss curves of ``figure``: when each training loss starts to fall, how it and the test loss end."""
    broken = {}
    for m in study.models:
        broken.update(m.repeated.diverged_label(f"the {m.name}"))
    return paragraphs(
        diverged_line(broken),
        f"**Learning curves.** In {figure}, {_starts(study)} {_endings(study)}",
        _noise_sentence(study.chosen),
    )


def _starts(study):
    """When each training loss starts to fall: one clause for the networks whose loss falls at once."""
    b = study.baselines
    ln_k = math.log(b.n_classes)
    at_once, clauses = [], []
    for m in study.models:
        s = m.loss_start()
        mean, _, _ = m.repeated.curve("train_loss")
        if not s.stalls:
            at_once.append((m, float(mean[0]), float(mean[1])))
        elif s.falls_at is None:
            clauses.append(
                f"the {m.name}'s training loss never leaves the level of a uniform guess (between "
                f"{num(s.low)} and {num(s.high)}; ln {b.n_classes} = {num(ln_k)})"
            )
        else:
            clauses.append(
                f"the {m.name}'s training loss stays between {num(s.low)} and {num(s.high)}, next to ln "
                f"{b.n_classes} = {num(ln_k)} (the loss of a uniform guess), until epoch {s.until:g} and "
                f"only then falls"
            )
    if len(at_once) > 1:
        clauses.insert(
            0,
            "both training losses fall from the first epoch on: "
            + and_list([f"from {num(start)} to {num(after)} for the {m.name}" for m, start, after in at_once]),
        )
    elif at_once:
        m, start, after = at_once[0]
        clauses.insert(
            0,
            f"the {m.name}'s training loss falls at once, from {num(start)} before training to "
            f"{num(after)} after the first epoch",
        )
    return "; ".join(clauses) + "."


# How a loss ends, as a verb phrase for one network and as the numbers behind it.
TRAIN_ENDS = {
    "keeps falling": "is still falling at the end",
    "levels off": "levels off",
    "rises": "ends above its lowest point",
}
TEST_ENDS = {
    "keeps falling": "is still falling at the end",
    "levels off": "has levelled off",
    "rises": "has passed its lowest point and risen again",
}


def _detail(ending):
    if ending.kind == "keeps falling":
        return f"reaching {num(ending.end)}"
    if ending.kind == "levels off":
        return f"settling at about {num(ending.end)} from epoch {ending.since:g}"
    return (
        f"lowest at epoch {ending.lowest_at:g} ({num(ending.lowest)}) and "
        f"{100 * (ending.end / ending.lowest - 1):.0f}% "
        f"higher at the end ({num(ending.end)})"
    )


def _gap(train, test):
    ratio = test.end / train.end if train.end > 0 else math.inf
    if ratio >= 2 and math.isfinite(ratio):
        return f"; at the end the test loss is {ratio:.0f} times the training loss"
    return "; the two end close together" if ratio < 1.25 else ""


def _endings(study):
    """How the training and test losses end: one sentence for networks whose curves end the same way, with
    each network's own numbers, and one sentence for each other network."""
    groups = {}
    for m in study.models:
        if m.loss_start().falls_at is None:
            continue  # a curve that never left its start has no ending to describe
        train, test = m.ending("train_loss"), m.ending("test_loss")
        groups.setdefault((train.kind, test.kind), []).append((m, train, test))
    sentences = []
    for (train_kind, test_kind), members in groups.items():
        if len(members) > 1:
            sentences.append(
                f"For {'both' if len(members) == 2 else 'all'} networks the training loss {TRAIN_ENDS[train_kind]} "
                f"and the test loss {TEST_ENDS[test_kind]}: "
                + "; ".join(
                    f"the {m.name}'s training loss {_detail(train)}, its test loss {_detail(test)}{_gap(train, test)}"
                    for m, train, test in members
                )
                + "."
            )
            continue
        m, train, test = members[0]
        train_words = {
            "keeps falling": f"is still falling at the end ({num(train.end)})",
            "levels off": f"levels off from epoch {train.since:g}, at about {num(train.end)}",
            "rises": f"is lowest at epoch {train.lowest_at:g} ({num(train.lowest)}) and ends higher, at "
            f"{num(train.end)}",
        }[train_kind]
        test_words = {
            "rises": f"the test loss is lowest at epoch {test.lowest_at:g} ({num(test.lowest)}) and ends "
            f"{100 * (test.end / test.lowest - 1):.0f}% higher ({num(test.end)})",
            "levels off": f"the test loss has levelled off since epoch {test.since:g}, at about {num(test.end)}",
            "keeps falling": f"the test loss is still falling too ({num(test.end)})",
        }[test_kind]
        sentences.append(f"For the {m.name}, the training loss {train_words}, while {test_words}{_gap(train, test)}.")
    return " ".join(sentences)


def _noise_sentence(model):
    h = model.repeated.first
    noisy = h.batch_loss[-h.iterations_per_epoch :]
    return (
        f"The faint line scatters far more than the whole-set losses: over the last epoch of the {model.name} "
        f"(seed {h.config.seed}) the loss of a single mini-batch of {h.config.batch_size} images ranges from "
        f"{num(float(np.min(noisy)))} to {num(float(np.max(noisy)))}, around a training-set loss of "
        f"{num(h.final_loss)}."
    )


def errors_text(study, figure, table):
    """The error rates of ``figure`` and ``table``: the result, whether it beats the seeds' spread, the baselines."""
    seeds = len(study.seeds)
    ranked = study.ranked()
    best, other = ranked[0], ranked[-1]
    mean = f"mean over {seeds} seeds, lowest and highest in brackets" if seeds > 1 else ""
    parts = [
        f"the {m.name} ends with a test error of {m.final('test_error').percent()} and a training error of "
        f"{m.final('train_error').percent()}"
        for m in ranked
    ]
    result = (
        f"**Error rates.** After {best.config.epochs} epochs ({figure}, {table}{'; ' + mean if mean else ''}), "
        + "; ".join(parts)
        + "."
    )
    d = other.final("test_error").mean - best.final("test_error").mean
    if study.tie():
        verdict = (
            f" The difference, {100 * d:.1f} points, is no larger than the spread between seeds of either "
            f"network, so on this budget the two tie."
        )
    else:
        verdict = (
            f" The {best.name} is ahead by {100 * d:.1f} points, more than the seeds of either network spread "
            f"({100 * best.final('test_error').range:.1f} and {100 * other.final('test_error').range:.1f} points)."
        )
    return paragraphs(result + verdict + _sweep_run(study), _baseline_sentence(study), _gap_sentence(study))


def _sweep_run(study):
    """Where the chosen network's run at the first seed, the one the sweep's paragraph quotes, lies among the seeds."""
    test = study.chosen.final("test_error")
    if len(test.values) < 2:
        return ""
    first = test.values[0]
    where = (
        "the lowest of the"
        if first == test.low and first < test.high
        else "the highest of the"
        if first == test.high and first > test.low
        else "within the range of the"
    )
    return (
        f" The {pct(first)} quoted for the chosen network above is its run with seed {study.seeds[0]}, "
        f"{where} {_count_word(len(test.values))} runs."
    )


def _baseline_sentence(study):
    b = study.baselines
    worst = max(m.final("test_error").mean for m in study.models)
    if worst < b.lowest / 2:
        standing = (
            "Both networks are far below the two error rates a network reaches without learning anything "
            "from the pixels"
        )
    elif worst < b.lowest:
        standing = (
            "Both networks are below the two error rates a network reaches without learning anything from the pixels"
        )
    else:
        standing = (
            "Not every network beats the two error rates a network reaches without learning anything from the pixels"
        )
    if b.same:
        return (
            f"{standing}: a uniform guess errs on {pct(b.uniform_error)} of the test images, and so does always "
            f"answering the same class, since every class has {b.test_counts[0]:,} test images."
        )
    return (
        f"{standing}: a uniform guess errs on {pct(b.uniform_error)} of the test images, and always answering "
        f"class {b.name(b.majority_class)}, the most frequent in training ({b.train_counts[b.majority_class]:,} "
        f"of {b.n_train:,} images), errs on {pct(b.majority_error)}."
    )


def _gap_sentence(study):
    b = study.baselines
    clauses = []
    for m in study.models:
        h = m.repeated.first
        gap = m.final("test_error").mean - m.final("train_error").mean
        counts = (
            f"{of_images(h.final_train_error, b.n_train)} training images and "
            f"{of_images(h.final_test_error, b.n_test)} test images wrong"
        )
        clauses.append(f"the {m.name} (seed {h.config.seed}) gets {counts}, a gap of {100 * gap:.1f} points on average")
    apart = all(
        m.final("test_error").mean - m.final("train_error").mean > max(m.final("test_error").range, study.resolution)
        for m in study.models
    )
    tail = ": each network does better on the images it was trained on than on new ones" if apart else ""
    return "**Training versus test.** At the end, " + "; ".join(clauses) + tail + "."


def why_text(study):
    """A hedged reason for a network that stalls at the start while the other does not; "" when neither or both do."""
    stalls = [m for m in study.models if m.loss_start().stalls]
    if len(stalls) != 1 or stalls[0].config.activation != "sigmoid":
        return ""
    m = stalls[0]
    other = next(x for x in study.models if x is not m)
    layers = len(m.config.hidden)
    through = (
        f"by the time a gradient reaches the first of its {layers} sigmoid layers it has been scaled by "
        f"at most 0.25^{layers} = {0.25**layers:.2g}"
        if layers > 1
        else "a gradient reaching the first layer has been scaled by at most 0.25"
    )
    return (
        f"A likely reason for the slow start, which these runs do not test on its own: the slope of a sigmoid "
        f"is at most 0.25 (with the starting weights, the first layer's slope averages {m.start_slope:.3f} over "
        f"the test images), and backpropagation multiplies the gradient by it at every layer, so {through}; "
        f"the {other.name}'s first-layer slope starts at {other.start_slope:.3f}."
    )


def summary(study):
    """(one-sentence answer to question 1, its key number as text)."""
    chosen, sigmoid = study.chosen, study.sigmoid
    test, train = chosen.final("test_error"), chosen.final("train_error")
    seeds = len(study.seeds)
    other = sigmoid.final("test_error").mean
    if study.tie():
        versus = f"level, within the spread between seeds, with a {sigmoid.name} on the same budget ({pct(other)})"
    elif test.mean < other:
        versus = f"lower than the {pct(other)} of a {sigmoid.name} on the same budget"
    else:
        versus = f"higher than the {pct(other)} of a {sigmoid.name} on the same budget"
    over = f" (mean of {seeds} seeds)" if seeds > 1 else ""
    return (
        f"The {chosen.name} chosen on a validation set ends with {pct(train.mean)} training error and "
        f"{pct(test.mean)} test error{over}, {versus}.",
        f"test error {test.percent()}" + (f" over {seeds} seeds" if seeds > 1 else ""),
    )


# ---------------------------------------------------------------------------------------------------
# Appendix A: the first sigmoid attempt


def first_attempt_intro(study):
    h = study.first_attempt.short
    c = h.config
    return (
        f"The first attempt at a sigmoid network ({c.hidden_label()} hidden units), with small random weights "
        f"(normal, standard deviation {c.init_std:g}) and a tiny learning rate ({c.lr:g}), was stopped after "
        f"{h.iterations} updates and seemed not to learn at all. Here it is run again with exactly those "
        f"settings, beside the same network from the same starting weights trained for the full budget at "
        f"several learning rates."
    )


def first_attempt_text(study, figure, table, window=10):
    """Why the first sigmoid attempt looked broken, from its rerun and the same network trained longer."""
    return paragraphs(
        _first_seen(study, window),
        _first_cause(study),
        _first_longer(study, figure, table, window),
        _first_verdict(study),
    )


def _first_seen(study, window):
    b, h = study.baselines, study.first_attempt.short
    c, n = h.config, h.iterations
    start, end = float(np.mean(h.batch_loss[:window])), mean_last(h.batch_loss, window)
    moved = start - end
    progress = (
        f"it fell by {num(moved)}"
        if moved > 0.05 * start
        else f"no change beyond the noise between mini-batches of {c.batch_size}"
    )
    same_class = abs(h.final_test_error - b.majority_error) < 0.5 / b.n_test and not b.same
    baseline = (
        f"{pct(b.uniform_error)}, the error of a uniform guess"
        if b.same
        else f"exactly the error of always answering class {b.name(b.majority_class)}, the most frequent training "
        f"class (a uniform guess errs on {pct(b.uniform_error)})"
        if same_class
        else f"{pct(b.uniform_error)} for a uniform guess and {pct(b.majority_error)} for always answering class "
        f"{b.name(b.majority_class)}"
    )
    near = max(abs(h.final_train_error - b.uniform_error), abs(h.final_test_error - b.uniform_error)) < 0.01
    errors = (
        f"Its training and test errors, {pct(h.final_train_error)} and {pct(h.final_test_error)}, are those of "
        f"a uniform guess"
        + (
            ""
            if b.same
            else f" ({pct(b.uniform_error)}; always answering class "
            f"{b.name(b.majority_class)} would score {pct(b.majority_error)})"
        )
        if near
        else f"Its training error is {pct(h.final_train_error)} and its test error {pct(h.final_test_error)}, "
        f"{'' if same_class else 'against '}{baseline}"
    )
    return (
        f"**What the first attempt showed.** Its mini-batch loss starts at {num(start)} (mean of the first "
        f"{window} updates) and is {num(end)} after {n} updates (mean of the last {window}): {progress}. A "
        f"network that gives each of the {b.n_classes} classes the same probability has a loss of ln "
        f"{b.n_classes} = {num(math.log(b.n_classes))}. {errors}. A flat loss at ln {b.n_classes} and errors at "
        f"the level of guessing look like a broken network."
    )


def _first_cause(study):
    first = study.first_attempt
    h = first.short
    return (
        f"**What was happening.** With weights this small every hidden unit starts in the middle of the "
        f"sigmoid: on the test images it outputs {first.start_output_mean:.3f} ± {first.start_output_std:.3f}, "
        f"so the network's first predictions are close to uniform, hence the loss of ln "
        f"{study.baselines.n_classes}. At a learning rate of {h.config.lr:g}, {h.iterations} updates moved the "
        f"first-layer weights by {100 * first.weight_change:.2g}% of their size: the network had barely started."
    )


def _first_longer(study, figure, table, window):
    first = study.first_attempt
    n = first.short.iterations
    best_lr = first.best_rate
    best = first.by_rate[best_lr]
    slowest_lr = min(first.by_rate)
    slowest = first.by_rate[slowest_lr]
    losses = and_list([f"{num(h.final_loss)} at {lr:g}" for lr, h in sorted(first.by_rate.items())])
    alone = ""
    if slowest_lr == first.short.config.lr:
        helps = slowest.final_loss > 0.8 * float(np.mean(first.short.batch_loss[:window]))
        alone = (
            f" More updates alone do little: at the first attempt's rate the loss after {slowest.iterations:,} "
            f"updates is still {num(slowest.final_loss)}."
            if helps
            else f" At the first attempt's rate, {slowest.iterations:,} updates bring the loss down to "
            f"{num(slowest.final_loss)}."
        )
    return (
        f"**The same network, trained longer.** Given the full budget of {best.iterations:,} updates "
        f"({best.epochs_run:g} epochs) from the same starting weights, it ends with a training loss of {losses} "
        f"({table}).{alone} The rate that trains furthest, {best_lr:g}, reaches a test error of "
        f"{pct(best.final_test_error)}, and after the same {n} updates as the first attempt its mini-batch loss is "
        f"already {num(mean_until(best.batch_loss, n, window))} ({figure})."
    )


def _first_verdict(study):
    first = study.first_attempt
    best_lr = first.best_rate
    best, n = first.by_rate[best_lr], first.short.iterations
    if best.final_test_error < study.baselines.lowest / 2:
        ratio = best_lr / first.short.config.lr
        rate = (
            f", at a learning rate {ratio:,.0f} times smaller than the one that trains furthest here"
            if ratio >= 2
            else ""
        )
        return (
            f"So the network and its backpropagation work. The first attempt stopped after {n} of the "
            f"{best.iterations:,} updates{rate}: it was under-trained, not broken."
        )
    return (
        "Even the rate that trains furthest stays far from a useful error here, so this budget is too small for "
        "the sigmoid network on this data; more epochs would be the next thing to try."
    )
