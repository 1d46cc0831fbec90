"""Book §"Training One Autoencoder at a Time", single graph, "Cache the frozen layer outputs" (note 05).

During phase 2 hidden1 is frozen, so it gives the same output for the same image every epoch. The book
computes it once for the whole training set and feeds batches of that cache straight into the `hidden1`
tensor (`feed_dict={hidden1: hidden1_batch}`; TF1 lets you feed any tensor, not just placeholders), which
skips the 784×300 product of every phase-2 step. Batches are `rnd.permutation(n)[:150]`, as in the book.

    phase 2: mean((hidden3 - hidden1_cache[batch])²) + l2_reg · (½‖weights2‖² + ½‖weights3‖²)
"""
from graphs.layerwise_singlegraph import Config, build, run as _run  # noqa: F401  (the same listing)


def run(options, log=print):
    return _run(options, log, section="layerwise_cached", cache=True)
