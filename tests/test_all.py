"""`make all` runs what is not finished, in order, and skips what is."""
import json
from dataclasses import replace

from app.cli import main
from app.sections import SECTIONS, finished


def finish(out, name, data="mnist5k"):
    folder = out / "checkpoints" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps({"section": name, "data": data, "complete": True}))


def test_all_skips_finished_sections_and_runs_the_rest(tmp_path, capsys):
    for name in SECTIONS:
        if name != "kl_plot":
            finish(tmp_path, name)
    finish(tmp_path, "pca", data="toy3d")  # its own points, whatever --data says: finished
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress"]) == 0
    out = capsys.readouterr().out
    ran = [line.split()[0] for line in out.splitlines() if line.split()[1:2] == ["done"]]
    assert ran == ["kl_plot"]
    skipped = [line.split()[0] for line in out.splitlines() if "finished before" in line]
    assert len(skipped) == len(SECTIONS) - 1
    metrics = json.loads((tmp_path / "checkpoints/kl_plot/metrics.json").read_text())
    assert metrics["complete"] is True  # a full-budget run marks itself finished


def test_a_capped_run_is_not_marked_finished(options):
    SECTIONS["pca"].run(replace(options, steps=5), log=lambda line: None)
    metrics = json.loads((options.out / "checkpoints/pca/metrics.json").read_text())
    assert "complete" not in metrics


def test_a_section_finished_on_other_data_runs_again_one_on_its_own_data_does_not(tmp_path):
    finish(tmp_path, "stacked_tied", data="mnist")
    finish(tmp_path, "pca", data="toy3d")
    assert not finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k")
    assert finished(SECTIONS["stacked_tied"], tmp_path, "mnist")
    assert finished(SECTIONS["pca"], tmp_path, "mnist5k")


def test_all_with_towers_runs_every_towers_section_in_one_process_of_its_own(tmp_path, capfd):
    left = ("kl_plot", "stacked_all", "stacked_tied")
    for name in SECTIONS:
        if name not in left:
            finish(tmp_path, name)
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--towers", "2"]) == 0
    out = capfd.readouterr().out
    assert out.count("sections with 2 towers, in a process of their own") == 1
    assert "2 towers sections       done" in out and "kl_plot                 done" in out
    for name in ("stacked_all", "stacked_tied"):
        assert f"{name:<24}done" in out  # the towers process's own table
        meta = (tmp_path / f"checkpoints/{name}/model.ckpt.meta").read_bytes()
        assert b"tower0/" in meta and b"tower1/" in meta  # the graph that trained was the towers graph
        assert finished(SECTIONS[name], tmp_path, "mnist5k")


def test_all_only_runs_the_sections_it_names(tmp_path, capsys):
    assert main(["all", "--only", "kl_plot", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress"]) == 0
    ran = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.split()[1:2] == ["done"]]
    assert ran == ["kl_plot"]
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["kl_plot"]
