"""Book §"Visualizing the Reconstructions".

Restore a trained autoencoder from its checkpoint alone (the .meta file holds the graph) and draw test
digits beside what the network makes of them; a good autoencoder's outputs are blurred copies.
The book draws the model trained one autoencoder at a time (`layerwise_singlegraph`, the default);
`--source SECTION` picks another trained section; metrics.json keeps `<section>_test_mse` for every
section drawn so far.
"""
from dataclasses import dataclass

from tf1_ae.checkpoints import latest_checkpoint, restore
from tf1_ae.compat import session_config, tf
from tf1_ae.model import INPUTS_COLLECTION, OUTPUTS_COLLECTION
from tf1_ae.pipeline import evaluate
from tf1_ae.plots import show_reconstructed_digits
from tf1_ae.runs import UsageError, read_metrics
from tf1_ae.train import book_format

IDEA = "A trained autoencoder restored from its checkpoint alone, drawing test digits beside their reconstructions."
LOSS = "test MSE = mean over test images and pixels of (outputs - X)²"


@dataclass(frozen=True)
class Config:
    n_test_digits: int = 2  # book: mnist.test.images[:2]
    source: str = "layerwise_singlegraph"  # whose checkpoint is drawn (--source); the book's is the one-at-a-time model


def restore_autoencoder(checkpoint_dir, source):
    """Rebuild a checkpoint's graph from its .meta, restore its variables, return (sess, X, outputs)."""
    path = latest_checkpoint(checkpoint_dir)
    tf.reset_default_graph()
    try:
        saver = tf.train.import_meta_graph(path + ".meta")
    except Exception as exc:
        raise UsageError(f"cannot read the graph of {path} ({type(exc).__name__}: {str(exc)[:200]}); "
                         f"`make {source} ARGS=--force` trains it again") from exc
    inputs, outputs = tf.get_collection(INPUTS_COLLECTION), tf.get_collection(OUTPUTS_COLLECTION)
    if not inputs or not outputs:
        raise UsageError(f"{source} has no image reconstructions to draw (its graph marks no inputs/outputs)")
    sess = tf.Session(config=session_config())
    try:
        restore(sess, saver, checkpoint_dir, source)
    except BaseException:
        sess.close()
        raise
    return sess, inputs[0], outputs[0]


def draw(run):
    config = run.config
    source = run.options.source or config.source
    if source == run.section:
        raise UsageError(f"--source must name a trained autoencoder section, not {source!r}")
    source_dir = run.checkpoint_of(source)
    data = run.load_data()
    sess, X, outputs = restore_autoencoder(source_dir, source)
    with sess:
        run.log(f"restored {latest_checkpoint(source_dir)}")
        shown = data.test.images[:config.n_test_digits]
        outputs_val = sess.run(outputs, {X: shown})
        test_mse = evaluate(sess, tf.reduce_mean(tf.square(outputs - X)), X, data.test.images)
    run.log(f"Test MSE: {book_format(test_mse)}")
    show_reconstructed_digits(shown, outputs_val, config.n_test_digits)
    run.figure(f"{source}_reconstruction_plot")
    drawn = {k: v for k, v in (read_metrics(run.paths.checkpoint_dir) or {}).items() if k.endswith("_test_mse")}
    return run.finish({**drawn, f"{source}_test_mse": test_mse, "test_mse": test_mse, "source": source})
