"""Issue #26's other cases, beside the peak's: a command started with its output closed (`>&-`), and set-up's
minute of pip, which says every few seconds that it is still at work."""
import os
import subprocess
import sys
import time

import pytest

from tf1_ae.runs import REPO_ROOT

CLOSED_OUTPUT = 'exec "$@" >&-'  # the tester's shell: the command started with its stdout closed


@pytest.mark.parametrize("args", [["run", "pca"], ["list"]], ids=" ".join)
def test_a_command_started_with_its_output_closed_ends_in_one_line_before_any_work(args, tmp_path):
    out = ["--out", str(tmp_path)] if args[0] == "run" else []
    done = subprocess.run(["sh", "-c", CLOSED_OUTPUT, "sh", sys.executable, "-m", "tf1_ae", *args, *out], cwd=REPO_ROOT,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["python -m tf1_ae: error: the output (stdout) is closed; nothing was run"]
    assert not (tmp_path / "checkpoints").exists()


def test_a_run_started_with_both_outputs_closed_ends_at_once(tmp_path):
    started = time.monotonic()
    done = subprocess.run(["sh", "-c", 'exec "$@" 2>&- >&-', "sh", sys.executable, "-m", "tf1_ae", "run", "pca",
                           "--out", str(tmp_path)], cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 2
    assert not (tmp_path / "checkpoints").exists()  # nothing it opened took the place of stdout or stderr
    assert time.monotonic() - started < 30  # refused before TensorFlow loads


def lines_as_they_come(process, running):
    """(whether `running()` was still true when it was read, line) for each line `process` prints, read as it
    prints them."""
    lines = []
    for line in iter(process.stdout.readline, ""):
        lines.append((running(), line.rstrip("\n")))
    return lines


def test_the_heartbeat_speaks_while_a_slow_command_runs_and_passes_its_errors_and_exit_code_through(tmp_path):
    ended = tmp_path / "ended"  # the slow command's last act: its lines must come before it
    slow = (f"import sys, time; time.sleep(2.5); open({str(ended)!r}, 'w').close(); "
            "print('pip: an error', file=sys.stderr); sys.exit(3)")
    process = subprocess.Popen([sys.executable, "-m", "app.heartbeat", "--every", "0.5", "still installing", "--",
                                sys.executable, "-c", slow], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = lines_as_they_come(process, lambda: not ended.exists())
        assert process.wait(timeout=60) == 3
        assert process.stderr.read() == "pip: an error\n"
    finally:
        process.kill()
        process.wait()
    assert len(lines) >= 4 and all(text.startswith("still installing: ") and text.endswith(" s") for _, text in lines)
    assert sum(running for running, _ in lines) >= 3, lines  # each as it is due, while the command runs


FAKE_PYTHON = """#!/bin/sh
# the set-up's interpreter: `-m venv DIR` makes a .venv whose pip takes 2 s, then leaves a file `pip-done`
# beside it; anything else is python3's
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && printf '#!/bin/sh\\nsleep 2\\ntouch "$(dirname "$0")/pip-done"\\n' > "$3/bin/pip" && chmod +x "$3/bin/pip"
    exit 0
fi
exec python3 "$@"
"""


def test_set_up_says_what_it_does_at_least_every_interval(tmp_path):
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    venv = tmp_path / "venv"
    process = subprocess.Popen(["make", "--no-print-directory", f"PYTHON={python}", f"VENV={venv}", f"{venv}/.installed"],
                               cwd=REPO_ROOT, env={**os.environ, "HEARTBEAT_SECONDS": "0.5"}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = lines_as_they_come(process, lambda: not (venv / "bin" / "pip-done").exists())
        assert process.wait(timeout=60) == 0, process.stderr.read()
    finally:
        process.kill()
        process.wait()
    assert (venv / ".installed").exists()
    assert lines[0][1].startswith("set-up, once:") and len(lines) >= 5, lines  # 4 s of pip: a line each 0.5 s
    assert sum(running for running, _ in lines) >= 3, lines  # each read while pip ran, not in a block after it
