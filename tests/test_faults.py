"""Never lose a trained model: checkpoints that move, resume that is exact, results that describe their
checkpoint, and damaged files refused in one line instead of replaced."""
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

from conftest import run_command
from app.cli import main
from app.sections import SECTIONS
from tf1_ae.checkpoints import latest_checkpoint
from tf1_ae.runs import REPO_ROOT

# how fast this process went, and how much work it did itself (a resumed run does only its remaining steps)
TIMINGS = ("seconds", "samples_per_second", "flops", "share_of_peak")


def quiet(name, options):
    lines = []
    return SECTIONS[name].run(options, log=lines.append), lines


def results(folder):
    metrics = json.loads((folder / "metrics.json").read_text())
    return {k: v for k, v in metrics.items() if not k.endswith(TIMINGS)}, json.loads((folder / "history.json").read_text())


def test_an_interrupted_run_resumed_ends_bit_for_bit_where_an_uninterrupted_one_does(options):
    whole = replace(options, steps=100, out=options.out / "whole")
    cut = replace(options, steps=100, out=options.out / "cut")
    quiet("stacked_all", whole)

    def stop_at_epoch_2(line):
        if line.startswith("2 Train MSE"):
            raise KeyboardInterrupt  # Ctrl-C while epoch 2 ends, before its checkpoint

    with pytest.raises(KeyboardInterrupt):
        SECTIONS["stacked_all"].run(cut, log=stop_at_epoch_2)
    assert not (cut.out / "checkpoints/stacked_all/metrics.json").exists()  # nothing claims a finished run
    _, lines = quiet("stacked_all", replace(cut, resume=True))
    assert any(line.startswith("resuming from step 40 ") for line in lines)
    assert results(cut.out / "checkpoints/stacked_all") == results(whole.out / "checkpoints/stacked_all")


KILLED_AT = ("import os, signal, sys\nfrom app.cli import main\nfrom tf1_ae.checkpoints import Checkpoints\n"
             "method, calls = sys.argv[1], []\noriginal = getattr(Checkpoints, method)\n"
             "def killed(self, *args):\n"
             "    calls.append(1)\n"
             "    if len(calls) == 3:  # epoch 2's save: the process dies there, nothing cleaned up\n"
             "        os.kill(os.getpid(), signal.SIGKILL)\n"
             "    return original(self, *args)\n"
             "setattr(Checkpoints, method, killed)\nmain(sys.argv[2:])\n")


@pytest.mark.parametrize("moment, resumed_at", [("write_state", 40), ("write_checkpoint", 40), ("remove_older", 60)],
                         ids=["before its state", "between its state and its checkpoint", "before the old pair goes"])
