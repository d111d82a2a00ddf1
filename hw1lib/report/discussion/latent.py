"""Question 3: how the classes separate in the 2-D latent plane during training.

Everything here reads one ``studies.latent.LatentStudy``: the stages it names are the study's
shown stages (the panels of its figure and the rows of its table), its numbers are read off those
stages, and its comparisons use every seed the study trained. ``latent_text`` joins one function
per paragraph; the captions are here too, so a caption and the text describe the same runs.
"""

import numpy as np

from ...nn.activations import LeakyReLU
from .. import experiments, metrics
from ..studies.latent import angle_between
from .words import and_list, diverged_line, paragraphs, pct, plural, styled_table

# Two class directions at most this many degrees apart are said to be the same direction.
SAME_DIRECTION = 10
# Mistakes are said to gather near the origin only when the error rate there is at least this many
# times the error rate farther out.
NEAR_FACTOR = 2.0


def _deg(x):
    return f"{x:.0f}°"


def _pair(study, a, b):
    names = study.class_names
    return f"{names[a]} and {names[b]}"


def _radius(x):
    return f"{x:.3g}"


def _classes(n):
    return "1 class" if n == 1 else f"{n} classes"


def latent_table(study):
    """One row per shown stage: the network's test error, 5-NN error, the 99% radius and the class directions."""
    rows = []
    for stage in study.stages:
        gaps = stage.gaps()
        narrowest = (
            f"{_deg(gaps[0][2])} ({study.class_names[gaps[0][0]]}, {study.class_names[gaps[0][1]]})" if gaps else "-"
        )
        rows.append(
            {
                "stage": stage.name,
                "update": f"{stage.update:,}",
                "network's test error": pct(stage.network_error),
                "5-NN error in the plane": pct(stage.knn_error),
                "99% of points within": _radius(stage.radius),
                "classes with a direction": f"{int(stage.directed.sum())} of {len(study.class_names)}",
                "narrowest angle between neighbours": narrowest,
            }
        )
    return styled_table(rows)


# Captions -------------------------------------------------------------------------------------------------


def grid_caption(study):
    latent, hidden = study.activation_names()
    c = study.config
    scales = [stage.scale for stage in study.stages]
    why = (
        f"the points spread from ±{scales[0]:g} to ±{scales[-1]:g} as training goes on"
        if scales[-1] > scales[0]
        else "the spread of the points changes during training"
    )
    return (
        f"The 2-unit {latent} layer's output for each of the {len(study.final.labels):,} test images "
        f"(training images left out), at {len(study.stages)} stages of training of the "
        f"network {c.hidden_label()} ({hidden} before the 2-unit layer, seed {c.seed}). Dots are coloured by true "
        f"class, a ringed dot marks each class's centroid, and the shading is the class the output layer "
        f"gives each point of the plane at that stage. Each panel has its own scale, printed in its corner "
        f"(±half-width) and on its axes, because {why}; the axes are equal, so angles can be compared."
    )


def folded_caption(study):
    latent, hidden = study.activation_names()
    seeds = [h.config.seed for h in study.repeats["linear"]]
    return (
        f"Left: the same network with a {hidden} 2-unit layer instead of a {latent} one, at the end of training "
        f"(seed {study.config.seed}, drawn as in Figure 3.1). Right: test error after every epoch of both networks"
        + (
            f" for seeds {and_list([str(s) for s in seeds])} (thick: seed {study.config.seed}, the run drawn; "
            f"thin: the others)."
            if len(seeds) > 1
            else f", seed {study.config.seed}."
        )
    )


def table_caption(study):
    return (
        "The stages of Figure 3.1, measured: the network's test error (the share of points outside their own "
        "class's region), the error of a 5-nearest-neighbour vote among the other test points in the plane, "
        "the distance from the origin within which 99% of the points lie, the classes whose points point one way "
        "(mean unit vector at least 0.5 long) and the narrowest angle between two neighbouring class centroids."
    )


