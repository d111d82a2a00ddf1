"""A local mirror: an HTTP server on 127.0.0.1 serving small MNIST-layout idx.gz files."""

import gzip
import http.server
import struct
import threading

import numpy as np
import pytest

SIZES = {"train": 20, "t10k": 6}


def small_files():
    """{filename: gzipped idx bytes} for a tiny MNIST-layout dataset."""
    rng = np.random.default_rng(3)
    files = {}
    for split, n in SIZES.items():
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        files[f"{split}-images-idx3-ubyte.gz"] = struct.pack(">IIII", 0x0803, n, 28, 28) + images.tobytes()
        files[f"{split}-labels-idx1-ubyte.gz"] = struct.pack(">II", 0x0801, n) + labels.tobytes()
    return {name: gzip.compress(raw, mtime=0) for name, raw in files.items()}


FILES = small_files()


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves /good/, /bad/ (wrong bytes) and /cut/ (closes half way); anything else is 404."""

    def do_GET(self):
        self.server.requests.append(self.path)
        kind, _, name = self.path.strip("/").partition("/")
        if kind not in ("good", "bad", "cut") or name not in FILES:
            self.send_error(404)
            return
        body = FILES[name] if kind != "bad" else FILES[name][::-1]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body if kind != "cut" else body[: len(body) // 2])
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """A local server; ``server.url(kind)`` is a mirror base, ``server.requests`` the paths asked."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    httpd.url = lambda kind: f"http://127.0.0.1:{httpd.server_address[1]}/{kind}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)
