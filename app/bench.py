"""`make bench`: how fast the chapter's graphs train, measured side by side in one run.

Table 1, the layer-wise listing's claims:
- phase 2 fed images (hidden1 recomputed every step) vs fed the cache of hidden1: the same graph, session
  and training op, only the feed differs. The arithmetic promises about 2× (half the multiply-adds).
- the stacked autoencoder with four weight matrices vs the tied one (two, transposed).
Beside each bare step, the same graph in the loop a section runs (the Trainer, one book epoch and its
checkpoint save per call: `<name>_run`), so the loop's cost shows.
Table 2, the stacked autoencoder's training step (784-300-150-300-784, batch 150, Adam) against the
machine's limit, its float32 GEMM peak (2048×2048 products on all cores) divided by the step's FLOPs per
sample: the book's feed_dict loop; the data held in the graph (batches gathered in-graph, no feed); both
with two towers (`--towers 2`: half-batches on the two cores, gradients averaged); Keras 3 `fit` on the
same TensorFlow (its own process); PyTorch eager on the CPU where the optional `bench` extra is installed
(its own process; the row says "not installed" otherwise); and, as a reference, NumPy's BLAS doing just
the step's products at their own small shapes.
"""
import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from graphs import layerwise_singlegraph, stacked_all, stacked_tied
from tf1_ae import data as datasets
from app.measure import Variant, Worker, in_process, measure, serve, table
from tf1_ae.budget import Budget
from tf1_ae.compat import session_config, tf
from tf1_ae.data import PermutationSampler
from app.roofline import GemmPeak, GemmStep
from tf1_ae.runs import RunPaths, write_metrics
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import Trainer

BATCH_SIZE = 150  # the book's
BOOK_EPOCH = 55000 // BATCH_SIZE  # steps between two checkpoint saves in a section's run
N_BATCHES = 40
STACK = [784, 300, 150, 300, 784]
LAYERWISE_RATIOS = [("phase2_cached", "phase2_uncached", "phase 2, cached hidden1 vs recomputed"),
                    ("stacked_tied", "stacked_all", "tied weights vs all four weight matrices")]
LOOP_RATIOS = [("phase2_cached_run", "phase2_uncached_run", "phase 2 as a section runs it, cached vs recomputed"),
               ("phase2_cached_towers_run", "phase2_uncached_towers_run", "the same, both with 2 towers"),
               ("phase2_cached_towers_run", "phase2_uncached_run", "phase 2: cached with 2 towers vs the book's"),
               ("stacked_all_run", "stacked_all", "stacked: the section's loop vs the bare step"),
               ("stacked_towers_run", "stacked_towers", "2 towers: the section's loop vs the bare step"),
               ("stacked_towers_run", "stacked_all_run", "stacked as a section runs it: 2 towers vs the book's graph")]
STACKED = ["stacked_all", "stacked_all_run", "stacked_ingraph", "stacked_towers", "stacked_towers_run",
           "stacked_ingraph_towers", "keras_fit", "pytorch_eager"]


def open_graph(build, seed, towers=1):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        built = build()
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=session_config(towers))
    sess.run(init)
    return sess, built


def fed(sess, op, tensor, batches):
    return lambda i: sess.run(op, {tensor: batches[i % len(batches)]})


def in_graph(images, towers, seed, sessions):
    """The stacked autoencoder trained on batches gathered inside the graph: Session.run feeds nothing."""
    def build():
        images_init = tf.placeholder(tf.float32, images.shape)
        held = tf.Variable(images_init, trainable=False, collections=[], name="training_images")
        picked = tf.random_uniform([BATCH_SIZE], 0, len(images), dtype=tf.int32)
        batch, config = tf.gather(held, picked), stacked_all.Config()
        optimizer = tf.train.AdamOptimizer(config.learning_rate)
        if towers == 1:
            training_op = optimizer.minimize(stacked_all.autoencoder(batch, config).loss)
        else:
            stacked_all.autoencoder(batch, config)  # the variables, built once
            training_op, _ = minimize_in_towers(optimizer, lambda part: stacked_all.autoencoder(part, config).loss,
                                                batch, towers)
        return training_op, held, images_init

    sess, (training_op, held, images_init) = open_graph(build, seed, towers)
    sess.run(held.initializer, {images_init: images})
    sessions.append(sess)
    return lambda i: sess.run(training_op)


