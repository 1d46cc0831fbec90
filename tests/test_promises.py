"""The table of promises in docs/command_line.md, case by case, as an ordinary user breaks them: typos
refused before TensorFlow loads, a finished full run kept, one run per folder, pipes, damaged files, the
newcomer's help."""
import json
import os
import signal
import subprocess
import sys
from dataclasses import replace

import pytest

from conftest import files
from app.cli import main
from app.sections import SECTIONS
from tf1_ae.checkpoints import latest_checkpoint
from tf1_ae.runs import REPO_ROOT, RunPaths, run_lock

NO_TENSORFLOW = ("import sys; from app.cli import main\n"
                 "code = main(sys.argv[1:])\n"
                 "assert 'tensorflow' not in sys.modules, 'TensorFlow was loaded'\nsys.exit(code)\n")


def refused_before_tensorflow(*args, cwd=REPO_ROOT):
    """The one line a refusal prints, from a process that has not loaded TensorFlow when it ends."""
    try:
        done = subprocess.run([sys.executable, "-c", NO_TENSORFLOW, *args], capture_output=True, text=True, cwd=cwd,
                              timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args} was not refused")
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("args, expected", [
    (["stacked_all", "--set", "n_hidden1=-5"], "--set n_hidden1=-5: expected an integer from 1 to 100,000"),
    (["conv", "--set", "filters=-1,2,3"], "--set filters=-1,2,3: expected an integer from 1 to 100,000"),
    (["stacked_all", "--set", "batch_size=0"], "--set batch_size=0: expected an integer from 1"),
    (["stacked_all", "--set", "n_epochs=0"], "--set n_epochs=0: expected an integer from 1"),
    (["stacked_all", "--set", "n_epochs=-1"], "--set n_epochs=-1: expected an integer from 1"),
    (["stacked_all", "--set", "learning_rate=-0.01"], "--set learning_rate=-0.01: expected a positive number"),
    (["stacked_all", "--set", "learning_rate=nan"], "--set learning_rate=nan: expected a positive number"),
    (["stacked_tied", "--set", "l2_reg=-1"], "--set l2_reg=-1.0: expected a number ≥ 0"),
    (["stacked_all", "--set", "batch_size=-150"], "--set batch_size=-150: expected an integer from 1"),
    (["sparse", "--set", "sparsity_target=1.5"], "--set sparsity_target=1.5: expected a number between 0 and 1"),
    (["denoising_dropout", "--set", "dropout_rate=1"], "--set dropout_rate=1.0: expected a number from 0 up to"),
    (["stacked_all", "--set", "n_hidden1=100000000"], "--set n_hidden1=100000000: expected an integer from 1 to"),
    (["features", "--set", "source=nope"], "--source nope: expected a section whose checkpoint has the layer-wise stack's weights1 and weights2"),
    (["stacked_all", "--towers", "7"], "--towers 7 must divide the batch size 150"),
    (["pca", "--batch-size", "1000"], "a batch of 1,000 is larger than the 100 training images"),
    (["kl_plot", "--out", "/proc/nope"], "cannot write /proc/nope"),
])
def test_a_typo_is_refused_in_one_line_before_tensorflow_loads(args, expected, tmp_path):
    out = [] if "--out" in args else ["--out", str(tmp_path)]
    line = refused_before_tensorflow("run", *args, *out, "--data", "mnist5k")
    assert expected in line, line
    if out:
        assert not (tmp_path / "checkpoints").exists()  # and nothing was written


def test_every_config_field_has_a_range_that_refuses_nonsense():
    """Each number a --set may change refuses a negative value and a non-finite one (free reals aside)."""
    import dataclasses
    import math

    from tf1_ae.config import check_ranges
    from tf1_ae.runs import UsageError

    for section in SECTIONS.values():
        config = section.module.Config()
        for field in dataclasses.fields(config):
            value = getattr(config, field.name)
            if isinstance(value, (bool, str)) or field.metadata.get("range", (0,))[0] == -math.inf:
                continue
            bad = [(-1,) * len(value)] if isinstance(value, tuple) else [-1, float("nan")] if isinstance(
                value, float) else [-1, 0] if field.name != "data_seed" else [-1]
            for wrong in bad:
                with pytest.raises(UsageError):
                    check_ranges(replace(config, **{field.name: wrong}))


