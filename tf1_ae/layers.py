"""The layers the chapter is built from, on `get_variable` + `matmul` (never `tf.compat.v1.layers`).

`dense` creates `<name>/kernel` and `<name>/bias` exactly as `tf.layers.dense` named them, so the book's
`functools.partial(dense, activation=..., kernel_initializer=he_init, kernel_regularizer=...)` reads the same.
"""
import numpy as np

from tf1_ae.compat import tf


class VarianceScaling:
    """`tf.contrib.layers.variance_scaling_initializer()`: He init as the book used it.

    factor 2.0, FAN_IN, truncated normal: stddev sqrt(1.3 * factor / fan_in), cut at ±2 stddev, which
    leaves an effective stddev of about sqrt(2 / fan_in). (TF2's `variance_scaling_initializer` defaults to
    scale 1.0, and its truncated variant divides by 0.8796 instead of multiplying by sqrt(1.3).)

    Callable both as a `get_variable` initializer and directly, `he_init([784, 300])`, as the tied-weights listing does.

    `seed` is the op seed of its truncated-normal op. TF 1.x gave an op created without one the number of
    ops its graph held at that moment (TF 2 numbers them 0, 1, 2... instead), so a listing that passes the
    count of the book's graph draws the book's initial weights (`with_seed`, or `seed=` on a direct call).
    """

    def __init__(self, factor=2.0, seed=None):
        self.factor = factor
        self.seed = seed

    def stddev(self, shape):
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        return float(np.sqrt(1.3 * self.factor / fan_in))

    def with_seed(self, seed):
        return VarianceScaling(self.factor, seed)

    def __call__(self, shape, dtype=None, partition_info=None, seed=None):
        shape = [int(d) for d in shape]
        return tf.truncated_normal(shape, 0.0, self.stddev(shape), dtype=dtype or tf.float32,
                                   seed=self.seed if seed is None else seed)


he_init = VarianceScaling()


def glorot_uniform(seed=None):
    """`tf.layers.dense`'s default kernel initializer, its uniform draw's op seed given (as VarianceScaling)."""
    return tf.glorot_uniform_initializer(seed=seed)


def l2_regularizer(scale):
    """`tf.contrib.layers.l2_regularizer(scale)`: scale * sum(W²) / 2 (Keras' l2 is twice this)."""

    def regularize(weights):
        return tf.multiply(scale, tf.nn.l2_loss(weights), name="l2_regularizer")

    return regularize


def dense(inputs, units, name=None, activation=None, kernel_initializer=None,
          kernel_regularizer=None, bias_initializer=None):
    """A fully connected layer named like `tf.layers.dense`: `<name>/kernel`, `<name>/bias`.

    Defaults as `tf.layers.dense`: glorot-uniform kernel, zero bias, no activation. A regularizer's
    output lands in the REGULARIZATION_LOSSES collection, where the book's `tf.add_n` finds it, once per
    kernel: a call that reuses the layer's variables adds nothing there.
    """
    fan_in = int(inputs.shape[-1])
    with tf.variable_scope(name, default_name="dense"):
        kernel = tf.get_variable(
            "kernel", [fan_in, units], tf.float32,
            initializer=kernel_initializer or tf.glorot_uniform_initializer())
        bias = tf.get_variable("bias", [units], tf.float32,
                               initializer=bias_initializer or tf.zeros_initializer())
        if kernel_regularizer is not None and not tf.get_variable_scope().reuse:
            with tf.name_scope("kernel/Regularizer"):
                tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, kernel_regularizer(kernel))
        outputs = tf.nn.bias_add(tf.matmul(inputs, kernel), bias)
        return activation(outputs) if activation is not None else outputs


def layer_variable(name):
    """A variable of the default graph by its name (`conv1/kernel`), for a builder to hand to its figures."""
    return next(v for v in tf.global_variables() if v.op.name == name)


