"""`make all` runs what is not finished, in order, and skips what is."""
import json
from dataclasses import replace
from pathlib import Path

from app.cli import main
from app.notebook import batches_drawn
from app.admission import finished
from app.sections import SECTIONS
from tf1_ae.checkpoints import latest_checkpoint


def table(out):
    """The closing table of `all`: {section: status}."""
    lines = out.splitlines()
    start = len(lines) - 1 - lines[::-1].index(f"{'section':<24}{'seconds':>8}  status")
    return {line.split()[0]: " ".join(line.split()[2:]) for line in lines[start + 1:-1]}


def finish(out, name, data="mnist5k", batches="notebook"):
    """A finished full run's metrics.json, as the section writes it (the batches it drew)."""
    folder = out / "checkpoints" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps({"section": name, "data": data, "complete": True,
                                                     "batches": batches_drawn(name, batches)}))


def test_all_skips_finished_sections_and_runs_the_rest(tmp_path, capsys):
    for name in SECTIONS:
        if name != "kl_plot":
            finish(tmp_path, name)
    finish(tmp_path, "pca", data="toy3d")  # its own points, whatever --data says: finished
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--jobs", "1"]) == 0
    statuses = table(capsys.readouterr().out)
    assert [name for name, status in statuses.items() if status == "done"] == ["kl_plot"]
    assert [name for name, status in statuses.items() if status == "finished before"] == [
        name for name in SECTIONS if name != "kl_plot"]
    metrics = json.loads((tmp_path / "checkpoints/kl_plot/metrics.json").read_text())
    assert metrics["complete"] is True  # a full-budget run marks itself finished


def test_a_capped_run_is_not_marked_finished(options):
    SECTIONS["pca"].run(replace(options, steps=5), log=lambda line: None)
    metrics = json.loads((options.out / "checkpoints/pca/metrics.json").read_text())
    assert "complete" not in metrics


def test_a_run_of_other_batches_is_not_finished_for_these(tmp_path, capsys):
    """A finished run of the cell alone (or from before the notebook's batches) is not the notebook's: `all`
    refuses to replace it; one beyond the book (no cell) draws the same batches either way."""
    finish(tmp_path, "stacked_tied", batches="alone")
    finish(tmp_path, "wta", batches="alone")
    assert not finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k")
    assert finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k", "alone")
    assert finished(SECTIONS["wta"], tmp_path, "mnist5k")
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--jobs", "1",
                 "--only", "stacked_tied,wta"]) == 1
    statuses = table(capsys.readouterr().out)
    assert statuses["stacked_tied"].startswith("refused") and "alone batches" in statuses["stacked_tied"]
    assert statuses["wta"] == "finished before"


def test_a_section_finished_on_other_data_is_not_finished_for_this_data(tmp_path):
    finish(tmp_path, "stacked_tied", data="mnist")
    finish(tmp_path, "pca", data="toy3d")
    assert not finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k")
    assert finished(SECTIONS["stacked_tied"], tmp_path, "mnist")
    assert finished(SECTIONS["pca"], tmp_path, "mnist5k")



def test_another_sections_finished_run_in_a_folder_is_not_this_sections(tmp_path, capsys):
    finish(tmp_path, "pca", data="mnist5k")
    (tmp_path / "checkpoints/pca").rename(tmp_path / "checkpoints/stacked_all")  # copied, or a mistyped --out
    assert not finished(SECTIONS["stacked_all"], tmp_path, "mnist5k")
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--jobs", "1",
                 "--only", "stacked_all"]) == 1
    status = table(capsys.readouterr().out)["stacked_all"]
    assert status.startswith("failed") and "holds a run of pca, not stacked_all" in status

def test_all_with_towers_runs_every_towers_section_in_one_process_of_its_own(tmp_path, capfd):
    left = ("kl_plot", "stacked_all", "stacked_tied")
    for name in SECTIONS:
        if name not in left:
            finish(tmp_path, name)
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--towers", "2",
                 "--jobs", "1"]) == 0
    out = capfd.readouterr().out
    assert out.count("sections with 2 towers, in a process of their own") == 1
    assert table(out)["kl_plot"] == "done"
    for name in ("stacked_all", "stacked_tied"):
        assert table(out)[name] == "done"
        assert out.count(f"{name:<24}") == 2  # a row in the towers process's table and one in this one's
        meta = Path(latest_checkpoint(tmp_path / f"checkpoints/{name}") + ".meta").read_bytes()
        assert b"tower0/" in meta and b"tower1/" in meta  # the graph that trained was the towers graph
        assert finished(SECTIONS[name], tmp_path, "mnist5k")


def test_all_only_runs_the_sections_it_names(tmp_path, capsys):
    assert main(["all", "--only", "kl_plot", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress",
                 "--jobs", "1"]) == 0
    assert table(capsys.readouterr().out) == {"kl_plot": "done"}
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["kl_plot"]


