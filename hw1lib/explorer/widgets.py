"""An interactive explorer: controls that retrain the network and redraw its views as they change.

    from hw1lib.explorer import explore
    explore()                        # mnist-5k, default hyperparameters
    explore("data/", focus="init")   # a course folder, initialisation controls first

The flow is the package's own: control values -> RunConfig -> ``cached_train`` (in a
background thread, a newer change cancelling an older run) -> PNG figures -> image widgets.
Training knows nothing of this module; this module only edits a RunConfig and shows a History.
"""

import html
import math
import time
import traceback
from functools import partial

import ipywidgets as widgets
from threadpoolctl import threadpool_limits

from ..data.datasets import Dataset, load_dataset
from ..errors import ConfigError, Hw1libError
from ..report.metrics import uniform_guess_error
from ..runs.cache import cached_train
from ..runs.config import RunConfig, known_names
from .plots import confusion_png, curves_png, latent_png
from .runner import LatestRunner

LATENT_WIDTH = 2
SAME = ""  # the latent-activation choice "same as the other hidden layers" (RunConfig's None)
WIDTHS = (8, 16, 32, 64, 128, 256, 512, 1024)
BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128, 256, 512)
MAX_LAYERS = 4
MAX_EPOCHS = 50
CAPTIONS = {"latent": "Latent features of this run", "confusion": "Confusion matrix of this run"}
PENDING_CAPTIONS = {
    "latent": "Latent features of the previous run, shown until this run finishes.",
    "confusion": "Confusion matrix of the previous run, shown until this run finishes.",
}
# A diverged run's predictions and latent points come from weights that are no longer numbers: nothing to draw.
DIVERGED_CAPTIONS = {"latent": "Diverged, no latent features.", "confusion": "Diverged, no confusion matrix."}
CHANCE_MARGIN = 0.05  # a train error this close to guessing's (90% for 10 classes) means nothing was learned
FRAME_GAP = 0.4  # seconds of training between two drawings of a run's curves (drawing costs ~0.1 s)

# Which controls sit together, and the order each question puts them in.
GROUPS = {
    "training": ("lr", "optimizer", "batch_size", "epochs"),
    "architecture": ("width", "layers", "latent", "latent_activation", "activation"),
    "init": ("init", "init_std", "seed"),
}
FOCUS = {  # focus -> (control groups in order, views in order)
    "all": (("training", "architecture", "init"), ("curves", "latent", "confusion")),
    "curves": (("training", "architecture", "init"), ("curves", "confusion", "latent")),
    "init": (("init", "training", "architecture"), ("curves", "confusion", "latent")),
    "latent": (("architecture", "training", "init"), ("latent", "curves", "confusion")),
    "confusion": (("training", "architecture", "init"), ("confusion", "curves", "latent")),
    "architecture": (("architecture", "training", "init"), ("curves", "confusion", "latent")),
}


def explore(data="mnist-5k", focus="all", **initial):
    """The explorer widget on ``data`` (a dataset spec or a Dataset), starting from ``initial``.

    ``initial`` takes RunConfig fields (``lr=0.05``, ``hidden=(128, 2)``, ``init="zero"``, ...);
    ``focus`` (one of FOCUS) orders the controls and views for one question of the report, and
    ``focus="latent"`` also switches the 2-node latent layer on, linear, unless ``hidden`` is given.
    The first run starts at once; ``.wait()`` on the result blocks until it is shown.
    """
    return Explorer(data, focus=focus, **initial)


def split_hidden(hidden):
    """(width, layers, latent) of hidden sizes such as (256,), (128, 128) or (256, 2)."""
    latent = len(hidden) > 1 and hidden[-1] == LATENT_WIDTH
    body = hidden[:-1] if latent else hidden
    if len(set(body)) != 1:
        raise ConfigError(
            f"hidden: the explorer uses equal hidden layers, optionally followed by a "
            f"{LATENT_WIDTH}-node layer; got {list(hidden)}"
        )
    return body[0], len(body), latent


