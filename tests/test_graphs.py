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