def looped(build, plan_of, data, seed, sessions, towers=1):
    """The loop a section runs (the Trainer: feeds, the NaN check, TensorBoard scalars, the epoch line, a
    checkpoint save) for one book epoch per call, so its gap to the bare step shows."""
    folder = Path(tempfile.mkdtemp(prefix="tf1_ae_bench_"))
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        trainer = Trainer(plan_of(build()), folder, "bench", progress=False)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=session_config(towers))
    sess.run(init)
    sessions.append(sess)
    ends = iter(range(BOOK_EPOCH, 10 ** 9, BOOK_EPOCH))
    return lambda i: trainer.run(sess, data(), Budget(next(ends), 1, BATCH_SIZE, "bench"), log=lambda line: None)


def loop_variant(key, description, build, plan_of, data, seed, sessions, towers=1):
    return Variant(f"{key}_run", description + ", as a section runs it", looped(build, plan_of, data, seed, sessions,
                                                                               towers), BOOK_EPOCH * BATCH_SIZE, calls=1)


def phase2_plan(g):
    return g.phases[1].plan


def cached_phase2_plan(g):
    return replace(g.phases[1].plan, inputs=g.tensors["hidden1"])


def default_pool_variants(mnist, batches, seed, sessions):
    """The book's loops, in a process with TensorFlow's default thread pools."""
    images = mnist.train.images
    layerwise_sess, g = open_graph(layerwise_singlegraph.build, seed)
    sessions.append(layerwise_sess)
    hidden1, phase2 = g.tensors["hidden1"], g.phases[1].plan
    cache = [layerwise_sess.run(hidden1, {g.X: batch}) for batch in batches]
    whole_cache = PermutationSampler(layerwise_sess.run(hidden1, {g.X: images}))
    found = [
        Variant("phase2_uncached", "layer-wise phase 2, fed images (hidden1 recomputed)",
                fed(layerwise_sess, phase2.training_op, g.X, batches), BATCH_SIZE),
        Variant("phase2_cached", "layer-wise phase 2, fed the hidden1 cache",
                fed(layerwise_sess, phase2.training_op, hidden1, cache), BATCH_SIZE),
        loop_variant("phase2_uncached", "layer-wise phase 2, fed images", layerwise_singlegraph.build,
                     phase2_plan, lambda: mnist.train, seed, sessions),
        loop_variant("phase2_cached", "layer-wise phase 2, fed the cache", layerwise_singlegraph.build,
                     cached_phase2_plan, lambda: whole_cache, seed, sessions)]
    for key, description, build in (("stacked_all", "stacked, feed_dict (the book's loop)", stacked_all.build),
                                     ("stacked_tied", "stacked, tied weights, feed_dict", stacked_tied.build)):
        sess, ae = open_graph(build, seed)
        sessions.append(sess)
        found.append(Variant(key, description, fed(sess, ae.training_op, ae.X, batches), BATCH_SIZE))
    found.append(loop_variant("stacked_all", "stacked", stacked_all.build, lambda ae: ae.plan, lambda: mnist.train,
                              seed, sessions))
    found.append(Variant("stacked_ingraph", "stacked, data held in the graph",
                         in_graph(images, 1, seed, sessions), BATCH_SIZE))
    return found


def towers_variants(mnist, batches, seed, sessions):
    """The fast path, in a process whose first Session set the pools to 1 thread per op, 2 ops at once."""
    def build():
        return stacked_all.build(stacked_all.Config(), towers=2)

    sess, ae = open_graph(build, seed, towers=2)
    sessions.append(sess)
    def build_layerwise():
        return layerwise_singlegraph.build(layerwise_singlegraph.Config(), towers=2)

    layerwise_sess, g = open_graph(build_layerwise, seed, towers=2)
    sessions.append(layerwise_sess)
    whole_cache = PermutationSampler(layerwise_sess.run(g.tensors["hidden1"], {g.X: mnist.train.images}))
    layerwise = [loop_variant(f"phase2_{name}_towers", f"layer-wise phase 2, {fed_with}, 2 towers", build_layerwise,
                              plan_of, data, seed, sessions, towers=2)
                 for name, fed_with, plan_of, data in (
                     ("uncached", "fed images", phase2_plan, lambda: mnist.train),
                     ("cached", "fed the cache", cached_phase2_plan, lambda: whole_cache))]
    return layerwise + [Variant("stacked_towers", "stacked, feed_dict, 2 towers",
                    fed(sess, ae.training_op, ae.X, batches), BATCH_SIZE),
            loop_variant("stacked_towers", "stacked, 2 towers", build, lambda ae: ae.plan, lambda: mnist.train,
                         seed, sessions, towers=2),
            Variant("stacked_ingraph_towers", "stacked, data in the graph, 2 towers",
                    in_graph(mnist.train.images, 2, seed, sessions), BATCH_SIZE)]


POOLS = {"default": default_pool_variants, "towers": towers_variants}


def batches_for(images, seed):
    rng = np.random.RandomState(seed)
    return [images[rng.permutation(len(images))[:BATCH_SIZE]] for _ in range(N_BATCHES)]


