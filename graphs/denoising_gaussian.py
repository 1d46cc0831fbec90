"""Book §"Denoising Autoencoders", with Gaussian noise.

The autoencoder sees a corrupted image and must output the clean one, so it cannot just copy its input:
it has to learn what digits look like. Here the corruption is Gaussian noise, on at all times.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.layers import dense, glorot_uniform
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.pipeline import N_TEST_DIGITS
from tf1_ae.plots import show_denoising

IDEA = "A 784-300-150-300-784 ReLU autoencoder that reconstructs clean digits from noisy ones."
LOSS = "loss = mean((outputs(X + noise_level·ε) - X)²),  ε ~ N(0, I)"


@dataclass(frozen=True)
class Layers:
    """The values both denoising listings share."""
    n_inputs: int = 28 * 28
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings
    n_hidden3: int = 300
    learning_rate: float = 0.01  # book
    n_epochs: int = 10  # book
    batch_size: int = 150  # book
    # TF 1.x seeded each random op by the ops its graph held then. Here: X is op 1, tf.shape(X) op 2, and
    # random_normal makes 2 constants before it draws (noise: op seed 4), then 6 ops to X_noisy; each
    # glorot-uniform kernel makes 3 constants before it draws, and each tf.layers.dense made 17 ops
    corruption_op_seed: int = 4
    op_seeds: tuple = (13, 30, 47, 64)  # the four kernels'


@dataclass(frozen=True)
class Config(Layers):
    noise_level: float = 1.0  # book


def add_noise(X, config):
    """The book's corruption: Gaussian noise, on at all times."""
    noise = tf.random_normal(tf.shape(X), seed=config.corruption_op_seed)
    return tf.add(X, config.noise_level * noise, name="X_noisy")


def denoising_layers(X_corrupted, X, config):
    """The book's four ReLU layers on the corrupted X, and their loss against the clean X (both denoising
    listings' lines): (the codings, the outputs, the reconstruction loss)."""
    my_dense_layer = partial(dense, activation=tf.nn.relu)  # default glorot init, no L2 (book)
    seed1, seed2, seed3, seed4 = config.op_seeds  # the glorot-uniform kernels', as the book's graph seeded them
    hidden1 = my_dense_layer(X_corrupted, config.n_hidden1, kernel_initializer=glorot_uniform(seed1), name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, kernel_initializer=glorot_uniform(seed2), name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, kernel_initializer=glorot_uniform(seed3), name="hidden3")
    outputs = dense(hidden3, config.n_inputs, kernel_initializer=glorot_uniform(seed4), name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # clean X
    return hidden2, outputs, reconstruction_loss


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    X_noisy = add_noise(X, config)
    hidden2, outputs, reconstruction_loss = denoising_layers(X_noisy, X, config)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")

    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, reconstruction_loss,
                                      [Metric("train_mse", "Train MSE", reconstruction_loss)]),
                       tensors={"corrupted": X_noisy})


def report(run, sess, ae, metrics):
    """Ours beside the book's figure: each test digit as the network sees it while training, corrupted, then
    its reconstruction from that corrupted input and the clean target."""
    shown = run.data.test.images[:N_TEST_DIGITS]
    corrupted, outputs = sess.run([ae.tensors["corrupted"], ae.outputs], {ae.X: shown, **ae.plan.train_feed})
    show_denoising(corrupted, outputs, shown)
    run.figure("denoising_plot")
    return {}
