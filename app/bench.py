"""`make bench`: how fast the chapter's graphs train, measured side by side in one run.

Table 1, the layer-wise listing's claims:
- phase 2 fed images (hidden1 recomputed every step) vs fed the cache of hidden1: the same graph, session
  and training op, only the feed differs. The arithmetic promises about 2× (half the multiply-adds).
- the stacked autoencoder with four weight matrices vs the tied one (two, transposed).
Beside each bare step, the same graph in the loop a section runs (the Trainer, one book epoch and its
checkpoint save per call: `<name>_run`, the loop inside the graph; `<name>_feed_run`, the book's feed loop
that `--loop feed` keeps), so each loop's cost shows.
Table 2, the stacked autoencoder's training step (784-300-150-300-784, batch 150, Adam) against the
machine's limit, its float32 GEMM peak (tf1_ae.peak, measured in the same run) divided by the step's FLOPs
per image (tf1_ae.flops): the book's feed_dict loop; the data held in the graph (batches gathered in-graph,
no feed), one step or 37 steps (a tf.while_loop) per Session.run; each with two towers (`--towers 2`:
half-batches on the two cores); Keras 3 `fit` on the same TensorFlow (its own process); PyTorch eager on the
CPU where the optional `bench` extra is installed (its own process; the row says "not installed" otherwise);
and, as a reference, NumPy's BLAS doing just the step's products at their own small shapes.
Table 3, every trained section's bare step (app/bench_settings.py): its share of the peak with the
project's settings, and how oneDNN the other way and XLA's auto-clustering change its speed.
"""
import json
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import numpy as np

from app.measure import Variant, Worker, in_process, measure, serve, table
from app.roofline import GemmStep
from app.sections import SECTIONS
from graphs import layerwise_cached, layerwise_singlegraph, stacked_all, stacked_tied
from tf1_ae import data as datasets
from tf1_ae import peak
from tf1_ae.budget import Budget
from tf1_ae.compat import session_config, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.derive import copy_ops, in_towers
from tf1_ae.runs import RunOptions, RunPaths, write_metrics
from tf1_ae.train import Trainer, plan_flops

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
               ("stacked_towers_run", "stacked_all_run", "stacked as a section runs it: 2 towers vs the book's graph"),
               ("stacked_all_run", "stacked_all_feed_run", "stacked as a section runs it: in the graph vs fed"),
               ("stacked_towers_run", "stacked_towers_feed_run", "the same, both with 2 towers"),
               ("stacked_towers_run", "stacked_ingraph_loop_towers",
                "2 towers as a section runs it vs the bare in-graph towers loop")]
STACKED = ["stacked_all", "stacked_all_feed_run", "stacked_all_run", "stacked_ingraph", "stacked_ingraph_loop", "stacked_towers",
           "stacked_towers_feed_run", "stacked_towers_run", "stacked_ingraph_towers", "stacked_ingraph_loop_towers", "keras_fit", "pytorch_eager"]
LOOP = 37  # steps per Session.run in the in-graph loop (a third of a book epoch of batch 150)
STEPS = 74  # steps per round of the in-graph loops: a multiple of LOOP near app.measure's 60 of the other variants


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


def in_graph(images, towers, seed, closing, steps_per_run=1):
    """The stacked autoencoder trained on batches gathered inside the graph from the images held in it:
    Session.run feeds only the batches' indices, `steps_per_run` steps at a time (a tf.while_loop whose
    body is the listing's own step, copied onto the gathered batch as the section's loop does: tf1_ae.derive)."""
    def build():
        ae = stacked_all.build()
        training_op = ae.training_op
        if towers > 1:
            training_op = in_towers(training_op, ae.loss, ae.X, towers)[0]
        images_init = tf.placeholder(tf.float32, images.shape)
        held = tf.Variable(images_init, trainable=False, collections=[], name="training_images")
        picked = tf.placeholder(tf.int32, [steps_per_run, BATCH_SIZE])

        def body(i):
            step = copy_ops([training_op], {ae.X: tf.gather(held, picked[i])})
            with tf.control_dependencies([step(training_op)]):
                return i + 1
        if steps_per_run == 1:
            step = copy_ops([training_op], {ae.X: tf.gather(held, picked[0])})
            return step(training_op), held, images_init, picked
        return tf.while_loop(lambda i: i < steps_per_run, body, [tf.constant(0)]), held, images_init, picked

    sess, (training, held, images_init, picked) = open_graph(build, seed, towers)
    sess.run(held.initializer, {images_init: images})
    closing.callback(sess.close)
    rng = np.random.RandomState(seed)
    indices = [rng.randint(0, len(images), size=(steps_per_run, BATCH_SIZE)) for _ in range(8)]
    return lambda i: sess.run(training, {picked: indices[i % len(indices)]})


