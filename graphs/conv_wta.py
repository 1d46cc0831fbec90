"""The convolutional winner-take-all autoencoder (Makhzani & Frey 2015), one of the book's §"Other
Autoencoders": `make conv ARGS='--wta spatial'` (graphs/conv.py's `WTAConfig`).

Two 5×5 ReLU conv layers of 16 maps at full resolution; while training only the largest activation of each map
of each example survives (spatial sparsity), and of those winners only each map's top 20% over the batch
(lifetime sparsity); at test time only the spatial mask applies. One linear 11×11 transposed convolution
decodes, so its 16 kernels are the dictionary.
"""

from tf1_ae.compat import tf
from tf1_ae.layers import conv2d, conv2d_transpose, layer_variable, lifetime_wta_mask, spatial_wta_mask
from tf1_ae.model import Autoencoder, Metric, TrainPlan

IDEA = "Only each feature map's winning activation (and only the batch's top 20% of those) reaches the decoder."
LOSS = "loss = Σ_batch,pixels (X - deconv(M ⊙ h))²,  M: the spatial and lifetime winner-take-all mask"


def build(config):
    X = tf.placeholder(tf.float32, shape=[None, 28 * 28], name="X")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    images = tf.reshape(X, [-1, 28, 28, 1])
    f1, f2 = config.wta_filters
    k = config.wta_kernel_size

    conv1 = conv2d(images, f1, k, "conv1", activation=tf.nn.relu)
    hidden = conv2d(conv1, f2, k, "conv2", activation=tf.nn.relu)  # 28×28×16

    spatial = spatial_wta_mask(hidden)
    winners = tf.reduce_max(hidden, axis=[1, 2])  # (batch, maps): each map's winning value
    lifetime = lifetime_wta_mask(winners, config.wta_sparsity)[:, tf.newaxis, tf.newaxis, :]
    mask = tf.cond(training, lambda: spatial * lifetime, lambda: spatial, name="wta_mask")
    codings = tf.multiply(hidden, mask, name="codings")

    decoded = conv2d_transpose(codings, 1, config.wta_decoder_kernel, "deconv", strides=1,
                               kernel_initializer=tf.truncated_normal_initializer(stddev=0.1))
    outputs = tf.reshape(decoded, [-1, 28 * 28], name="outputs")

    squared_error = tf.reduce_sum(tf.square(outputs - X), name="squared_error")
    mse = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(squared_error, name="training_op")

    layers = {"conv1": conv1, "hidden": hidden, "codings": codings, "outputs": decoded}
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=mse,
                       plan=TrainPlan(training_op, X, squared_error, [Metric("train_mse", "Train MSE", mse)],
                                      train_feed={training: True}),
                       tensors={"layers": layers, "spatial_mask": spatial, "mask": mask, "training": training,
                                "first_kernel": layer_variable("conv1/kernel"),
                                "dictionary": layer_variable("deconv/kernel")})