def worker(pools, data, seed):
    """`python -m app.bench POOLS DATA SEED`: serve rounds of one pool family's variants."""
    mnist = datasets.load(data)
    sessions = []
    try:
        serve(POOLS[pools](mnist, batches_for(mnist.train.images, seed), seed, sessions), sys.stdin, sys.stdout)
    finally:
        for sess in sessions:
            sess.close()


def keras_fit(data, log):
    """Samples/second of Keras 3 fit, from a process of its own (None if it cannot run)."""
    done = subprocess.run([sys.executable, "-m", "app.bench_keras", data], capture_output=True, text=True)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])["samples_per_second"]
    except (IndexError, ValueError, KeyError):
        log(f"Keras fit could not be measured: {(done.stderr or done.stdout).strip()[-300:]}")
        return None


def torch_eager(data, log):
    """(samples/second of PyTorch eager on the CPU, from a process of its own, or None; why there is none)."""
    done = subprocess.run([sys.executable, "-m", "app.bench_torch", data], capture_output=True, text=True)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        log(f"PyTorch could not be measured: {(done.stderr or done.stdout).strip()[-300:]}")
        return None, "failed"
    return result.get("samples_per_second"), "not installed" if result.get("not_installed") else None


def run(options, log=print, section="bench"):
    mnist = datasets.load(options.data)
    log(mnist.summary())
    step_flops = GemmStep(STACK, BATCH_SIZE, options.seed).flops / BATCH_SIZE  # per sample
    peak = GemmPeak()
    references = [Variant("gemm_peak", "the limit: float32 GEMM peak (2048², all cores)", peak,
                          peak.flops / step_flops, calls=6),
                  Variant("blas_step", "reference: BLAS at the step's own shapes", GemmStep(STACK, BATCH_SIZE,
                                                                                          options.seed), BATCH_SIZE)]
    workers = []
    try:
        for pools in POOLS:
            workers.append(Worker([sys.executable, "-m", "app.bench", pools, options.data, str(options.seed)]))
        descriptions = {k: v for w in workers for k, v in w.descriptions.items()}
        descriptions.update({v.key: v.description for v in references})
        log(f"measuring {len(descriptions)} variants in interleaved rounds (batch {BATCH_SIZE}), then Keras fit "
            f"and PyTorch...")
        speeds = measure(workers + [in_process(references)], progress=options.progress)
    finally:
        for w in workers:
            w.close()
    speeds["keras_fit"] = keras_fit(options.data, log)
    descriptions["keras_fit"] = "Keras 3 fit, same model, same TensorFlow"
    speeds["pytorch_eager"], why_not = torch_eager(options.data, log)
    descriptions["pytorch_eager"] = "PyTorch eager, CPU, 2 threads (optional)"
    log(table([(k, descriptions[k]) for k in ("phase2_uncached", "phase2_uncached_run", "phase2_uncached_towers_run",
                                               "phase2_cached", "phase2_cached_run", "phase2_cached_towers_run",
                                               "stacked_all", "stacked_tied")],
              speeds, LAYERWISE_RATIOS + LOOP_RATIOS))
    limit = speeds["gemm_peak"]
    log(f"\nthe stacked autoencoder's training step ({step_flops / 1e6:.2f} MFLOP per sample) against the machine's "
        f"limit ({limit * step_flops / 1e9:.0f} GFLOP/s float32 GEMM peak = {limit:,.0f} samples/s):")
    log(f"{'variant':<52}{'samples/s':>10}{'of the limit':>14}")
    for key in STACKED + ["blas_step", "gemm_peak"]:
        value = speeds.get(key)
        missing = (why_not if key == "pytorch_eager" else None) or "n/a"
        shown = f"{value:>10,.0f}{value / limit:>13.0%}" if value else f"{missing:>14}"
        log(f"{descriptions[key]:<52}{shown}")
    metrics = {f"{key}_samples_per_second": round(value, 1) for key, value in speeds.items() if value}
    metrics.update({f"{a}_vs_{b}": round(speeds[a] / speeds[b], 3) for a, b, _ in LAYERWISE_RATIOS + LOOP_RATIOS})
    metrics.update({f"{k}_share_of_limit": round(speeds[k] / limit, 3) for k in STACKED + ["blas_step"]
                    if speeds.get(k)})
    metrics.update({"section": section, "data": mnist.name, "batch_size": BATCH_SIZE, "seed": options.seed,
                    "gemm_peak_gflops": round(limit * step_flops / 1e9, 1)})
    log(f"wrote {write_metrics(RunPaths.under(options.out, section).checkpoint_dir, metrics)}")
    return metrics


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))
