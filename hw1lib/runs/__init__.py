"""One training run: its configuration, the training loop, the History it leaves, and the cache
that keeps finished runs so nothing trains twice (config -> run -> history)."""

from .cache import cached_train
from .config import RunConfig, display_name, known_names
from .history import History
from .training import train

__all__ = ["History", "RunConfig", "cached_train", "display_name", "known_names", "train"]
