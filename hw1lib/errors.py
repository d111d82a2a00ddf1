"""User-facing errors.

Anything a user can get wrong (a file, a parameter, a name) raises :class:`Hw1libError` with a
message that names the culprit and says what was expected. The command line prints that message
as one line on stderr and exits non-zero; anything else is a bug and keeps its traceback.
"""


class Hw1libError(Exception):
    """A problem with the user's input, explained in one line."""


class DataError(Hw1libError, ValueError):
    """A data file or dataset spec that cannot be used."""


class ConfigError(Hw1libError, ValueError):
    """A hyperparameter or name that is out of range or unknown."""


def unknown_name(kind: str, name: str, known) -> ConfigError:
    """The error for a name missing from a registry, listing the names that exist."""
    return ConfigError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")


def one_line(error) -> str:
    """An exception's message on one line (runs of whitespace, newlines included, become one space)."""
    return " ".join(str(error).split()) or type(error).__name__
