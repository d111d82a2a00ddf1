"""Downloading named datasets, against a local HTTP server serving small idx files."""

import hashlib
import socket

import numpy as np
import pytest

from hw1lib.data import download
from hw1lib.data.datasets import FASHION_NAMES, load_dataset
from hw1lib.errors import DataError

from .local_mirror import FILES, SIZES


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty data cache with the test files' hashes in place of the real ones."""
    monkeypatch.setenv("HW1LIB_DATA", str(tmp_path / "data"))
    hashes = {name: hashlib.sha256(body).hexdigest() for name, body in FILES.items()}
    for name in ("mnist", "fashion-mnist"):
        monkeypatch.setitem(download.SHA256, name, hashes)
    return tmp_path / "data"


def use_mirrors(monkeypatch, *bases, name="mnist"):
    monkeypatch.setitem(download.MIRRORS, name, tuple(bases))


def refused_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def cached_files(cache):
    return sorted(p.name for p in cache.rglob("*")) if cache.exists() else []


def check_loaded(ds):
    assert ds.train_x.shape == (SIZES["train"], 784) and ds.test_x.shape == (SIZES["t10k"], 784)
    np.testing.assert_array_equal(ds.train_y, np.arange(SIZES["train"]) % 10)


@pytest.mark.parametrize("first", ["missing", "refused"])
def test_first_mirror_fails_second_serves(server, cache, monkeypatch, first):
    use_mirrors(monkeypatch, refused_url() if first == "refused" else server.url("missing"), server.url("good"))
    ds = load_dataset("mnist")
    check_loaded(ds)
    assert ds.name.startswith("mnist:") and ds.class_names == tuple("0123456789")
    assert sorted(server.requests) == sorted(f"/good/{name}" for name in FILES) + (
        sorted(f"/missing/{name}" for name in FILES) if first == "missing" else []
    )
    assert cached_files(cache) == ["mnist", *sorted(FILES)]


def test_fashion_mnist_download(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"), name="fashion-mnist")
    ds = load_dataset("fashion-mnist")
    check_loaded(ds)
    assert ds.class_names == FASHION_NAMES and ds.name.startswith("fashion-mnist:")


def test_checksum_mismatch_everywhere_caches_nothing(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("bad"), server.url("bad"))
    with pytest.raises(DataError) as info:
        load_dataset("mnist")
    message = str(info.value)
    assert "\n" not in message and "SHA-256" in message
    assert "train-images-idx3-ubyte.gz" in message and server.url("bad") in message
    assert cached_files(cache) in ([], ["mnist"])


def test_cut_off_response_caches_nothing(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("cut"))
    with pytest.raises(DataError, match="cut off"):
        load_dataset("mnist")
    assert cached_files(cache) in ([], ["mnist"])


def test_cut_off_then_good_mirror(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("cut"), server.url("good"))
    check_loaded(load_dataset("mnist"))
    for name, body in FILES.items():
        assert (cache / "mnist" / name).read_bytes() == body


def test_cached_files_are_reused(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    first = load_dataset("mnist")
    asked = len(server.requests)
    assert asked == len(FILES)
    second = load_dataset("mnist")
    assert len(server.requests) == asked
    assert second.fingerprint == first.fingerprint


def test_corrupted_cache_file_is_downloaded_again(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    first = load_dataset("mnist")
    damaged = cache / "mnist" / "train-labels-idx1-ubyte.gz"
    damaged.write_bytes(damaged.read_bytes()[:-3] + b"xyz")
    del server.requests[:]
    second = load_dataset("mnist")
    assert server.requests == ["/good/train-labels-idx1-ubyte.gz"]
    assert damaged.read_bytes() == FILES[damaged.name]
    assert second.fingerprint == first.fingerprint


def test_corrupted_cache_file_removed_when_download_fails(server, cache, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    load_dataset("mnist")
    damaged = cache / "mnist" / "t10k-images-idx3-ubyte.gz"
    damaged.write_bytes(b"junk")
    use_mirrors(monkeypatch, server.url("missing"))
    with pytest.raises(DataError, match="404"):
        load_dataset("mnist")
    assert not damaged.exists()
    assert not [p for p in (cache / "mnist").iterdir() if p.name.startswith(".")]
