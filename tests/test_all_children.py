"""`all`'s section processes never outlive it: however `all` ends (a closed pipe, a signal, a second signal
while it stops them, a signal the instant a process has started), it stops every process it started and
waits for them before it exits."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from tf1_ae.runs import REPO_ROOT


def started_for(out):
    """{PID: command line} of the live processes whose command line names `out`: `all` and each process it
    started (all are given --out), wherever they are in the process tree, an orphan too. A zombie has no
    command line: it has ended."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:  # it ended while being read
            continue
        if str(out).encode() in arguments:
            found[int(entry.name)] = b" ".join(arguments).decode(errors="replace")
    return found


@pytest.fixture
def out(tmp_path):
    """A run's --out folder; whatever a failed test left running in it is killed, not left to train on."""
    yield tmp_path
    for pid in started_for(tmp_path):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # it has ended meanwhile
            pass


def all_command(out, *args):
    return [sys.executable, "-m", "tf1_ae", "all", "--data", "mnist5k", "--out", str(out), "--jobs", "2", *args]


def ended(process):
    """`all`'s exit code and stderr lines, once it has exited."""
    code = process.wait(timeout=120)
    return code, process.stderr.read().strip().splitlines()


def test_a_pipe_closed_before_the_first_line_leaves_no_section_running(out):
    """`all … | true`: the first line, announcing the first section's process, finds the pipe closed."""
    process = subprocess.Popen(all_command(out), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    process.stdout.close()  # the reader is gone before `all` prints anything
    code, err = ended(process)
    assert started_for(out) == {}  # `all` has waited for its processes: none is left, not even for a moment
    assert code == 2 and len(err) == 1 and "the output was closed" in err[0], err


def test_a_pipe_closed_after_the_first_line_leaves_no_section_running(out, read_until):
    """`all … | head -1`: the pipe closes while `all` starts the second section's process."""
    process = subprocess.Popen(all_command(out), cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    read_until(process, "=== ")
    process.stdout.close()
    code, err = ended(process)
    assert started_for(out) == {}
    assert code == 2 and len(err) == 1 and "the output was closed" in err[0], err


def test_a_second_sigterm_while_all_stops_its_sections_stops_them_all(out, read_until):
    process = subprocess.Popen(all_command(out, "--only", "stacked_all,wta"), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    read_until(process, "=== ")
    read_until(process, "=== ")
    deadline = time.monotonic() + 240
    while not all((out / "checkpoints" / name / ".lock").exists() for name in ("stacked_all", "wta")):
        assert time.monotonic() < deadline and process.poll() is None, "the sections never started training"
        time.sleep(0.2)
    assert len(started_for(out)) == 3  # `all` and its two sections, training
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 60
    while len(started_for(out)) == 3 and time.monotonic() < deadline:  # until one section has ended: `all` is
        time.sleep(0.05)  # stopping its sections, and the second signal finds it waiting for the other
    process.send_signal(signal.SIGTERM)
    code, err = ended(process)
    assert started_for(out) == {}
    assert code == 143 and len(err) == 1 and "terminated (SIGTERM)" in err[0], err


@pytest.mark.parametrize("jobs, only", [("2", "stacked_all"), ("1", "conv")],
                         ids=["side by side", "one after another (conv: oneDNN on, a process of its own)"])
def test_a_sigterm_the_instant_a_section_process_starts_stops_it_too(out, monkeypatch, capsys, jobs, only, named_command):
    """The signal arrives just after a section's process has started, before `all` has noted it anywhere."""
    started = []

    def popen_then_sigterm(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        os.kill(os.getpid(), signal.SIGTERM)
        return started[-1]

    popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", popen_then_sigterm)
    assert main(["all", "--data", "mnist5k", "--out", str(out), "--jobs", jobs, "--only", only,
                 "--no-progress"]) == 143
    assert len(started) == 1 and started[0].poll() is not None  # ended, and reaped by `all`
    assert started_for(out) == {}
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("python -m tf1_ae")]
    assert len(said) == 1 and said[0].startswith(
        "python -m tf1_ae: terminated (SIGTERM); the checkpoint of the last finished epoch is kept; `"), said
    assert named_command(said[0], "goes on (finished sections are kept, an unfinished one continued)") == [
        "python", "-m", "tf1_ae", "all", "--data", "mnist5k", "--out", str(out), "--jobs", jobs, "--only", only,
        "--no-progress"]