def dropout(inputs, rate, training, seed=None):
    """`tf.layers.dropout(inputs, rate, training=training)`: inverted dropout (survivors scaled by
    1/(1-rate)) when the boolean tensor `training` is True, the identity otherwise; `seed`: its uniform
    noise's op seed."""
    return tf.cond(training, lambda: tf.nn.dropout(inputs, rate=rate, seed=seed), lambda: tf.identity(inputs),
                   name="dropout")


def lifetime_wta_mask(activations, rate):
    """Winner-take-all lifetime sparsity: 1 where an activation is among its unit's top ⌈rate·batch⌉
    over the batch (exactly that many per unit, ties broken by position), 0 elsewhere. Memory grows as
    batch × units: the winners' positions are scattered into the mask, never one-hot encoded."""
    batch, units = tf.shape(activations)[0], tf.shape(activations)[1]
    k = tf.cast(tf.math.ceil(rate * tf.cast(batch, tf.float32)), tf.int32)
    _, winners = tf.nn.top_k(tf.transpose(activations), k=k)  # (units, k) batch indices
    unit_of = tf.tile(tf.range(units)[:, tf.newaxis], [1, k])
    positions = tf.reshape(tf.stack([winners, unit_of], axis=-1), [-1, 2])  # (batch index, unit) pairs
    return tf.scatter_nd(positions, tf.ones([units * k], activations.dtype), tf.shape(activations), name="wta_mask")


def conv2d(inputs, filters, kernel_size, name, activation=None, strides=1, padding="SAME",
           kernel_initializer=None):
    """A 2-D convolution on `tf.nn.conv2d` with its own `<name>/kernel` [kh, kw, in, out] and `<name>/bias`."""
    with tf.variable_scope(name):
        kernel = tf.get_variable("kernel", [kernel_size, kernel_size, int(inputs.shape[-1]), filters],
                                 initializer=kernel_initializer or tf.glorot_uniform_initializer())
        bias = tf.get_variable("bias", [filters], initializer=tf.zeros_initializer())
        outputs = tf.nn.bias_add(tf.nn.conv2d(inputs, kernel, [1, strides, strides, 1], padding), bias)
        return activation(outputs) if activation is not None else outputs


def conv2d_transpose(inputs, filters, kernel_size, name, strides=2, padding="SAME", activation=None,
                     kernel_initializer=None):
    """The transposed convolution that undoes a stride: SAME maps n → n·s, VALID maps n → (n-1)·s + k.
    Its kernel is [kh, kw, out, in], as `tf.nn.conv2d_transpose` wants; the batch size stays dynamic."""
    height, width = int(inputs.shape[1]), int(inputs.shape[2])
    if padding == "SAME":
        out_h, out_w = height * strides, width * strides
    else:
        out_h, out_w = (height - 1) * strides + kernel_size, (width - 1) * strides + kernel_size
    with tf.variable_scope(name):
        kernel = tf.get_variable("kernel", [kernel_size, kernel_size, filters, int(inputs.shape[-1])],
                                 initializer=kernel_initializer or tf.glorot_uniform_initializer())
        bias = tf.get_variable("bias", [filters], initializer=tf.zeros_initializer())
        output_shape = tf.stack([tf.shape(inputs)[0], out_h, out_w, filters])
        outputs = tf.nn.conv2d_transpose(inputs, kernel, output_shape, [1, strides, strides, 1], padding)
        outputs = tf.nn.bias_add(tf.reshape(outputs, [-1, out_h, out_w, filters]), bias)
        return activation(outputs) if activation is not None else outputs


def spatial_wta_mask(feature_maps):
    """Convolutional winner-take-all, spatial part: 1 at the single largest activation of each feature
    map of each example (the first, on ties), 0 elsewhere. feature_maps: (batch, h, w, maps)."""
    shape = tf.shape(feature_maps)
    flat = tf.reshape(tf.transpose(feature_maps, [0, 3, 1, 2]), [shape[0], shape[3], shape[1] * shape[2]])
    winners = tf.one_hot(tf.argmax(flat, axis=2), shape[1] * shape[2], dtype=feature_maps.dtype)
    return tf.transpose(tf.reshape(winners, [shape[0], shape[3], shape[1], shape[2]]), [0, 2, 3, 1],
                        name="spatial_wta_mask")
