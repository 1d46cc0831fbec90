"""Bad input ends in one line on stderr and a non-zero exit, never a traceback, never a lost checkpoint."""
import json
import shutil
import subprocess
import sys

import pytest

from conftest import one_error_line
from app.sections import SECTIONS
from app.cli import main
from tf1_ae.runs import REPO_ROOT

QUICK = ["--data", "mnist5k", "--no-progress"]


def cli(tmp_path, *args):
    try:
        return main(["run", *args, "--out", str(tmp_path), *QUICK])
    except SystemExit as refused:  # the parser's one-line refusal
        return refused.code


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith(("model.ckpt", "checkpoint"))}


@pytest.mark.parametrize("args, expected", [
    (["run", "no_such_section"], "invalid choice: 'no_such_section'"),
    (["run", "stacked_all", "--epochs", "0"], "expected an integer from 1 to 10,000"),
    (["run", "stacked_all", "--epochs", "1000000000"], "expected an integer from 1 to 10,000"),
    (["run", "stacked_all", "--seed", "4294967296"], "expected an integer from 0 to 4,294,967,295"),
    (["run", "stacked_all", "--towers", "1000000", "--batch-size", "1000000"], "expected an integer from 1 to 64"),
    (["run", "stacked_tied", "--set", "no_such_field=1"], "the stacked_tied config has no such field"),
    (["run", "stacked_tied", "--penalty", "mse"], "--penalty applies to sparse, not stacked_tied"),
    (["run", "conv", "--towers", "2"], "--towers applies to stacked_all, stacked_tied, layerwise_multigraph, "
                                       "layerwise_singlegraph, layerwise_stopgrad, layerwise_cached, "
                                       "denoising_gaussian, denoising_dropout, vae_sigma, vae_logvar, not conv"),
    (["run", "reconstructions", "--source", "pca"], "--source pca: expected a section whose checkpoint has an "
                                                     "autoencoder to draw, one of stacked_all,"),
    (["run", "reconstructions", "--source", "reconstructions"], "--source reconstructions: expected a section"),
    (["run", "vae_generate", "--source", "vae_sigma"], "--source vae_sigma: expected a section whose checkpoint "
                                                        "has the γ = log σ² VAE's variables, one of vae_logvar"),
    (["run", "stacked_all", "--source", "stacked_tied"], "--source applies to reconstructions, features, pretraining,"),
    (["run", "stacked_all", "--learning-rate", "fast"], "positive number"),
    (["run", "stacked_all", "--data", "kaggle"], "unknown data source"),
    (["run", "sparse", "--set", "op_seeds=4,21,5"], "--set op_seeds=4,21,5: expected 2 values, as 4,21"),
    (["run", "sparse", "--set", "n_epochs=1.5"], "--set n_epochs=1.5: expected an int like 100"),
    (["bogus"], "invalid choice"),
])
def test_bad_usage_exits_2_with_one_line_before_importing_tensorflow(args, expected):
    probe = ("import sys; from app.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n"
             "    assert 'tensorflow' not in sys.modules\n    raise\n")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr


def test_missing_data_folder(tmp_path, capsys):
    assert main(["run", "stacked_all", "--data", f"idx:{tmp_path}/nowhere", "--out", str(tmp_path)]) == 2
    assert "data folder not found" in one_error_line(capsys.readouterr().err)
    folder = tmp_path / "checkpoints/stacked_all"  # a finished run there: the missing folder is still the cause
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text('{"section": "stacked_all", "data": "mnist5k", "complete": true}')
    assert main(["run", "stacked_all", "--data", f"idx:{tmp_path}/nowhere", "--out", str(tmp_path)]) == 2
    assert "data folder not found" in one_error_line(capsys.readouterr().err)


def test_resume_without_a_checkpoint(tmp_path, capsys):
    assert cli(tmp_path, "stacked_all", "--resume") == 2
    assert "no checkpoint" in one_error_line(capsys.readouterr().err)


def test_checkpoint_from_another_graph_is_refused_and_kept(tmp_path, capsys):
    assert cli(tmp_path, "pca", "--steps", "3") == 0
    capsys.readouterr()
    src, dst = tmp_path / "checkpoints/pca", tmp_path / "checkpoints/stacked_all"
    shutil.copytree(src, dst)
    before = snapshot(dst)
    assert cli(tmp_path, "stacked_all", "--resume", "--steps", "4") == 2
    assert f"{dst} holds a run of pca, not stacked_all" in one_error_line(capsys.readouterr().err)  # its records say so
    assert snapshot(dst) == before
    for record in [dst / "metrics.json", dst / "history.json", *dst.glob("trainer_state-*")]:
        record.unlink()  # nothing left to say whose run it is but the checkpoint's graph
    before = snapshot(dst)
    assert cli(tmp_path, "stacked_all", "--resume", "--steps", "4") == 2
    assert "is not a checkpoint of the stacked_all graph: it has no variable" in one_error_line(capsys.readouterr().err)
    assert snapshot(dst) == before


