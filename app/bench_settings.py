"""`make bench`, per section: each trained listing's bare training step (its plain graph, fed batches of
its own size) under TensorFlow's three settings that may speed it up, each a process of its own because
each is fixed for a process: the project's default (oneDNN off for dense layers, on for convolutions),
oneDNN the other way, and XLA's auto-clustering (global_jit_level ON_1 with --tf_xla_cpu_global_jit)."""
import os
import sys

import numpy as np

SETTINGS = {  # name → (its environment, whether its sessions ask XLA to cluster)
    "default": ({}, False),
    "onednn_flipped": ({"TF1_AE_ONEDNN_FLIPPED": "1"}, False),
    "xla": ({"TF_XLA_FLAGS": "--tf_xla_cpu_global_jit"}, True),
}
# The sections whose listing builds one model with a plan (or phases): their first training op is measured.
SECTIONS = ("stacked_all", "stacked_tied", "layerwise_singlegraph", "denoising_gaussian", "denoising_dropout",
            "sparse", "contractive", "wta", "conv", "adversarial", "gsn", "vae_sigma", "vae_logvar")


def environment(setting, section_onednn):
    """The environment of a worker process: oneDNN as the section's default, or flipped."""
    extra, _ = SETTINGS[setting]
    onednn = section_onednn != ("TF1_AE_ONEDNN_FLIPPED" in extra)
    return {**os.environ, **{k: v for k, v in extra.items() if k.startswith("TF_")},
            "TF_ENABLE_ONEDNN_OPTS": "1" if onednn else "0"}


def variants(setting, names, data, seed):
    """One bench Variant per section: its plain graph's training step on fed batches."""
    from app.measure import Variant
    from app.sections import SECTIONS as ALL
    from tf1_ae import data as datasets
    from tf1_ae.compat import tf
    from tf1_ae.config import check_ranges

    images = datasets.load(data).train.images
    rng = np.random.RandomState(seed)
    found = []
    for name in names:
        config = check_ranges(ALL[name].module.Config())
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(seed)
            model = ALL[name].module.build(config)
            plan = model.phases[0].plan if model.phases else model.plan
            init = tf.global_variables_initializer()
        session_config = tf.ConfigProto(allow_soft_placement=True)
        if SETTINGS[setting][1]:
            session_config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
        sess = tf.Session(graph=graph, config=session_config)
        sess.run(init)
        batches = [images[rng.permutation(len(images))[:config.batch_size]] for _ in range(8)]
        ops = plan.training_op if isinstance(plan.training_op, (list, tuple)) else [plan.training_op]

        def step(i, sess=sess, ops=ops, plan=plan, batches=batches):
            feed = {plan.inputs: batches[i % len(batches)], **plan.train_feed}
            for op in ops:
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
