"""Book §"Visualizing the Reconstructions".

Restore a trained autoencoder from its checkpoint alone (the .meta file holds the graph) and draw test
digits beside what the network makes of them; a good autoencoder's outputs are blurred copies.
The book draws the model trained one autoencoder at a time (`layerwise_singlegraph`, the default);
`--source SECTION` (any section that trains an autoencoder) picks another; metrics.json keeps
`<section>_test_mse` for every section drawn so far.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.checkpoints import latest_checkpoint
from tf1_ae.pipeline import conclude, restored_autoencoder
from tf1_ae.runs import read_metrics

IDEA = "A trained autoencoder restored from its checkpoint alone, drawing test digits beside their reconstructions."
LOSS = "test MSE = mean over test images and pixels of (outputs - X)²"


@dataclass(frozen=True)
class Config:
    source: str = "layerwise_singlegraph"  # whose checkpoint is drawn (--source); the book's is the one-at-a-time model


def keep_its_own(run, sess, model, metrics, source):
    """The test MSE of the restored model under its section's name, beside those drawn before."""
    return {f"{source}_test_mse": metrics["test_mse"]}


def draw(run):
    """The pipeline's tail on the restored model: the test MSE, the book's first two test digits beside their
    reconstructions, and metrics.json with <source>_test_mse beside those of the sections drawn before."""
    source = run.config.source
    source_dir = run.checkpoint_of(source)
    run.load_data()
    sess, model = restored_autoencoder(source_dir, source)
    with sess:
        run.log(f"restored {latest_checkpoint(source_dir)}")
        drawn = {k: v for k, v in (read_metrics(run.paths.checkpoint_dir) or {}).items() if k.endswith("_test_mse")}
        return conclude(run, sess, model, {**drawn, "source": source}, partial(keep_its_own, source=source),
                        f"{source}_reconstruction_plot")
