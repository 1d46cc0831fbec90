"""Book §"Training One Autoencoder at a Time", single graph, caching the frozen layer's outputs.

During phase 2 hidden1 is frozen, so it gives the same output for the same image every epoch. The book
computes it once for the whole training set and feeds batches of that cache straight into the `hidden1`
tensor (`feed_dict={hidden1: hidden1_batch}`; TF1 lets you feed any tensor, not just placeholders), which
skips the 784×300 product of every phase-2 step. Batches are `rnd.permutation(n)[:150]`, as in the book.
"""
from dataclasses import replace
from functools import partial

from graphs import layerwise_singlegraph
from tf1_ae.data import PermutationSampler
from tf1_ae.model import Phase

IDEA = "The same two phases, phase 2 fed from a cache of hidden1 computed once for the whole training set."
LOSS = "phase 2: mean((hidden3 - hidden1_cache[batch])²) + l2_reg · (½‖weights2‖² + ½‖weights3‖²)"

Config = layerwise_singlegraph.Config  # the book's values, unchanged


def hidden1_batches(sess, train, X, hidden1):
    """The book's `if phase == 1:` lines, called once when phase 2 starts: hidden1 of every training image;
    then each step draws `indices = rnd.permutation(n)` and trains on `hidden1_cache[indices[:batch_size]]`."""
    hidden1_cache = hidden1.eval(feed_dict={X: train.images}, session=sess)
    return PermutationSampler(hidden1_cache)  # its next_batch: the book's two lines above


def build(config=Config()):
    ae = layerwise_singlegraph.build(config)
    X, hidden1 = ae.X, ae.tensors["hidden1"]
    phase1, phase2 = ae.phases

    # the book's feed_dict={hidden1: hidden1_batch}: phase 2's batches are fed into hidden1 instead of X (TF1
    # feeds any tensor), so its steps skip the 784×300 product
    phase2_plan = replace(phase2.plan, inputs=hidden1)
    phase2 = Phase("phase2", phase2_plan, batches=partial(hidden1_batches, X=X, hidden1=hidden1))
    return replace(ae, phases=(phase1, phase2))
