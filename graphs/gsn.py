"""A generative stochastic network in its simplest form (Bengio et al. 2013, 2014), one of the book's
§"Other Autoencoders": "a generalization of denoising autoencoders, with the added
capability to generate data".

A denoising autoencoder on binarized digits, corrupted by salt-and-pepper noise, trained with walk-back:
from each training digit the model takes a few steps of its own Markov chain (corrupt, reconstruct, sample)
and every visited state must reconstruct the original digit, which removes spurious modes far from the
data. Alternating corruption and reconstruction then is a Markov chain whose samples look like digits.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from tf1_ae.compat import tf
from tf1_ae.config import PROBABILITY, ranged
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.plots import plot_multiple_images

IDEA = "A walk-back denoising autoencoder that generates digits by alternating corruption and reconstruction."
LOSS = ("loss = Σ_{t=1..walkback} mean xent(x, p_t),  p_t = sigmoid(dec(enc(x̃_t))),  "
        "x̃_1 = C(x),  x̃_{t+1} = C(Bernoulli(p_t)),  C = salt-and-pepper noise")


@dataclass(frozen=True)
class Config:
    n_hidden: int = 1000  # ours (yaoli/GSN's walk-back DAE: 2000), sigmoid, tied weights
    walkback: int = 5  # yaoli/GSN run_dae_walkback.py
    salt_and_pepper: float = ranged(0.4, PROBABILITY)  # yaoli/GSN: each pixel replaced by a coin flip with probability 0.4
    learning_rate: float = 0.001  # ours: Adam (yaoli/GSN: SGD 10)
    n_epochs: int = 5  # ours: 5 × 550 steps of batch 100
    batch_size: int = 100  # yaoli/GSN
    chain_length: int = 100  # samples drawn in the figure (10 × 10)


def salt_and_pepper(x, p):
    keep = tf.random_uniform(tf.shape(x)) >= p
    coins = tf.cast(tf.random_uniform(tf.shape(x)) < 0.5, tf.float32)
    return tf.where(keep, x, coins)


def reconstruct_logits(corrupted, weights1, biases1, biases2):
    """One denoising step: the sigmoid hidden layer and the tied decoder's logits."""
    hidden = tf.nn.sigmoid(tf.matmul(corrupted, weights1) + biases1)
    return tf.matmul(hidden, weights1, transpose_b=True) + biases2  # tied decoder


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, 28 * 28], name="X")
    x = tf.cast(X > 0.5, tf.float32, name="binarized")  # yaoli/GSN binarizes MNIST at 0.5

    limit = np.sqrt(6 / (28 * 28 + config.n_hidden))
    weights1 = tf.get_variable("weights1", [28 * 28, config.n_hidden],
                               initializer=tf.random_uniform_initializer(-limit, limit))
    biases1 = tf.get_variable("biases1", [config.n_hidden], initializer=tf.zeros_initializer())
    biases2 = tf.get_variable("biases2", [28 * 28], initializer=tf.zeros_initializer())

    variables = (weights1, biases1, biases2)
    corrupted = salt_and_pepper(x, config.salt_and_pepper)
    losses = []
    for step in range(config.walkback):
        logits = reconstruct_logits(corrupted, *variables)
        losses.append(tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)))
        sample = tf.stop_gradient(tf.cast(tf.random_uniform(tf.shape(logits)) < tf.nn.sigmoid(logits),
                                          tf.float32))
        corrupted = salt_and_pepper(sample, config.salt_and_pepper)
    walkback_loss = tf.add_n(losses, name="walkback_loss")
    first_step_loss = tf.identity(losses[0], name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(walkback_loss, name="training_op")

    outputs = tf.nn.sigmoid(reconstruct_logits(x, *variables), name="outputs")  # noiseless reconstruction
    chain_state = tf.placeholder(tf.float32, shape=[None, 28 * 28], name="chain_state")  # x̃, corrupted
    chain_step = tf.nn.sigmoid(reconstruct_logits(chain_state, *variables), name="chain_step")

    metrics = [Metric("walkback_loss", "Train walk-back loss", walkback_loss),
               Metric("reconstruction_loss", "first-step loss", first_step_loss, in_book_line=False)]
    return Autoencoder(X=X, codings=None, outputs=outputs, reconstruction_loss=first_step_loss,
                       plan=TrainPlan(training_op, X, walkback_loss, metrics),
                       test_metric=Metric("test_mse", "Test MSE (binarized digits)",
                                          tf.reduce_mean(tf.square(outputs - x))),
                       tensors={"chain_state": chain_state, "chain_step": chain_step})


def sample_chain(sess, ae, start, n_steps, noise, seed=42):
    """x̃ = C(x); p = reconstruction(x̃); x ~ Bernoulli(p); repeat. Returns the n_steps p's (the noise
    comes from numpy's RandomState(seed), so the same seed gives the same chain)."""
    rng = np.random.RandomState(seed)
    x = (np.asarray(start).reshape(1, -1) > 0.5).astype(np.float32)
    chain = []
    for _ in range(n_steps):
        coins = (rng.rand(*x.shape) < 0.5).astype(np.float32)
        corrupted = np.where(rng.rand(*x.shape) >= noise, x, coins)
        p = sess.run(ae.tensors["chain_step"], {ae.tensors["chain_state"]: corrupted})
        chain.append(p[0])
        x = (rng.rand(*p.shape) < p).astype(np.float32)
    return np.array(chain)


def report(run, sess, ae, metrics):
    """A Markov chain started at the first test digit: 100 consecutive samples, row by row."""
    n = run.config.chain_length
    chain = sample_chain(sess, ae, run.data.test.images[0], n, run.config.salt_and_pepper)
    plt.figure(figsize=(8, 8))
    plot_multiple_images(chain.reshape(-1, 28, 28), 10, n // 10)
    plt.title(f"GSN chain from the first test digit: {n} consecutive samples")
    run.figure("gsn_chain_plot")
    moved = float(np.mean(np.abs(chain[-1] - chain[0])))
    run.log(f"the chain's last sample differs from its first by {moved:.3f} per pixel on average")
    return {"chain_mean_abs_change": moved}