class Explorer(widgets.VBox):
    """Controls on the left, the current run's results and figures on the right.

    ``controls`` maps a name (see GROUPS) to its widget; ``curves``, ``latent`` and ``confusion``
    are the image widgets, ``results`` the line of numbers and ``message`` the place for errors;
    ``panel`` holds the controls and ``figures`` the images, in the order ``focus`` gives them.
    """

    def __init__(self, data="mnist-5k", *, focus="all", **initial):
        if focus not in FOCUS:
            raise ConfigError(f"unknown focus {focus!r}; known: {', '.join(FOCUS)}")
        self.dataset = data if isinstance(data, Dataset) else load_dataset(data)
        if focus == "latent" and "hidden" not in initial:
            initial["hidden"] = (RunConfig().hidden[0], LATENT_WIDTH)
            initial.setdefault("latent_activation", "identity")
        self.base = RunConfig.from_dict(initial)
        self.controls = _make_controls(self.base)
        self.runner = LatestRunner()
        self.shown = None  # the History whose final curves are on screen

        self.results = widgets.HTML(layout=widgets.Layout(min_height="22px"))
        self.message = widgets.HTML()
        self.curves = widgets.Image(format="png")
        self.latent = widgets.Image(format="png")
        self.confusion = widgets.Image(format="png")
        # The square figures are drawn after the final curves; a caption says whether they are current.
        self.captions = {"latent": widgets.HTML(), "confusion": widgets.HTML()}
        for widget, css in (
            (self.results, "results"),
            (self.message, "message"),
            (self.curves, "curves"),
            (self.latent, "latent"),
            (self.confusion, "confusion"),
            (self.captions["latent"], "latent-caption"),
            (self.captions["confusion"], "confusion-caption"),
        ):
            widget.add_class(f"hw1lib-{css}")
        self.latent_view = widgets.VBox([self.captions["latent"], self.latent])
        self.confusion_view = widgets.VBox([self.captions["confusion"], self.confusion])
        groups, views = FOCUS[focus]
        boxes = {"curves": self.curves, "latent": self.latent_view, "confusion": self.confusion_view}
        # The curves are wide; the two square figures share a row above or below them.
        row = widgets.HBox([boxes[name] for name in views if name != "curves"])
        self.figures = widgets.VBox([self.curves, row] if views[0] == "curves" else [row, self.curves])
        self.panel = widgets.VBox(
            [_group(name, self.controls) for name in groups], layout=widgets.Layout(width="360px", flex="0 0 360px")
        )
        super().__init__([widgets.HBox([self.panel, widgets.VBox([self.results, self.message, self.figures])])])
        self.add_class("hw1lib-explorer")

        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def config(self):
        """The RunConfig the controls describe (raises ConfigError for a bad value)."""
        values = {name: control.value for name, control in self.controls.items()}
        # Log sliders land on powers like 10**-0.6 = 0.251189...; train with the value the readout shows.
        values["lr"], values["init_std"] = (float(f"{values[key]:.3g}") for key in ("lr", "init_std"))
        hidden = (values.pop("width"),) * values.pop("layers")
        latent = values.pop("latent")
        latent_activation = values.pop("latent_activation") or None
        stages = ()
        if latent:
            hidden += (LATENT_WIDTH,)
            # The view shows the last stage; the starting config's other stages are kept, so a
            # notebook's latent run (recorded at many stages) is the same run, found in the cache.
            stages = (*(s for s in self.base.snapshot_stages if s <= values["epochs"]), values["epochs"])
        return self.base.replace(
            hidden=hidden,
            snapshot_stages=stages,
            snapshot_layer=-1,
            latent_activation=latent_activation if latent else None,
            **values,
        )

    def refresh(self):
        """Start a run for the current control values, superseding any run in progress."""
        self.controls["init_std"].disabled = self.controls["init"].value != "normal"
        self.controls["latent_activation"].disabled = not self.controls["latent"].value
        try:
            config = self.config()
        except ConfigError as error:
            self.runner.cancel(then=partial(self._show_message, str(error), results="No run: fix the setting."))
            return
        self.runner.submit(partial(self._run, config), before=partial(self._show_pending, config))

    def wait(self, timeout=120):
        """Block until the latest run is shown; False if ``timeout`` seconds passed first."""
        return self.runner.wait(timeout)

    def _on_change(self, _change):
        self.refresh()

    def _show_pending(self, config):
        self.message.value = ""
        self.results.value = "Training&hellip;"
        latent = len(config.hidden) > 1 and config.hidden[-1] == LATENT_WIDTH
        self.latent_view.layout.display = None if latent else "none"
        for name, caption in self.captions.items():
            caption.value = PENDING_CAPTIONS[name]

    def _show_message(self, text, results=None):
        self.message.value = f'<div style="color:#b00020">{html.escape(text)}</div>'
        if results is not None:
            self.results.value = html.escape(results)

    def _run(self, config, ticket):
        """Worker thread: train (or read the cache), drawing the curves as evaluations come in."""
        last_frame = [-math.inf]

        def on_eval(frame):
            # The evaluation before the first update has nothing to show yet; later ones are drawn
            # at most every FRAME_GAP seconds so drawing does not slow the training much.
            if frame.iterations == 0 or time.perf_counter() - last_frame[0] < FRAME_GAP:
                return
            png = curves_png(frame, config.describe())
            last_frame[0] = time.perf_counter()
            ticket.publish(partial(self._show_progress, frame, png))

        try:
            # These matrices are small: one BLAS thread is as fast as several on an idle machine, and
            # when the cores are busy, several spinning BLAS threads slow a run down tens of times.
            with threadpool_limits(limits=1, user_api="blas"):
                history = cached_train(
                    config, self.dataset, progress=False, on_eval=on_eval, should_stop=ticket.cancelled
                )
            if ticket.cancelled():
                return
            png = curves_png(history, config.describe() + (" (from the run cache)" if history.from_cache else ""))
            ticket.publish(partial(self._show_final, history, png))
            if history.diverged:
                ticket.publish(self._show_diverged)
                return
            labels = self.dataset.test_y
            latent = latent_png(history, labels) if len(history.snapshots) else None
            confusion = confusion_png(history, labels)
            ticket.publish(partial(self._show_figures, latent, confusion))
        except Hw1libError as error:
            ticket.publish(partial(self._show_message, str(error), results="The run failed."))
        except Exception as error:
            traceback.print_exc()
            ticket.publish(
                partial(
                    self._show_message, f"unexpected error: {type(error).__name__}: {error}", results="The run failed."
                )
            )

    def _show_progress(self, history, png):
        self.curves.value = png
        self.results.value = (
            f"Training&hellip; epoch {history.epochs_run:g} of {history.config.epochs}: "
            f"test error {history.final_test_error:.2%}"
        )

    def _show_final(self, history, png):
        self.shown = history
        self.curves.value = png
        if history.diverged:
            self.results.value = f"Diverged after {history.iterations:,} updates."
            self._show_message(
                f"The loss became infinite or NaN after {history.iterations:,} updates, so training "
                f"stopped: learning rate {history.config.lr:.3g} is too large for this network. "
                f"Try a smaller one."
            )
            return
        chance = uniform_guess_error(len(history.class_names))
        if history.final_train_error >= chance - CHANCE_MARGIN:
            self._show_message(
                f"Train error {history.final_train_error:.2%} is at chance level: the network learned "
                f"nothing with these settings (for example a learning rate too large, or zero "
                f"initial weights)."
            )
        source = "read from the run cache" if history.from_cache else f"{history.seconds:.1f} s"
        self.results.value = (
            f"<b>Test error {history.final_test_error:.2%}</b>, train error "
            f"{history.final_train_error:.2%}, train loss {history.final_loss:.4f} after "
            f"{history.epochs_run:g} epochs ({history.iterations:,} updates, {source})"
        )

    def _show_diverged(self):
        for name, image in (("latent", self.latent), ("confusion", self.confusion)):
            image.value = b""
            self.captions[name].value = DIVERGED_CAPTIONS[name]

    def _show_figures(self, latent, confusion):
        if latent is not None:
            self.latent.value = latent
            self.captions["latent"].value = CAPTIONS["latent"]
        self.confusion.value = confusion
        self.captions["confusion"].value = CAPTIONS["confusion"]


