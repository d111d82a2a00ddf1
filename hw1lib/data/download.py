"""Fetching the full MNIST and Fashion-MNIST files into the data cache, verified by SHA-256.

A file in the cache is trusted only if its hash matches, checked on every load: downloads go to
a temporary file in the same folder and are renamed into place only after the hash is right, so
an interrupted download or a broken mirror never leaves a file that looks finished.
"""

import hashlib
import http.client
import os
import pathlib
import sys
import urllib.request

from tqdm import tqdm

from ..common import atomic_file, cache_folder, not_a_folder
from ..errors import DataError, one_line

# Tried in turn; tests point these at a local server. $HW1LIB_MIRROR (comma-separated base URLs)
# replaces them, e.g. for a mirror inside a network that cannot reach these.
MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion-mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}

# The upstream .gz files; MNIST's as listed by TensorFlow Datasets (url_checksums/mnist.txt),
# Fashion-MNIST's computed from Debian's copy of the upstream files.
SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    },
}

TIMEOUT_S = 30
_CHUNK = 1 << 16


def data_dir() -> pathlib.Path:
    """The data cache: ``$HW1LIB_DATA`` if set, else the user cache folder of hw1lib + ``/data``."""
    return cache_folder("HW1LIB_DATA", "data")


def sha256_of(path: pathlib.Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(name: str) -> pathlib.Path:
    """Make sure the four verified .gz files of dataset ``name`` are cached; return their folder."""
    folder = data_dir() / name
    problem = not_a_folder(folder)
    if problem:
        raise DataError(f"cannot keep the {name} download in {folder}: {problem}; set HW1LIB_DATA to a folder")
    for filename, expected in SHA256[name].items():
        target = folder / filename
        if target.is_file():
            if sha256_of(target) == expected:
                continue
            target.unlink()  # damaged or stale: never leave it where a later load could find it
        _download_verified(name, filename, expected, target)
    return folder


def mirrors(name: str) -> tuple[str, ...]:
    """Base URLs to try for dataset ``name``: $HW1LIB_MIRROR if set, else the public ones."""
    env = os.environ.get("HW1LIB_MIRROR", "").strip()
    if env:
        bases = (base.strip() for base in env.split(","))
        return tuple(base.rstrip("/") + "/" for base in bases if base)
    return MIRRORS[name]


class _Mismatch(Exception):
    """A download that arrived but is not the expected file."""


def _download_verified(name: str, filename: str, expected: str, target: pathlib.Path) -> None:
    """Try each mirror in turn until one serves ``filename`` with the expected hash."""
    failures = []
    for mirror in mirrors(name):
        url = mirror + filename
        try:
            with atomic_file(target) as out:
                digest = _stream(url, out, filename)
                if digest != expected:
                    raise _Mismatch(f"SHA-256 {digest[:12]}... instead of {expected[:12]}...")
            return
        # URLError, HTTPError and timeouts are OSErrors; a garbled reply is an HTTPException.
        except (OSError, ValueError, http.client.HTTPException, _Mismatch) as err:
            failures.append(f"{url}: {one_line(err)}")
    raise DataError(f"could not download {filename} for {name!r} into {target.parent}; " + "; ".join(failures))


def _stream(url: str, out, label: str) -> str:
    """Copy ``url`` into ``out`` with a progress bar; return the SHA-256 of what arrived."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = 0
        # disable=None hides the bar when stderr is not a terminal (logs, CI).
        with tqdm(
            total=total, unit="B", unit_scale=True, desc=label, file=sys.stderr, disable=None, leave=False
        ) as bar:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    # http.client returns a short body without complaint when the server closes early.
    if total is not None and received != total:
        raise _Mismatch(f"cut off after {received:,} of {total:,} bytes")
    return digest.hexdigest()
