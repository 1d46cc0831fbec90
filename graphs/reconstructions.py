"""Book §"Visualizing the Reconstructions" (seed note 06).

Restore a trained autoencoder from its checkpoint alone (the .meta file holds the graph) and draw test
digits beside what the network makes of them; a good autoencoder's outputs are blurred copies.

    test MSE = mean over test images and pixels of (outputs - X)²
"""
from dataclasses import dataclass

from tf1_ae import data as datasets
from tf1_ae.compat import session_config, tf
from tf1_ae.model import INPUTS_COLLECTION, OUTPUTS_COLLECTION
from tf1_ae.plots import save_fig, show_reconstructed_digits
from tf1_ae.runs import RunPaths, UsageError, write_metrics
from tf1_ae.train import latest_checkpoint


@dataclass(frozen=True)
class Config:
    n_test_digits: int = 2  # book §06: mnist.test.images[:2]


def restore_autoencoder(checkpoint_dir, source):
    """Rebuild a checkpoint's graph from its .meta, restore its variables, return (sess, X, outputs)."""
    path = latest_checkpoint(checkpoint_dir)
    tf.reset_default_graph()
    try:
        saver = tf.train.import_meta_graph(path + ".meta")
    except Exception as exc:
        raise UsageError(f"cannot read the graph of {path} ({type(exc).__name__}: {exc})") from exc
    inputs, outputs = tf.get_collection(INPUTS_COLLECTION), tf.get_collection(OUTPUTS_COLLECTION)
    if not inputs or not outputs:
        raise UsageError(f"{source} has no image reconstructions to draw (its graph marks no inputs/outputs)")
    sess = tf.Session(config=session_config())
    try:
        saver.restore(sess, path)
    except (tf.errors.OpError, ValueError) as exc:
        sess.close()
        raise UsageError(f"checkpoint {path} is unreadable ({type(exc).__name__})") from exc
    return sess, inputs[0], outputs[0]


RESUMABLE = False  # --resume is refused: it trains nothing


def run(options, log=print, section="reconstructions"):
    from graphs import SECTIONS

    source = options.source or SECTIONS[section].needs
    if source not in SECTIONS or source == section:
        raise UsageError(f"--source must name a trained autoencoder section, not {source!r}")
    source_dir = SECTIONS[source].ensure_checkpoint(options, log)
    data = datasets.load(options.data)
    log(data.summary())
    config = Config()
    sess, X, outputs = restore_autoencoder(source_dir, source)
    with sess:
        log(f"restored {latest_checkpoint(source_dir)}")
        shown = data.test.images[:config.n_test_digits]
        outputs_val = sess.run(outputs, {X: shown})
        test_mse = float(sess.run(tf.reduce_mean(tf.square(outputs - X)), {X: data.test.images}))
    log(f"Test MSE: {test_mse:.6g}")
    show_reconstructed_digits(shown, outputs_val, config.n_test_digits)
    paths = RunPaths.under(options.out, section)
    figure = save_fig(paths.figure_dir, f"{source}_reconstruction_plot")
    metrics = {"test_mse": test_mse, "section": section, "source": source, "data": data.name,
               "n_train": data.train.num_examples, "seed": options.seed}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
