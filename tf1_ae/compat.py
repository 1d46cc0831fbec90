"""TensorFlow 2 as a TF1 engine: `tf` is `tensorflow.compat.v1` in graph mode, imported quietly.

Import `tf` from here, never `tensorflow` directly, so the environment below is set before the first
import and eager execution is switched off exactly once per process.
"""
import logging
import os

import numpy as np

# Before the first `import tensorflow`: silence C++ start-up logs, and pin oneDNN off so that recorded
# numbers do not depend on TensorFlow's default (oneDNN on/off differ in the last bits; off is also the
# faster path for these small matmuls, as measured on TensorFlow 2.21). A value the user has
# already exported wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")



def _import_tensorflow_quietly():
    """With oneDNN on, TensorFlow's C++ start-up banner ignores TF_CPP_MIN_LOG_LEVEL: mute fd 2 meanwhile."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to mute
        import tensorflow
        return tensorflow
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return tensorflow


_tf2 = _import_tensorflow_quietly()

tf = _tf2.compat.v1
tf.disable_eager_execution()
_tf2.get_logger().setLevel(logging.ERROR)


def reset_graph(seed=42):
    """The book's helper: a fresh default graph, its graph-level seed, and numpy's global seed."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    np.random.seed(seed)


def session_config(towers=1):
    """The session settings every run uses (kept in one place so runs and tests agree). With towers, one
    thread per op and one per tower: TensorFlow runs a batch-150 matmul on one core anyway, so the cores
    are better spent running the towers side by side."""
    if towers > 1:
        # TensorFlow's thread pools are created by a process's first Session and shared by the later
        # ones (use_per_session_threads did not change that here): a towers run is a process of its own.
        return tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=1,
                              inter_op_parallelism_threads=towers)
    return tf.ConfigProto(allow_soft_placement=True)