def animation_caption(study, file_name):
    return (
        f"The plane at all {len(study.linear.snapshot_stages)} recorded stages of the run of Figure 3.1, from "
        f"before training to the end, drawn as its panels ({file_name})."
    )


# The text --------------------------------------------------------------------------------------------------


def latent_text(study):
    """Question 3's whole discussion, Markdown: ``setup_text``, ``stages_text`` and ``folded_text`` in turn."""
    return paragraphs(setup_text(study), stages_text(study), folded_text(study))


def setup_text(study):
    """The network and how to read Figure 3.1 (shown before it)."""
    return paragraphs(_setup_paragraph(study), diverged_line(_diverged(study)))


def stages_text(study):
    """What Figure 3.1 and Table 3.1 show, stage by stage and at the end."""
    return paragraphs(
        _forming_paragraph(study),
        _lengthening_paragraph(study),
        _sharing_paragraph(study),
        _origin_paragraph(study),
        _end_paragraph(study),
    )


def folded_text(study):
    """Figure 3.2: the 2-unit layer with the hidden layers' activation instead."""
    return _folded_paragraph(study)


def _diverged(study):
    runs = {"the latent network": study.linear, "the network without the 2-unit layer": study.flat}
    if study.folded is not None:
        runs["the network with a folded 2-unit layer"] = study.folded
    return runs


def _setup_paragraph(study):
    c = study.config
    latent, hidden = study.activation_names()
    rule = (
        f"the fewest that would show it {experiments.LATENT_IMAGES:,} training images, capped at "
        f"{experiments.LATENT_MAX_EPOCHS}"
        if study.epochs_by_rule
        else "as set for this report"
    )
    return (
        f"The network of Figure 3.1 has a hidden layer of {c.hidden_label().rsplit('-', 1)[0]} {hidden} units, then a "
        f"2-unit layer with a {latent} activation, then the output layer: inputs standardised (zero mean, unit "
        f"variance over the training pixels), {c.init_label()} initialisation, {c.optimizer_label()} with learning "
        f"rate {c.lr:g}, batches of {c.batch_size}, {c.epochs} epochs ({rule}). Each test image becomes a point z in "
        f"the plane, and the output layer gives it the class k with the largest z·w_k + b_k. Two classes are "
        f"therefore split by a straight line, and the shaded regions are exact, not estimated from the points. "
        f"Table 3.1 measures the same stages."
    )


def _forming_paragraph(study):
    stages = study.stages
    first = stages[0]
    n = len(study.class_names)
    counts = np.bincount(study.dataset.train_y, minlength=n)
    baseline = f"a uniform guess errs on {pct(metrics.uniform_guess_error(n))}"
    if counts.min() < counts.max():
        common, majority = metrics.majority_class(study.dataset.train_y, study.dataset.test_y, n)
        baseline += (
            f", always answering the most common training class, class {study.class_names[common]}, on {pct(majority)}"
        )
    text = (
        f"**Before training** the points form one cloud: a 5-NN vote in the plane errs on {pct(first.knn_error)} "
        f"of the test images ({baseline})."
    )
    span = first.span()
    if span is not None and span < 120:
        text += f" The cloud sits off the origin, so the directions of the class centroids span only {_deg(span)}."
    if len(stages) > 1:
        second = stages[1]
        spread = second.span()
        directed, total = int(second.directed.sum()), len(study.class_names)
        text += (
            f" By {second.title}, "
            + (f"all {total} classes point" if directed == total else f"{_classes(directed)} of {total} point")
            + " one way"
            + (f" and their directions span {_deg(spread)}" if spread is not None else "")
            + f"; the network's test error is {pct(second.network_error)} and the 5-NN error "
            f"{pct(second.knn_error)}."
        )
    return text


