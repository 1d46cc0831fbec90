"""The graphs `make bench` times (app/bench.py is the harness): the layer-wise phase 2 fed images or the cache,
the stacked and tied steps fed as the book fed them, the sections' own loops (the Trainer, one book epoch per
call, inside the graph or fed), the stacked step on data held in the graph, and each with 2 towers.
`python -m app.bench_graphs POOLS DATA SEED` serves one pool family's variants to the harness."""
import sys
import tempfile
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import numpy as np

from app.measure import Variant, serve
from graphs import layerwise_cached, layerwise_singlegraph, stacked_all, stacked_tied
from tf1_ae import data as datasets
from tf1_ae.budget import Budget
from tf1_ae.compat import session_config, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.derive import copy_ops, in_towers
from tf1_ae.runs import RunOptions
from tf1_ae.train import Trainer

BATCH_SIZE = 150  # the book's
BOOK_EPOCH = 55000 // BATCH_SIZE  # steps between two checkpoint saves in a section's run
N_BATCHES = 40
STACK = [784, 300, 150, 300, 784]
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


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))