def finished_quick_run(options, section="stacked_tied"):
    """A short real run, then marked as its section's finished full run (as a full run would mark itself)."""
    SECTIONS[section].run(replace(options, steps=4), log=lambda line: None)
    folder = options.out / "checkpoints" / section
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "complete": True}))
    return folder


@pytest.mark.parametrize("args, expected", [
    (["--seed", "7"], "that this run (seed 7) would replace"),
    (["--steps", "3"], "that this run (a shorter or changed budget or config) would replace"),
    (["--set", "l2_reg=0.001"], "that this run (a shorter or changed budget or config) would replace"),
    (["--data", "idx:DIR"], "that this run (data idx:DIR) would replace"),
])
def test_a_finished_full_run_is_never_replaced_without_force(options, tmp_path, args, expected, named_command):
    folder = finished_quick_run(options)
    before = files(folder)
    args = [a.replace("DIR", str(tmp_path)) for a in args]
    data = [] if "--data" in args else ["--data", "mnist5k"]
    line = refused_before_tensorflow("run", "stacked_tied", *args, *data, "--out", str(options.out))
    assert expected.replace("DIR", str(tmp_path)) in line
    this_run = ["python", "-m", "tf1_ae", "run", "stacked_tied", *args, *data]
    assert named_command(line, "replaces it") == [*this_run, "--out", str(options.out), "--force"], line
    assert named_command(line, "keeps this run apart") == [*this_run, "--out", "DIR"], line
    assert files(folder) == before


def test_the_same_full_run_again_or_with_towers_keeps_the_finished_one(options, capsys):
    folder = finished_quick_run(options)
    before = files(folder)
    for extra in ([], ["--towers", "2"]):
        args = ["run", "stacked_tied", "--data", "mnist5k", "--out", str(options.out), "--quiet-compare", *extra]
        assert main(args) == 0
        assert "has finished this full run" in capsys.readouterr().out
        assert files(folder) == before


def test_a_run_whose_results_cannot_be_read_is_kept_until_forced(options):
    folder = finished_quick_run(options)
    (folder / "metrics.json").write_text("{ damaged")
    before = files(folder)
    line = refused_before_tensorflow("run", "stacked_tied", "--steps", "3", "--data", "mnist5k", "--out",
                                     str(options.out))
    assert "metrics.json cannot be read, so it may be a finished one" in line
    assert files(folder) == before


def test_one_run_at_a_time_in_a_folder_and_a_killed_one_leaves_no_lock(options):
    paths = RunPaths.under(options.out, "kl_plot")
    with run_lock(paths):
        line = refused_before_tensorflow("run", "kl_plot", "--out", str(options.out))
        assert f"another run (pid {os.getpid()}) is using {paths.checkpoint_dir} now" in line
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom tf1_ae.runs import RunPaths, run_lock\n"
                               "with run_lock(RunPaths.under(sys.argv[1], 'kl_plot')):\n"
                               "    print('locked', flush=True)\n    time.sleep(600)\n", str(options.out)],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    refused_before_tensorflow("run", "kl_plot", "--out", str(options.out))
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    assert main(["run", "kl_plot", "--out", str(options.out)]) == 0  # the kernel released the dead one's lock