def _lengthening_paragraph(study):
    stages = study.stages
    if len(stages) < 4:
        return ""
    start, end = stages[2], stages[-1]
    both = start.directed & end.directed
    if not both.any():
        return ""
    turns = np.array([angle_between(start.angles[k], end.angles[k]) for k in np.flatnonzero(both)])
    growth = end.radius / start.radius
    text = (
        f"**From {start.name} to {end.name}** the distance holding 99% of the "
        f"points grows from {_radius(start.radius)} to {_radius(end.radius)} ({growth:.1f} times), while the "
        f"directions of the {_classes(int(both.sum()))} that point one way at both stages turn by "
        f"{_deg(float(np.median(turns)))} in the median and {_deg(float(turns.max()))} at most"
    )
    if growth >= 1.5 and np.median(turns) <= 15:
        text += ": the rays lengthen much more than they turn."
    else:
        text += "."
    text += (
        f" Over the same stages the network's test error goes from {pct(start.network_error)} to "
        f"{pct(end.network_error)}."
    )
    return text


def _pair_confusions(stage, n_classes):
    """(n_classes, n_classes) symmetric counts of test images of one class given the other, at ``stage``."""
    conf = metrics.confusion_matrix(stage.labels, stage.predictions, n_classes)
    both = conf + conf.T
    np.fill_diagonal(both, 0)
    return both


def _sharing_paragraph(study):
    final = study.final
    n = len(study.class_names)
    gaps = final.gaps()
    if len(gaps) < 2 or final.predictions is None:
        return ""
    both = _pair_confusions(final, n)
    close = gaps[:2]
    parts = [
        f"{_pair(study, a, b)} ({_deg(g)} apart, {plural(int(both[a, b]), 'test image')} confused between them)"
        for a, b, g in close
    ]
    text = (
        f"**Which classes share a direction.** At the end the narrowest angles between neighbouring class "
        f"directions are those of {and_list(parts)}."
    )
    a, b, narrowest = close[0]
    near, far = sorted((a, b), key=lambda k: np.linalg.norm(final.centroids[k]))
    near_length, far_length = (float(np.linalg.norm(final.centroids[k])) for k in (near, far))
    if narrowest <= SAME_DIRECTION and far_length >= 2 * near_length:
        text += (
            f" Classes {_pair(study, a, b)} share a direction but not a distance: the centroid of "
            f"{study.class_names[near]} lies {_radius(near_length)} from the origin and that of "
            f"{study.class_names[far]} lies {_radius(far_length)} from it"
        )
        text += (
            f", and the output layer gives the origin itself to {study.class_names[near]}."
            if final.origin_class() == near
            else "."
        )
    top = np.unravel_index(np.argmax(np.triu(both, 1)), both.shape)
    a, b = int(top[0]), int(top[1])
    if both[a, b] == 0:
        return text + " The network confuses no two classes on the test set."
    if any({a, b} == {x, y} for x, y, _ in close):
        text += (
            f" The pair the network confuses most, {_pair(study, a, b)} "
            f"({plural(int(both[a, b]), 'image')}), is one of these."
        )
    else:
        apart = (
            f"{_deg(angle_between(final.angles[a], final.angles[b]))} apart"
            if final.directed[a] and final.directed[b]
            else "not both with a direction"
        )
        text += (
            f" The pair the network confuses most is another one: {_pair(study, a, b)} "
            f"({plural(int(both[a, b]), 'image')}), whose directions are {apart}."
        )
    return text


