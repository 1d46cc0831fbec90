"""Book §"Training One Autoencoder at a Time", single graph, caching the frozen layer's outputs.

During phase 2 hidden1 is frozen, so it gives the same output for the same image every epoch. The book
computes it once for the whole training set and feeds batches of that cache straight into the `hidden1`
tensor (`feed_dict={hidden1: hidden1_batch}`; TF1 lets you feed any tensor, not just placeholders), which
skips the 784×300 product of every phase-2 step. Batches are `rnd.permutation(n)[:150]`, as in the book.
"""
from dataclasses import replace

from graphs import layerwise_singlegraph
from tf1_ae.data import PermutationSampler

IDEA = "The same two phases, phase 2 fed from a cache of hidden1 computed once for the whole training set."
LOSS = "phase 2: mean((hidden3 - hidden1_cache[batch])²) + l2_reg · (½‖weights2‖² + ½‖weights3‖²)"

Config = layerwise_singlegraph.Config  # the book's values, unchanged


def build(config=Config(), towers=1):
    ae = layerwise_singlegraph.build(config, towers)
    X, hidden1 = ae.X, ae.tensors["hidden1"]

    def hidden1_cache(sess, train):
        """Once, when phase 2 starts: hidden1 of every training image. Each step then feeds
        hidden1_cache[rnd.permutation(n)[:batch_size]] in hidden1's place, as the book's loop does."""
        hidden1_cache = sess.run(hidden1, feed_dict={X: train.images})
        return PermutationSampler(hidden1_cache)

    phase1, phase2 = ae.phases
    # the loop inside the graph builds phase 2's step on a batch of the cache, as the feed loop feeds it
    phase2 = replace(phase2, plan=replace(phase2.plan, inputs=hidden1, step=ae.tensors["phase2_on_hidden1"]),
                     batches=hidden1_cache)
    return replace(ae, phases=(phase1, phase2))