def _make_controls(config):
    """One widget per setting, starting at ``config``'s values; sliders report on release only."""
    width, layers, latent = split_hidden(config.hidden)
    names = known_names()
    style = {"description_width": "110px"}
    lr_exp = math.log10(config.lr)
    std_exp = math.log10(config.init_std)
    common = {"style": style, "continuous_update": False}
    return {
        "lr": widgets.FloatLogSlider(
            value=config.lr,
            base=10,
            min=min(-4, math.floor(lr_exp)),
            max=max(1, math.ceil(lr_exp)),
            step=0.1,
            readout_format=".3g",
            description="learning rate",
            **common,
        ),
        "optimizer": widgets.Dropdown(
            options=names["optimizer"], value=config.optimizer, description="optimiser", style=style
        ),
        "batch_size": widgets.SelectionSlider(
            options=sorted({*BATCH_SIZES, config.batch_size}),
            value=config.batch_size,
            description="batch size",
            **common,
        ),
        "epochs": widgets.IntSlider(
            value=config.epochs, min=1, max=max(MAX_EPOCHS, config.epochs), description="epochs", **common
        ),
        "width": widgets.SelectionSlider(
            options=sorted({*WIDTHS, width}), value=width, description="hidden units", **common
        ),
        "layers": widgets.IntSlider(
            value=layers, min=1, max=max(MAX_LAYERS, layers), description="hidden layers", **common
        ),
        "latent": widgets.Checkbox(
            value=latent, description=f"{LATENT_WIDTH}-node latent layer before the output", indent=False
        ),
        "latent_activation": widgets.Dropdown(
            options=[("same as the others", SAME), *((name, name) for name in names["activation"])],
            value=config.latent_activation or SAME,
            description="its activation",
            style=style,
        ),
        "activation": widgets.Dropdown(
            options=names["activation"], value=config.activation, description="activation", style=style
        ),
        "init": widgets.Dropdown(options=names["init"], value=config.init, description="initialiser", style=style),
        "init_std": widgets.FloatLogSlider(
            value=config.init_std,
            base=10,
            min=min(-4, math.floor(std_exp)),
            max=max(0, math.ceil(std_exp)),
            step=0.1,
            readout_format=".3g",
            description="normal init std",
            **common,
        ),
        "seed": widgets.IntText(value=config.seed, description="seed", **common),
    }


def _group(name, controls):
    title = widgets.HTML(f"<b>{name.capitalize()}</b>")
    for key in GROUPS[name]:
        controls[key].add_class(f"hw1lib-{key.replace('_', '-')}")
    return widgets.VBox([title, *(controls[key] for key in GROUPS[name])])