def _origin_paragraph(study):
    final = study.final
    if final.predictions is None:
        return ""
    names = study.class_names
    undirected = [names[k] for k in np.flatnonzero(~final.directed & np.isfinite(final.centroids[:, 0]))]
    norms = np.linalg.norm(final.points, axis=1)
    middle = float(np.median(norms))
    near = norms <= middle
    wrong = final.predictions != final.labels
    text = ""
    if undirected:
        text += (
            f"Class{'es' if len(undirected) > 1 else ''} {and_list(undirected)} "
            f"ha{'ve' if len(undirected) > 1 else 's'} no direction of its own: "
            f"{'their' if len(undirected) > 1 else 'its'} points surround the origin, so "
            f"{'their centroids say' if len(undirected) > 1 else 'its centroid says'} nothing about an angle. "
        )
    if near.any() and (~near).any():
        inner, outer = float(wrong[near].mean()), float(wrong[~near].mean())
        if inner >= NEAR_FACTOR * max(outer, 1e-12):
            text += (
                f"Mistakes gather near the origin, where the regions meet: of the half of the test points "
                f"closest to it (within {_radius(middle)}), {pct(inner)} are misclassified, against {pct(outer)} "
                f"of the other half."
            )
    return text


def _end_paragraph(study):
    final = study.final
    mean, low, high, count = study.seed_errors("linear")
    text = (
        f"**At the end** the network's test error is {pct(final.network_error)}: the share of test points lying "
        f"outside their own class's region in the last panel. A 5-NN vote in the plane errs on "
        f"{pct(final.knn_error)}."
    )
    if count > 1:
        text += (
            f" Over seeds {and_list([str(h.config.seed) for h in study.repeats['linear']])} the test error is "
            f"{pct(mean)} on average ({pct(low)} to {pct(high)})."
        )
    flat = study.flat.final_test_error
    text += (
        f" The same network without the 2-unit layer (hidden layer {study.flat.config.hidden_label()}, trained "
        f"the same way, one run) reaches {pct(flat)}"
    )
    width = study.flat.config.hidden[-1]
    text += (
        f", below every run with the 2-unit layer: the output layer does better with {width} numbers per image "
        f"than with two."
        if flat < low
        else "."
    )
    return text


def _folded_paragraph(study):
    stage = study.folded_stage()
    if stage is None:
        return ""
    latent, hidden = study.activation_names()
    activation = study.config.activation
    negative = (stage.points < 0).any(axis=1)
    text = f"**A {hidden} 2-unit layer instead** (Figure 3.2) "
    if not stage.finite:
        text += "could not be drawn at the end: that run diverged."
    elif activation == "leaky_relu":
        slope = LeakyReLU().slope
        neg = np.abs(stage.points[stage.points < 0])
        pos = stage.points[stage.points > 0]
        text += (
            f"multiplies every negative coordinate by {slope:g}: the three quarters of the plane where a "
            f"coordinate is negative are squeezed {1 / slope:g}-fold towards the axes, and the points form an L "
            f"along them. At the end {pct(float(negative.mean()), 0)} of the test "
            f"points have a coordinate below 0"
        )
        if len(neg) and len(pos):
            small, large = (_radius(float(np.quantile(values, 0.99))) for values in (neg, pos))
            text += (
                f", and 99% of those negative coordinates are smaller than {small} in size, against {large} for "
                f"the positive ones"
            )
        text += "."
    elif activation == "relu":
        text += (
            f"sets every negative coordinate to 0, so the points can only use one quarter of the plane and its "
            f"two edges; at the end {pct(float((stage.points == 0).any(axis=1).mean()), 0)} of the test points lie "
            f"on an axis."
        )
    else:
        text += "bends the plane before the output layer sees it."
    f_mean, f_low, f_high, count = study.seed_errors("folded")
    l_mean, l_low, l_high, _ = study.seed_errors("linear")
    seeds = "seed" if count == 1 else f"{count} seeds"
    text += (
        f" Its test error is {pct(f_mean)} ({pct(f_low)} to {pct(f_high)}) over {seeds}, against {pct(l_mean)} "
        f"({pct(l_low)} to {pct(l_high)}) with the {latent} layer"
    )
    if count == 1:
        text += "; one seed each cannot tell how much of that difference is chance."
    elif f_low > l_high or l_low > f_high:
        better = latent if l_high < f_low else hidden
        text += f": the ranges do not overlap, and the {better} layer is ahead on every seed."
    else:
        text += ": the ranges overlap, so on these seeds neither layer is clearly better."
    return text
