"""The report's output folder: checked, created, and written by one report at a time.

Two reports writing into one folder at once would overwrite each other's executed notebooks
and figures, and an error message of one could point at a notebook the other had rewritten.
So a report holds an exclusive lock on ``DIR/.hw1lib-report.lock`` (``fcntl.flock``) while it
writes; the operating system releases it when the process ends, however it ends (a crash or
kill -9 included), and a second report into the folder is refused at once, before it writes.
"""

import contextlib
import fcntl
import os
import pathlib

from ..common import not_a_folder
from ..errors import ConfigError

LOCK_NAME = ".hw1lib-report.lock"
SUBFOLDERS = ("notebooks", "figures")


@contextlib.contextmanager
def claim_output_folder(out):
    """Check that ``out`` can be the report's folder, create it, and hold its lock for the ``with`` block.

    ConfigError, naming ``out``, if it is (or lies inside) a file, cannot be created or written,
    or another report holds it.
    """
    out = pathlib.Path(out)
    for folder in (out, *(out / name for name in SUBFOLDERS)):
        problem = not_a_folder(folder)
        if problem:
            raise ConfigError(f"--out {out}: {problem}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"--out {out}: cannot create it ({error.strerror or error})") from None
    try:
        fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ConfigError(f"--out {out}: cannot write into it ({error.strerror or error})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise ConfigError(
                f"--out {out}: another hw1lib report is writing into {out}"
                f"{f' (process {holder})' if holder.isdigit() else ''}; wait for it to finish, "
                f"or give this one another folder with --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield out
    finally:
        os.close(fd)  # releases the lock; the file stays, so every report locks the same file
