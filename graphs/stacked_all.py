"""Book §"Stacked Autoencoders", training all layers at once.

A symmetric stack: two encoding layers narrow 784 pixels to 150 codings, two decoding layers widen them
back, and the whole stack is trained end to end, each kernel held small by an L2 penalty.
"""
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

from tf1_ae.compat import tf
from tf1_ae.layers import dense, he_init, l2_regularizer
from tf1_ae.model import Autoencoder, mse_terms
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import TrainPlan

IDEA = "A symmetric 784-300-150-300-784 ELU autoencoder trained end to end to reproduce its input."
LOSS = "loss = mean((outputs - X)²) + l2_reg · Σ_{k=1..4} ½‖kernel_k‖²"


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings, book
    n_hidden3: int = 300  # mirrors hidden1
    n_outputs: int = 28 * 28  # reproduces the input
    learning_rate: float = 0.01  # book, Adam
    l2_reg: float = 0.0001  # book (the tied version uses 0.0005)
    n_epochs: int = 5  # book
    batch_size: int = 150  # book
    # TF 1.x seeded each initializer by the ops its graph held: X is op 1, the initializer makes 3 constants
    # before it draws, and each tf.layers.dense of the book made 19 ops (initializer 6, kernel 3, regularizer
    # 3, zero bias 4, matmul, bias_add, activation), so the four kernels drew with op seeds 4, 23, 42, 61
    op_seeds: tuple = (4, 23, 42, 61)


def autoencoder(X, config):
    """The book's four layers and its loss on X; called again on a slice of X (towers), the same variables."""
    my_dense_layer = partial(dense, activation=tf.nn.elu, kernel_regularizer=l2_regularizer(config.l2_reg))
    seed1, seed2, seed3, seed4 = config.op_seeds  # he_init, as the book's graph seeded each kernel's
    hidden1 = my_dense_layer(X, config.n_hidden1, kernel_initializer=he_init.with_seed(seed1), name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, kernel_initializer=he_init.with_seed(seed2),
                             name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, kernel_initializer=he_init.with_seed(seed3), name="hidden3")
    outputs = my_dense_layer(hidden3, config.n_outputs, activation=None, kernel_initializer=he_init.with_seed(seed4),
                             name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # MSE
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    regularization_loss = tf.add_n(reg_losses, name="regularization_loss")
    loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")
    return SimpleNamespace(codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                           regularization_loss=regularization_loss, loss=loss)


def build(config=Config(), towers=1):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    ae = autoencoder(X, config)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    return Autoencoder(X=X, codings=ae.codings, outputs=ae.outputs, reconstruction_loss=ae.reconstruction_loss,
                       plan=train_plan(X, ae, optimizer, config, towers))


def train_plan(X, ae, optimizer, config, towers):
    """training_op = optimizer.minimize(loss), the terms it logs, and (beyond the book) the same step on a
    batch the graph gathers, for the loop inside the graph (tf1_ae.loop)."""
    if towers == 1:
        training_op, loss = optimizer.minimize(ae.loss, name="training_op"), ae.loss
    else:  # beyond the book (--towers N): the same update from equal slices of each batch, on the cores side by side
        training_op, loss = minimize_in_towers(optimizer, lambda part: autoencoder(part, config).loss, X, towers)
    return TrainPlan(training_op, X, loss, mse_terms(ae.reconstruction_loss, ae.regularization_loss, ae.loss),
                     step=lambda batch, labels: train_plan(batch, autoencoder(batch, config), optimizer, config,
                                                           towers))
