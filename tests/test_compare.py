"""Side by side with the book where the reader is: the terminal, and the book's own figures."""
import json
from dataclasses import replace

import numpy as np
import pytest

from app.cli import main
from app import compare
from app.compare import book_data, comparison, percent
from app.sections import SECTIONS
from graphs import kl_plot
from tf1_ae.train import book_format


@pytest.mark.parametrize("value, printed", [(13150.0, "13150.0"), (1.0, "1.0"), (0.0150667071, "0.0150667"),
                                            (15147.4, "15147.4"), (1e-05, "1e-05"), (float("nan"), "nan")])
def test_numbers_print_as_the_books_numpy_printed_them(value, printed):
    assert book_format(value) == printed


@pytest.fixture
def unmeasured(monkeypatch):
    """As before `make spread` has measured anything: the book's reruns and our ±10% alone."""
    monkeypatch.setattr(compare, "our_spread", lambda: {})


def test_a_run_ends_with_the_books_numbers_beside_ours(tmp_path, capsys, unmeasured):
    args = ["run", "stacked_tied", "--data", "mnist5k", "--steps", "10", "--no-progress", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("beside the book (book: full MNIST, 55,000 training images; "
                      "ours: mnist5k, 4,000 training images, 10 steps)")
    assert out[start + 1].split() == ["book", "ours", "gap"]  # not scored: no allowance, no verdict per row
    history = json.loads((tmp_path / "checkpoints/stacked_tied/history.json").read_text())
    book = book_data().logs["stacked_tied_train_mse"]
    for epoch, row in enumerate(out[start + 2:start + 7]):
        ours = history[epoch]["train_mse"]
        gap = ours / book[epoch] - 1
        # 10 steps printed as 5 lines of 2: each named by its line and step, none called an epoch
        assert row.split() == ["train_mse,", "line", str(epoch), f"(step", f"{history[epoch]['step']})",
                               book_format(book[epoch]), book_format(ours), ("+" if gap >= 0 else "-") + percent(abs(gap))]
    assert out[start + 7] == ("a line of ours is at the step it names, the book's epoch k at the end of its epoch k: "
                              "the two columns are not at the same step")
    assert out[start + 8].startswith("train_mse, all 5 lines: largest gap ")
    assert out[start + 9] == ("not scored, as ours is other than the book's run: data mnist5k, 4,000 training images "
                              "(the book's: full MNIST, 55,000; `make data` fetches it, then `--data auto` uses it); "
                              "--steps 10 (the book's budget: 1,830 steps)")
    assert main(args + ["--force", "--quiet-compare"]) == 0
    assert "beside the book" not in capsys.readouterr().out


def test_a_changed_setting_is_named_with_the_books_value_and_not_scored(tmp_path, capsys, named_command):
    """On the book's own data and budget, one field changed: the run names the field and the book's value, and
    judges no row; `--batches alone` says it draws fresh batches, and is not judged against allowances
    measured on the notebook's."""
    metrics = {"data": "mnist", "n_train": 55000, "steps": 1830, "complete": False, "batches": "notebook",
               "changed": {"l2_reg": [0.001, 0.0005]}}
    history = [{"epoch": e, "step": 366 * (e + 1), "train_mse": v} for e, v in
               enumerate(book_data().logs["stacked_tied_train_mse"])]
    write_run(tmp_path, metrics, history)
    lines = comparison("stacked_tied", tmp_path)
    assert lines[-1] == "not scored, as ours is other than the book's run: l2_reg 0.001 (the book's 0.0005)"
    assert not any(line.endswith(("within", "outside")) for line in lines)
    assert [line.split()[:3] for line in lines[2:7]] == [["train_mse,", "epoch", str(e)] for e in range(5)]
    write_run(tmp_path, {**metrics, "changed": {}, "complete": True, "batches": "alone"}, history)
    assert comparison("stacked_tied", tmp_path)[-1] == (
        "not scored, as ours is other than the book's run: --batches alone (our allowances were measured on the "
        "notebook's batches)")


def test_a_changed_setting_is_recorded_with_the_books_value(options, capsys):
    args = ["run", "stacked_tied", "--data", "mnist5k", "--steps", "4", "--set", "l2_reg=0.001",
            "--learning-rate", "0.02", "--batches", "alone", "--no-progress", "--out", str(options.out)]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert "batches: fresh (--batches alone): the training set in its first order, numpy's RNG seeded 42 by " \
           "reset_graph()" in out
    metrics = json.loads((options.out / "checkpoints/stacked_tied/metrics.json").read_text())
    assert metrics["changed"] == {"learning_rate": [0.02, 0.01], "l2_reg": [0.001, 0.0005], "--steps": [4, 1830]}
    assert out[-1].startswith("not scored, as ours is other than the book's run: data mnist5k") and \
        out[-1].endswith("l2_reg 0.001 (the book's 0.0005); learning_rate 0.02 (the book's 0.01); --steps 4 (the "
                         "book's budget: 1,830 steps); --batches alone (our allowances were measured on the notebook's "
                         "batches)")


def write_run(folder, metrics, history=()):
    (folder / "history.json").write_text(json.dumps(list(history)))
    (folder / "metrics.json").write_text(json.dumps({"data": "mnist", "n_train": 55000, "steps": 2928,
                                                     "complete": True, **metrics}))


def test_each_value_is_judged_by_the_books_own_evidence_for_it(tmp_path, unmeasured):
    book = book_data()
    history = [{"epoch": e, "phase1_train_mse": v * 1.065} for e, v in
               enumerate(book.logs["layerwise_singlegraph_phase1_train_mse"])]
    history += [{"epoch": e, "phase2_train_mse": v * 1.065} for e, v in
                enumerate(book.logs["layerwise_singlegraph_phase2_train_mse"])]
    test_mse = book.numbers["layerwise_singlegraph"]["values"]["test_mse"]
    write_run(tmp_path, {"test_mse": test_mse * 1.002}, history)
    lines = comparison("layerwise_singlegraph", tmp_path)
    rows = {" ".join(line.split()[:3]): line.split() for line in lines[2:11]}
    assert len(rows) == 4 + 4 + 1
    assert lines[11:13] == ["reruns: as far as the notebook's own reruns moved the book's value (ours not measured "
                            "by `make spread`)", "ours: our unmeasured ±10%, the book having printed the value once"]
    assert lines[-3:-1] == ["phase1_train_mse, all 4 epochs: largest gap 6.5% (epoch 0), median 6.5%",
                            "phase2_train_mse, all 4 epochs: largest gap 6.5% (epoch 0), median 6.5%"]
    # phase 1 was never rerun: our ±10%; phase 2's reruns moved it 4.4-6.9%: 6.5% is inside one, not the others
    # each row: its gap, its allowance and its kind, the gap as a share of the allowance, the verdict
    assert rows["phase1_train_mse, epoch 0"][-5:] == ["+6.5%", "±10%", "ours", "65%", "within"]
    assert rows["phase2_train_mse, epoch 0"][-4:] == ["±5.4%", "reruns", "121%", "outside"]
    assert rows["phase2_train_mse, epoch 1"][-4:] == ["±6.9%", "reruns", "94%", "within"]
    assert rows["test_mse, final 0.00979144"][-4:] == ["±0.28%", "reruns", "71%", "within"]  # 0.2% off
    assert lines[-1] == ("verdict: 6 of 9 values within their allowance; nearest its allowance (the largest "
                         "gap/allowed): phase2_train_mse, epoch 3, 6.5% against ±4.4%, 148% of it")


def test_our_measured_spread_widened_by_the_books_reruns_is_the_allowance(tmp_path, monkeypatch):
    """With `make spread`'s record, a value may be as far from the book's as another seed of ours landed from
    our run, plus as far as the book's reruns moved it; the verdict says how many seeds measured it."""
    book = book_data()
    tied = book.logs["stacked_tied_train_mse"]
    spread = {"seeds": [42, 1, 2], "values": {"stacked_tied_train_mse": {"epochs": [
        {"42": 1.0, "1": 1.02, "2": 0.99} for _ in tied]}}}
    monkeypatch.setattr(compare, "our_spread", lambda: spread)
    history = [{"epoch": e, "train_mse": v * (1.019 if e == 0 else 1.03)} for e, v in enumerate(tied)]
    write_run(tmp_path, {"train_mse": history[-1]["train_mse"]}, history)
    lines = comparison("stacked_tied", tmp_path)
    rerun_gap = max(abs(run[3] / tied[3] - 1) for run in book.reruns["stacked_tied_train_mse"].values())
    assert rerun_gap > 0  # epoch 3 was printed 1e-7 apart: its allowance is 2% and that
    assert lines[2].split()[-5:] == ["+1.9%", "±2%", "seeds", "95%", "within"]
    assert lines[3].split()[-5:] == ["+3%", "±2%", "seeds", "150%", "outside"]
    assert compare.allowance("stacked_tied_train_mse", 3, tied[3]) == (pytest.approx(0.02 + rerun_gap), "seeds")
    assert lines[7].startswith("seeds: as far as our runs with TensorFlow seeds 1 and 2 landed from seed 42's (`make "
                               "spread`), plus as far as the notebook's own reruns moved the book's value; widest at "
                               "train_mse, epoch ")
    assert lines[-1].startswith("verdict: 1 of 5 values within their allowance; nearest its allowance")


def test_accuracies_are_judged_in_points(tmp_path, unmeasured):
    values = book_data().numbers["pretraining"]["values"]
    write_run(tmp_path, {key: value - (0.02 if key == "supervised_test_accuracy" else 0.005)
                         for key, value in values.items()})
    lines = comparison("pretraining", tmp_path)
    assert [line.split()[-4:] for line in lines[2:6]] == [
        ["±1", "pt", "50%", "within"], ["±1", "pt", "200%", "outside"], ["±1", "pt", "50%", "within"],
        ["±1", "pt", "50%", "within"]]
    assert lines[6] == "pt: an accuracy, allowed 1 point either way"
    assert lines[-1].endswith("(the largest gap/allowed): supervised_test_accuracy, final, 2.00 points against ±1, "
                              "200% of it")


def test_a_run_other_than_the_books_is_not_scored(tmp_path):
    write_run(tmp_path, {"train_mse": 0.0104, "complete": False, "steps": 100},
              [{"epoch": 0, "train_mse": 0.02}])
    assert comparison("stacked_all", tmp_path)[-1] == ("not scored, as ours is other than the book's run: a budget "
                                                       "other than the book's (100 steps)")


def test_the_sparsity_cost_figure_has_the_books_two_curves_and_ours_adds_mae():
    q = np.linspace(0.001, 0.999, 50)
    book = kl_plot.draw_costs(0.1, q, kl_plot.costs(0.1, q), ("kl", "mse"))
    assert [t.get_text() for t in book.axes[0].get_legend().get_texts()] == ["KL divergence", "MSE"]
    ours = kl_plot.draw_costs(0.1, q, kl_plot.costs(0.1, q), ("kl", "mae", "mse"))
    assert len(ours.axes[0].get_legend().get_texts()) == 3


def test_reconstructions_draws_the_books_model_by_default(options, drawn):
    metrics = SECTIONS["reconstructions"].run(replace(options, steps=4), log=lambda line: None)
    trained = json.loads((options.out / "checkpoints/layerwise_singlegraph/metrics.json").read_text())
    # the restored checkpoint is the model just trained: the same test set gives the same test MSE
    assert 0 < metrics["test_mse"] == trained["test_mse"] < 1
    assert metrics["layerwise_singlegraph_test_mse"] == trained["test_mse"]
    # the book's figure: the first 2 test digits, each beside its reconstruction
    figure = options.out / "figures/reconstructions/layerwise_singlegraph_reconstruction_plot.png"
    assert drawn[figure] == [["image 28×28"]] * 4


def test_denoising_draws_the_books_two_columns_and_our_three(options):
    SECTIONS["denoising_dropout"].run(replace(options, steps=4), log=lambda line: None)
    from matplotlib.image import imread
    book = imread(options.out / "figures/denoising_dropout/reconstruction_plot.png")
    ours = imread(options.out / "figures/denoising_dropout/denoising_plot.png")
    assert book.shape[1] / book.shape[0] == pytest.approx(8 / 6, rel=0.02)  # 2 digits × 2 columns
    assert ours.shape[1] / ours.shape[0] == pytest.approx(9 / 6, rel=0.02)  # 2 digits × 3 columns


def test_the_sparsity_cost_blurb_says_what_its_own_numbers_show():
    """Larger than the squared error wherever q is not the target; below the absolute error near it, above it
    only far from it (the listing's docstring: below about 0.02 or above about 0.55)."""
    q = np.linspace(0.001, 0.999, 99_901)
    cost = kl_plot.costs(0.1, q)
    away = np.abs(q - 0.1) > 1e-9
    assert np.all(cost["kl"][away] > cost["mse"][away])
    above_mae = q[cost["kl"] > cost["mae"]]
    assert above_mae[above_mae < 0.1].max() == pytest.approx(0.0215, abs=1e-3)
    assert above_mae[above_mae > 0.1].min() == pytest.approx(0.546, abs=1e-3)
    assert "below about 0.02 or above about 0.55" in " ".join(kl_plot.__doc__.split())
