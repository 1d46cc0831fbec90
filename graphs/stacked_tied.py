"""Book §"Stacked Autoencoders": "Tying Weights".

The decoder reuses the encoder's weights transposed (weights3 = weights2ᵀ, weights4 = weights1ᵀ), halving
the weights to learn and the risk of overfitting; only the four biases stay separate. The book builds it
with plain `tf.Variable`s and `tf.matmul`, since a dense layer cannot take a transposed kernel.
"""
from dataclasses import dataclass
from types import SimpleNamespace

from tf1_ae.compat import tf
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Autoencoder, mse_terms
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import TrainPlan

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


def tied_variables(config):
    """The book's six tf.Variables, created in its order, the initial weights drawn as the book's were."""
    initializer = he_init
    seed1, seed2 = config.op_seeds
    weights1_init = initializer([config.n_inputs, config.n_hidden1], seed=seed1)
    weights2_init = initializer([config.n_hidden1, config.n_hidden2], seed=seed2)

    weights1 = tf.Variable(weights1_init, dtype=tf.float32, name="weights1")
    weights2 = tf.Variable(weights2_init, dtype=tf.float32, name="weights2")

    biases1 = tf.Variable(tf.zeros(config.n_hidden1), name="biases1")
    biases2 = tf.Variable(tf.zeros(config.n_hidden2), name="biases2")
    biases3 = tf.Variable(tf.zeros(config.n_hidden3), name="biases3")
    biases4 = tf.Variable(tf.zeros(config.n_outputs), name="biases4")
    return weights1, weights2, (biases1, biases2, biases3, biases4)


def tied_autoencoder(X, weights1, weights2, biases, config):
    """The book's four layers and its loss on X; the decoder multiplies by the encoder's weights transposed."""
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    biases1, biases2, biases3, biases4 = biases
    weights3 = tf.transpose(weights2, name="weights3")  # tied weights
    weights4 = tf.transpose(weights1, name="weights4")  # tied weights

    hidden1 = activation(tf.matmul(X, weights1) + biases1, name="hidden1")
    hidden2 = activation(tf.matmul(hidden1, weights2) + biases2, name="hidden2")  # codings
    hidden3 = activation(tf.matmul(hidden2, weights3) + biases3, name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, weights4), biases4, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
    reg_loss = tf.add(regularizer(weights1), regularizer(weights2), name="reg_loss")
    loss = tf.add(reconstruction_loss, reg_loss, name="loss")
    return SimpleNamespace(codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                           reg_loss=reg_loss, loss=loss)


def build(config=Config(), towers=1):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    weights1, weights2, biases = tied_variables(config)
    ae = tied_autoencoder(X, weights1, weights2, biases, config)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    return Autoencoder(X=X, codings=ae.codings, outputs=ae.outputs, reconstruction_loss=ae.reconstruction_loss,
                       plan=train_plan(X, ae, optimizer, (weights1, weights2, biases), config, towers))


def train_plan(X, ae, optimizer, variables, config, towers):
    """training_op = optimizer.minimize(loss), the terms it logs, and (beyond the book) the same step on a
    batch the graph gathers, for the loop inside the graph (tf1_ae.loop)."""
    if towers == 1:
        training_op, loss = optimizer.minimize(ae.loss, name="training_op"), ae.loss
    else:  # beyond the book (--towers N): the same update from equal slices of each batch, on the cores side by side
        training_op, loss = minimize_in_towers(
            optimizer, lambda part: tied_autoencoder(part, *variables, config).loss, X, towers)
    return TrainPlan(training_op, X, loss, mse_terms(ae.reconstruction_loss, ae.reg_loss, ae.loss),
                     step=lambda batch, labels: train_plan(batch, tied_autoencoder(batch, *variables, config),
                                                           optimizer, variables, config, towers))
