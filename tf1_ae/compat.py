"""TensorFlow 2 as a TF1 engine: `tf` is `tensorflow.compat.v1` in graph mode, imported quietly, when first used.

Import `tf` from here, never `tensorflow` directly: the environment below is set before the first import,
eager execution is switched off exactly once per process, and TensorFlow (4-5 s to import) loads only when
a graph is first built, so a listing's module, its Config and every check of the command line cost nothing.
"""
import logging
import os
import types

import numpy as np

# TensorFlow's framing around an error's cause: where the node was defined, its name, hints, a failed restore's
TF_FRAMING = ("Graph execution error", "Detected at node", "File ", "Node:", "[[", "Hint:", "Traceback",
              "Original stack trace", "Errors may have originated", "Restoring from checkpoint failed",
              "Original error")


def tensorflow_message(exc):
    """The first line of a TensorFlow error that is its own message, past the framing; '' where none is."""
    lines = (line.strip() for line in str(getattr(exc, "message", exc)).splitlines())
    return next((line for line in lines if line and not line.startswith(TF_FRAMING)), "")

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


class _CompatV1(types.ModuleType):
    """`tensorflow.compat.v1`, imported (and put in graph mode) by the first attribute asked of it."""

    def __getattr__(self, name):
        v1 = _load()
        return getattr(v1, name)


def _load():
    if _state["v1"] is None:
        # Set at the import itself, so that a command that chose oneDNN for its section (convolutions) has
        # done so first: silence C++ logs, and pin oneDNN off so that recorded numbers do not depend
        # on TensorFlow's default (oneDNN on/off differ in the last bits; off is also the faster path for
        # these small matmuls, as measured on TensorFlow 2.21). A value already in the environment wins.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # errors too: ours name each failure in one line
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
        tf2 = _import_tensorflow_quietly()
        tf2.compat.v1.disable_eager_execution()
        for logger in (tf2.get_logger(), logging.getLogger("absl")):  # "ERROR:tensorflow:Couldn't match files…"
            logger.setLevel(logging.CRITICAL)
        _state["v1"] = tf2.compat.v1
    return _state["v1"]


_state = {"v1": None}
tf = _CompatV1("tf")


def reset_graph(seed=42):
    """The book's helper: a fresh default graph, its graph-level seed, and numpy's global seed."""
    tf.reset_default_graph()
    tf.set_random_seed(seed)
    np.random.seed(seed)


XLA_FLAG = "--tf_xla_cpu_global_jit"  # in TF_XLA_FLAGS: XLA may cluster a graph's ops on the CPU


def session_config(towers=1):
    """The session settings every run uses (kept in one place so runs and tests agree). With towers, one
    thread per op and one per tower: TensorFlow runs a batch-150 matmul on one core anyway, so the cores
    are better spent running the towers side by side. Where the process's environment lets XLA work on the
    CPU (`--xla`), its auto-clustering is on."""
    if towers > 1:
        # TensorFlow's thread pools are created by a process's first Session and shared by the later
        # ones (use_per_session_threads did not change that here): a towers run is a process of its own.
        config = tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=1,
                                inter_op_parallelism_threads=towers)
    else:
        config = tf.ConfigProto(allow_soft_placement=True)
    if XLA_FLAG in os.environ.get("TF_XLA_FLAGS", ""):
        config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
    return config
