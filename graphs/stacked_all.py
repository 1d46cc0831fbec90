"""Book §"Stacked Autoencoders", training all layers at once.

A symmetric stack: two encoding layers narrow 784 pixels to 150 codings, two decoding layers widen them
back, and the whole stack is trained end to end, each kernel held small by an L2 penalty.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.layers import dense, he_init, l2_regularizer
from tf1_ae.model import Autoencoder, TrainPlan, mse_terms

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


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    he_init1, he_init2, he_init3, he_init4 = (he_init.with_seed(seed) for seed in config.op_seeds)  # as the book's
    # graph seeded each kernel's draw
    my_dense_layer = partial(dense, activation=tf.nn.elu, kernel_regularizer=l2_regularizer(config.l2_reg))

    hidden1 = my_dense_layer(X, config.n_hidden1, kernel_initializer=he_init1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, kernel_initializer=he_init2, name="hidden2")  # codings
    hidden3 = my_dense_layer(hidden2, config.n_hidden3, kernel_initializer=he_init3, name="hidden3")
    outputs = my_dense_layer(hidden3, config.n_outputs, activation=None, kernel_initializer=he_init4, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # MSE
    reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    regularization_loss = tf.add_n(reg_losses, name="regularization_loss")  # logged beside the book's MSE
    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, mse_terms(reconstruction_loss, regularization_loss, loss)))
