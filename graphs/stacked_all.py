"""Book §"Stacked Autoencoders", training all layers at once (seed note 02).

A symmetric 784-300-150-300-784 ELU autoencoder is trained end to end to reproduce its input through a
150-unit coding layer.

    loss = mean((outputs - X)²) + l2_reg · Σ_{k=1..4} ½‖kernel_k‖²
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.layers import dense, he_init, l2_regularizer
from tf1_ae.model import Autoencoder, mse_terms
from tf1_ae.runs import UsageError
from tf1_ae.towers import minimize_in_towers


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book §02
    n_hidden2: int = 150  # codings, book §02
    n_hidden3: int = 300  # mirrors hidden1
    n_outputs: int = 28 * 28  # reproduces the input
    learning_rate: float = 0.01  # book §02, Adam
    l2_reg: float = 0.0001  # book §02 (the tied version uses 0.0005)
    n_epochs: int = 5  # book §02
    batch_size: int = 150  # book §02
    towers: int = 1  # ours, --towers 2: the fast path (tf1_ae/towers.py); 1 is the book's graph


def stack(X, config):
    """The book's four layers on X; on a second call (inside a reusing scope) the same variables."""
    my_dense_layer = partial(dense, activation=tf.nn.elu, kernel_initializer=he_init,
                             kernel_regularizer=l2_regularizer(config.l2_reg))
    hidden1 = my_dense_layer(X, config.n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, name="hidden3")
    outputs = my_dense_layer(hidden3, config.n_outputs, activation=None, name="outputs")
    return hidden2, outputs


def build(config=Config(), inputs=None):
    """`inputs`: a tensor to train on instead of the X placeholder (data held in the graph, for bench)."""
    if config.batch_size % config.towers:
        raise UsageError(f"--towers {config.towers} must divide the batch size {config.batch_size}")
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X") if inputs is None else inputs

    codings, outputs = stack(X, config)

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # MSE
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    regularization_loss = tf.add_n(reg_losses, name="regularization_loss")
    loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    if config.towers == 1:
        training_op = optimizer.minimize(loss, name="training_op")
    else:  # beyond the book: the same update, from equal slices of the batch on the cores side by side
        def tower_loss(part):
            return tf.reduce_mean(tf.square(stack(part, config)[1] - part)) + regularization_loss
        training_op = minimize_in_towers(optimizer, tower_loss, X, config.towers)

    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       loss=loss, training_op=training_op,
                       metrics=mse_terms(reconstruction_loss, regularization_loss, loss))
