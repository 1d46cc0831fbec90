"""Book §"Denoising Autoencoders", with Gaussian noise.

The autoencoder sees a corrupted image and must output the clean one, so it cannot just copy its input:
it has to learn what digits look like. Here the corruption is Gaussian noise, on at all times.
"""
from dataclasses import dataclass, replace
from functools import partial
from types import SimpleNamespace

from tf1_ae.compat import tf
from tf1_ae.layers import dense, glorot_uniform
from tf1_ae.model import Autoencoder
from tf1_ae.pipeline import N_TEST_DIGITS
from tf1_ae.plots import show_denoising
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import Metric, TrainPlan

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


def add_noise(X, config, seed=None):
    """The book's corruption: Gaussian noise, on at all times."""
    return tf.add(X, config.noise_level * tf.random_normal(tf.shape(X), seed=seed), name="X_noisy")


def denoising_autoencoder(X, config, corrupt, corruption_seed=None):
    """`corrupt`ed X (the noise above, or a variant's corruption), the book's four layers and its loss against
    the clean X; called again on a slice of X (towers), the same variables, and noise drawn for that slice (by
    an op seeded apart: `corruption_seed` None)."""
    X_corrupted = corrupt(X, config, seed=corruption_seed)

    my_dense_layer = partial(dense, activation=tf.nn.relu)  # default glorot init, no L2 (book)
    seed1, seed2, seed3, seed4 = config.op_seeds  # the glorot-uniform kernels', as the book's graph seeded them
    hidden1 = my_dense_layer(X_corrupted, config.n_hidden1, kernel_initializer=glorot_uniform(seed1), name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, kernel_initializer=glorot_uniform(seed2), name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, kernel_initializer=glorot_uniform(seed3), name="hidden3")
    outputs = dense(hidden3, config.n_inputs, kernel_initializer=glorot_uniform(seed4), name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # clean X
    return SimpleNamespace(X_corrupted=X_corrupted, codings=hidden2, outputs=outputs,
                           reconstruction_loss=reconstruction_loss)


def build(config=Config(), towers=1):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    ae = train_to_denoise(X, config, add_noise, towers)
    # The feed loop: the noise op draws at each epoch's printed line too, and a loop inside the graph has an op
    # of its own, which would skip those draws and train on other noise than the book's from the second epoch.
    return replace(ae, plan=replace(ae.plan, step=None))


def train_to_denoise(X, config, corrupt, towers=1, train_feed=None):
    """The autoencoder on X corrupted by `corrupt`, its Adam training op, and what the loop feeds while it
    trains (`train_feed`: the dropout listing's training=True)."""
    ae = denoising_autoencoder(X, config, corrupt, corruption_seed=config.corruption_op_seed)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    plan = train_plan(X, ae, optimizer, config, corrupt, towers, train_feed or {})
    return Autoencoder(X=X, codings=ae.codings, outputs=ae.outputs, reconstruction_loss=ae.reconstruction_loss,
                       plan=plan, tensors={"corrupted": ae.X_corrupted})


def train_plan(X, ae, optimizer, config, corrupt, towers, train_feed):
    """training_op = optimizer.minimize(reconstruction_loss), and (beyond the book) the same step on a batch the
    graph gathers, its corruption drawn by an op of the same seed, for the loop inside the graph (tf1_ae.loop):
    the dropout listing's, whose noise is drawn only while training (this listing's `build` drops it). With
    towers, each slice's noise op is seeded by its place in the graph: a loop's would draw other noise."""
    if towers == 1:
        training_op, loss = optimizer.minimize(ae.reconstruction_loss, name="training_op"), ae.reconstruction_loss
    else:  # beyond the book (--towers N): the same update from equal slices of each batch, on the cores side by side
        training_op, loss = minimize_in_towers(
            optimizer, lambda part: denoising_autoencoder(part, config, corrupt).reconstruction_loss, X, towers)

    def step(batch, labels):
        on_batch = denoising_autoencoder(batch, config, corrupt, corruption_seed=config.corruption_op_seed)
        return train_plan(batch, on_batch, optimizer, config, corrupt, towers, train_feed)

    return TrainPlan(training_op, X, loss, [Metric("train_mse", "Train MSE", ae.reconstruction_loss)],
                     train_feed=train_feed, step=step if towers == 1 else None)


def report(run, sess, ae, metrics):
    """Ours beside the book's figure: each test digit as the network sees it while training, corrupted, then
    its reconstruction from that corrupted input and the clean target."""
    shown = run.data.test.images[:N_TEST_DIGITS]
    corrupted, outputs = sess.run([ae.tensors["corrupted"], ae.outputs], {ae.X: shown, **ae.plan.train_feed})
    show_denoising(corrupted, outputs, shown)
    run.figure("denoising_plot")
    return {}
