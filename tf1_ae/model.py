"""What a graph builder returns: the book's named tensors, and the plan the training loop runs."""
from dataclasses import dataclass, field

from tf1_ae.compat import tf
from tf1_ae.train import Metric, TrainPlan

INPUTS_COLLECTION = "tf1_ae_inputs"  # kept in the .meta file, so any checkpoint can be reloaded by name
OUTPUTS_COLLECTION = "tf1_ae_outputs"


@dataclass
class Autoencoder:
    X: object
    codings: object
    outputs: object
    reconstruction_loss: object
    loss: object
    training_op: object
    metrics: list = field(default_factory=list)  # [Metric]: the book's printed terms first
    test_metric: Metric = None  # measured on the whole test set at the end (default: Test MSE)
    separator: str = " "  # between the book's printed fields (" \t" in §11 and §12)
    train_feed: dict = field(default_factory=dict)  # fed to the training op only ({training: True})
    corrupted: object = None  # a denoising autoencoder's noisy input, drawn beside the reconstruction

    def __post_init__(self):
        if self.test_metric is None:
            self.test_metric = Metric("test_mse", "Test MSE", self.reconstruction_loss)

    def plan(self):
        return TrainPlan(training_op=self.training_op, inputs=self.X, loss=self.loss, metrics=self.metrics,
                         separator=self.separator, train_feed=self.train_feed)

    def mark(self):
        """Record the input and output tensors in collections that survive in the checkpoint's .meta."""
        tf.add_to_collection(INPUTS_COLLECTION, self.X)
        tf.add_to_collection(OUTPUTS_COLLECTION, self.outputs)


def mse_terms(reconstruction_loss, regularization_loss, loss):
    """The stacked listings' logged terms: the book prints only `Train MSE`."""
    return [Metric("train_mse", "Train MSE", reconstruction_loss),
            Metric("regularization_loss", "regularization loss", regularization_loss, in_book_line=False),
            Metric("loss", "loss", loss, in_book_line=False)]
