"""Reading the idx format of MNIST and Fashion-MNIST, plain or gzipped.

An idx file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
one big-endian uint32 per dimension, then the values in C order. Only unsigned bytes (type 0x08)
occur in these datasets, so only they are read.
"""

import gzip
import pathlib
import zlib

import numpy as np

from ..errors import DataError, one_line

_UBYTE = 0x08


def read_idx(path: pathlib.Path, ndim: int) -> np.ndarray:
    """The uint8 array of shape (d1, ..., d_ndim) stored in ``path`` (gzip if it ends in .gz)."""
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] or raw[1] or raw[2] != _UBYTE or raw[3] != ndim:
        found = raw[:4].hex() if len(raw) >= 4 else f"only {len(raw)} bytes"
        raise DataError(
            f"{path}: bad idx magic number ({found}); expected 0000{_UBYTE:02x}{ndim:02x} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: idx header truncated ({len(raw)} bytes, expected {header})")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(raw) != expected:
        raise DataError(
            f"{path}: {len(raw):,} bytes but its header {shape} needs {expected:,}; the file is truncated or corrupt"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _read_bytes(path: pathlib.Path) -> bytes:
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.name.endswith(".gz") else data
    except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError
        raise DataError(
            f"{path}: cannot read ({one_line(err)}); expected an idx file, gzip-compressed if named .gz"
        ) from None
