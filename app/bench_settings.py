"""`make bench`, per section: each trained listing's bare training step (its plain graph, fed batches of
its own size) under TensorFlow's three settings that may speed it up, each a process of its own because
each is fixed for a process: the project's default (oneDNN off for dense layers, on for convolutions),
oneDNN the other way, and XLA's auto-clustering (global_jit_level ON_1 with --tf_xla_cpu_global_jit)."""
import sys

import numpy as np

SETTINGS = ("default", "onednn_flipped", "xla")
def measured():
    """The sections whose records say `make bench` times them, in the table's order."""
    from app.sections import SECTIONS

    return [name for name, section in SECTIONS.items() if section.bench]


def environment(setting, section):
    """The environment of a worker process for `section`'s oneDNN group under a setting."""
    from tf1_ae.compat import XLA_FLAG

    environment = section.environment(flipped=setting == "onednn_flipped")
    return {**environment, "TF_XLA_FLAGS": XLA_FLAG} if setting == "xla" else environment


def variants(setting, names, data, seed):
    """One bench Variant per section: its plain graph's training step on fed batches."""
    from app.measure import Variant
    from app.sections import SECTIONS as ALL
    from tf1_ae import data as datasets
    from tf1_ae.compat import session_config, tf
    from tf1_ae.config import check_ranges

    images = datasets.load(data).train.images
    rng = np.random.RandomState(seed)
    found = []
    for name in names:
        config = check_ranges(ALL[name].module.Config())
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(seed)
            plan = ALL[name].module.build(config).first_plan
            init = tf.global_variables_initializer()
        sess = tf.Session(graph=graph, config=session_config())  # XLA's clustering where its flag is set
        sess.run(init)
        batches = [images[rng.permutation(len(images))[:config.batch_size]] for _ in range(8)]
        def step(i, sess=sess, plan=plan, batches=batches):
            feed = {plan.inputs: batches[i % len(batches)], **plan.train_feed}
            for op in plan.ops:
                sess.run(op, feed)

        steps = max(4, min(40, 6000 // config.batch_size))  # about the same work per round whatever the batch
        found.append(Variant(f"{name}_{setting}", f"{name}, {setting}", repeated(step, steps),
                             config.batch_size * steps, calls=1))
    return found


def repeated(step, n):
    """One call: n steps (a round of a section whose steps are long is as long as one of short steps)."""
    def run(i):
        for k in range(n):
            step(i * n + k)
    return run


def worker(setting, names, data, seed):
    """`python -m app.bench_settings SETTING NAMES DATA SEED`: serve rounds of its sections' steps."""
    from app.measure import serve

    serve(variants(setting, names.split(","), data, int(seed)), sys.stdin, sys.stdout)


if __name__ == "__main__":
    worker(*sys.argv[1:5])
