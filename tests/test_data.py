import gzip
import struct

import numpy as np
import pytest

from tf1_ae import data
from tf1_ae.data import DataError, DataSet


def test_next_batch_visits_each_example_once_per_epoch_and_wraps_around():
    np.random.seed(0)
    images = np.arange(10, dtype=np.float32).reshape(10, 1)
    ds = DataSet(images, np.arange(10))
    first = np.concatenate([ds.next_batch(4)[1] for _ in range(2)])  # 8 of epoch 0
    crossing = ds.next_batch(4)[1]  # the last 2 of epoch 0 + the first 2 of epoch 1
    assert sorted(np.concatenate([first, crossing[:2]])) == list(range(10))
    assert ds.epochs_completed == 1
    rest = np.concatenate([ds.next_batch(4)[1] for _ in range(2)])
    assert sorted(np.concatenate([crossing[2:], rest])) == list(range(10))
    assert not np.array_equal(np.concatenate([first, crossing[:2]]), np.concatenate([crossing[2:], rest]))


def test_mnist5k_split_is_stratified_disjoint_and_scaled(mnist5k):
    sizes = (mnist5k.train.num_examples, mnist5k.validation.num_examples, mnist5k.test.num_examples)
    assert sizes == (4000, 500, 500)
    for split, per_class in ((mnist5k.train, 400), (mnist5k.validation, 50), (mnist5k.test, 50)):
        assert np.bincount(split.labels, minlength=10).tolist() == [per_class] * 10
        assert split.images.dtype == np.float32 and split.images.shape[1] == 784
        assert split.images.min() == 0.0 and split.images.max() == 1.0
    assert len(set(mnist5k.train.labels[:50])) > 5  # shuffled, not sorted by label like the file
    rows = {row.tobytes() for row in mnist5k.train.images}
    assert not any(row.tobytes() in rows for row in mnist5k.test.images)


def write_idx(folder, n_train, n_test, gz=True, truncate=False):
    rng = np.random.RandomState(0)
    opener = gzip.open if gz else open
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        payload = images.tobytes()[:-10] if truncate and prefix == "train" else images.tobytes()
        with opener(folder / f"{prefix}-images-idx3-ubyte{suffix}", "wb") as f:
            f.write(struct.pack(">IIII", 2051, n, 28, 28) + payload)
        with opener(folder / f"{prefix}-labels-idx1-ubyte{suffix}", "wb") as f:
            f.write(struct.pack(">II", 2049, n) + (np.arange(n) % 10).astype(np.uint8).tobytes())
    return folder


def test_idx_folder_uses_the_books_split(tmp_path):
    ds = data.load(f"idx:{write_idx(tmp_path, 5300, 40)}")
    assert (ds.train.num_examples, ds.validation.num_examples, ds.test.num_examples) == (300, 5000, 40)
    assert ds.validation.labels[:3].tolist() == [0, 1, 2]  # the first 5,000 validate
    assert ds.train.labels[0] == 5000 % 10
    assert 0.0 <= ds.train.images.min() and ds.train.images.max() <= 1.0


def test_idx_pixels_are_scaled_as_the_books_read_data_sets_scaled_them(tmp_path):
    """read_data_sets: `numpy.multiply(images, 1.0 / 255.0)` on float32, a multiply by float32(1/255), one unit
    in the last place from a division by 255 for 126 of the 256 intensities; mnist5k keeps its division."""
    write_idx(tmp_path, 5300, 40)
    every_intensity = (np.arange(784) % 256).astype(np.uint8).reshape(1, 28, 28)
    write_images(tmp_path / "t10k-images-idx3-ubyte.gz", (1, 28, 28), every_intensity.tobytes())
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 2049, 1) + bytes([7]))
    pixels = data.load(f"idx:{tmp_path}").test.images[0]
    intensities = every_intensity.reshape(784).astype(np.float32)
    assert np.array_equal(pixels, np.multiply(intensities, 1.0 / 255.0))  # the book's, bit for bit
    assert len(np.unique(intensities[pixels != intensities / 255])) == 126
    divided, multiplied = np.arange(256, dtype=np.float32) / 255, np.arange(256, dtype=np.float32) * np.float32(1 / 255)
    mnist5k = set(np.unique(data.load_mnist5k().train.images))
    assert mnist5k <= set(divided) and not mnist5k <= set(multiplied)


