"""Book §"Denoising Autoencoders", with Gaussian noise.

The autoencoder sees a corrupted image and must output the clean one, so it cannot just copy its input:
it has to learn what digits look like. Here the corruption is Gaussian noise, on at all times.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.layers import dense, dropout
from tf1_ae.model import Autoencoder
from tf1_ae.towers import tower_slices
from tf1_ae.train import Metric, TrainPlan

IDEA = "A 784-300-150-300-784 ReLU autoencoder that reconstructs clean digits from noisy ones."
LOSS = "loss = mean((outputs(X + noise_level·ε) - X)²),  ε ~ N(0, I)"
CORRUPTIONS = ("gaussian", "dropout")


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings
    n_hidden3: int = 300
    learning_rate: float = 0.01  # book
    n_epochs: int = 10  # book
    batch_size: int = 150  # book
    corruption: str = "gaussian"  # the book's first listing; "dropout" is the second
    noise_level: float = 1.0  # book, Gaussian
    dropout_rate: float = 0.3  # book, dropout

    def __post_init__(self):
        if self.corruption not in CORRUPTIONS:
            raise ValueError(f"corruption must be one of {', '.join(CORRUPTIONS)}, not {self.corruption!r}")


def corrupt(X, config, training=None):
    """The book's corruption: Gaussian noise always, or dropout while `training` is fed True."""
    if config.corruption == "gaussian":
        return tf.add(X, config.noise_level * tf.random_normal(tf.shape(X)), name="X_noisy")
    return dropout(X, config.dropout_rate, training=training)


def network(X_corrupted, config):
    """The book's four layers; on a second call (inside a reusing scope) the same variables."""
    my_dense_layer = partial(dense, activation=tf.nn.relu)  # default glorot init, no L2 (book)
    hidden1 = my_dense_layer(X_corrupted, config.n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, name="hidden2")
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, name="hidden3")
    outputs = dense(hidden3, config.n_inputs, name="outputs")
    return hidden2, outputs


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    training = None if config.corruption == "gaussian" else \
        tf.placeholder_with_default(False, shape=(), name="training")
    X_corrupted = corrupt(X, config, training)
    hidden2, outputs = network(X_corrupted, config)

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # clean X

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")
    return autoencoder(X, training, X_corrupted, hidden2, outputs, reconstruction_loss, training_op,
                       reconstruction_loss, {"random": X_corrupted})


def build_towers(config, n_towers):
    """Beyond the book (`--towers N`): equal slices of the batch, each corrupted and reconstructed on the cores
    side by side; the batch's MSE is the mean of the slices' MSEs."""
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    training = None if config.corruption == "gaussian" else \
        tf.placeholder_with_default(False, shape=(), name="training")
    X_corrupted = corrupt(X, config, training)  # the whole batch: metrics, test, drawing
    hidden2, outputs = network(X_corrupted, config)
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
    losses, corrupted_parts = [], []
    for part in tower_slices(X, n_towers):
        corrupted_parts.append(corrupt(part, config, training))
        losses.append(tf.reduce_mean(tf.square(network(corrupted_parts[-1], config)[1] - part)))
    towers_loss = tf.add_n(losses, name="towers_loss") / n_towers
    training_op = tf.train.AdamOptimizer(config.learning_rate).minimize(towers_loss, name="training_op")
    return autoencoder(X, training, X_corrupted, hidden2, outputs, reconstruction_loss, training_op, towers_loss,
                       {"random": X_corrupted, "tower_random": corrupted_parts})


def autoencoder(X, training, X_corrupted, hidden2, outputs, reconstruction_loss, training_op, trained_loss, random):
    """The listing's tensors and what the loop logs; `random` names the corrupted inputs (a test feeds them)."""
    plan = TrainPlan(training_op, X, trained_loss, [Metric("train_mse", "Train MSE", reconstruction_loss)],
                     train_feed={} if training is None else {training: True})
    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss, plan=plan,
                       corrupted=X_corrupted, tensors=random)