def test_a_failed_section_is_one_line_its_dependents_are_skipped_and_the_rest_run(tmp_path, capsys, monkeypatch):
    from graphs import layerwise_singlegraph
    from tf1_ae.compat import tf

    def out_of_memory(config, towers=1):
        raise tf.errors.ResourceExhaustedError(None, None, (
            "Graph execution error:\n\nDetected at node 'one_hot' defined at (most recent call last):\n"
            "    File \"graphs/wta.py\", line 45, in build\nNode: 'one_hot'\nOOM when allocating tensor with "
            "shape[2000,500,10000] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator "
            "cpu\n\t [[{{node one_hot}}]]\nHint: If you want to see a list of allocated tensors when OOM happens"))
    monkeypatch.setattr(layerwise_singlegraph, "build", out_of_memory)
    args = ["all", "--only", "layerwise_singlegraph,features,kl_plot", "--out", str(tmp_path), "--data", "mnist5k",
            "--no-progress", "--jobs", "1"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "python -m tf1_ae: layerwise_singlegraph: error: TensorFlow: out of memory: OOM when allocating tensor "
        "with shape[2000,500,10000] and type float"]
    assert table(captured.out) == {
        "layerwise_singlegraph": "failed: TensorFlow: out of memory: OOM when allocating tensor with "
                                 "shape[2000,500,10000] and type float",
        "features": "skipped: needs layerwise_singlegraph", "kl_plot": "done"}


class FakeProcess:
    """A section's process that ends after `polls` polls, with `code`."""

    def __init__(self, name, log, polls=3, code=0):
        self.name, self.log, self.polls, self.returncode = name, log, polls, None
        self.code = code

    def poll(self):
        self.polls -= 1
        if self.polls <= 0:
            self.returncode = self.code
        return self.returncode


def test_side_by_side_runs_at_most_jobs_at_once_each_after_what_it_needs(tmp_path, monkeypatch):
    from argparse import Namespace

    from app import chapter

    events, running = [], set()
    polls = {"layerwise_singlegraph": 8, "vae_sigma": 30}  # long ones: what needs them waits, the others go on
    failing = {"layerwise_cached"}  # what needs it is skipped

    def start(section, args, out):
        assert len(running) < args.jobs and not any(need in running for need in section.needs)
        running.add(section.name)
        events.append(("start", section.name))
        return FakeProcess(section.name, None, polls=polls.get(section.name, 2),
                           code=1 if section.name in failing else 0), None, 0.0

    def ended(name, process, log, began):
        running.discard(name)
        events.append(("end", name))
        return ("done" if process.returncode == 0 else "failed: exit code 1"), 0.0

    monkeypatch.setattr(chapter, "start_process", start)
    monkeypatch.setattr(chapter, "ended", lambda process: 1000 if process.poll() is not None else None)
    monkeypatch.setattr(chapter, "ended_process", ended)
    monkeypatch.setattr(chapter.time, "sleep", lambda seconds: None)
    chosen = [SECTIONS[n] for n in ("stacked_all", "layerwise_singlegraph", "layerwise_cached", "features",
                                    "pretraining", "kl_plot", "vae_sigma", "vae_logvar", "vae_compare")]
    args = Namespace(jobs=2, force=False, towers=1)
    results, _ = chapter.side_by_side(chosen, args, tmp_path, "mnist5k")
    assert {name: status for name, (status, _) in results.items()} == {
        "stacked_all": "done", "layerwise_singlegraph": "done", "layerwise_cached": "failed: exit code 1",
        "features": "done", "pretraining": "skipped: needs layerwise_cached", "kl_plot": "done",
        "vae_sigma": "done", "vae_logvar": "done", "vae_compare": "done"}
    assert events.index(("start", "features")) > events.index(("end", "layerwise_singlegraph"))
    # vae_compare reuses the two VAEs' finished runs: it waits for them, and does not train them again
    assert events.index(("start", "vae_compare")) > max(events.index(("end", n)) for n in ("vae_sigma", "vae_logvar"))
    assert max(sum(1 for kind, _ in events[:i] if kind == "start") - sum(1 for kind, _ in events[:i] if kind == "end")
               for i in range(len(events) + 1)) == 2  # both processes were busy at once


def test_all_with_jobs_runs_sections_in_processes_side_by_side_and_prints_each_whole(tmp_path, capfd):
    for name in SECTIONS:
        if name not in ("pca", "kl_plot"):
            finish(tmp_path, name)
    assert main(["all", "--out", str(tmp_path), "--data", "mnist5k", "--no-progress", "--jobs", "2"]) == 0
    out = capfd.readouterr().out
    assert table(out)["pca"] == "done" and table(out)["kl_plot"] == "done"
    pca_block = out.split("=== pca: ")[1].split("\n=== ")[0]
    assert "data: toy3d" in pca_block and "Test MSE" in pca_block and "sparsity" not in pca_block
    record = json.loads((tmp_path / "checkpoints/all.json").read_text())
    assert record["jobs"] == 2 and record["sections"]["pca"]["status"] == "done"
    assert record["flops"] == json.loads((tmp_path / "checkpoints/pca/metrics.json").read_text())["flops"] > 0


def test_a_damaged_metrics_json_is_said_once_and_its_section_runs_again(tmp_path, capsys):
    from types import SimpleNamespace

    from app.chapter import settled

    folder = tmp_path / "checkpoints" / "stacked_all"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("{damaged")
    assert settled(SECTIONS["stacked_all"], {}, SimpleNamespace(force=False, seed=42), tmp_path, "mnist") is None
    assert capsys.readouterr().err.splitlines() == [f"{folder / 'metrics.json'} is unreadable (JSONDecodeError); "
                                                    f"treated as not run"]
