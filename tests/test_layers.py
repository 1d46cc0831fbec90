import numpy as np
import pytest

from tf1_ae.compat import reset_graph, tf
from tf1_ae.layers import dense, he_init, l2_regularizer


def run(tensors, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(tensors, feed)


def test_he_init_matches_contrib_variance_scaling():
    reset_graph()
    fan_in, fan_out = 784, 300
    values = run(he_init([fan_in, fan_out]))
    stddev = np.sqrt(1.3 * 2.0 / fan_in)  # contrib: factor 2, FAN_IN, truncated normal
    assert he_init.stddev([fan_in, fan_out]) == pytest.approx(stddev)
    assert np.abs(values).max() <= 2 * stddev + 1e-7  # cut at two standard deviations
    assert np.abs(values).max() > 1.9 * stddev  # ...and really reaching out there
    # A normal truncated at ±2σ keeps 0.8796 of σ: the effective stddev is about sqrt(2 / fan_in).
    assert values.std() == pytest.approx(stddev * 0.8796, rel=0.02)
    assert values.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.02)
    assert abs(values.mean()) < 0.05 * stddev


def test_l2_regularizer_is_half_sum_of_squares():
    reset_graph()
    w = np.random.RandomState(0).randn(7, 5).astype(np.float32)
    value = run(l2_regularizer(0.0005)(tf.constant(w)))
    assert value == pytest.approx(0.0005 * np.sum(w ** 2) / 2, rel=1e-6)


def test_dense_names_variables_like_tf_layers_and_collects_regularization():
    reset_graph()
    X = tf.placeholder(tf.float32, [None, 4], name="X")
    h = dense(X, 3, name="hidden1", activation=tf.nn.elu, kernel_regularizer=l2_regularizer(0.1))
    out = dense(h, 2)
    names = [(v.op.name, v.shape.as_list()) for v in tf.global_variables()]
    assert names == [("hidden1/kernel", [4, 3]), ("hidden1/bias", [3]),
                     ("dense/kernel", [3, 2]), ("dense/bias", [2])]
    reg = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(reg) == 1
    x = np.random.RandomState(1).rand(5, 4).astype(np.float32)
    (k1, b1, k2, b2), out_val, reg_val = run([tf.global_variables(), out, reg[0]], {X: x})
    pre = x @ k1 + b1
    expected = np.where(pre > 0, pre, np.expm1(pre)) @ k2 + b2
    np.testing.assert_allclose(out_val, expected, rtol=1e-5, atol=1e-6)
    assert reg_val == pytest.approx(0.1 * np.sum(k1 ** 2) / 2, rel=1e-5)
    assert np.all(b1 == 0)
