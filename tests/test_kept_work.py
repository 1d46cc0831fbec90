"""Trained work is never lost without --force (issue #26): an interrupted full run is refused, not replaced; a
resumed quick look says how far it goes; a new run that dies before its first save leaves the old checkpoint
as it was; a folder holding another section's run is refused; a damaged checkpoint says why, and the command
that fits the run. Each case as a hostile tester ran it: the command line, a temporary --out."""
import os
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import replace

from conftest import files, one_error_line, run_command
from app.sections import SECTIONS
from tf1_ae.runs import REPO_ROOT


def command(section, out, *args):
    return run_command(section, "--quiet-compare", "--out", str(out), *args)


def cli(section, out, *args):
    return subprocess.run(command(section, out, *args), cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)


def one_line(done, code):
    """The single stderr line of a command that ended with `code`."""
    assert done.returncode == code, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    return one_error_line(done.stderr)


def quick_run(options, section, steps):
    """A short real run, in this process (a setting-up step, not the case under test)."""
    SECTIONS[section].run(replace(options, steps=steps, compare=False), log=lambda line: None)
    return options.out / "checkpoints" / section


def test_an_interrupted_full_run_is_refused_not_replaced_without_resume_or_force(tmp_path, read_until, named_command):
    """Started by make (its recipe sets TF1_AE_MAKE), the line after Ctrl-C names the make command that goes
    on; make passes its ARGS to the run as they were typed, --resume added. Typed as python, the refusal of the
    same command again names python commands."""
    process = subprocess.Popen(command("stacked_all", tmp_path), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "TF1_AE_MAKE": "1"})
    read_until(process, "1 Train MSE")  # epoch 0's checkpoint is saved by then
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    folder = tmp_path / "checkpoints/stacked_all"
    before = files(folder)
    assert any(name.name.startswith("model.ckpt-") for name in before)
    typed = command("stacked_all", tmp_path)[5:]
    make = named_command(process.stderr.read().strip().splitlines()[-1], "goes on")
    assert make[:2] == ["make", "stacked_all"] and shlex.split(make[2].removeprefix("ARGS=")) == [*typed, "--resume"]
    recipe = subprocess.run([*make, "-n"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    run_line = [line for line in recipe.stdout.splitlines() if " -m tf1_ae run " in line]  # set-up's may come first
    assert len(run_line) == 1, recipe.stdout + recipe.stderr
    assert shlex.split(run_line[0])[-len(typed) - 3:] == ["run", "stacked_all", *typed, "--resume"], run_line

    line = one_line(cli("stacked_all", tmp_path), 2)  # the same command again, without --resume
    assert "full budget" in line, line
    assert named_command(line, "continues it") == ["python", "-m", "tf1_ae", "run", "stacked_all", *typed, "--resume"]
    assert named_command(line, "starts over") == ["python", "-m", "tf1_ae", "run", "stacked_all", *typed, "--force"]
    assert files(folder) == before



def test_all_continues_an_interrupted_full_run_instead_of_refusing_or_replacing_it(tmp_path, read_until):
    process = subprocess.Popen(command("stacked_all", tmp_path), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    read_until(process, "1 Train MSE")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130

    done = subprocess.run([sys.executable, "-m", "tf1_ae", "all", "--only", "stacked_all", "--jobs", "1", "--data",
                           "mnist5k", "--no-progress", "--out", str(tmp_path)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert [line for line in done.stdout.splitlines() if line.startswith("resuming from step ")], done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("0 Train MSE")]  # not started over

def test_resuming_a_quick_look_says_it_continues_it_to_the_new_budget(tmp_path):
    assert cli("pca", tmp_path, "--steps", "10").returncode == 0

    done = cli("pca", tmp_path, "--steps", "20", "--resume")
    resumed = [line for line in done.stdout.splitlines() if line.startswith("resuming from step 10 (")]
    assert done.returncode == 0 and len(resumed) == 1, done.stdout
    assert "quick look's 10 steps" in resumed[0] and "continued to 20 steps (--steps 20 of the book's " in resumed[0]

    done = cli("pca", tmp_path, "--resume")
    resumed = [line for line in done.stdout.splitlines() if line.startswith("resuming from step 20 (")]
    assert done.returncode == 0 and len(resumed) == 1, done.stdout
    assert "quick look's 20 steps" in resumed[0] and "continued to the full budget's 1,000 steps" in resumed[0]


def test_a_new_run_that_dies_before_its_first_save_leaves_the_old_checkpoint_as_it_was(options):
    folder = quick_run(options, "stacked_all", 50)

    def checkpoint():  # the checkpoint, its batches' state and its TensorBoard events (results.json files aside)
        return {name: data for name, data in files(folder).items() if name.suffix != ".json"}

    before = checkpoint()
    assert {name.name for name in before} >= {"checkpoint", "model.ckpt-50.index", "trainer_state-50.npz"}

    done = cli("stacked_all", options.out, "--steps", "100", "--learning-rate", "1e30")
    line = one_line(done, 1)
    assert checkpoint() == before  # bit for bit, and nothing of the dead run beside it
    assert "loss became nan" in line and "model.ckpt-50" in line and "left as it was" in line, line
    assert any("quick look" in said and "replaced once" in said for said in done.stdout.splitlines()), done.stdout

    done = cli("stacked_all", options.out, "--steps", "50", "--resume")  # and it still loads
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("resuming from step 50 (") for line in done.stdout.splitlines()), done.stdout



def test_ctrl_c_before_a_new_runs_first_save_says_the_old_checkpoint_is_left_as_it_was(options, read_until,
                                                                                      named_command):
    folder = quick_run(options, "stacked_all", 50)
    process = subprocess.Popen(command("stacked_all", options.out), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    read_until(process, "starting afresh")  # the quick look is replaced only once this run has saved its first
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    line = process.stderr.read().strip().splitlines()[-1]
    assert f"interrupted; this run saved no checkpoint: {folder}/model.ckpt-50, which it would have replaced, is " \
           f"left as it was; `" in line, line
    assert named_command(line, "runs it again") == ["python", *command("stacked_all", options.out)[1:]], line


def test_a_folder_holding_another_sections_run_is_refused_and_left_alone(options, named_command):
    pca = quick_run(options, "pca", None)  # its finished full run, copied where stacked_all's would be
    folder = options.out / "checkpoints/stacked_all"
    shutil.copytree(pca, folder)
    for told_by in ("metrics.json", "the record saved with its checkpoint"):
        if told_by != "metrics.json":
            (folder / "metrics.json").unlink()
        before = files(folder)
        for args in (["--resume"], [], ["--steps", "10"]):
            line = one_line(cli("stacked_all", options.out, *args), 2)
            assert f"{folder} holds a run of pca, not stacked_all: `" in line, (told_by, line)
            assert named_command(line, "keeps both")[-2:] == ["--out", "DIR"], line
            assert named_command(line, "replaces it")[-1] == "--force", line
            assert files(folder) == before


def test_a_damaged_checkpoint_says_why_and_the_command_that_fits_the_run(options, named_command):
    folder = quick_run(options, "stacked_all", 10)
    kept = options.out / "kept"
    shutil.copytree(folder, kept)
    data_file = folder / "model.ckpt-10.data-00000-of-00001"
    damages = [("truncated", lambda: os.truncate(data_file, data_file.stat().st_size // 2)),
               ("missing", data_file.unlink)]
    for cause, damage in damages:
        shutil.rmtree(folder)
        shutil.copytree(kept, folder)
        damage()
        line = one_line(cli("stacked_all", options.out, "--resume"), 2)
        assert f"data file {data_file.name} is {cause}" in line, line
        assert "Graph execution error" not in line and "Error" not in line, line
        assert line.endswith(" trains it again") and named_command(line, "trains it again") == [
            "python", "-m", "tf1_ae", "run", "stacked_all", "--out", str(options.out), "--force"], line
