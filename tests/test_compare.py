"""Side by side with the book where the reader is: the terminal, and the book's own figures."""
import json
from dataclasses import replace

import numpy as np
import pytest

from app.cli import main
from app.compare import book_data, comparison
from app.sections import SECTIONS
from graphs import kl_plot
from tf1_ae.train import book_format


@pytest.mark.parametrize("value, printed", [(13150.0, "13150.0"), (1.0, "1.0"), (0.0150667071, "0.0150667"),
                                            (15147.4, "15147.4"), (1e-05, "1e-05"), (float("nan"), "nan")])
def test_numbers_print_as_the_books_numpy_printed_them(value, printed):
    assert book_format(value) == printed


def test_a_run_ends_with_the_books_numbers_beside_ours(tmp_path, capsys):
    args = ["run", "stacked_tied", "--data", "mnist5k", "--steps", "10", "--no-progress", "--out", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("beside the book (book: full MNIST, 55,000 training images; "
                      "ours: mnist5k, 4,000 training images, 10 steps)")
    history = json.loads((tmp_path / "checkpoints/stacked_tied/history.json").read_text())
    book = book_data()[1]["stacked_tied_train_mse"]
    for epoch, row in enumerate(out[start + 2:start + 7]):
        ours = history[epoch]["train_mse"]
        assert row.split() == ["train_mse,", "epoch", str(epoch), book_format(book[epoch]), book_format(ours),
                               f"{ours / book[epoch]:.2f}"]
    assert out[start + 7].startswith("verdict: ")
    assert main(args + ["--force", "--quiet-compare"]) == 0
    assert "beside the book" not in capsys.readouterr().out


def test_the_verdict_counts_values_within_the_books_own_spread(tmp_path):
    numbers, logs = book_data()
    book_test = numbers["layerwise_singlegraph"]["values"]["test_mse"]
    history = [{"epoch": e, "phase1_train_mse": v * 1.05} for e, v in
               enumerate(logs["layerwise_singlegraph_phase1_train_mse"])]
    history += [{"epoch": e, "phase2_train_mse": v * 2} for e, v in
                enumerate(logs["layerwise_singlegraph_phase2_train_mse"])]
    (tmp_path / "history.json").write_text(json.dumps(history))
    (tmp_path / "metrics.json").write_text(json.dumps({"data": "mnist5k", "n_train": 4000, "steps": 8,
                                                       "test_mse": book_test * 0.95}))
    lines = comparison("layerwise_singlegraph", tmp_path)
    rows = lines[2:-1]
    assert len(rows) == 4 + 4 + 1 and rows[-1].split()[:2] == ["test_mse,", "final"]
    assert lines[-1].startswith("verdict: 5 of 9 values within the book's own rerun spread (±10%); largest gap 100%")


def test_the_sparsity_cost_figure_has_the_books_two_curves_and_ours_adds_mae():
    q = np.linspace(0.001, 0.999, 50)
    book = kl_plot.draw(0.1, q, kl_plot.costs(0.1, q), ("kl", "mse"))
    assert [t.get_text() for t in book.axes[0].get_legend().get_texts()] == ["KL divergence", "MSE"]
    ours = kl_plot.draw(0.1, q, kl_plot.costs(0.1, q), ("kl", "mae", "mse"))
    assert len(ours.axes[0].get_legend().get_texts()) == 3


def test_reconstructions_draws_the_books_model_by_default(options):
    SECTIONS["reconstructions"].run(replace(options, steps=4), log=lambda line: None)
    assert (options.out / "figures/reconstructions/layerwise_singlegraph_reconstruction_plot.png").is_file()


def test_denoising_draws_the_books_two_columns_and_our_three(options):
    SECTIONS["denoising_dropout"].run(replace(options, steps=4), log=lambda line: None)
    from matplotlib.image import imread
    book = imread(options.out / "figures/denoising_dropout/reconstruction_plot.png")
    ours = imread(options.out / "figures/denoising_dropout/denoising_plot.png")
    assert book.shape[1] / book.shape[0] == pytest.approx(8 / 6, rel=0.02)  # 2 digits × 2 columns
    assert ours.shape[1] / ours.shape[0] == pytest.approx(9 / 6, rel=0.02)  # 2 digits × 3 columns
