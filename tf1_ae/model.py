"""The listings' contract: what a graph builder returns, the book's named tensors and the plans the training
loop runs (the op, the batch's tensor, the loss, the logged terms)."""
from dataclasses import dataclass, field
from types import MappingProxyType

from tf1_ae.compat import tf

INPUTS_COLLECTION = "tf1_ae_inputs"  # kept in the .meta file, so any checkpoint can be reloaded by name
OUTPUTS_COLLECTION = "tf1_ae_outputs"


@dataclass
class Metric:
    """A logged term. A model's test metric is a mean over the images of a batch, so that a whole set can be
    measured a chunk at a time (pipeline.evaluate)."""
    key: str  # metrics.json key; TensorBoard tag losses/<key>
    label: str  # as printed
    tensor: object
    in_book_line: bool = True  # printed in the book's format; other terms follow in brackets
    feed: dict = None  # measured on this feed (e.g. the whole test set) instead of the last batch


@dataclass
class TrainPlan:
    """What a graph hands the loop: the op to run, the tensor(s) to feed, and the terms to log. The fast paths
    (towers, the loop inside the graph) are derived from it by the toolkit (tf1_ae.derive)."""
    training_op: object  # an op, or a list of ops run one after another (each sees the last's updates)
    inputs: object  # the tensor each batch is fed into (X, or hidden1 when feeding a cache)
    loss: object  # the minimized total, checked for NaN/Inf at every step
    metrics: list
    labels: object = None  # fed with the batch's labels when set
    train_feed: dict = field(default_factory=dict)  # extra feed for the training op only
    separator: str = " "  # between the book's printed fields (" \t" in the sparse and VAE listings)

    @property
    def batch_tensors(self):
        """The tensors a batch is fed into: its images' and, where the plan has them, its labels'."""
        return [self.inputs, *([self.labels] if self.labels is not None else [])]

    @property
    def ops(self):
        """The training ops of a step, in the order they run."""
        return list(self.training_op) if isinstance(self.training_op, (list, tuple)) else [self.training_op]

    def feed(self, batch):
        images, labels = batch
        feed = {self.inputs: images}
        if self.labels is not None:
            feed[self.labels] = labels
        return feed


@dataclass(frozen=True)
class Phase:
    """One of the trainings of a graph trained in several: its own step counter and checkpoint folder."""
    name: str  # its folder, checkpoints/<section>/<name>/, and its step counter, <name>_step
    plan: TrainPlan
    batches: object = None  # or a function (session, training set) -> the batches it trains on, called when the
    # phase starts (a cache of a frozen layer's outputs)


@dataclass(frozen=True)
class Autoencoder:
    X: object
    codings: object
    outputs: object
    reconstruction_loss: object
    plan: TrainPlan = None  # the training op, the minimized loss and the logged terms of a one-phase model
    phases: tuple = ()  # or the phases of a model trained in several, one after another
    test_metric: Metric = None  # measured on the whole test set at the end (default: Test MSE)
    tensors: dict = field(default_factory=dict)  # further named tensors and variables its figures and tests use

    def __post_init__(self):
        if self.test_metric is None:
            object.__setattr__(self, "test_metric", Metric("test_mse", "Test MSE", self.reconstruction_loss))
        object.__setattr__(self, "phases", tuple(self.phases))
        object.__setattr__(self, "tensors", MappingProxyType(dict(self.tensors)))

    @property
    def first_plan(self):
        """The plan of its (first) training: the one a bench times."""
        return self.phases[0].plan if self.phases else self.plan

    @property
    def loss(self):
        return self.plan.loss

    @property
    def training_op(self):
        return self.plan.training_op

    @property
    def metrics(self):
        return self.plan.metrics

    def mark(self):
        """Record the input and output tensors in collections that survive in the checkpoint's .meta."""
        tf.add_to_collection(INPUTS_COLLECTION, self.X)
        tf.add_to_collection(OUTPUTS_COLLECTION, self.outputs)


def mse_terms(reconstruction_loss, regularization_loss, loss):
    """The stacked listings' logged terms: the book prints only `Train MSE`."""
    return [Metric("train_mse", "Train MSE", reconstruction_loss),
            Metric("regularization_loss", "regularization loss", regularization_loss, in_book_line=False),
            Metric("loss", "loss", loss, in_book_line=False)]