@pytest.mark.parametrize("args", [["list"], ["data", "info"], ["report"]], ids=" ".join)
def test_a_closed_pipe_ends_a_listing_quietly(args, tmp_path):
    out = ["--out", str(tmp_path)] if args == ["report"] else []
    process = subprocess.Popen([sys.executable, "-m", "tf1_ae", *args, *out], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # `| true`: the reader is gone before the first line
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""


def test_a_runs_lines_reach_a_pipe_as_they_are_printed(tmp_path, read_until):
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell has it
    process = subprocess.Popen([sys.executable, "-m", "tf1_ae", "run", "stacked_tied", "--steps", "4000", "--data",
                                "mnist5k", "--no-progress", "--out", str(tmp_path)], cwd=REPO_ROOT, env=buffered,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = process.stdout.readline()
        # The data line came when printed, before the first epoch's end (TensorFlow's start-up and 366 steps lie
        # between them), not with the epoch's line in one block when a buffer filled: no epoch's checkpoint yet.
        saved_then = list((tmp_path / "checkpoints" / "stacked_tied").glob("*.index"))
        assert first.startswith("data: mnist5k") and not saved_then
        read_until(process, "0 Train MSE")
    finally:
        process.kill()
        process.wait(timeout=60)


def test_json_of_any_shape_is_read_as_not_run_in_one_line(options, capsys):
    folder = options.out / "checkpoints/stacked_tied"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("[" * 200_000)
    (folder / "history.json").write_text("[" * 200_000)
    assert main(["report", "--out", str(options.out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "stacked_tied/metrics.json is unreadable (RecursionError); treated as not run" in err[0]


def test_a_damaged_checkpoint_is_one_line_naming_the_command_and_no_tensorflow_log(options, named_command):
    SECTIONS["stacked_tied"].run(replace(options, steps=4), log=lambda line: None)
    folder = options.out / "checkpoints/stacked_tied"
    os.remove(latest_checkpoint(folder) + ".index")
    for extra in (["--source", "stacked_tied"], []):
        section = "reconstructions" if extra else "stacked_tied"
        args = [sys.executable, "-m", "tf1_ae", "run", section, *extra, "--data", "mnist5k", "--out", str(options.out)]
        done = subprocess.run(args + ([] if extra else ["--resume"]), cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=300)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert lines[0].endswith(" trains it again") and named_command(lines[0], "trains it again") == [
            "python", "-m", "tf1_ae", "run", "stacked_tied", "--out", str(options.out), "--force"], lines


def test_each_phase_logs_its_terms_under_losses(options):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    SECTIONS["layerwise_singlegraph"].run(replace(options, steps=20), log=lambda line: None)
    tags = set()
    for phase in ("phase1", "phase2"):
        events = EventAccumulator(str(options.out / "checkpoints/layerwise_singlegraph" / phase))
        events.Reload()
        tags |= {tag for tag in events.Tags()["scalars"] if tag.startswith("losses")}
    assert tags == {"losses/phase1_train_mse", "losses/phase1_regularization_loss", "losses/phase2_train_mse",
                    "losses/phase2_regularization_loss"}


def test_run_section_help_lists_its_config_fields_with_their_defaults_and_ranges():
    done = subprocess.run([sys.executable, "-m", "tf1_ae", "run", "sparse", "--help"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    fields = done.stdout.split("sparse's Config")[1].splitlines()[1:]
    assert [line.split()[0] for line in fields] == ["n_inputs", "n_hidden1", "sparsity_target", "sparsity_weight",
                                                    "learning_rate", "n_epochs", "batch_size", "penalty",
                                                    "reconstruction", "op_seeds"]
    assert fields[2].split() == ["sparsity_target", "0.1", *"a number between 0 and 1, both excluded".split()]
    assert fields[7].split() == ["penalty", "'kl'", "one", "of", "kl,", "mse"]
    assert fields[9].split()[:3] == ["op_seeds", "(4,", "21)"] and fields[9].endswith("each an integer from 1 to "
                                                                                      "100,000, 2 of them")
    for section in SECTIONS:  # every section's help ends in its Config, even one without fields (vae_compare)
        done = subprocess.run([sys.executable, "-m", "tf1_ae", "run", section, "--help"], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and f"{section}'s Config" in done.stdout, done.stderr[-500:]


def test_a_tuple_is_set_as_help_shows_it_or_bare(tmp_path):
    from tf1_ae.config import parse_field
    from graphs.sparse import Config

    assert parse_field(Config(), "op_seeds", "(4, 21)") == parse_field(Config(), "op_seeds", "4,21") == (4, 21)


def test_refusals_come_before_tensorflow_loads_even_for_a_finished_run(options):
    """--resume on a finished run changes nothing, before any import of TensorFlow."""
    finished_quick_run(options)
    done = subprocess.run([sys.executable, "-c", NO_TENSORFLOW, "run", "stacked_tied", "--resume", "--data", "mnist5k",
                           "--out", str(options.out), "--quiet-compare"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "nothing to resume, nothing changed" in done.stdout


def test_the_report_shows_no_placeholders(options):
    SECTIONS["kl_plot"].run(options, log=lambda line: None)
    assert main(["report", "--out", str(options.out)]) == 0
    page = (options.out / "report/index.html").read_text()
    kl = page.split("<section id='kl_plot'>")[1].split("</section>")[0]
    for placeholder in ("not recorded", "not printed", "steps 0", "training images"):
        assert placeholder not in kl, placeholder
