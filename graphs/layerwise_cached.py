"""Book §"Training One Autoencoder at a Time", single graph, caching the frozen layer's outputs.

During phase 2 hidden1 is frozen, so it gives the same output for the same image every epoch. The book
computes it once for the whole training set and feeds batches of that cache straight into the `hidden1`
tensor (`feed_dict={hidden1: hidden1_batch}`; TF1 lets you feed any tensor, not just placeholders), which
skips the 784×300 product of every phase-2 step. Batches are `rnd.permutation(n)[:150]`, as in the book.
"""
from dataclasses import dataclass

from graphs import layerwise_singlegraph

IDEA = "The same two phases, phase 2 fed from a cache of hidden1 computed once for the whole training set."
LOSS = "phase 2: mean((hidden3 - hidden1_cache[batch])²) + l2_reg · (½‖weights2‖² + ½‖weights3‖²)"


@dataclass(frozen=True)
class Config(layerwise_singlegraph.Config):
    cache: bool = True  # book


def build(config=Config(), towers=1):
    return layerwise_singlegraph.build(config, towers)
