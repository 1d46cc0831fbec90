"""Beyond the book: `--towers N` for §"Training One Autoencoder at a Time" in a single graph, and for its
stop_gradient and cached variants.

Each phase's update is computed from N equal slices of the batch that run side by side on the shared
variables; their gradients are averaged and one Adam (the listing's one optimizer for both phases) applies
them: the plain graph's update, up to float round-off. Phase 2 slices hidden1, so a fed cache of hidden1 is
sliced the same way. Kept apart so the listing's module stays the book's listing.
"""
from graphs.layerwise_singlegraph import LayerwiseGraph, layer_variables, phase_plan
from tf1_ae.compat import tf
from tf1_ae.layers import l2_regularizer
from tf1_ae.model import Autoencoder
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import TrainPlan


def build_towers(config, n_towers):
    activation, regularizer = tf.nn.elu, l2_regularizer(config.l2_reg)
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    weights1, weights2, weights3, weights4, biases1, biases2, biases3, biases4 = layer_variables(config)

    def encode(images, name=None):
        return activation(tf.matmul(images, weights1) + biases1, name=name)

    def inner(hidden1, names=(None, None)):
        hidden2 = activation(tf.matmul(hidden1, weights2) + biases2, name=names[0])
        return hidden2, activation(tf.matmul(hidden2, weights3) + biases3, name=names[1])

    def phase1_terms(images, hidden1):  # (reconstruction, regularization, loss) through the shortcut
        mse = tf.reduce_mean(tf.square(tf.matmul(hidden1, weights4) + biases4 - images))
        reg_loss = regularizer(weights1) + regularizer(weights4)
        return mse, reg_loss, mse + reg_loss

    def phase2_terms(hidden1):
        mse = tf.reduce_mean(tf.square(inner(hidden1)[1] - hidden1))
        reg_loss = regularizer(weights2) + regularizer(weights3)
        return mse, reg_loss, mse + reg_loss

    hidden1 = encode(X, name="hidden1")  # the tensor the cached variant feeds
    frozen_hidden1 = tf.stop_gradient(hidden1) if config.freeze == "stop_gradient" else hidden1
    hidden2, hidden3 = inner(frozen_hidden1, names=("hidden2", "hidden3"))
    outputs = tf.add(tf.matmul(hidden3, weights4), biases4, name="outputs")
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    train_vars = [weights2, biases2, weights3, biases3]
    with tf.name_scope("phase1"):
        phase1_mse, phase1_reg_loss, _ = phase1_terms(X, hidden1)
        phase1_op, phase1_loss = minimize_in_towers(
            optimizer, lambda part: phase1_terms(part, encode(part))[2], X, n_towers)
    with tf.name_scope("phase2"):  # only the inner layers learn (with stop_gradient, the others get no gradient)
        phase2_mse, phase2_reg_loss, _ = phase2_terms(frozen_hidden1)
        phase2_op, phase2_loss = minimize_in_towers(
            optimizer, lambda part: phase2_terms(part)[2], frozen_hidden1, n_towers, var_list=train_vars)

    stack = Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                        plan=TrainPlan(None, X, reconstruction_loss, []))
    return LayerwiseGraph(stack, hidden1, phase_plan(X, "phase1", phase1_op, phase1_loss, phase1_mse, phase1_reg_loss),
                          phase_plan(X, "phase2", phase2_op, phase2_loss, phase2_mse, phase2_reg_loss),
                          frozen=[weights1, biases1, weights4, biases4], trained_in_phase2=train_vars)