@pytest.mark.parametrize("problem", ["missing", "truncated", "empty-folder"])
def test_bad_data_raises_one_line_data_error(tmp_path, problem):
    folder = tmp_path / "idx"
    folder.mkdir()
    if problem == "truncated":
        write_idx(folder, 5100, 10, gz=False, truncate=True)
    source = f"idx:{tmp_path / 'nowhere'}" if problem == "missing" else f"idx:{folder}"
    with pytest.raises(DataError) as err:
        data.load(source)
    assert "\n" not in str(err.value)


def write_images(path, header_dims, images_bytes, gz=True):
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(struct.pack(">IIII", 2051, *header_dims) + images_bytes)


@pytest.mark.parametrize("problem, expected", [
    ("32x32 train", "expected a non-empty stack of 28×28 images, got shape (5100, 32, 32)"),
    ("garbage gzip", "cannot read"),
    ("huge header", "claims 4,000,000 items: more than the 250,000 read here"),
    ("header beyond the file", "claims shape (200000, 28, 28) (156,800,000 bytes) but holds fewer"),
    ("no test images", "test set: expected a non-empty stack"),
    ("extra bytes", "claims shape (5100, 28, 28) (3,998,400 bytes) but holds more"),
])
def test_damaged_idx_files_are_refused_in_one_line_before_much_is_read(tmp_path, problem, expected):
    write_idx(tmp_path, 5100, 10)
    train = tmp_path / "train-images-idx3-ubyte.gz"
    if problem == "32x32 train":
        write_images(train, (5100, 32, 32), bytes(5100 * 32 * 32))
    elif problem == "garbage gzip":
        train.write_bytes(gzip.compress(b"x")[:10] + b"garbage body" * 100)
    elif problem == "huge header":
        write_images(train, (4_000_000, 28, 28), b"")  # 3 GB promised by a file of a few bytes
    elif problem == "header beyond the file":  # under the cap, but the gzip trailer says what the file really holds
        write_images(train, (200_000, 28, 28), bytes(1000))
    elif problem == "no test images":
        write_images(tmp_path / "t10k-images-idx3-ubyte.gz", (0, 28, 28), b"")
        with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">II", 2049, 0))
    elif problem == "extra bytes":
        write_images(train, (5100, 28, 28), bytes(5100 * 784 + 1))
    with pytest.raises(DataError) as err:
        data.load(f"idx:{tmp_path}")
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_checked_scales_once_and_refuses_what_no_image_holds():
    ones = np.ones((3, 784), np.float32)
    assert np.array_equal(data.checked("x", "t", ones, np.array([0, 1, 9]))[0], ones)  # already in [0, 1]
    assert data.checked("x", "t", np.full((3, 28, 28), 255, np.uint8), np.zeros(3, int))[0].max() == 1.0
    for images, labels, expected in [
        (np.full((3, 784), np.nan, np.float32), np.zeros(3, int), "not finite"),
        (np.full((3, 784), 1e300), np.zeros(3, int), "pixels must lie in [0, 1] or [0, 255]"),
        (ones, np.array([0, 1, 10]), "labels must be digits 0-9"),
        (ones, np.array([0, 1]), "3 images but labels of shape (2,)"),
        (np.array("a string"), np.zeros(3, int), "images must be numbers"),
        (np.float32(1.0), np.zeros(3, int), "got shape ()"),
    ]:
        with pytest.raises(DataError, match=None) as err:
            data.checked("x", "t", images, labels)
        assert expected in str(err.value)
