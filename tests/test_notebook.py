"""The notebook's batches: each section starts where the book's cells before it left mnist and numpy's RNG."""
import json
from dataclasses import replace

import numpy as np
import pytest

from app import notebook
from app.sections import SECTIONS
from tf1_ae.data import load_mnist5k


def book_notebook(train, test, seed=42):
    """The notebook's cells written out as their code draws (15_autoencoders.ipynb, execution counts in
    brackets), apart from app/notebook.py's record; yields each run's name at the top of its cell."""
    def reset_graph():
        np.random.seed(seed)

    reset_graph()  # [10]
    yield "stacked_all"
    for epoch in range(5):  # [11]
        for iteration in range(55000 // 150):
            train.next_batch(150)
    reset_graph()  # [14]
    yield "stacked_tied"
    for epoch in range(5):  # [17]
        for iteration in range(55000 // 150):
            train.next_batch(150)
    reset_graph()  # [19]
    yield "layerwise_multigraph"
    for autoencoder in range(2):  # [20] train_autoencoder, twice
        for epoch in range(4):
            for iteration in range(55000 // 150):
                np.random.permutation(train.num_examples)
    reset_graph()  # [23]
    yield "layerwise_singlegraph"
    for phase in range(2):  # [26]
        for epoch in range(4):
            for iteration in range(55000 // 150):
                train.next_batch(150)
    yield "layerwise_cached"  # [27], no reset_graph()
    for epoch in range(4):
        for iteration in range(55000 // 150):
            train.next_batch(150)
    for epoch in range(4):
        for iteration in range(55000 // 150):
            np.random.permutation(train.num_examples)
    n_labeled = round(train.num_examples * 20000 / 55000) if train.num_examples < 55000 else 20000
    reset_graph()  # [30]
    yield "pretraining/supervised"
    for epoch in range(4):  # [31]
        for iteration in range(20000 // 150):
            np.random.permutation(n_labeled)
    yield "pretraining/pretrained"  # [32], no reset_graph()
    for epoch in range(4):
        for iteration in range(20000 // 150):
            np.random.permutation(n_labeled)
    for name in ("denoising_gaussian", "denoising_dropout"):  # [33]-[36], [37]-[40]
        reset_graph()
        yield name
        for epoch in range(10):
            for iteration in range(55000 // 150):
                train.next_batch(150)
    reset_graph()  # [43]
    yield "sparse"
    for epoch in range(100):  # [46]
        for iteration in range(55000 // 1000):
            train.next_batch(1000)
    for name in ("vae_sigma", "vae_logvar"):  # [50]-[53], [54]-[55]
        reset_graph()
        yield name
        for epoch in range(50):
            for iteration in range(55000 // 150):
                train.next_batch(150)
    yield "vae_generate"  # [55], after training
    np.random.normal(size=[60, 20])
    yield "vae_encode_decode"  # [59]
    test.next_batch(150)
    yield "vae_interpolate"  # [62]


def where(data):
    """Everything a cell's draws depend on: both sets' order and position, and numpy's RNG."""
    _, keys, position, *_ = np.random.get_state()
    return [data.train.state(), data.test.state(), keys.copy(), position]


def same(a, b):
    return all(np.array_equal(x[k], y[k]) for x, y in zip(a[:2], b[:2]) for k in x) and np.array_equal(
        a[2], b[2]) and a[3] == b[3]


@pytest.fixture(scope="module")
def the_book():
    """{run: the state at the top of its cell} from the written-out notebook, on mnist5k."""
    data = load_mnist5k()
    states = {}
    for name in book_notebook(data.train, data.test):
        states[name] = where(data)
    return states


def test_every_run_with_a_cell_starts_where_the_notebook_left_its_cell(the_book):
    data = load_mnist5k()
    runs = [run for cell in notebook.CELLS for run in cell.runs]
    assert set(the_book) <= set(runs)
    for run in runs:
        book_run = {"layerwise_stopgrad": "layerwise_singlegraph",  # the same cell
                    "vae_compare/sigma": "vae_sigma", "vae_compare/logvar": "vae_logvar"}.get(run, run)
        np.random.seed(7)  # whatever came before in this process
        notebook.start(run, data, 42)
        assert same(where(data), the_book[book_run]), run


def test_the_first_batch_is_the_notebooks(the_book):
    data = load_mnist5k()
    notebook.start("stacked_tied", data, 42)
    book = load_mnist5k()
    gen = book_notebook(book.train, book.test)
    while next(gen) != "stacked_tied":
        pass
    images, labels = data.train.next_batch(150)
    book_images, book_labels = book.train.next_batch(150)
    np.testing.assert_array_equal(images, book_images)
    np.testing.assert_array_equal(labels, book_labels)
    fresh = load_mnist5k()
    np.random.seed(42)
    assert not np.array_equal(fresh.train.next_batch(150)[1], labels)  # the cell alone draws other batches


def test_a_count_off_by_one_moves_every_later_cell(the_book):
    """The comparison above is sharp enough to see one next_batch call too many in one cell."""
    data = load_mnist5k()
    cells = list(notebook.CELLS)
    tied = cells[1]
    cells[1] = replace(tied, draws=(replace(tied.draws[0], calls=tied.draws[0].calls + 1),))
    from tf1_ae.replay import start_of
    start_of(tuple(cells), "denoising_gaussian", data, 42)
    assert not same(where(data), the_book["denoising_gaussian"])


def test_the_arrays_follow_the_draws_as_tf1s_did():
    """`mnist.train.images` after draws is in the last reshuffle's order (the multiple-graphs cell, the
    cache and the pretraining cells read it so), and a batch is those rows. (Against a set of its own in file
    order: the session's mnist5k is drawn from by other tests.)"""
    data, in_file_order = load_mnist5k(), load_mnist5k()
    np.random.seed(42)
    data.train.next_batch(150)
    images, labels = data.train.next_batch(150)
    np.testing.assert_array_equal(data.train.images[150:300], images)
    np.testing.assert_array_equal(data.train.labels[150:300], labels)
    assert not np.array_equal(data.train.images[:300], in_file_order.train.images[:300])


def test_a_run_draws_the_notebooks_batches_and_says_so(options, the_book):
    """Through the pipeline: the state saved with a one-step run's checkpoint is the notebook's after one
    batch of its cell, and metrics.json says which batches it drew; --batches alone starts afresh."""
    book = load_mnist5k()
    gen = book_notebook(book.train, book.test)
    while next(gen) != "vae_sigma":
        pass
    book.train.next_batch(150)
    lines = []
    SECTIONS["vae_sigma"].run(replace(options, steps=1, compare=False), log=lines.append)
    folder = options.out / "checkpoints/vae_sigma"
    with np.load(folder / "trainer_state-1.npz") as saved:
        np.testing.assert_array_equal(saved["data_order"], book.train.state()["order"])
        assert int(saved["data_index"]) == book.train.state()["index"]
    assert json.loads((folder / "metrics.json").read_text())["batches"] == "notebook"
    assert any(line.startswith("batches: the notebook's") for line in lines)

    alone = replace(options, steps=1, compare=False, batches="alone", out=options.out / "alone")
    SECTIONS["vae_sigma"].run(alone, log=lambda line: None)
    fresh = load_mnist5k()
    np.random.seed(42)
    fresh.train.next_batch(150)
    with np.load(alone.out / "checkpoints/vae_sigma/trainer_state-1.npz") as saved:
        np.testing.assert_array_equal(saved["data_order"], fresh.train.state()["order"])
    assert json.loads((alone.out / "checkpoints/vae_sigma/metrics.json").read_text())["batches"] == "alone"
