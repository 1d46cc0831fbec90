"""`make bench`: how fast the chapter's graphs train, measured side by side in one run.

- phase 2 of the single-graph layer-wise listing fed images (hidden1 recomputed every step) versus fed
  the cache of hidden1 (the book's trick): the same graph, session and training op, only the feed differs.
  Theory: a phase-2 step without the 784×300 product does about half the work, so about 1.9× faster.
- the stacked autoencoder with all four weight matrices versus the tied one (two matrices, transposed).
All use the book's feed_dict loop, batch 150, pre-drawn batches (so data handling is not measured).
"""
import numpy as np

from graphs import layerwise_singlegraph, stacked_all, stacked_tied
from tf1_ae import data as datasets
from tf1_ae.bench import Variant, measure, table
from tf1_ae.compat import session_config, tf
from tf1_ae.runs import RunPaths, write_metrics

BATCH_SIZE = 150  # the book's
N_BATCHES = 40

RATIOS = [("phase2_cached", "phase2_uncached", "phase 2, cached hidden1 vs recomputed"),
          ("stacked_tied", "stacked_all", "tied weights vs all four weight matrices")]


def open_graph(build, seed):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        built = build()
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=session_config())
    sess.run(init)
    return sess, built


def variants(batches, seed, sessions):
    layerwise_sess, g = open_graph(layerwise_singlegraph.build, seed)
    sessions.append(layerwise_sess)
    X = g.autoencoder.X
    cache = [layerwise_sess.run(g.hidden1, {X: batch}) for batch in batches]
    phase2_op = g.phase2.training_op
    found = [
        Variant("phase2_uncached", "layer-wise phase 2, fed images (hidden1 recomputed)",
                lambda i: layerwise_sess.run(phase2_op, {X: batches[i % len(batches)]}), BATCH_SIZE),
        Variant("phase2_cached", "layer-wise phase 2, fed the hidden1 cache",
                lambda i: layerwise_sess.run(phase2_op, {g.hidden1: cache[i % len(cache)]}), BATCH_SIZE),
    ]
    for module, key, description in ((stacked_all, "stacked_all", "stacked, all four weight matrices"),
                                     (stacked_tied, "stacked_tied", "stacked, tied weights")):
        sess, ae = open_graph(module.build, seed)
        sessions.append(sess)
        found.append(Variant(key, description,
                             lambda i, s=sess, a=ae: s.run(a.training_op, {a.X: batches[i % len(batches)]}),
                             BATCH_SIZE))
    return found


def run(options, log=print, section="bench"):
    mnist = datasets.load(options.data)
    log(mnist.summary())
    rng = np.random.RandomState(options.seed)
    batches = [mnist.train.images[rng.permutation(mnist.train.num_examples)[:BATCH_SIZE]]
               for _ in range(N_BATCHES)]
    sessions = []
    try:
        found = variants(batches, options.seed, sessions)
        log(f"measuring {len(found)} variants in interleaved rounds (batch {BATCH_SIZE}, feed_dict)...")
        speeds = measure(found, progress=options.progress)
    finally:
        for sess in sessions:
            sess.close()
    log(table(found, speeds, RATIOS))
    metrics = {f"{key}_samples_per_second": round(value, 1) for key, value in speeds.items()}
    metrics.update({f"{a}_vs_{b}": round(speeds[a] / speeds[b], 3) for a, b, _ in RATIOS})
    metrics.update({"section": section, "data": mnist.name, "batch_size": BATCH_SIZE, "seed": options.seed})
    log(f"wrote {write_metrics(RunPaths.under(options.out, section).checkpoint_dir, metrics)}")
    return metrics
