"""The report's prose follows the numbers: change a result and the sentence that reports it changes."""
import math

import numpy as np
import pytest

from hw1lib.data.datasets import load_dataset
from hw1lib.report import experiments, metrics
from hw1lib.report.discussion import initialization, words
from hw1lib.report.discussion import models as models_prose
from hw1lib.report.discussion.words import pct
from hw1lib.runs.training import train
from hw1lib.search.sweep import SearchSpace, run_sweep

from .helpers import write_course_folder

BUDGET = dict(hidden=[16], epochs=3, seed=0, lr=0.2, batch_size=32)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("discussion") / "course"))


@pytest.fixture(scope="module")
def models(data):
    return {experiments.display_name(name): train(experiments.model_config(name, **BUDGET), data, progress=False)
            for name in ("sigmoid", "relu")}


def with_errors(history, test, train_error=None):
    """A copy of ``history`` whose last evaluation reports other error rates."""
    test_error, train_err = history.test_error.copy(), history.train_error.copy()
    test_error[-1] = test
    if train_error is not None:
        train_err[-1] = train_error
    return history.replace(test_error=test_error, train_error=train_err)


def test_models_text_reports_each_final_error_and_names_the_better_model(models, data):
    sigmoid, relu = models["sigmoid"], models["ReLU"]
    text = models_prose.models_text({"sigmoid": with_errors(sigmoid, 0.123), "ReLU": with_errors(relu, 0.045)}, data)
    assert "the ReLU model has the lowest test error, 4.5%" in text and "sigmoid: 12.3%" in text
    flipped = models_prose.models_text({"sigmoid": with_errors(sigmoid, 0.031), "ReLU": with_errors(relu, 0.2)}, data)
    assert "the sigmoid model has the lowest test error, 3.1%" in flipped and "ReLU: 20.0%" in flipped


def test_models_text_spots_a_rising_test_loss(models, data):
    relu = models["ReLU"]
    rising = relu.test_loss.copy()
    rising[-1] = rising[-2] * 1.5
    text = models_prose.models_text({"ReLU": relu.replace(test_loss=rising)}, data)
    assert "first sign of over-fitting" in text and f"({words.num(float(rising[-1]))})" in text
    assert "no sign of over-fitting" in models_prose.models_text({"ReLU": relu}, data)


def test_models_text_names_each_learning_rate_when_they_differ(models, data):
    sigmoid, relu = models["sigmoid"], models["ReLU"]
    faster = sigmoid.replace(config=sigmoid.config.replace(lr=0.8))
    text = models_prose.models_text({"ReLU": relu, "sigmoid": faster}, data)
    assert "They differ only in the activation, the initialisation designed for it and the learning rate " \
           "(0.2 for ReLU and 0.8 for sigmoid)" in text
    assert "the sigmoid network needs a larger learning rate: 0.8, 4 times the ReLU network's 0.2" in text
    same = models_prose.models_text(models, data)
    assert "learning rate 0.2, seed 0" in same and "needs a larger learning rate" not in same


def test_sigmoid_choice_text_reports_every_validation_score(data):
    result = run_sweep(data, trials=2, space=SearchSpace(depths=(1,), widths=(16,), epochs=(2,)), jobs=1,
                       progress=False)
    trials = experiments.sigmoid_trials(data, result, 3, jobs=1)
    text = models_prose.sigmoid_choice_text(trials, result, data)
    assert all(t.config.activation == "sigmoid" and t.config.epochs == result.chosen.epochs for t in trials)
    for trial in trials:
        assert f"{pct(trial.val_error)} at lr {trial.config.lr:g}" in text
    assert f"uses lr {trials[0].config.lr:g}" in text and f"scored on the same {result.n_val:,}" in text
    histories = experiments.compared_models(data, result, trials)
    assert [h.config.lr for h in histories.values()] == [result.chosen.lr, trials[0].config.lr]


def test_training_versus_test_sentence_depends_on_the_gap(models, data):
    sigmoid = models["sigmoid"]
    gap = models_prose.models_text({"s": with_errors(sigmoid, 0.10, 0.02)}, data)
    assert "+8.0 points for s" in gap and "more closely than new ones" in gap
    none = models_prose.models_text({"s": with_errors(sigmoid, 0.02, 0.03)}, data)
    assert "-1.0 points for s" in none and "no network does clearly better" in none


def test_seed_report_text_computes_its_numbers(data):
    first_config, sweep_configs = experiments.seed_report_configs(hidden=[16], epochs=3, seed=0, batch_size=32,
                                                                  learning_rates=[0.001, 1.0])
    first = train(first_config, data, progress=False)
    sweep = {lr: train(config, data, progress=False) for lr, config in sweep_configs.items()}
    text = models_prose.seed_report_text(first, sweep, data)
    assert f"ln 10 = {math.log(10):.3f}" in text
    assert f"starts at {np.mean(first.batch_loss[:10]):.3f}" in text
    assert models_prose.tuned_learning_rate(sweep) == 1.0 and sweep[1.0].final_loss < sweep[0.001].final_loss
    assert (f"The rate with the lowest final training loss, 1, reaches a test error of "
            f"{pct(sweep[1.0].final_test_error)}") in text
    # Chosen by how far training got, never by the test set.
    flipped = {0.001: with_errors(sweep[0.001], 0.0), 1.0: with_errors(sweep[1.0], 0.9)}
    assert models_prose.tuned_learning_rate(flipped) == 1.0
    assert "the seed report's rate" in text
    change = metrics.weight_change(first, data)
    assert f"moved by {100 * change:.2g}% of their size" in text
    table = models_prose.seed_report_table(first, sweep).data
    assert list(table["final test error"]) == [pct(h.final_test_error) for h in (first, sweep[0.001], sweep[1.0])]


def test_init_text_chooses_the_sentences_the_runs_support(data):
    runs = {experiments.display_name(name): {init: train(config, data, progress=False)
                                             for init, config in experiments.init_configs(name, **BUDGET).items()}
            for name in ("sigmoid", "relu")}
    symmetries = {name: {init: metrics.symmetry(h, data) for init, h in by_init.items()}
                  for name, by_init in runs.items()}
    text = initialization.init_text(runs, symmetries, data)
    assert "**ReLU, zero initialisation: stuck.**" in text and "are all still exactly 0" in text
    assert f"{runs['ReLU']['zero'].params['W1'].size:,} first-layer weights" in text
    assert "**sigmoid, zero initialisation: symmetric.**" in text and "sigmoid(0) = 0.5" in text
    assert f"He, std √(2 / fan_in) = {math.sqrt(2 / 784):.4f}" in text
    for name, by_init in runs.items():
        for h in by_init.values():
            assert pct(h.final_test_error) in text
    table = initialization.init_table(runs)
    assert table.loc["zero", ("ReLU", "test error")] == pct(runs["ReLU"]["zero"].final_test_error)




def test_models_text_says_when_the_winner_was_behind_at_first(models, data):
    sigmoid, relu = models["sigmoid"], models["ReLU"]
    fast_start = sigmoid.test_error.copy()
    fast_start[1:] = [0.01, 0.2, 0.3]  # ahead after epoch 1, behind from epoch 2 on
    relu_errors = relu.test_error.copy()
    relu_errors[1:] = [0.05, 0.04, 0.03]
    text = models_prose.models_text({"sigmoid": sigmoid.replace(test_error=fast_start),
                                   "ReLU": relu.replace(test_error=relu_errors)}, data)
    assert "sigmoid starts faster and ReLU overtakes it after epoch 1" in text
    assert "after epoch 1 the test error is 5.0% for ReLU and 1.0% for sigmoid" in text
