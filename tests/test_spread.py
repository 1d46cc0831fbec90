"""`make spread`: each printed value over several TensorFlow graph seeds, the verdict's measured allowance."""
import json

import pytest

from app import compare, spread
from app.cli import main
from tf1_ae.runs import UsageError


def finished(folder, history, batches="notebook", data="mnist", graph_seed=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "history.json").write_text(json.dumps(history))
    (folder / "metrics.json").write_text(json.dumps({"section": "stacked_tied", "data": data, "complete": True,
                                                     "batches": batches, "train_mse": history[-1]["train_mse"],
                                                     **({"graph_seed": graph_seed} if graph_seed else {})}))


def test_each_printed_value_is_kept_per_seed(tmp_path, monkeypatch):
    monkeypatch.setattr(spread, "logged_sections", lambda: ["stacked_tied"])
    finished(tmp_path / "checkpoints/stacked_tied", [{"epoch": e, "train_mse": 0.01 + e} for e in range(5)])
    for seed in (1, 2):
        finished(spread.seed_folder(tmp_path, seed) / "checkpoints/stacked_tied",
                 [{"epoch": e, "train_mse": 0.01 + e + seed / 100} for e in range(5)], graph_seed=seed)
    record = spread.collect(tmp_path, (1, 2), "mnist")
    assert record["stacked_tied_train_mse"]["epochs"][2] == pytest.approx({"42": 2.01, "1": 2.02, "2": 2.03})
    assert len(record["stacked_tied_train_mse"]["epochs"]) == 5
    monkeypatch.setattr(compare, "our_spread", lambda: {"seeds": [42, 1, 2], "values": record})
    gap, n = compare.seeds_gap("stacked_tied_train_mse", 2)
    assert n == 3 and gap == pytest.approx(0.02 / 2.01)


@pytest.mark.parametrize("what", ["missing", "alone", "mnist5k"])
def test_the_seeds_wait_for_the_books_run_of_ours(tmp_path, monkeypatch, what):
    """No hours of seeds before `make all` has left the default run (full data, the notebook's batches)."""
    monkeypatch.setattr(spread, "logged_sections", lambda: ["stacked_tied"])
    if what != "missing":
        finished(tmp_path / "checkpoints/stacked_tied", [{"epoch": 0, "train_mse": 0.01}],
                 batches="alone" if what == "alone" else "notebook", data="mnist5k" if what == "mnist5k" else "mnist")
    with pytest.raises(UsageError, match="make all` first"):
        spread.collect(tmp_path, (), "mnist")


def test_spread_refuses_in_one_line_without_the_default_run(tmp_path, capsys):
    assert main(["spread", "--data", "mnist5k", "--out", str(tmp_path), "--seeds", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "make all` first" in err[0]
    assert not spread.seed_folder(tmp_path, 1).exists()


def test_a_graph_seed_changes_the_weights_and_not_the_batches(options):
    """--graph-seed moves TensorFlow's seed alone: other initial weights, the book's batches all the same."""
    from dataclasses import replace

    import numpy as np

    from app.sections import SECTIONS

    runs = {}
    for graph_seed in (None, 7):
        out = options.out / f"graph_seed_{graph_seed}"
        SECTIONS["stacked_tied"].run(replace(options, out=out, steps=1, compare=False, graph_seed=graph_seed),
                                     log=lambda line: None)
        folder = out / "checkpoints/stacked_tied"
        with np.load(folder / "trainer_state-1.npz") as saved:
            runs[graph_seed] = (saved["data_order"], json.loads((folder / "metrics.json").read_text()))
    np.testing.assert_array_equal(runs[None][0], runs[7][0])
    assert runs[None][1]["train_mse"] != runs[7][1]["train_mse"]
    assert runs[7][1]["graph_seed"] == 7 and "graph_seed" not in runs[None][1]


def test_a_run_of_another_graph_seed_is_not_this_one(tmp_path, capsys):
    """A finished default run is not taken for a --graph-seed run (nor the other way): `all` runs it apart."""
    from app.admission import finished as is_finished
    from app.sections import SECTIONS

    folder = tmp_path / "checkpoints/stacked_tied"
    finished(folder, [{"epoch": 0, "train_mse": 0.01}], data="mnist5k")
    assert is_finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k")
    assert not is_finished(SECTIONS["stacked_tied"], tmp_path, "mnist5k", graph_seed=1)
    assert main(["run", "stacked_tied", "--data", "mnist5k", "--graph-seed", "1", "--out", str(tmp_path)]) == 2
    assert "--graph-seed 1" in capsys.readouterr().err


def test_results_say_when_the_listings_changed_since_the_spread_was_measured(tmp_path, monkeypatch):
    """The spread records the commit and the digest of what computes its numbers; a listing changed since, and
    the line says so, naming where and when the spread was made."""
    (tmp_path / "graphs").mkdir()
    (tmp_path / "graphs/stacked_tied.py").write_text("learning_rate = 0.01\n")
    monkeypatch.setattr(spread, "REPO_ROOT", tmp_path)
    made = {"commit": "0123456789abcdef", "machine": "2 cores of an AMD EPYC with AVX2", "date": "2026-12-02",
            "listings": spread.listings_digest()}
    assert spread.staleness(made) is None and spread.staleness({}) is None
    (tmp_path / "graphs/stacked_tied.py").write_text("learning_rate = 0.02\n")
    line = spread.staleness(made)
    assert line.startswith("graphs/our_spread.json was measured at commit 0123456789 on 2 cores of an AMD EPYC "
                           "with AVX2 (2026-12-02); the listings or the code they compute with ("), line
    assert spread.staleness({**made, "listings": spread.listings_digest()}) is None