def test_a_process_killed_while_it_saves_resumes_to_the_uninterrupted_runs_numbers(options, moment, resumed_at):
    """The save of an epoch is two writes (the trainer's state, the checkpoint): killed at any point of it,
    the folder still holds a whole pair, and --resume goes on to the numbers of a run never stopped."""
    whole = replace(options, steps=100, out=options.out / "whole")
    quiet("stacked_all", whole)
    killed = options.out / "killed"
    args = ["run", "stacked_all", "--data", "mnist5k", "--steps", "100", "--no-progress", "--out", str(killed)]
    done = subprocess.run([sys.executable, "-c", KILLED_AT, moment, *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    _, lines = quiet("stacked_all", replace(whole, out=killed, resume=True))
    assert any(line.startswith(f"resuming from step {resumed_at} (") for line in lines), lines
    assert results(killed / "checkpoints/stacked_all") == results(whole.out / "checkpoints/stacked_all")


def test_a_copied_or_moved_output_folder_resumes_from_its_own_checkpoint(options, capsys):
    quiet("stacked_tied", replace(options, steps=8))
    copy, moved = options.out.parent / "copy", options.out.parent / "moved"
    shutil.copytree(options.out, copy)
    shutil.move(str(options.out), moved)
    for folder in (copy, moved):
        _, lines = quiet("stacked_tied", replace(options, steps=12, out=folder, resume=True))
        assert any(line.startswith(f"resuming from step 8 ({folder}/checkpoints/stacked_tied/") for line in lines)


def test_a_damaged_pointer_file_is_read_past_and_never_retrains_the_source(options):
    trained, _ = quiet("stacked_tied", replace(options, steps=10))
    folder = options.out / "checkpoints/stacked_tied"
    (folder / "checkpoint").write_text("garbage {{{")
    weights = (folder / "model.ckpt-10.data-00000-of-00001").read_bytes()
    drawn, _ = quiet("reconstructions", replace(options, overrides=(("source", "stacked_tied"),), steps=5))
    assert drawn["test_mse"] == trained["test_mse"]
    assert (folder / "model.ckpt-10.data-00000-of-00001").read_bytes() == weights
    assert json.loads((folder / "metrics.json").read_text())["steps"] == 10


def test_an_unreadable_source_checkpoint_is_refused_in_one_line_not_retrained(options, capsys, named_command):
    quiet("stacked_tied", replace(options, steps=10))
    folder = options.out / "checkpoints/stacked_tied"
    for path in folder.glob("model.ckpt*"):
        path.unlink()
    (folder / "checkpoint").write_text("")
    args = ["run", "reconstructions", "--source", "stacked_tied", "--data", "mnist5k", "--out", str(options.out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "checkpoint in" in err[0] and "cannot be read; `" in err[0], err
    assert named_command(err[0], "trains it again") == ["python", "-m", "tf1_ae", "run", "stacked_tied", "--out",
                                                         str(options.out), "--force"]
    assert not list(folder.glob("model.ckpt*"))


def test_a_run_that_stops_on_nan_leaves_no_finished_results_behind(options, capsys):
    quiet("stacked_tied", replace(options, steps=4))
    folder = options.out / "checkpoints/stacked_tied"
    args = ["run", "stacked_tied", "--data", "mnist5k", "--steps", "60", "--learning-rate", "1e30", "--out",
            str(options.out), "--no-progress"]
    assert main(args) == 1
    assert not (folder / "metrics.json").exists() and not (folder / "history.json").exists()


def test_garbled_results_count_as_not_run_in_one_line_each(options, capsys):
    quiet("kl_plot", options)
    (options.out / "checkpoints/kl_plot/metrics.json").write_bytes(b"\xff\xfe{ not json")
    history = options.out / "checkpoints/stacked_tied/history.json"
    history.parent.mkdir(parents=True)
    history.write_text('{"epoch": 0}')
    capsys.readouterr()
    assert main(["report", "--out", str(options.out)]) == 0
    err = capsys.readouterr().err
    assert "kl_plot/metrics.json is unreadable (UnicodeDecodeError); treated as not run" in err
    assert "stacked_tied/history.json is not a list of results; treated as not run" in err
    page = (options.out / "report/index.html").read_text()
    assert "Not run yet: <code>make kl_plot</code>" in page


def test_an_output_that_cannot_be_written_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert main(["run", "kl_plot", "--out", str(blocker)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("python -m tf1_ae: error: cannot write") and "a_file" in err[0]


def test_a_closed_pipe_ends_in_one_line_and_keeps_the_checkpoint(tmp_path, read_until):
    process = subprocess.Popen(run_command("stacked_tied", "--steps", "400", "--out", str(tmp_path)), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    read_until(process, "1 Train MSE")  # epoch 0's checkpoint is written by then
    process.stdout.close()  # like `| head`: the reader is gone
    err = process.stderr.read().strip().splitlines()
    assert process.wait(timeout=120) == 2
    kept = latest_checkpoint(tmp_path / "checkpoints/stacked_tied")
    assert kept is not None
    assert len(err) == 1 and "the output was closed" in err[0] and err[0].endswith(f"kept: {kept}"), err


def test_a_closed_pipe_that_took_stderr_too_still_ends_with_its_exit_code(tmp_path, read_until):
    """`… 2>&1 | head`: the one line has nowhere to go, and the exit code still says what happened."""
    process = subprocess.Popen(run_command("stacked_tied", "--steps", "400", "--out", str(tmp_path)), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    read_until(process, "1 Train MSE")
    process.stdout.close()
    assert process.wait(timeout=120) == 2
    assert latest_checkpoint(tmp_path / "checkpoints/stacked_tied") is not None


def test_sigterm_ends_in_one_line_with_143_keeps_the_checkpoint_and_names_the_command_going_on(
        tmp_path, read_until, named_command):
    process = subprocess.Popen(run_command("stacked_tied", "--steps", "4000", "--out", str(tmp_path)), cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    read_until(process, "1 Train MSE")  # epoch 0's checkpoint is written by then
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 143
    err = process.stderr.read().strip().splitlines()
    kept = latest_checkpoint(tmp_path / "checkpoints/stacked_tied")
    assert kept is not None
    assert len(err) == 1 and f"terminated (SIGTERM); last good checkpoint kept: {kept}; `" in err[0], err
    assert not list((tmp_path / "checkpoints/stacked_tied").glob("*.tmp*"))
    going_on = named_command(err[0], "goes on")  # the options typed, then --resume
    assert going_on == ["python", *run_command("stacked_tied", "--steps", "4000", "--out", str(tmp_path))[1:], "--resume"]
    process = subprocess.Popen([sys.executable, *going_on[1:]], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:  # copied as it is, it goes on from the checkpoint kept
        assert read_until(process, "resuming from step ").startswith(f"resuming from step {kept.rsplit('-', 1)[1]} ")
    finally:
        process.kill()
        process.communicate()


def test_a_terminal_that_cannot_print_the_times_sign_still_gets_every_line(tmp_path):
    done = subprocess.run(run_command("stacked_tied", "--epochs", "1", "--out", str(tmp_path)), cwd=REPO_ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "ascii"}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 epoch \\xd7 26 steps of batch" in done.stdout and "Test MSE" in done.stdout


def test_a_full_disk_ends_in_one_line_leaves_no_partial_files_and_keeps_the_checkpoint(tmp_path, monkeypatch,
                                                                                      capsys):
    import errno

    from tf1_ae import checkpoints

    args = ["run", "stacked_tied", "--data", "mnist5k", "--no-progress", "--out", str(tmp_path)]
    assert main([*args, "--steps", "4"]) == 0
    folder = tmp_path / "checkpoints/stacked_tied"
    kept = {p.name: p.read_bytes() for p in folder.glob("model.ckpt*")}

    def disk_full(path, **arrays):
        with open(path, "wb") as partial:
            partial.write(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(checkpoints.np, "savez", disk_full)
    capsys.readouterr()
    assert main([*args, "--steps", "8", "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("No space left on device"), err
    assert not [p for p in folder.iterdir() if ".tmp" in p.name]
    assert {p.name: p.read_bytes() for p in folder.glob("model.ckpt*")} == kept
