"""`python -m tf1_ae data …` broken as a hostile tester broke it: an index on 127.0.0.1 that answers badly,
trickles or loops, a cache changed behind the fetch's back, a signal mid-download. Each answer is one line and
a documented exit code, never a traceback. No test reaches the network: Keras's mirror is pointed at a closed
port and pip reads only the environment each test gives it."""
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from conftest import one_error_line
from tf1_ae import data, fetch
from tf1_ae.runs import REPO_ROOT
from test_fetch import archive, expected_of, idx_files, idx_table

# `python -m tf1_ae ARGS` after setting module constants: json [[module, name, value], ...] as argv[1]
RUNNER = """
import json, runpy, sys
from tf1_ae import data, fetch
for module, name, value in json.loads(sys.argv[1]):
    setattr({"data": data, "fetch": fetch}[module], name, value)
sys.argv = ["python -m tf1_ae", *sys.argv[2:]]
runpy.run_module("tf1_ae", run_name="__main__", alter_sys=True)
"""
CLOSED = "http://127.0.0.1:9"  # nothing listens on port 9


def command(tmp_path, args, index=f"{CLOSED}/simple", files=None, **constants):
    """The argv and environment of `python -m tf1_ae ARGS` with its cache in tmp_path, pip's index `index` and
    nothing else, Keras's mirror unreachable, `files` standing for MNIST's, and fetch's `constants`."""
    patches = [["fetch", "KERAS_URL", f"{CLOSED}/mnist.npz"]] + [["fetch", k, v] for k, v in constants.items()]
    if files is not None:
        patches.append(["data", "MNIST_IDX", idx_table(files)])
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PIP_CONFIG_FILE": os.devnull,
           "PIP_INDEX_URL": index, "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": ""}
    return [sys.executable, "-c", RUNNER, json.dumps(patches), *args], env


def tf1_ae(tmp_path, *args, timeout=60, **kwargs):
    argv, env = command(tmp_path, args, **kwargs)
    return subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


class Server:
    """An HTTP server on 127.0.0.1 in threads; `routes` maps a path to a function that answers the request."""

    def __init__(self, routes):
        self.requested = threading.Event()  # set once a route other than the project page was asked for
        self.sending = threading.Event()  # set once a trickled body's first piece has gone out
        self.sent = threading.Event()  # set once a trickled body's last piece has gone out
        self.closing = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                route = routes.get(self.path)
                if route is None:
                    return self.send_error(404)
                if not self.path.endswith(f"/{fetch.PACKAGE}/"):
                    server.requested.set()
                try:
                    route(self, server)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: what some tests want
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(routes):
        servers.append(Server(routes))
        return servers[-1]
    yield start
    for server in servers:
        server.close()


def answer(body, content_type="text/html", status=200, headers=()):
    def route(handler, server):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    return route


