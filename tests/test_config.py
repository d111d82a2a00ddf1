"""RunConfig validation: every bad value is refused up front, naming the parameter."""

import numpy as np
import pytest

from hw1lib.errors import ConfigError
from hw1lib.runs.config import RunConfig


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"lr": 0}, "lr: expected a number > 0"),
        ({"lr": -0.1}, "lr: expected a number > 0"),
        ({"lr": float("nan")}, "lr: expected a finite number"),
        ({"batch_size": 0}, "batch_size: expected a whole number >= 1"),
        ({"batch_size": 2.5}, "batch_size: expected a whole number"),
        ({"epochs": 0}, "epochs: expected a whole number >= 1"),
        ({"hidden": (256, 0)}, "hidden size: expected a whole number >= 1"),
        ({"hidden": ()}, "hidden: expected at least one"),
        ({"activation": "swish"}, "unknown activation 'swish'; known: identity, leaky_relu, relu, sigmoid, tanh"),
        ({"init": "glorot"}, "unknown initializer 'glorot'; known: he, normal, xavier, zero"),
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'; known: adam, momentum, sgd"),
        ({"normalize": "minmax"}, "unknown normalize 'minmax'"),
        ({"latent_activation": "swish"}, "unknown activation 'swish'; known: identity, leaky_relu"),
        ({"init_std": 0}, "init_std: expected a number > 0"),
        ({"momentum": 1.0}, "momentum: expected a value in"),
        ({"snapshot_stages": (0, 11)}, "snapshot_stages: expected epochs between 0 and 10"),
        ({"snapshot_layer": 1}, "snapshot_layer: 1 is not a hidden layer"),
        ({"max_iterations": 0}, "max_iterations: expected a whole number >= 1"),
    ],
)
def test_bad_values_are_refused_with_the_parameter_named(changes, message):
    with pytest.raises(ConfigError) as error:
        RunConfig(**changes)
    assert message in str(error.value)


def test_normalises_types_and_round_trips():
    config = RunConfig(hidden=[np.int64(64), 2.0], lr=np.float32(0.5), snapshot_stages=[3, 0, 1, 1])
    assert config.hidden == (64, 2) and type(config.hidden[0]) is int
    assert config.snapshot_stages == (0.0, 1.0, 3.0)
    assert RunConfig.from_dict(config.to_dict()) == config
    assert config.key() == RunConfig.from_dict(config.to_dict()).key()
    assert config.key() != config.replace(seed=1).key()
    with pytest.raises(ConfigError, match="unknown config field"):
        RunConfig.from_dict({**config.to_dict(), "dropout": 0.5})


def test_is_frozen():
    with pytest.raises(AttributeError):
        RunConfig().lr = 1.0


def test_cache_keys_of_configs_without_a_latent_activation_are_unchanged():
    """Digests computed before ``latent_activation`` existed: the runs cached under them stay valid."""
    assert RunConfig().key() == "799415cb28a2c9d1d047099ae0a1a5dbf557abab29f34e91c499a9698e73fcb2"
    latent = RunConfig(
        hidden=(256, 2), activation="leaky_relu", normalize="standardize", lr=0.1, snapshot_stages=(0, 1, 5, 10)
    )
    assert latent.key() == "7c62e5fad9a84de64f0e7b85ed0930254b723eafc46a35c02460c873f37b4c2a"
    assert "latent_activation" not in latent.to_dict()
    linear = latent.replace(latent_activation="identity")
    assert linear.key() != latent.key() and linear.to_dict()["latent_activation"] == "identity"
    assert RunConfig.from_dict(linear.to_dict()) == linear


def test_describe_names_a_last_layer_of_its_own():
    config = RunConfig(hidden=(256, 2), activation="leaky_relu", latent_activation="identity")
    assert config.describe().startswith("hidden 256-2 leaky ReLU, last layer linear, He init")
    assert RunConfig(latent_activation="relu").describe().startswith("hidden 256 ReLU, He init")
