"""An adversarial autoencoder (Makhzani et al. 2015), one of the book's §"Other Autoencoders".

The book's one line: "One network is trained to reproduce its inputs, and at the same time another is
trained to find inputs that the first network is unable to properly reconstruct." The paper does
something else, and that is what is built here: a discriminator learns to tell the encoder's codings from
samples of a prior p(z) (a Gaussian), and the encoder learns to fool it, so the codings of all digits
together come to fill the prior's shape. Like a VAE's latent loss, this lets one generate digits by
decoding prior samples; unlike it, any prior that can be sampled will do. Each mini-batch runs three
training ops in turn (LOSS), each with its own Adam and var_list.
"""
from dataclasses import dataclass
from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from tf1_ae.compat import tf
from tf1_ae.config import positive
from tf1_ae.layers import dense
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.plots import plot_multiple_images

IDEA = "An autoencoder whose 2-D codings a discriminator pushes toward a Gaussian prior, so prior samples decode to digits."
LOSS = """1. autoencoder:   min_{enc,dec}  mean xent(X, dec(enc(X)))
2. discriminator: min_D  xent(D(z_prior), 1) + xent(D(enc(X)), 0),  z_prior ~ N(0, σ²I)
3. generator:     min_enc  xent(D(enc(X)), 1)"""


@dataclass(frozen=True)
class Config:
    n_hidden: int = 512  # ours (paper: 1000) per hidden layer, two per network
    n_codings: int = 2  # 2-D codings, so they can be plotted against the prior
    prior_stddev: float = positive(1.0)  # N(0, σ²I); Naresh1318's TF1 version uses σ = 5
    learning_rate: float = 0.001  # Adam, as Naresh1318/Adversarial_Autoencoder
    n_epochs: int = 5  # ours: 5 × 550 iterations of batch 100
    batch_size: int = 100  # Naresh1318/Adversarial_Autoencoder


def xent(logits, label):
    targets = tf.ones_like(logits) if label == 1 else tf.zeros_like(logits)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))


def autoencoder(X, config):
    """The encoder's 2-D codings of X and the decoder's logits and outputs."""
    hidden_layer = partial(dense, units=config.n_hidden, activation=tf.nn.relu)
    with tf.variable_scope("encoder"):
        codings = dense(hidden_layer(hidden_layer(X, name="hidden1"), name="hidden2"), config.n_codings,
                        name="codings")
    with tf.variable_scope("decoder"):
        logits = dense(hidden_layer(hidden_layer(codings, name="hidden1"), name="hidden2"), 28 * 28,
                       name="logits")
        outputs = tf.nn.sigmoid(logits, name="outputs")
    return codings, logits, outputs


def discriminator(z, config):
    """The logit of "z came from the prior"; one set of variables, whatever z is."""
    hidden_layer = partial(dense, units=config.n_hidden, activation=tf.nn.relu)
    with tf.variable_scope("discriminator", reuse=tf.AUTO_REUSE):
        return dense(hidden_layer(hidden_layer(z, name="hidden1"), name="hidden2"), 1, name="logit")


def variables(scope):
    return tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope)


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, 28 * 28], name="X")
    codings, logits, outputs = autoencoder(X, config)

    prior = tf.random_normal(tf.shape(codings), stddev=config.prior_stddev, name="prior_samples")
    d_prior, d_codings = discriminator(prior, config), discriminator(codings, config)

    reconstruction_loss = tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits), name="reconstruction_loss")
    discriminator_loss = tf.add(xent(d_prior, 1), xent(d_codings, 0), name="discriminator_loss")
    generator_loss = tf.identity(xent(d_codings, 1), name="generator_loss")

    # three ops each mini-batch runs in turn, each with its own Adam and the variables it may change
    autoencoder_optimizer = tf.train.AdamOptimizer(config.learning_rate, name="autoencoder_adam")
    autoencoder_training_op = autoencoder_optimizer.minimize(
        reconstruction_loss, var_list=variables("encoder") + variables("decoder"), name="autoencoder_op")
    discriminator_optimizer = tf.train.AdamOptimizer(config.learning_rate, name="discriminator_adam")
    discriminator_training_op = discriminator_optimizer.minimize(
        discriminator_loss, var_list=variables("discriminator"), name="discriminator_op")
    generator_optimizer = tf.train.AdamOptimizer(config.learning_rate, name="generator_adam")
    generator_training_op = generator_optimizer.minimize(
        generator_loss, var_list=variables("encoder"), name="generator_op")
    training_ops = [autoencoder_training_op, discriminator_training_op, generator_training_op]

    mse = tf.reduce_mean(tf.square(outputs - X))
    metrics = [Metric("reconstruction_loss", "Train reconstruction loss", reconstruction_loss),
               Metric("discriminator_loss", "Discriminator loss", discriminator_loss),
               Metric("generator_loss", "Generator loss", generator_loss),
               Metric("train_mse", "MSE", mse, in_book_line=False)]
    plan = TrainPlan(training_ops, X, reconstruction_loss + discriminator_loss + generator_loss, metrics, separator=" \t")
    scopes = {"autoencoder": variables("encoder") + variables("decoder"),
              "discriminator": variables("discriminator"), "generator": variables("encoder")}
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss, plan=plan,
                       test_metric=Metric("test_mse", "Test MSE", mse), tensors={"scopes": scopes})


def report(run, sess, ae, metrics):
    """Where the test digits' codings land against the prior, and digits decoded from a grid of it."""
    data = run.data
    codings = sess.run(ae.codings, {ae.X: data.test.images})
    sigma = run.config.prior_stddev
    prior = np.random.RandomState(0).randn(len(codings), 2) * sigma
    plt.figure(figsize=(7, 6))
    plt.scatter(prior[:, 0], prior[:, 1], s=4, c="lightgray", label="prior samples")
    scatter = plt.scatter(codings[:, 0], codings[:, 1], s=6, c=data.test.labels, cmap="tab10")
    plt.colorbar(scatter, label="digit")
    plt.legend(loc="upper right")
    plt.xlabel("$z_1$")
    plt.ylabel("$z_2$")
    plt.title(f"test digits' codings over the prior N(0, {sigma:g}²·I)" if sigma != 1 else
              "test digits' codings over the prior N(0, I)")
    run.figure("adversarial_codings_plot")

    axis = np.linspace(-2 * sigma, 2 * sigma, 10)
    grid = np.array([[x, y] for y in axis[::-1] for x in axis], dtype=np.float32)
    generated = sess.run(ae.outputs, {ae.codings: grid})
    plt.figure(figsize=(7, 7))
    plot_multiple_images(generated.reshape(-1, 28, 28), 10, 10)
    plt.title("decoded prior: a 10×10 grid over [-2σ, 2σ]²")
    run.figure("adversarial_generated_digits")
    inside = float(np.mean(np.linalg.norm(codings, axis=1) < 2 * sigma))
    run.log(f"{inside:.1%} of the test codings lie within 2σ of the origin (a 2-D Gaussian puts 86.5% there)")
    return {"codings_within_2_sigma": inside}
