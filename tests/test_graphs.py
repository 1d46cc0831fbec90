"""Variable names are pinned: checkpoints, tied weights and later restores depend on them."""
import numpy as np

from graphs import stacked_all, stacked_tied
from tf1_ae.compat import reset_graph, tf


def variables():
    return [(v.op.name, v.shape.as_list()) for v in tf.trainable_variables()]


def test_stacked_all_variable_names_and_shapes():
    reset_graph()
    ae = stacked_all.build()
    assert variables() == [
        ("hidden1/kernel", [784, 300]), ("hidden1/bias", [300]),
        ("hidden2/kernel", [300, 150]), ("hidden2/bias", [150]),
        ("hidden3/kernel", [150, 300]), ("hidden3/bias", [300]),
        ("outputs/kernel", [300, 784]), ("outputs/bias", [784])]
    assert ae.codings.shape.as_list() == [None, 150]
    # One L2 term per kernel, none for the biases (book).
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 4


def test_tied_graph_has_two_weight_matrices_shared_by_the_decoder(mnist5k):
    reset_graph()
    ae = stacked_tied.build()
    assert variables() == [("weights1", [784, 300]), ("weights2", [300, 150]),
                           ("biases1", [300]), ("biases2", [150]), ("biases3", [300]), ("biases4", [784])]
    graph = tf.get_default_graph()
    weights1, weights4 = graph.get_tensor_by_name("weights1:0"), graph.get_tensor_by_name("weights4:0")
    grad_total, = tf.gradients(ae.reconstruction_loss, [weights1])
    grad_decoder, = tf.gradients(ae.reconstruction_loss, [weights4])
    X = mnist5k.train.images[:150]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w1, w2, b1, b2, b3, b4 = sess.run(tf.trainable_variables())
        outputs, g_total, g_decoder = sess.run([ae.outputs, grad_total, grad_decoder], {ae.X: X})

    def elu(z):
        return np.where(z > 0, z, np.expm1(z))

    # The decoder really multiplies by the encoder's weights transposed.
    expected = elu(elu(elu(X @ w1 + b1) @ w2 + b2) @ w2.T + b3) @ w1.T + b4
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-5)
    # weights1's gradient sums the decoder's (through weights4 = weights1ᵀ) and the encoder's.
    from_decoder = g_decoder.T
    from_encoder = g_total - from_decoder
    assert np.abs(from_decoder).max() > 1e-6
    assert np.abs(from_encoder).max() > 1e-6


def test_tied_regularization_covers_only_the_two_real_weight_matrices():
    reset_graph()
    ae = stacked_tied.build()
    graph = tf.get_default_graph()
    reg = graph.get_tensor_by_name("reg_loss:0")
    w1_var, w2_var = tf.trainable_variables()[:2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w1, w2, reg_val, loss, rec = sess.run([w1_var, w2_var, reg, ae.loss, ae.reconstruction_loss],
                                              {ae.X: np.zeros((2, 784), np.float32)})
    expected = 0.0005 * (np.sum(w1.astype(np.float64) ** 2) + np.sum(w2.astype(np.float64) ** 2)) / 2
    assert abs(reg_val - expected) < 1e-6 * expected
    assert abs(loss - (rec + reg_val)) < 1e-6


def test_each_variant_s_graph_code_holds_its_own_lines_and_not_the_ones_it_replaces():
    """The report's view of a section's graph: its build, the lines the book changes for it, the base listing's
    functions it calls, and not the base listing's own variant of those lines."""
    from app.graph_code import graph_code
    from graphs import (denoising_dropout, layerwise_cached, layerwise_singlegraph, layerwise_stopgrad, vae_logvar,
                        vae_sigma)
    shown = {module.__name__[7:]: graph_code(module) for module in (
        vae_sigma, vae_logvar, denoising_dropout, layerwise_singlegraph, layerwise_stopgrad, layerwise_cached,
        stacked_all)}
    assert "hidden3_sigma" in shown["vae_sigma"] and "hidden3_gamma" not in shown["vae_sigma"]
    assert "tf.exp(0.5 * hidden3_gamma)" in shown["vae_logvar"] and "hidden3_sigma" not in shown["vae_logvar"]
    assert "# graphs/vae_sigma.py\ndef build" in shown["vae_logvar"]
    assert "hidden5 = my_dense_layer(hidden4" in shown["vae_logvar"]  # the encoder and decoder it shares
    assert "training = tf.placeholder_with_default" in shown["denoising_dropout"]
    assert "def denoising_layers" in shown["denoising_dropout"] and "X_noisy" not in shown["denoising_dropout"]
    assert "tf.stop_gradient(hidden1" in shown["layerwise_stopgrad"]
    assert "def freeze_by_var_list" not in shown["layerwise_stopgrad"]
    assert "def freeze_by_var_list" in shown["layerwise_singlegraph"] and "stop_gradient(" not in shown[
        "layerwise_singlegraph"]
    assert "hidden1_cache = hidden1.eval(feed_dict={X: train.images}" in shown["layerwise_cached"]
    assert "def freeze_by_var_list" in shown["layerwise_cached"]  # the book's freeze, left at its default
    assert "training_op = optimizer.minimize(loss" in shown["stacked_all"]  # the book's cell, whole
