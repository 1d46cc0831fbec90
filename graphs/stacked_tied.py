"""Book §"Stacked Autoencoders": "Tying Weights".

The decoder reuses the encoder's weights transposed (weights3 = weights2ᵀ, weights4 = weights1ᵀ), halving
the weights to learn and the risk of overfitting; only the four biases stay separate. The book builds it
with plain `tf.Variable`s and `tf.matmul`, since a dense layer cannot take a transposed kernel.
"""
from dataclasses import dataclass

from tf1_ae.compat import tf
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Autoencoder, TrainPlan, mse_terms

IDEA = "The same stack with the decoder's weights tied to the encoder's, transposed: half the weights."
LOSS = "loss = mean((outputs - X)²) + l2_reg · (½‖weights1‖² + ½‖weights2‖²)"


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings, book
    n_hidden3: int = 300  # must mirror hidden1 for the weights to tie
    n_outputs: int = 28 * 28
    learning_rate: float = 0.01  # book, Adam
    l2_reg: float = 0.0005  # book (not the untied stack's 0.0001)
    n_epochs: int = 5  # book
    batch_size: int = 150  # book
    # TF 1.x seeded each initializer by the ops its graph held: X is op 1, each initializer call makes 3
    # constants, draws, then 2 ops, so the book's weights1 and weights2 drew with op seeds 4, 10
    op_seeds: tuple = (4, 10)


def build(config=Config()):
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    initializer = he_init
    seed1, seed2 = config.op_seeds

    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    weights1_init = initializer([config.n_inputs, config.n_hidden1], seed=seed1)
    weights2_init = initializer([config.n_hidden1, config.n_hidden2], seed=seed2)

    weights1 = tf.Variable(weights1_init, dtype=tf.float32, name="weights1")
    weights2 = tf.Variable(weights2_init, dtype=tf.float32, name="weights2")
    weights3 = tf.transpose(weights2, name="weights3")  # tied weights
    weights4 = tf.transpose(weights1, name="weights4")  # tied weights

    biases1 = tf.Variable(tf.zeros(config.n_hidden1), name="biases1")
    biases2 = tf.Variable(tf.zeros(config.n_hidden2), name="biases2")
    biases3 = tf.Variable(tf.zeros(config.n_hidden3), name="biases3")
    biases4 = tf.Variable(tf.zeros(config.n_outputs), name="biases4")

    hidden1 = activation(tf.matmul(X, weights1) + biases1, name="hidden1")
    hidden2 = activation(tf.matmul(hidden1, weights2) + biases2, name="hidden2")  # codings
    hidden3 = activation(tf.matmul(hidden2, weights3) + biases3, name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, weights4), biases4, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
    reg_loss = tf.add(regularizer(weights1), regularizer(weights2), name="reg_loss")
    loss = tf.add(reconstruction_loss, reg_loss, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, mse_terms(reconstruction_loss, reg_loss, loss)))