def stacked_in_towers(n_towers):
    """The stacked listing and its update from n_towers slices of each batch, as --towers builds it."""
    ae = stacked_all.build()
    return ae, in_towers(ae.training_op, ae.loss, ae.X, n_towers)[0]


def looped(build, plan_of, data, seed, closing, towers=1, in_graph=True):
    """The loop a section runs (the Trainer: chunks of steps inside the graph, or feeds with `in_graph` False;
    the NaN check, TensorBoard scalars, the epoch line, a checkpoint save) for one book epoch per call, so its
    gap to the bare step shows."""
    folder = Path(closing.enter_context(tempfile.TemporaryDirectory(prefix="tf1_ae_bench_")))
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        options = RunOptions(progress=False, towers=towers, loop="graph" if in_graph else "feed")
        trainer = Trainer(plan_of(build()), folder, "bench", options)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=session_config(towers))
    sess.run(init)
    closing.callback(sess.close)
    ends = iter(range(BOOK_EPOCH, 10 ** 9, BOOK_EPOCH))
    return lambda i: trainer.run(sess, data(), Budget(next(ends), 1, BATCH_SIZE, "bench"), log=lambda line: None)


def loop_variant(key, description, build, plan_of, data, seed, closing, towers=1, in_graph=True):
    if in_graph:
        key, description = f"{key}_run", description + ", as a section runs it"
    else:
        key, description = f"{key}_feed_run", description + ", the feed loop (--loop feed)"
    return Variant(key, description, looped(build, plan_of, data, seed, closing, towers, in_graph),
                   BOOK_EPOCH * BATCH_SIZE, calls=1)


def phase2_plan(g):
    return g.phases[1].plan


