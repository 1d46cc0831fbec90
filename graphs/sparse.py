"""Book §"Sparse Autoencoders": an overcomplete 784-1000-784 autoencoder kept sparse.

A sparsity loss pushes every coding unit's mean activation over the batch toward a small target (10%),
so each unit fires for few images and must stand for a meaningful feature. The book's penalty is the KL
divergence; `--penalty mse` uses the squared error instead, and `--reconstruction xent` applies the
book's tip (sigmoid output with cross-entropy, which trains faster on [0, 1] pixels).
"""
from dataclasses import dataclass

import numpy as np

from tf1_ae.compat import tf
from tf1_ae.config import OPEN_UNIT, choice, ranged
from tf1_ae.layers import dense, glorot_uniform
from tf1_ae.model import Autoencoder, Metric, TrainPlan

IDEA = "An overcomplete 784-1000-784 autoencoder whose coding units are pushed to fire 10% of the time."
LOSS = "loss = mean((outputs - X)²) + sparsity_weight · Σ_units KL(target ‖ clip(mean_batch(hidden1)))"
PENALTIES = ("kl", "mse")
RECONSTRUCTIONS = ("mse", "xent")
CLIP = 1e-7  # keeps the batch-mean activation inside (0, 1), where the KL is finite


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden1: int = 1000  # book: sparse coding units
    sparsity_target: float = ranged(0.1, OPEN_UNIT)  # book
    sparsity_weight: float = 0.2  # book
    learning_rate: float = 0.01  # book
    n_epochs: int = 100  # book
    batch_size: int = 1000  # book
    penalty: str = choice("kl", PENALTIES, flag="the sparsity penalty (default: kl, the book's)")  # book; "mse":
    # (target - mean activation)²
    reconstruction: str = choice("mse", RECONSTRUCTIONS, flag="mse (the book's) or xent (the book's tip: sigmoid "
                                 "outputs, cross-entropy)")  # book; "xent": sigmoid outputs + cross-entropy
    # TF 1.x seeded each random op by the ops its graph held then: X is op 1, each glorot-uniform kernel makes
    # 3 constants before it draws, and the book's hidden tf.layers.dense made 17 ops: op seeds 4 and 21
    op_seeds: tuple = (4, 21)


def kl_divergence(p, q):
    """Bernoulli KL(p‖q), elementwise: the book's sparsity cost."""
    return p * tf.log(p / q) + (1 - p) * tf.log((1 - p) / (1 - q))


def sparsity_loss(activations, target, penalty="kl"):
    """Σ over units of the penalty between the target and each unit's mean activation over the batch."""
    hidden1_mean = tf.clip_by_value(tf.reduce_mean(activations, axis=0), CLIP, 1 - CLIP)  # batch mean
    if penalty == "kl":
        return tf.reduce_sum(kl_divergence(target, hidden1_mean), name="sparsity_loss")
    return tf.reduce_sum(tf.square(target - hidden1_mean), name="sparsity_loss")


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    seed1, seed2 = config.op_seeds  # the glorot-uniform kernels', as the book's graph seeded them
    hidden1 = dense(X, config.n_hidden1, activation=tf.nn.sigmoid, kernel_initializer=glorot_uniform(seed1),
                    name="hidden1")  # values in (0, 1)
    logits = dense(hidden1, config.n_inputs, kernel_initializer=glorot_uniform(seed2), name="outputs")

    if config.reconstruction == "mse":
        outputs = logits
        reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")  # MSE
    else:
        outputs = tf.nn.sigmoid(logits, name="sigmoid_outputs")
        xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
        reconstruction_loss = tf.reduce_mean(xentropy, name="reconstruction_loss")

    sparsity = sparsity_loss(hidden1, config.sparsity_target, config.penalty)
    loss = tf.add(reconstruction_loss, config.sparsity_weight * sparsity, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    label = "Train MSE" if config.reconstruction == "mse" else "Train cross-entropy"
    metrics = [Metric("train_mse" if config.reconstruction == "mse" else "train_xent", label, reconstruction_loss),
               Metric("sparsity_loss", "Sparsity loss", sparsity),
               Metric("total_loss", "Total loss", loss),
               Metric("batch_mean_coding_activation", "mean coding activation", tf.reduce_mean(hidden1),
                      in_book_line=False)]
    test_mse = Metric("test_mse", "Test MSE", tf.reduce_mean(tf.square(outputs - X)))
    return Autoencoder(X=X, codings=hidden1, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, metrics, separator=" \t"), test_metric=test_mse)


def report(run, sess, ae, metrics):
    """Where sparsity landed: a histogram of each coding unit's mean activation over the test set."""
    import matplotlib.pyplot as plt  # here: the command line reads this listing's flags without loading it

    activations = sess.run(ae.codings, {ae.X: run.data.test.images})
    per_unit = activations.mean(axis=0)
    target = run.config.sparsity_target
    plt.figure(figsize=(7, 4))
    plt.hist(per_unit, bins=50)
    plt.axvline(target, color="k", linestyle=":", label=f"target {target}")
    plt.xlabel("mean activation of a coding unit over the test set")
    plt.ylabel("units")
    plt.legend()
    run.figure("sparse_activation_histogram")
    run.log(f"mean coding activation over the test set: {per_unit.mean():.4f} "
            f"(units' means: median {np.median(per_unit):.4f}, 90th percentile {np.percentile(per_unit, 90):.4f})")
    return {"mean_coding_activation": float(activations.mean())}
