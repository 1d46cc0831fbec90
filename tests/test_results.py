"""The README's table of results is written from the runs' metrics.json, never typed."""
import json

import pytest

from app import results
from tf1_ae.runs import UsageError


def finished(out, section, **metrics):
    folder = out / "checkpoints" / section
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"section": section, **metrics}))


def test_each_row_shows_its_runs_headline_beside_the_books(tmp_path):
    finished(tmp_path, "stacked_tied", train_mse=0.0173552)
    finished(tmp_path, "pca", test_mse=0.0518921, pca_test_mse=0.0518571)
    finished(tmp_path, "features")
    (tmp_path / "checkpoints" / "all.json").write_text(json.dumps({
        "data": "mnist", "n_train": 55000, "seed": 42, "tensorflow": "2.21.0", "date": "2026-11-30",
        "seconds": 1234.0, "machine": "2 cores of an AMD EPYC", "jobs": 2, "share_of_peak": 0.4321,
        "sections": {"stacked_tied": {"status": "done", "seconds": 20.0, "peak_memory_mb": 1140},
                     "features": {"status": "done", "seconds": 9.0}}}))
    rows = {line.split(" | ")[0].strip("|` "): line for line in results.table(tmp_path).splitlines()[2:] if line}
    assert rows["stacked_tied"].endswith("| last epoch's Train MSE | 0.01736 | 0.01559 |")
    assert rows["pca"].endswith("| test MSE (PCA's optimum: 0.05186) | 0.05189 | — |")
    assert rows["features"].endswith("| ✓ | ✓ |") and rows["stacked_all"].endswith("| not run | 0.01037 |")
    assert rows["gsn"].endswith("| test MSE (binarized) | not run | — |")
    assert results.table(tmp_path).splitlines()[-1] == (
        "Ours: `make all` on mnist (55,000 training images), seed 42, TensorFlow 2.21.0, 2026-11-30: 20.6 minutes "
        "on 2 cores of an AMD EPYC with 2 processes side by side, 43% of the machine's GEMM peak.")


def test_a_run_that_found_finished_sections_says_its_minutes_are_only_the_rest(tmp_path):
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "all.json").write_text(json.dumps({
        "data": "mnist5k", "n_train": 4000, "seed": 42, "tensorflow": "2.21.0", "date": "2026-11-30",
        "seconds": 756.0, "machine": "2 cores of an AMD EPYC", "jobs": 2,
        "sections": {"pca": {"status": "finished before", "seconds": 0.0}, "sparse": {"status": "done", "seconds": 473.7},
                     "gsn": {"status": "done", "seconds": 180.7}}}))
    assert results.table(tmp_path).splitlines()[-1] == (
        "Ours: `make all` on mnist5k (4,000 training images), seed 42, TensorFlow 2.21.0, 2026-11-30: 12.6 minutes "
        "for the 2 of its 3 sections not finished before on 2 cores of an AMD EPYC with 2 processes side by side.")


def test_the_table_is_written_between_the_markers_and_nowhere_else(tmp_path):
    finished(tmp_path, "stacked_all", train_mse=0.0103917)
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n{results.START}\nold table\n{results.END}\nafter\n")
    results.write_into(readme, tmp_path)
    text = readme.read_text()
    assert text.startswith("# title\n\nbefore\n") and text.endswith(f"{results.END}\nafter\n")
    assert "old table" not in text and "| `stacked_all` | Stacked Autoencoders | last epoch's Train MSE | 0.01039 |" in text
    readme.write_text("no markers\n")
    with pytest.raises(UsageError):
        results.write_into(readme, tmp_path)


def test_the_speed_table_gives_each_trained_sections_share_of_the_peak(tmp_path):
    finished(tmp_path, "stacked_tied", train_mse=0.0173552, samples_per_second=28003.4, gflops=80.94,
             share_of_peak=0.3829, seconds=9.8)
    finished(tmp_path, "features")
    (tmp_path / "checkpoints" / "all.json").write_text(json.dumps({
        "data": "mnist", "jobs": 2, "sections": {"stacked_tied": {"status": "done", "peak_memory_mb": 1140},
                                                 "features": {"status": "done", "peak_memory_mb": 1220}}}))
    lines = results.speed_table(tmp_path).splitlines()
    assert lines[2:4] == ["| `stacked_tied` | 28,003 | 80.9 | 38% | 10 | 1.11 GiB |",
                          "| `features` | trains nothing | | | | 1.19 GiB |"]