def trickle(body, pieces, every):
    """`body` in `pieces` parts, one every `every` seconds (its Content-Length said at once)."""
    def route(handler, server):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        size = -(-len(body) // pieces)
        for start in range(0, len(body), size):
            if server.closing.wait(every):
                return
            handler.wfile.write(body[start:start + size])
            handler.wfile.flush()
            server.sending.set()
        server.sent.set()
    return route


def project_page(body):
    """The project's PEP 503 page, linking the archive at /files/ with its SHA-256."""
    return answer(f'<a href="../../files/{fetch.ARCHIVE}#sha256={hashlib.sha256(body).hexdigest()}">'
                  f'{fetch.ARCHIVE}</a>'.encode())


PAGE, FILE = f"/simple/{fetch.PACKAGE}/", f"/files/{fetch.ARCHIVE}"


def pep691(entry):
    return json.dumps({"meta": {"api-version": "1.0"}, "name": fetch.PACKAGE,
                       "files": [{"filename": fetch.ARCHIVE, "url": f"../../files/{fetch.ARCHIVE}", **entry}]}).encode()


@pytest.mark.parametrize("page", [
    pep691({"hashes": None}),
    pep691({"hashes": ["sha256", "0" * 64]}),
    pep691({"hashes": {"sha256": 12345}}),
    pep691({"url": 5, "hashes": {}}),
    b"[" * 100_000 + b"]" * 100_000,
], ids=["hashes-null", "hashes-a-list", "sha256-a-number", "url-a-number", "nested-100000-deep"])
def test_a_malformed_pep691_answer_is_that_source_failing_in_one_line(tmp_path, serve, page):
    body = archive(idx_files())
    url = serve({PAGE: answer(page, "application/vnd.pypi.simple.v1+json"), FILE: answer(body)}).url
    done = tf1_ae(tmp_path, "data", "download", index=f"{url}/simple")
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and line.startswith("python -m tf1_ae: error: no source answered")
    assert f"{url}/simple/{fetch.PACKAGE}/" in line  # the page that answered badly
    assert not (tmp_path / "cache" / "tf1_ae" / "mnist").exists()


@pytest.mark.parametrize("index", ["no index here"])
def test_an_index_setting_pip_would_not_read_is_one_line(tmp_path, index):
    done = tf1_ae(tmp_path, "data", "download", index=index)
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and index in line


def test_a_redirect_loop_is_one_line(tmp_path, serve):
    url = serve({PAGE: answer(b"", status=302, headers=[("Location", PAGE)])}).url
    done = tf1_ae(tmp_path, "data", "download", index=f"{url}/simple")
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and "redirect" in line


def good_cache(tmp_path, monkeypatch, files):
    """A good fetch of `files` into tmp_path's cache, as `make data` leaves it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "MNIST_IDX", idx_table(files), raising=False)
    folder, _, _ = fetch.fetch([("a test", lambda: dict(files))], expected=expected_of(files))
    return folder


@pytest.mark.parametrize("record", ['["source", "fetched"]', "[" * 100_000 + "]" * 100_000],
                         ids=["a-list", "nested-100000-deep"])
def test_a_damaged_source_json_is_said_in_one_line(tmp_path, monkeypatch, record):
    files = idx_files()
    folder = good_cache(tmp_path, monkeypatch, files)
    (folder / "source.json").write_text(record)
    done = tf1_ae(tmp_path, "data", "info", files=files)
    assert done.returncode == 0 and done.stderr == "", done.stderr[-3000:]
    said = [line for line in done.stdout.splitlines() if "source.json" in line]
    assert len(said) == 1 and "damaged" in said[0] and "`make data`" in said[0]


def test_a_changed_byte_in_the_cache_is_refused_where_it_is_read(tmp_path, monkeypatch):
    files = idx_files()
    folder = good_cache(tmp_path, monkeypatch, files)
    good = tf1_ae(tmp_path, "data", "info", files=files).stdout
    assert "checked by SHA-256" in good, good
    with open(folder / "t10k-images-idx3-ubyte", "r+b") as image:  # one pixel of one test image
        image.seek(1000)
        pixel = image.read(1)
        image.seek(1000)
        image.write(bytes([pixel[0] ^ 0xFF]))
    info = tf1_ae(tmp_path, "data", "info", files=files).stdout
    assert "checked by SHA-256" not in info and "t10k-images-idx3-ubyte" in info and "`make data`" in info, info
    assert "--data auto uses mnist, and refuses it until `make data` fetches it again" in info, info
    assert "refuses" not in good
    done = tf1_ae(tmp_path, "run", "stacked_all", "--data", "mnist", "--steps", "1", "--batch-size", "10",
                  "--no-progress", "--out", str(tmp_path / "out"), files=files, timeout=240)
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and "t10k-images-idx3-ubyte" in line and "`make data`" in line
    assert not (tmp_path / "out" / "checkpoints").exists()
    assert "checked by SHA-256 just now" in good, good  # what was checked, and when


def trickling_index(serve, body, pieces, every):
    """An index whose archive arrives in `pieces` parts, one every `every` seconds."""
    return serve({PAGE: project_page(body), FILE: trickle(body, pieces, every)})


def test_a_stalled_download_is_given_up_long_before_its_deadline(tmp_path, serve):
    """1 byte every 0.2 s: under MIN_SPEED (1 KB/s) for STALL_SECONDS (here 2 s), it is given up in one line,
    exit 2, nothing written, where the whole download's deadline (300 s) would have waited on."""
    url = trickling_index(serve, archive(idx_files()), pieces=100_000, every=0.2).url
    done = tf1_ae(tmp_path, "data", "download", index=f"{url}/simple", STALL_SECONDS=2, timeout=60)
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and FILE in line and "stalled, below 1 KB/s for 2 s" in line, line
    assert not (tmp_path / "cache" / "tf1_ae" / "mnist").exists()


def test_a_trickling_download_ends_at_its_deadline(tmp_path, serve):
    url = trickling_index(serve, archive(idx_files()), pieces=100_000, every=0.2).url  # 1 byte / 0.2 s
    done = tf1_ae(tmp_path, "data", "download", index=f"{url}/simple", DEADLINE=2, MIN_SPEED=1, timeout=15)
    line = one_error_line(done.stderr)
    assert done.returncode == 2 and "2 s" in line and FILE in line  # 100,000 pieces would take hours
    assert not (tmp_path / "cache" / "tf1_ae" / "mnist").exists()


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_download_says_nothing_was_written(tmp_path, serve, signum, code):
    server = trickling_index(serve, archive(idx_files()), pieces=100_000, every=0.2)
    argv, env = command(tmp_path, ["data", "download"], index=f"{server.url}/simple")
    child = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.sending.wait(20), "the archive was never sent"
        child.send_signal(signum)  # inside the archive's download: its first piece has gone out
        _, err = child.communicate(timeout=20)
    finally:
        child.kill()
    lines = err.splitlines()
    assert child.returncode == code and len(lines) == 1, err[-3000:]
    assert "nothing was written" in lines[0] and "checkpoint" not in lines[0]
    assert not (tmp_path / "cache" / "tf1_ae" / "mnist").exists()


def test_the_set_up_says_each_source_and_how_far_the_download_is(tmp_path, serve):
    """`make setup`'s `data download --optional`: a line per source tried, saying what it answered, and a line
    at least every PROGRESS_EVERY seconds while the archive arrives (here 0.5 s, over about 3 s), which, slow
    but steady, outlasts STALL_SECONDS (here 1 s) without being taken for a stall. Each progress line is read
    as it is printed: several of them before the archive's last piece has gone out."""
    files = idx_files()
    server = trickling_index(serve, archive(files), pieces=10, every=0.3)
    url = server.url
    argv, env = command(tmp_path, ["data", "download", "--optional"], index=f"{url}/simple", files=files,
                        PROGRESS_EVERY=0.5, STALL_SECONDS=1)
    child = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = [(server.sent.is_set(), line.rstrip("\n")) for line in child.stdout]
        child.wait(timeout=30)
    finally:
        child.kill()
    lines = [line for _, line in said]
    assert child.returncode == 0 and lines, child.stderr.read()[-3000:]
    assert lines[0] == "full MNIST: trying Keras's mirror"
    assert lines[1].startswith(f"full MNIST: Keras's mirror: {CLOSED}/mnist.npz: ")
    assert lines[1].endswith(f"; trying pip's index {url}/simple")
    progress = [all_sent for all_sent, line in said if f"{url}{FILE}" in line and "MB" in line]
    assert len(progress) >= 3 and progress.count(False) >= 2, said  # while the archive arrives, not after
    assert f"fetched from pip's index {url}/simple" in lines[-1] and lines[-1].endswith("runs use it")
