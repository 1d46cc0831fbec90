"""`make all` runs what is not finished, in order, and skips what is."""
import json
from dataclasses import replace

from app.sections import SECTIONS
from app.cli import main


def finish(out, name, data="mnist5k"):
    folder = out / "checkpoints" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps({"section": name, "data": data, "complete": True}))


def test_all_skips_finished_sections_and_runs_the_rest(tmp_path, capsys):
    for name in SECTIONS:
        if name != "kl_plot":
            finish(tmp_path, name)
    finish(tmp_path, "pca", data="mnist")  # finished, but on other data: must run again
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress"]) == 0
    out = capsys.readouterr().out
    ran = [line.split()[0] for line in out.splitlines() if line.split()[1:2] == ["done"]]
    assert ran == ["pca", "kl_plot"]
    skipped = [line.split()[0] for line in out.splitlines() if "finished before" in line]
    assert len(skipped) == len(SECTIONS) - 2
    metrics = json.loads((tmp_path / "checkpoints/kl_plot/metrics.json").read_text())
    assert metrics["complete"] is True  # a full-budget run marks itself finished


def test_a_capped_run_is_not_marked_finished(options):
    SECTIONS["pca"].run(replace(options, steps=5), log=lambda line: None)
    metrics = json.loads((options.out / "checkpoints/pca/metrics.json").read_text())
    assert "complete" not in metrics
