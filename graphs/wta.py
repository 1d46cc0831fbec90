"""A fully connected winner-take-all autoencoder (Makhzani & Frey 2015), one of the book's §"Other
Autoencoders".

"During training, after computing the activations of all the neurons in the coding layer, only the top
k% activations for each neuron over the training batch are preserved, and the rest are set to zero."
Each unit thus fires for only k% of the images (lifetime sparsity); at test time nothing is masked.
Decoder tied to the encoder (as in the paper's appendix), linear, with its own bias.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt

from tf1_ae.compat import tf
from tf1_ae.config import FRACTION, ranged
from tf1_ae.layers import lifetime_wta_mask
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.plots import plot_multiple_images

IDEA = "A 784-2000 ReLU autoencoder in which each coding unit keeps only its top 5% activations per batch."
LOSS = ("loss = Σ_batch,pixels (X - (M ⊙ h)·Wᵀ - b')²,  h = relu(X·W + b),  "
        "M_bj = 1 iff h_bj is among unit j's top ⌈k%·batch⌉ over the batch (training only)")


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden: int = 2000  # Makhzani & Frey's shallow FC-WTA (guoguo12/tensorflow-fcwta's default)
    sparsity: float = ranged(0.05, FRACTION)  # k = 5% lifetime sparsity (same)
    learning_rate: float = 0.001  # Adam, tensorflow-fcwta's train_mnist.py
    n_epochs: int = 10  # ours (tensorflow-fcwta: 30,000 steps); 10 × 550 = 5,500 steps of batch 100
    batch_size: int = 100  # tensorflow-fcwta
    n_dictionary: int = 100  # decoder atoms drawn


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    training = tf.placeholder_with_default(False, shape=(), name="training")

    weights1 = tf.get_variable("weights1", [config.n_inputs, config.n_hidden],
                               initializer=tf.random_normal_initializer(stddev=0.01))
    biases1 = tf.get_variable("biases1", [config.n_hidden], initializer=tf.constant_initializer(0.01))
    biases2 = tf.get_variable("biases2", [config.n_inputs], initializer=tf.zeros_initializer())

    hidden = tf.nn.relu(tf.matmul(X, weights1) + biases1, name="hidden")
    mask = lifetime_wta_mask(hidden, config.sparsity)
    codings = tf.cond(training, lambda: hidden * mask, lambda: hidden, name="codings")  # gradient: winners only
    outputs = tf.add(tf.matmul(codings, weights1, transpose_b=True), biases2, name="outputs")  # tied, linear

    squared_error = tf.reduce_sum(tf.square(outputs - X), name="squared_error")
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(squared_error, name="training_op")

    active = tf.reduce_mean(tf.cast(codings > 0, tf.float32))
    metrics = [Metric("train_mse", "Train MSE", reconstruction_loss),
               Metric("active_fraction", "active codings without the mask", active, in_book_line=False)]
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, squared_error, metrics, train_feed={training: True}),
                       tensors={"mask": mask, "hidden": hidden, "training": training, "weights1": weights1})


def report(run, sess, ae, metrics):
    """The learned dictionary: each coding unit's decoder weights (tied: a column of weights1) as an image."""
    config = run.config
    weights = sess.run(ae.tensors["weights1"])
    n = config.n_dictionary
    plt.figure(figsize=(8, 8))
    plot_multiple_images(weights.T[:n].reshape(-1, 28, 28), 10, n // 10)
    plt.title(f"decoder atoms of the first {n} coding units")
    run.figure("wta_dictionary")
    masked = sess.run(ae.codings, {ae.X: run.data.test.images[:config.batch_size], ae.tensors["training"]: True})
    fraction = float((masked > 0).mean())
    run.log(f"with the training mask, {fraction:.2%} of a test batch's codings are non-zero "
            f"(at most {config.sparsity:.0%})")
    return {"masked_active_fraction": fraction}
