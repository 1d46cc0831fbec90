"""Book §"Training One Autoencoder at a Time", in a single graph.

One graph holds the whole 784-300-150-300-784 stack. Phase 1 trains the outer layers through a shortcut
(hidden1 straight to the output layer); phase 2 trains the inner layers to reproduce hidden1, with
weights1/biases1 and weights4/biases4 frozen by giving phase 2's optimizer only the inner variables.
"""
from dataclasses import dataclass

from tf1_ae.compat import tf
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Autoencoder, Metric, Phase, TrainPlan

IDEA = "One graph, two phases: the outer layers learn first, then the inner ones with the outer layers frozen."
LOSS = """phase 1: mean((hidden1·weights4 + biases4 - X)²) + l2_reg · (½‖weights1‖² + ½‖weights4‖²)
phase 2: mean((hidden3 - hidden1)²)               + l2_reg · (½‖weights2‖² + ½‖weights3‖²)"""


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings, book
    n_hidden3: int = 300  # mirrors hidden1
    n_outputs: int = 28 * 28
    learning_rate: float = 0.01  # book, one Adam for both phases
    l2_reg: float = 0.0001  # book
    n_epochs: int = 4  # book: n_epochs = [4, 4], for each phase
    batch_size: int = 150  # book: batch_sizes = [150, 150]
    # TF 1.x seeded each random op by the ops its graph held then: X is op 1 and each initializer call makes
    # 3 constants, draws, then 2 ops, so the book's weights1..4 drew with op seeds 4, 10, 16, 22
    op_seeds: tuple = (4, 10, 16, 22)


def freeze_by_var_list(hidden1, inner_variables):
    """The book's way: phase 2 is built on hidden1 itself, and its optimizer is given only the inner layers'
    variables (`var_list`), so weights1/biases1 and weights4/biases4 stay as phase 1 left them."""
    return hidden1, inner_variables


def build(config=Config(), freeze=freeze_by_var_list):
    """`freeze(hidden1, train_vars)` returns what phase 2 is built on and the var_list its optimizer gets: the
    book's `freeze_by_var_list`, or the tf.stop_gradient listing's."""
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    initializer = he_init
    seed1, seed2, seed3, seed4 = config.op_seeds

    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    weights1_init = initializer([config.n_inputs, config.n_hidden1], seed=seed1)
    weights2_init = initializer([config.n_hidden1, config.n_hidden2], seed=seed2)
    weights3_init = initializer([config.n_hidden2, config.n_hidden3], seed=seed3)
    weights4_init = initializer([config.n_hidden3, config.n_outputs], seed=seed4)

    weights1 = tf.Variable(weights1_init, dtype=tf.float32, name="weights1")
    weights2 = tf.Variable(weights2_init, dtype=tf.float32, name="weights2")
    weights3 = tf.Variable(weights3_init, dtype=tf.float32, name="weights3")
    weights4 = tf.Variable(weights4_init, dtype=tf.float32, name="weights4")

    biases1 = tf.Variable(tf.zeros(config.n_hidden1), name="biases1")
    biases2 = tf.Variable(tf.zeros(config.n_hidden2), name="biases2")
    biases3 = tf.Variable(tf.zeros(config.n_hidden3), name="biases3")
    biases4 = tf.Variable(tf.zeros(config.n_outputs), name="biases4")

    train_vars = [weights2, biases2, weights3, biases3]  # phase 2's; the rest is frozen
    hidden1 = activation(tf.matmul(X, weights1) + biases1, name="hidden1")
    hidden1_frozen, var_list = freeze(hidden1, train_vars)
    hidden2 = activation(tf.matmul(hidden1_frozen, weights2) + biases2, name="hidden2")
    hidden3 = activation(tf.matmul(hidden2, weights3) + biases3, name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, weights4), biases4, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)

    with tf.name_scope("phase1"):
        phase1_outputs = tf.matmul(hidden1, weights4) + biases4  # bypass hidden2 and hidden3
        phase1_reconstruction_loss = tf.reduce_mean(tf.square(phase1_outputs - X))
        phase1_reg_loss = regularizer(weights1) + regularizer(weights4)
        phase1_loss = phase1_reconstruction_loss + phase1_reg_loss
        phase1_training_op = optimizer.minimize(phase1_loss)

    with tf.name_scope("phase2"):
        phase2_reconstruction_loss = tf.reduce_mean(tf.square(hidden3 - hidden1_frozen))
        phase2_reg_loss = regularizer(weights2) + regularizer(weights3)
        phase2_loss = phase2_reconstruction_loss + phase2_reg_loss
        phase2_training_op = optimizer.minimize(phase2_loss, var_list=var_list)  # freeze hidden1

    phases = (Phase("phase1", phase_plan(X, "phase1", phase1_training_op, phase1_loss, phase1_reconstruction_loss,
                                         phase1_reg_loss)),
              Phase("phase2", phase_plan(X, "phase2", phase2_training_op, phase2_loss, phase2_reconstruction_loss,
                                         phase2_reg_loss)))
    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss, phases=phases,
                       tensors={"hidden1": hidden1, "frozen": (weights1, biases1, weights4, biases4),
                                "trained_in_phase2": tuple(train_vars), "weights1": weights1})


def phase_plan(X, phase, training_op, loss, mse, reg_loss):
    """A phase's training op, its minimized loss and the terms it logs: the book's Train MSE, and its penalty."""
    return TrainPlan(training_op, X, loss, [Metric(f"{phase}_train_mse", "Train MSE", mse), Metric(
        f"{phase}_regularization_loss", "regularization loss", reg_loss, in_book_line=False)])
