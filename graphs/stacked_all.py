"""Book §"Stacked Autoencoders", training all layers at once.

A symmetric stack: two encoding layers narrow 784 pixels to 150 codings, two decoding layers widen them
back, and the whole stack is trained end to end, each kernel held small by an L2 penalty.
"""
from dataclasses import dataclass
from functools import partial

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


def stack(X, config):
    """The book's four layers on X; on a second call (inside a reusing scope) the same variables."""
    my_dense_layer = partial(dense, activation=tf.nn.elu, kernel_initializer=he_init,
                             kernel_regularizer=l2_regularizer(config.l2_reg))
    hidden1 = my_dense_layer(X, config.n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, name="hidden3")
    outputs = my_dense_layer(hidden3, config.n_outputs, activation=None, name="outputs")
    return hidden2, outputs


def losses(X, outputs):
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # MSE
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    regularization_loss = tf.add_n(reg_losses, name="regularization_loss")
    loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")
    return reconstruction_loss, regularization_loss, loss


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    codings, outputs = stack(X, config)
    reconstruction_loss, regularization_loss, loss = losses(X, outputs)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, mse_terms(reconstruction_loss, regularization_loss, loss)))


def build_towers(config, n_towers, inputs=None):
    """Beyond the book (`--towers N`): the same update, from equal slices of each batch that run on the cores
    side by side, gradients averaged. `inputs`: a tensor to train on instead of a placeholder (`make bench`)."""
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X") if inputs is None else inputs
    codings, outputs = stack(X, config)
    reconstruction_loss, regularization_loss, loss = losses(X, outputs)

    def tower_loss(part):
        return tf.reduce_mean(tf.square(stack(part, config)[1] - part)) + regularization_loss

    training_op, towers_loss = minimize_in_towers(tf.train.AdamOptimizer(config.learning_rate), tower_loss, X,
                                                  n_towers)
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, towers_loss, mse_terms(reconstruction_loss, regularization_loss,
                                                                             loss)))
