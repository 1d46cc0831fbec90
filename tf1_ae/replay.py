"""A notebook session replayed: where the cells before one left the data sets and numpy's global RNG.

A notebook's cells share one kernel: one `mnist` object, whose `next_batch` keeps its position and
permutation from cell to cell (and reorders its arrays at every reshuffle), and numpy's global RNG, which
only a cell calling `reset_graph()` reseeds. So what a cell trains on depends on the draws of every cell
before it, not on what they trained: replaying those draws is index arithmetic and a few shuffles.

A `Cell` lists, in its order, each use of numpy's RNG that moves that state (`NextBatch`, `Permutations`,
`Normals`); `start_of` replays a list of cells up to the one a run starts at. The list itself, the
book's, belongs to the application.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NextBatch:
    """`calls` × `mnist.<split>.next_batch(batch_size)`."""
    calls: int
    batch_size: int
    split: str = "train"

    def replay(self, data):
        getattr(data, self.split).skip(self.calls, self.batch_size)


@dataclass(frozen=True)
class Permutations:
    """`calls` × `rnd.permutation(size(n))`, n the training set's size."""
    calls: int
    size: object = None  # a function of the training set's size; None: that size itself

    def replay(self, data):
        n = data.train.num_examples if self.size is None else self.size(data.train.num_examples)
        for _ in range(self.calls):
            np.random.permutation(n)


@dataclass(frozen=True)
class Normals:
    """`np.random.normal(size=count)` (any shape of `count` numbers draws the same)."""
    count: int

    def replay(self, data):
        np.random.normal(size=self.count)


@dataclass(frozen=True)
class Cell:
    title: str  # the notebook's heading for it
    runs: tuple  # the runs that start at its top (section names, or "section/part" for a run's part)
    reseeds: bool  # it calls reset_graph() (numpy's global seed) before drawing
    draws: tuple = ()  # its uses of numpy's RNG, in order


def cell_of(cells, run):
    """The index of the cell `run` starts at, or None for a run the notebook does not have."""
    return next((i for i, cell in enumerate(cells) if run in cell.runs), None)


def start_of(cells, run, data, seed):
    """Put `data`'s training and test sets and numpy's global RNG where the notebook's cells before `run`'s
    left them, replayed from a fresh kernel (every cell's reset_graph() seeded with `seed`), then reseed as
    `run`'s own cell does. Returns a line saying so, or None (the data untouched) for a run with no cell."""
    index = cell_of(cells, run)
    if index is None:
        return None
    data.train.restart()
    data.test.restart()
    for number, cell in enumerate(cells[:index]):
        if cell.reseeds:
            np.random.seed(seed)
        reseeded_later = any(later.reseeds for later in cells[number + 1:index + 1])
        for place, draw in enumerate(cell.draws):
            # draws that only move numpy's RNG matter only until the next reset_graph(): skipped before one
            # (a permutation of 55,000 costs a millisecond, and the book's cells draw thousands)
            moves_data = any(isinstance(d, NextBatch) for d in cell.draws[place:])
            if moves_data or not reseeded_later:
                draw.replay(data)
    cell = cells[index]
    if cell.reseeds:
        np.random.seed(seed)
    draws = sum(d.calls for c in cells[:index] for d in c.draws if isinstance(d, NextBatch) and d.split == "train")
    rng = "reseeded by its reset_graph()" if cell.reseeds else f"where \"{cells[index - 1].title}\" left it"
    return (f"batches: the notebook's, as \"{cell.title}\" drew them: mnist.train after the {draws:,} next_batch "
            f"calls of the cells before it; numpy's RNG {rng}")