def test_corrupt_checkpoint_is_refused_and_kept(tmp_path, capsys, named_command):
    assert cli(tmp_path, "stacked_tied", "--steps", "2") == 0
    capsys.readouterr()
    folder = tmp_path / "checkpoints/stacked_tied"
    (folder / "model.ckpt-2.index").write_bytes(b"not a checkpoint index")
    before = snapshot(folder)
    assert cli(tmp_path, "stacked_tied", "--resume", "--steps", "4") == 2
    line = one_error_line(capsys.readouterr().err)
    assert "model.ckpt-2 cannot be read: its index file" in line
    assert line.endswith(" trains it again") and named_command(line, "trains it again") == [
        "python", "-m", "tf1_ae", "run", "stacked_tied", "--out", str(tmp_path), "--force"]
    assert snapshot(folder) == before


def test_nan_loss_stops_with_one_line_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    assert cli(tmp_path, "stacked_all", "--steps", "2") == 0
    capsys.readouterr()
    folder = tmp_path / "checkpoints/stacked_all"
    before = snapshot(folder)
    assert cli(tmp_path, "stacked_all", "--resume", "--steps", "60", "--learning-rate", "1e30") == 1
    line = one_error_line(capsys.readouterr().err)
    assert "stopped without saving" in line and "last good checkpoint kept" in line
    assert snapshot(folder) == before


def test_list_names_every_section(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("pca", "stacked_all", "stacked_tied", "reconstructions"):
        assert f"make {name}" in out


def test_every_section_is_a_make_target():
    done = subprocess.run(["make", "-n", *SECTIONS], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    ran = [line.split(" -m tf1_ae run ")[1].split()[0] for line in done.stdout.splitlines() if " -m tf1_ae run " in line]
    assert ran == list(SECTIONS)


@pytest.mark.parametrize("args, expected", [
    (["stacked_tied", "--set", "l2_reg=lots"], "expected a float"),
    (["sparse", "--set", "penalty=l3"], "--set penalty=l3: expected one of kl, mse"),
    (["stacked_all", "--towers", "4"], "must divide the batch size 150"),
    (["wta", "--batch-size", "9000"], "a batch of 9,000 is larger than the 4,000 training images"),
])
def test_a_bad_section_option_is_one_line_and_trains_nothing(tmp_path, capsys, args, expected):
    assert cli(tmp_path, *args, "--steps", "2") == 2
    assert expected in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "checkpoints").exists()


def test_set_changes_the_config_that_runs(tmp_path, capsys):
    assert cli(tmp_path, "stacked_tied", "--steps", "2", "--set", "l2_reg=0") == 0
    metrics = json.loads((tmp_path / "checkpoints/stacked_tied/metrics.json").read_text())
    assert metrics["regularization_loss"] == 0.0 and metrics["loss"] == metrics["train_mse"]


def test_a_section_that_cannot_resume_says_so(tmp_path, capsys):
    assert cli(tmp_path, "pretraining", "--resume") == 2
    assert "cannot --resume" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "checkpoints").exists()  # refused before anything was trained


def finish_full_run(folder):
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "complete": True}))
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_quick_look_never_replaces_a_finished_full_run_unless_forced(tmp_path, capsys):
    assert cli(tmp_path, "stacked_tied", "--steps", "4") == 0
    folder = tmp_path / "checkpoints/stacked_tied"
    before = finish_full_run(folder)
    capsys.readouterr()
    assert cli(tmp_path, "stacked_tied", "--steps", "2") == 2
    assert "holds a finished full run" in one_error_line(capsys.readouterr().err)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    assert cli(tmp_path, "stacked_tied", "--steps", "2", "--force") == 0
    assert json.loads((folder / "metrics.json").read_text())["steps"] == 2


def test_resume_on_a_finished_run_says_so_and_changes_nothing(tmp_path, capsys):
    assert cli(tmp_path, "stacked_tied", "--steps", "4") == 0
    folder = tmp_path / "checkpoints/stacked_tied"
    capped = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    capsys.readouterr()
    assert cli(tmp_path, "stacked_tied", "--steps", "4", "--resume") == 0  # a capped run, at its end
    assert "nothing to resume" in capsys.readouterr().out
    assert json.loads((folder / "metrics.json").read_bytes()) == json.loads(capped["metrics.json"])
    full = finish_full_run(folder)
    assert cli(tmp_path, "stacked_tied", "--resume") == 0  # a finished full run
    assert "nothing to resume" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == full


def test_data_info_lists_every_data_set_it_finds(tmp_path, monkeypatch, capsys):
    fashion = tmp_path / "datasets/fashion-mnist"
    fashion.mkdir(parents=True)
    for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (fashion / f"{stem}.gz").write_bytes(b"")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert main(["data", "info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("mnist5k") and "not on disk" in lines[1]
    assert lines[2] == f"fashion   {fashion}"