def default_pool_variants(mnist, batches, seed, closing):
    """The book's loops, in a process with TensorFlow's default thread pools."""
    images = mnist.train.images
    layerwise_sess, g = open_graph(layerwise_singlegraph.build, seed)
    closing.callback(layerwise_sess.close)
    hidden1, phase2 = g.tensors["hidden1"], g.phases[1].plan
    cache = [layerwise_sess.run(hidden1, {g.X: batch}) for batch in batches]
    whole_cache = PermutationSampler(layerwise_sess.run(hidden1, {g.X: images}))
    found = [
        Variant("phase2_uncached", "layer-wise phase 2, fed images (hidden1 recomputed)",
                fed(layerwise_sess, phase2.training_op, g.X, batches), BATCH_SIZE),
        Variant("phase2_cached", "layer-wise phase 2, fed the hidden1 cache",
                fed(layerwise_sess, phase2.training_op, hidden1, cache), BATCH_SIZE),
        loop_variant("phase2_uncached", "layer-wise phase 2, fed images", layerwise_singlegraph.build,
                     phase2_plan, lambda: mnist.train, seed, closing),
        loop_variant("phase2_cached", "layer-wise phase 2, fed the cache", layerwise_cached.build,
                     phase2_plan, lambda: whole_cache, seed, closing)]
    for key, description, build in (("stacked_all", "stacked, feed_dict (the book's loop)", stacked_all.build),
                                     ("stacked_tied", "stacked, tied weights, feed_dict", stacked_tied.build)):
        sess, ae = open_graph(build, seed)
        closing.callback(sess.close)
        found.append(Variant(key, description, fed(sess, ae.training_op, ae.X, batches), BATCH_SIZE))
    found += [loop_variant("stacked_all", "stacked", stacked_all.build, lambda ae: ae.plan, lambda: mnist.train,
                           seed, closing, in_graph=in_graph) for in_graph in (True, False)]
    found.append(Variant("stacked_ingraph", "stacked, data held in the graph",
                         in_graph(images, 1, seed, closing), BATCH_SIZE))
    found.append(Variant("stacked_ingraph_loop", f"stacked, data in the graph, {LOOP} steps per run",
                         in_graph(images, 1, seed, closing, LOOP), BATCH_SIZE * LOOP, calls=STEPS // LOOP))
    found.append(Variant("tf_products", "reference: TensorFlow's matmuls alone at the step's shapes",
                         products_alone(seed, closing), BATCH_SIZE))
    return found


def products_alone(seed, closing):
    """The stacked step's products and nothing else, as TensorFlow runs them (its matmuls at the step's own
    shapes, one Session.run): what the step could reach with no other op and no Python around it."""
    def build():
        outputs = []
        for layer, (n, m) in enumerate(zip(STACK[:-1], STACK[1:])):
            X, W, dY = (tf.Variable(tf.random_uniform(shape)) for shape in ([BATCH_SIZE, n], [n, m], [BATCH_SIZE, m]))
            outputs += [tf.matmul(X, W), tf.matmul(X, dY, transpose_a=True)]
            if layer:
                outputs.append(tf.matmul(dY, W, transpose_b=True))
        return tf.add_n([tf.reduce_sum(product[:1, :1]) for product in outputs])  # fetched: a number, not copies

    sess, total = open_graph(build, seed)
    closing.callback(sess.close)
    return lambda i: sess.run(total)


def towers_variants(mnist, batches, seed, closing):
    """The fast path, in a process whose first Session set the pools to 1 thread per op, 2 ops at once."""
    sess, (ae, towers_op) = open_graph(partial(stacked_in_towers, 2), seed, towers=2)
    closing.callback(sess.close)
    layerwise_sess, g = open_graph(layerwise_singlegraph.build, seed, towers=2)
    closing.callback(layerwise_sess.close)
    whole_cache = PermutationSampler(layerwise_sess.run(g.tensors["hidden1"], {g.X: mnist.train.images}))
    layerwise = [loop_variant(f"phase2_{name}_towers", f"layer-wise phase 2, {fed_with}, 2 towers", build_phases,
                              phase2_plan, data, seed, closing, towers=2)
                 for name, fed_with, build_phases, data in (
                     ("uncached", "fed images", layerwise_singlegraph.build, lambda: mnist.train),
                     ("cached", "fed the cache", layerwise_cached.build, lambda: whole_cache))]
    return layerwise + [Variant("stacked_towers", "stacked, feed_dict, 2 towers",
                    fed(sess, towers_op, ae.X, batches), BATCH_SIZE),
            *[loop_variant("stacked_towers", "stacked, 2 towers", stacked_all.build, lambda ae: ae.plan,
                           lambda: mnist.train, seed, closing, towers=2, in_graph=in_graph)
              for in_graph in (True, False)],
            Variant("stacked_ingraph_towers", "stacked, data in the graph, 2 towers",
                    in_graph(mnist.train.images, 2, seed, closing), BATCH_SIZE),
            Variant("stacked_ingraph_loop_towers", f"stacked, data in the graph, {LOOP} steps per run, 2 towers",
                    in_graph(mnist.train.images, 2, seed, closing, LOOP), BATCH_SIZE * LOOP, calls=STEPS // LOOP)]


POOLS = {"default": default_pool_variants, "towers": towers_variants}


def batches_for(images, seed):
    rng = np.random.RandomState(seed)
    return [images[rng.permutation(len(images))[:BATCH_SIZE]] for _ in range(N_BATCHES)]


def worker(pools, data, seed):
    """`python -m app.bench POOLS DATA SEED`: serve rounds of one pool family's variants; its sessions and the
    loops' checkpoint folders closed and removed when it ends."""
    mnist = datasets.load(data)
    with ExitStack() as closing:
        serve(POOLS[pools](mnist, batches_for(mnist.train.images, seed), seed, closing), sys.stdin, sys.stdout)


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


def settings_workers(data, seed):
    """One worker per TensorFlow setting and per oneDNN default (convolutions have theirs on)."""
    from app import bench_settings

    workers = []
    for setting in bench_settings.SETTINGS:
        for onednn in (False, True):
            names = [n for n in bench_settings.measured() if SECTIONS[n].onednn == onednn]
            command = [sys.executable, "-m", "app.bench_settings", setting, ",".join(names), data, str(seed)]
            workers.append(Worker(command, env=bench_settings.environment(setting, SECTIONS[names[0]])))
    return workers


def flops_per_sample(name):
    """The FLOPs per image of a section's training step (its first phase where it has several)."""
    config = SECTIONS[name].module.Config()
    with tf.Graph().as_default():
        return plan_flops(SECTIONS[name].module.build(config).first_plan, config.batch_size) / config.batch_size


def measure_everything(options, log):
    references = [Variant("blas_step", "reference: NumPy's BLAS at the step's own shapes",
                          GemmStep(STACK, BATCH_SIZE, options.seed), BATCH_SIZE)]
    workers = []
    try:
        for pools in POOLS:
            workers.append(Worker([sys.executable, "-m", "app.bench", pools, options.data, str(options.seed)]))
        workers += settings_workers(options.data, options.seed)
        descriptions = {k: v for w in workers for k, v in w.descriptions.items()}
        descriptions.update({v.key: v.description for v in references})
        log(f"measuring {len(descriptions)} variants in interleaved rounds, then Keras fit and PyTorch...")
        speeds = measure(workers + [in_process(references)], rounds=5, progress=options.progress)
    finally:
        for w in workers:
            w.close()
    speeds["keras_fit"] = keras_fit(options.data, log)
    descriptions["keras_fit"] = "Keras 3 fit, same model, same TensorFlow"
    speeds["pytorch_eager"], why_not = torch_eager(options.data, log)
    descriptions["pytorch_eager"] = "PyTorch eager, CPU, 2 threads (optional)"
    return speeds, descriptions, why_not


def stacked_table(speeds, descriptions, why_not, limit, per_sample, log):
    log(f"\nthe stacked autoencoder's training step ({per_sample / 1e6:.2f} MFLOP per image) against this machine's "
        f"limit ({limit * per_sample / 1e9:.0f} GFLOP/s float32 GEMM peak = {limit:,.0f} images/s):")
    log(f"{'variant':<58}{'images/s':>10}{'of the limit':>14}")
    for key in STACKED + ["tf_products", "blas_step"]:
        value = speeds.get(key)
        missing = (why_not if key == "pytorch_eager" else None) or "n/a"
        shown = f"{value:>10,.0f}{value / limit:>13.0%}" if value else f"{missing:>14}"
        log(f"{descriptions[key]:<58}{shown}")
    above = [key for key in STACKED + ["tf_products", "blas_step"] if speeds.get(key) and speeds[key] > limit]
    if above:
        log(f"above the limit: {', '.join(above)}: the peak measured low this time (`make peak` measures it again)")


def settings_table(speeds, peak_gflops, log):
    from app import bench_settings

    log(f"\neach section's bare training step: default settings as a share of the {peak_gflops:.0f} GFLOP/s peak, and "
        f"the speed of oneDNN the other way and of XLA relative to it:")
    log(f"{'section':<24}{'images/s':>10}{'of peak':>9}{'oneDNN flipped':>16}{'XLA':>7}")
    shares = {}
    for name in bench_settings.measured():
        default = speeds.get(f"{name}_default")
        if not default:
            continue
        share = default * flops_per_sample(name) / 1e9 / peak_gflops
        shares[name] = {"default_samples_per_second": round(default, 1), "default_share_of_peak": round(share, 4),
                        **{f"{s}_vs_default": round(speeds[f"{name}_{s}"] / default, 3)
                           for s in ("onednn_flipped", "xla") if speeds.get(f"{name}_{s}")}}
        flipped, xla = (shares[name].get(f"{s}_vs_default") for s in ("onednn_flipped", "xla"))
        log(f"{name:<24}{default:>10,.0f}{share:>9.0%}{flipped or 0:>15.2f}×{xla or 0:>6.2f}×")
    return shares


def run(options, log=print, section="bench"):
    mnist = datasets.load(options.data)
    log(mnist.summary())
    record = peak.measure(log)  # the limit, measured in this run beside the loops compared with it
    if not record["gflops"]:
        raise RuntimeError(f"this machine's peak could not be measured: {record['ways']}")
    per_sample = flops_per_sample("stacked_all")
    limit = record["gflops"] * 1e9 / per_sample  # images/s
    speeds, descriptions, why_not = measure_everything(options, log)
    log(table([(k, descriptions[k]) for k in ("phase2_uncached", "phase2_uncached_run", "phase2_uncached_towers_run",
                                               "phase2_cached", "phase2_cached_run", "phase2_cached_towers_run",
                                               "stacked_all", "stacked_tied")],
              speeds, LAYERWISE_RATIOS + LOOP_RATIOS))
    stacked_table(speeds, descriptions, why_not, limit, per_sample, log)
    shares = settings_table(speeds, record["gflops"], log)
    metrics = {f"{key}_samples_per_second": round(value, 1) for key, value in speeds.items() if value}
    metrics.update({f"{a}_vs_{b}": round(speeds[a] / speeds[b], 3) for a, b, _ in LAYERWISE_RATIOS + LOOP_RATIOS})
    metrics.update({f"{k}_share_of_peak": round(speeds[k] / limit, 3) for k in STACKED + ["tf_products", "blas_step"]
                    if speeds.get(k)})
    metrics.update({"section": section, "data": mnist.name, "batch_size": BATCH_SIZE, "seed": options.seed,
                    "peak_gflops": record["gflops"], "peak": record["ways"], "sections": shares})
    log(f"wrote {write_metrics(RunPaths.under(options.out, section).checkpoint_dir, metrics)}")
    return metrics


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))
