"""Stacked convolutional autoencoders (Masci et al. 2011), one of the book's §"Other Autoencoders", built
from `tf.nn.conv2d`, `tf.nn.max_pool` and `tf.nn.conv2d_transpose` with our own variables.

Default: the 2nd edition's layout. Encoder 16/32/64 filters 3×3, ELU, each followed by 2×2 max pooling
(28 → 14 → 7 → 3); decoder mirrored with stride-2 transposed convolutions (3 → 7 → 14 → 28), sigmoid out.

`--wta spatial` (`WTAConfig`): the convolutional winner-take-all autoencoder, in graphs/conv_wta.py.
"""
from dataclasses import dataclass

import numpy as np

from tf1_ae.compat import tf
from tf1_ae.config import FRACTION, choice, ranged
from graphs import conv_wta
from tf1_ae.layers import conv2d, conv2d_transpose, layer_variable
from tf1_ae.model import Autoencoder, Metric, TrainPlan

IDEA = "Convolutions and pooling encode each digit into 3×3×64 codings; transposed convolutions decode them."
LOSS = "loss = mean_batch,pixels xent(X, sigmoid(decoder(encoder(X))))"
WTA_MODES = ("none", "spatial")
WTA_HELP = "spatial turns it into the convolutional winner-take-all autoencoder (default: none)"


@dataclass(frozen=True)
class Config:
    filters: tuple = (16, 32, 64)  # 2nd ed. conv AE (Conv2D 16/32/64, 3×3, SAME)
    kernel_size: int = 3
    learning_rate: float = 0.001  # ours: Adam (2nd ed.: SGD 1.0)
    n_epochs: int = 5  # 2nd ed.: 5 epochs
    batch_size: int = 150  # the chapter's batch size
    wta: str = choice("none", WTA_MODES, flag=WTA_HELP)  # "spatial": convolutional winner-take-all (WTAConfig)
    wta_filters: tuple = (16, 16)  # ours (iwyoo/tf_ConvWTA: 128, 128, 16), sized for a CPU
    wta_kernel_size: int = 5  # tf_ConvWTA
    wta_decoder_kernel: int = 11  # tf_ConvWTA: one linear 11×11 transposed convolution
    wta_sparsity: float = ranged(0.2, FRACTION)  # tf_ConvWTA loss()'s default (its train.py's 0.05 leaves most images no map)


@dataclass(frozen=True)
class WTAConfig(Config):
    """`--wta spatial`: the convolutional winner-take-all autoencoder, in checkpoints/conv/wta_spatial/."""
    wta: str = "spatial"
    n_epochs: int = 2  # ours: 2 × 550 steps of batch 100 (tf_ConvWTA: 100 epochs on a GPU)
    batch_size: int = 100  # tf_ConvWTA


def pool(inputs):
    return tf.nn.max_pool(inputs, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")


def build(config=Config()):
    return conv_wta.build(config) if config.wta == "spatial" else build_stacked(config)


def build_stacked(config):
    X = tf.placeholder(tf.float32, shape=[None, 28 * 28], name="X")
    images = tf.reshape(X, [-1, 28, 28, 1])
    f1, f2, f3 = config.filters
    k = config.kernel_size

    conv1 = conv2d(images, f1, k, "conv1", activation=tf.nn.elu)
    pool1 = pool(conv1)  # 14×14
    conv2 = conv2d(pool1, f2, k, "conv2", activation=tf.nn.elu)
    pool2 = pool(conv2)  # 7×7
    conv3 = conv2d(pool2, f3, k, "conv3", activation=tf.nn.elu)
    codings = pool(conv3)  # 3×3×64

    deconv1 = conv2d_transpose(codings, f2, k, "deconv1", padding="VALID", activation=tf.nn.elu)  # 7×7
    deconv2 = conv2d_transpose(deconv1, f1, k, "deconv2", activation=tf.nn.elu)  # 14×14
    logits_images = conv2d_transpose(deconv2, 1, k, "deconv3")  # 28×28
    logits = tf.reshape(logits_images, [-1, 28 * 28], name="logits")
    outputs = tf.nn.sigmoid(logits, name="outputs")

    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    reconstruction_loss = tf.reduce_mean(xentropy, name="reconstruction_loss")
    mse = tf.reduce_mean(tf.square(outputs - X), name="mse")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")

    metrics = [Metric("train_xent", "Train cross-entropy", reconstruction_loss), Metric("train_mse", "Train MSE", mse)]
    layers = {"conv1": conv1, "pool1": pool1, "conv2": conv2, "pool2": pool2, "conv3": conv3,
              "codings": codings, "deconv1": deconv1, "deconv2": deconv2, "outputs": logits_images}
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, reconstruction_loss, metrics),
                       test_metric=Metric("test_mse", "Test MSE", mse),
                       tensors={"layers": layers, "first_kernel": layer_variable("conv1/kernel")})


def report(run, sess, ae, metrics):
    """The first layer's filters as images (and, for WTA, the decoder's dictionary)."""
    import matplotlib.pyplot as plt  # here: the command line reads this listing's flags without loading it

    from tf1_ae.plots import plot_multiple_images

    kernel = sess.run(ae.tensors["first_kernel"])  # (k, k, 1, filters)
    filters = np.transpose(kernel[:, :, 0, :], [2, 0, 1])
    plt.figure(figsize=(8, 2.5))
    plot_multiple_images(filters, 2, int(np.ceil(len(filters) / 2)), pad=1)
    plt.title("first convolutional layer's filters")
    run.figure("conv_filters")
    if run.config.wta == "spatial":
        atoms = np.transpose(sess.run(ae.tensors["dictionary"])[:, :, 0, :], [2, 0, 1])  # (16, 11, 11)
        plt.figure(figsize=(8, 2.5))
        plot_multiple_images(atoms, 2, int(np.ceil(len(atoms) / 2)), pad=1)
        plt.title("decoder dictionary: each feature map's 11×11 kernel")
        run.figure("wta_dictionary")
    return {}
