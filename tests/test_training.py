"""The training loop: determinism, sampling, evaluation, snapshots, divergence, learning."""

import pickle

import numpy as np
import pytest

from hw1lib.data.datasets import load_dataset
from hw1lib.nn import network as network_module
from hw1lib.runs.config import RunConfig
from hw1lib.runs.training import Trainer, build_network, train

from .helpers import write_course_folder

SMALL = RunConfig(hidden=(16,), lr=0.1, batch_size=32, epochs=3)


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    return load_dataset(write_course_folder(tmp_path_factory.mktemp("course")))


def arrays_equal(a, b):
    keys = ("batch_loss", "train_loss", "train_error", "test_error", "test_pred", "snapshots")
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in keys) and all(
        np.array_equal(a.params[k], b.params[k]) for k in a.params
    )


def test_same_config_same_history_bit_for_bit(small_data):
    config = SMALL.replace(snapshot_stages=(0, 1))
    first, second = train(config, small_data, progress=False), train(config, small_data, progress=False)
    assert arrays_equal(first, second)
    assert not arrays_equal(first, train(config.replace(seed=1), small_data, progress=False))


def same_run(a, b):
    """Every array and number of two Histories equal, bit for bit, except the seconds they took."""
    return a.replace(seconds=0).to_bytes() == b.replace(seconds=0).to_bytes()


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("momentum", 0.02), ("adam", 0.002)])
def test_a_paused_run_goes_on_elsewhere_exactly_as_an_unpaused_one(small_data, optimizer, lr):
    config = SMALL.replace(
        hidden=(16, 8),
        activation="leaky_relu",
        optimizer=optimizer,
        lr=lr,
        epochs=4,
        snapshot_stages=(0, 0.5, 2, 3.5),
        snapshot_layer=0,
    )
    trainer = Trainer(config, small_data)
    paused = trainer.run(progress=False, until_epoch=2)
    assert trainer.epochs_done == 2 and not trainer.finished and paused.iterations == 2 * paused.iterations_per_epoch
    # Pickled without its data twice, as a sweep sends it (worker -> parent -> worker), then run on.
    moved = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(trainer))))
    assert moved.dataset is None and moved.network is None
    # joblib hands large arrays to a worker as read-only memory maps.
    for array in (
        moved.batch_loss,
        *moved._params.values(),
        *(a for state in vars(moved.optimizer).values() if isinstance(state, dict) for a in state.values()),
    ):
        array.flags.writeable = False
    resumed = moved.attach(small_data).run(progress=False)
    assert same_run(resumed, train(config, small_data, progress=False))
    assert list(resumed.snapshot_stages) == [0, 0.5, 2, 3.5]
    # What it recorded up to the pause is the run of a config with only those epochs.
    assert same_run(
        paused.replace(config=config.replace(epochs=2, snapshot_stages=(0, 0.5, 2))),
        train(config.replace(epochs=2, snapshot_stages=(0, 0.5, 2)), small_data, progress=False),
    )


def test_each_epoch_visits_every_sample_once(small_data, monkeypatch):
    seen = []
    original = network_module.MLP.loss

    def spy(self, x, labels):
        seen.append(x.copy())
        return original(self, x, labels)

    monkeypatch.setattr(network_module.MLP, "loss", spy)
    history = train(SMALL.replace(batch_size=64, epochs=2), small_data, progress=False)
    per_epoch = history.iterations_per_epoch
    assert per_epoch == 5 and len(seen) == 10  # 300 = 4 x 64 + 44
    train_rows = {row.tobytes() for row in small_data.train_x}
    for epoch in range(2):
        rows = np.concatenate(seen[epoch * per_epoch : (epoch + 1) * per_epoch])
        assert len(rows) == 300 and {r.tobytes() for r in rows} == train_rows
    assert not np.array_equal(seen[0], seen[per_epoch]), "the order must change between epochs"


def test_evaluation_schedule_and_curves(small_data):
    history = train(SMALL.replace(eval_every=4), small_data, progress=False)
    per_epoch = history.iterations_per_epoch  # 10
    expected = sorted({0, *range(4, 3 * per_epoch + 1, 4), *(per_epoch * e for e in (1, 2, 3))})
    assert history.eval_iteration.tolist() == expected
    assert history.eval_epoch[-1] == 3.0 and history.iterations == 3 * per_epoch
    assert history.train_error[-1] < history.train_error[0]
    assert history.final_test_error == pytest.approx(np.mean(history.test_pred != small_data.test_y))


def test_max_iterations_stops_early(small_data):
    history = train(SMALL.replace(max_iterations=7), small_data, progress=False)
    assert history.iterations == 7 and history.eval_iteration[-1] == 7


def test_snapshots_of_the_latent_layer(small_data):
    config = SMALL.replace(hidden=(16, 2), snapshot_stages=(0, 0.5, 1, 3))
    history = train(config, small_data, progress=False)
    assert history.snapshot_stages.tolist() == [0, 0.5, 1, 3]
    assert history.snapshots.shape == (4, len(small_data.test_y), 2)
    fresh = build_network(config, 784, 10, np.random.default_rng(config.seed))
    np.testing.assert_array_equal(history.snapshots[0], fresh.hidden_output(small_data.test_x))
    assert not np.array_equal(history.snapshots[0], history.snapshots[-1])
    # The output layer's weights at the same stages: the initial ones first, the final ones last.
    assert history.snapshot_weights.shape == (4, 2, 10) and history.snapshot_biases.shape == (4, 10)
    np.testing.assert_array_equal(history.snapshot_weights[0], fresh.params["W3"])
    np.testing.assert_array_equal(history.snapshot_weights[-1], history.params["W3"])
    np.testing.assert_array_equal(history.snapshot_biases[-1], history.params["b3"])


def test_divergence_stops_and_is_marked(small_data):
    history = train(SMALL.replace(lr=1e6, activation="relu"), small_data, progress=False)
    assert history.diverged
    assert not np.isfinite(history.batch_loss[-1])
    assert history.iterations < 3 * history.iterations_per_epoch
    assert history.summary()["final_loss"] is None or np.isfinite(history.summary()["final_loss"])


def test_callbacks_see_progress_and_can_cancel(small_data):
    seen = []
    history = train(
        SMALL,
        small_data,
        progress=False,
        on_eval=lambda h: seen.append(h.iterations),
        should_stop=lambda: len(seen) >= 2,
    )
    assert seen[:2] == [0, history.iterations_per_epoch]
    assert history.iterations == history.iterations_per_epoch + 1


def test_learning_check_on_default_data():
    """ReLU 784-256-10, He init, on mnist-5k: test error <= 7% within 10 epochs."""
    config = RunConfig(hidden=(256,), activation="relu", init="he", epochs=10)
    history = train(config, load_dataset("mnist-5k"), progress=False)
    assert history.final_test_error <= 0.07, history.test_error
    assert not history.diverged
