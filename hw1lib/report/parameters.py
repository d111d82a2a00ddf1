"""The report's notebook parameters and the values each one takes, checked before any notebook runs.

As scikit-learn's ``_parameter_constraints`` does, one table (``CONSTRAINTS``) maps every name to
its check, and the checks are common.py's, so "a whole number >= 1" is worded the same way for
``-p sweep_trials`` as for ``--epochs``. A name a notebook declares that the table does not know
yet is still checked against the type of the notebook's default. Combinations (a stage schedule
for the epochs given, a whole RunConfig) are then checked by building the runs themselves; see
``resolve_parameters``.
"""

import ast
import numbers
import os
import pathlib
import re

from ..common import count, finite_number, whole_number
from ..data.datasets import DATASET_NAMES
from ..errors import ConfigError
from . import experiments
from .execution import NOTEBOOKS

# Drawn in one figure (gallery_size, 8 a row) or one GIF frame each (stages): beyond these the figure
# takes minutes to draw and runs over many printed pages.
MAX_GALLERY = 200
MAX_STAGES = 200


def _whole(minimum, maximum=None):
    def check(name, value):
        if maximum is None:
            return whole_number(name, value, minimum=minimum)
        if not _passes(whole_number, name, value) or not minimum <= value <= maximum:
            raise ConfigError(f"{name}: expected a whole number between {minimum} and {maximum}, got {value!r}")
        return int(value)

    return check


def _positive(name, value):
    return finite_number(name, value, positive=True)


def _optional(check):
    return lambda name, value: None if value is None else check(name, value)


def _list_of(check, item_name=None):
    """A non-empty list (or tuple) whose every item passes ``check``, named ``item_name`` in its message."""

    def checked(name, value):
        if not isinstance(value, (list, tuple)) or not value:
            raise ConfigError(f"{name}: expected a list of at least one value, e.g. [1, 2], got {value!r}")
        return [check(item_name or name, item) for item in value]

    return checked


def _dataset_spec(name, value):
    if not isinstance(value, (str, os.PathLike)) or value == "":
        raise ConfigError(f"{name}: expected a dataset name or a folder (a string), got {value!r}")
    return value


def _scheduler_address(name, value):
    """A Dask scheduler's address: a scheme, ``://`` and where (host and port), with no spaces."""
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", value):
        raise ConfigError(
            f"{name}: expected the address of a Dask scheduler, e.g. tcp://10.0.0.5:8786, or None, got {value!r}"
        )
    return value


def _set_from_out(name, value):
    raise ConfigError(f"{name}: set from --out (figures go to DIR/figures); choose the folder with --out DIR")


CONSTRAINTS = {
    "data": _dataset_spec,
    "seed": _whole(0),
    "hidden": _list_of(count, "hidden size"),
    "batch_size": count,
    "epochs": count,
    "init_std": _positive,
    "seed_report_lrs": _list_of(_positive),
    "sweep_trials": count,
    "sweep_epochs": count,
    "sweep_screen_epochs": count,
    "sweep_keep": _optional(count),  # None: every configuration gets sweep_epochs
    "sweep_jobs": _optional(count),
    "sigmoid_lrs": count,
    "stages": _whole(0, MAX_STAGES),  # the animation's frames besides the figure's stages
    "gallery_size": _whole(1, MAX_GALLERY),
    "scheduler": _optional(_scheduler_address),  # None: train on this machine's cores
}
SET_BY_THE_REPORT = {"figures_dir": _set_from_out}


def _like(default):
    """A check that a value has the type of ``default`` (ints stay whole numbers, lists stay lists)."""

    def check(name, value):
        if default is None:
            return value
        if isinstance(default, bool):
            ok, kind = isinstance(value, bool), "True or False"
        elif isinstance(default, numbers.Integral):
            ok, kind = _passes(whole_number, name, value), "a whole number"
        elif isinstance(default, numbers.Real):
            ok, kind = isinstance(value, numbers.Real) and not isinstance(value, bool), "a number"
        elif isinstance(default, (list, tuple)):
            ok, kind = isinstance(value, (list, tuple)), "a list"
        else:
            ok, kind = isinstance(value, type(default)), f"a {type(default).__name__}"
        if not ok:
            raise ConfigError(f"{name}: expected {kind} like its default {default!r}, got {value!r}")
        return value

    return check


def _passes(check, name, value):
    try:
        check(name, value)
    except ConfigError:
        return False
    return True


def check_report_parameters(values, defaults, overrides):
    """ConfigError naming the first parameter of ``values`` outside its range.

    ``defaults`` are the notebooks' own values (the types of names the table does not know);
    ``overrides`` the names the user set, of which those the report sets itself are refused.
    """
    for name in sorted(overrides):
        if name in SET_BY_THE_REPORT:
            SET_BY_THE_REPORT[name](name, overrides[name])
    for name, value in values.items():
        if name not in SET_BY_THE_REPORT:
            CONSTRAINTS.get(name, _like(defaults.get(name)))(name, value)


def notebook_defaults(folder):
    """{name: default value} of every notebook's ``parameters`` cell, evaluated as Python literals."""
    import papermill

    defaults = {}
    for name in NOTEBOOKS:
        for key, spec in papermill.inspect_notebook(str(folder / name)).items():
            defaults.setdefault(key, ast.literal_eval(spec["default"]))
    return defaults


def resolve_parameters(folder, overrides):
    """The report's parameters: the notebooks' defaults with ``overrides`` applied, checked up front.

    Unknown names and bad values raise ConfigError/DataError before any notebook runs: each value
    against its own range (``parameters.CONSTRAINTS``), then together, by building every run.
    """
    values = notebook_defaults(folder)
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise ConfigError(f"unknown notebook parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(values))}")
    check_report_parameters({**values, **overrides}, values, overrides)
    values.update(overrides)
    data = values["data"]
    if (
        isinstance(data, (str, os.PathLike))
        and str(data) not in DATASET_NAMES
        and pathlib.Path(data).expanduser().exists()
    ):
        values["data"] = str(pathlib.Path(data).expanduser().resolve())  # kernels run in another folder
    experiments.model_config(
        "sigmoid",
        hidden=values["hidden"],
        epochs=values["epochs"],
        seed=values["seed"],
        lr=1.0,
        batch_size=values["batch_size"],
        init="normal",
        init_std=values["init_std"],
    )
    experiments.seed_report_configs(
        hidden=values["hidden"],
        epochs=values["epochs"],
        seed=values["seed"],
        batch_size=values["batch_size"],
        learning_rates=values["seed_report_lrs"],
    )
    experiments.check_sweep_parameters(
        trials=values["sweep_trials"],
        max_epochs=values["sweep_epochs"],
        seed=values["seed"],
        screen_epochs=values["sweep_screen_epochs"],
        keep=values["sweep_keep"],
        jobs=values["sweep_jobs"],
        sigmoid_lrs=values["sigmoid_lrs"],
    )
    return values
