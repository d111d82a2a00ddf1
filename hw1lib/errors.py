"""User-facing errors, and the one way messages reach the user.

Anything a user can get wrong (a file, a parameter, a name) raises :class:`Hw1libError` with a
message that names the culprit and says what was expected. The command line prints that message
as one line on stderr (``hw1lib: error: ...``) and exits non-zero; anything else is a bug and
keeps its traceback. A problem that costs only some convenience is a warning line,
``hw1lib: warning: ...``, and the run goes on.
"""

import sys


class Hw1libError(Exception):
    """A problem with the user's input, explained in one line."""


class DataError(Hw1libError, ValueError):
    """A data file or dataset spec that cannot be used."""


class ConfigError(Hw1libError, ValueError):
    """A hyperparameter or name that is out of range or unknown."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the command stops cleanly and says so in one line."""


def unknown_name(kind: str, name: str, known) -> ConfigError:
    """The error for a name missing from a registry, listing the names that exist."""
    return ConfigError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")


def one_line(error) -> str:
    """An exception's message on one line (runs of whitespace, newlines included, become one space)."""
    return " ".join(str(error).split()) or type(error).__name__


def say(line, stream=None):
    """Write ``line`` to stderr (or ``stream``) on a row of its own.

    A progress bar keeps its row without a newline, and a terminal echoes a typed Ctrl-C as ``^C``
    after it: the bars are cleared first and redrawn after the line, and on a terminal the row is
    erased before the line is written.
    """
    from tqdm import tqdm  # imported here: errors.py is imported by everything, tqdm by few

    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    erase = "\r\x1b[K" if isatty is not None and isatty() else ""
    with tqdm.external_write_mode(file=stream):
        stream.write(f"{erase}{line}\n")
        stream.flush()


def warn(message):
    """A ``hw1lib: warning: ...`` line on stderr (see ``say``): something failed that costs only convenience."""
    say(f"hw1lib: warning: {one_line(message)}")
