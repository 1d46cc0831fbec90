"""A contractive autoencoder (Rifai et al. 2011), one of the book's §"Other Autoencoders".

"The autoencoder is constrained during training so that the derivatives of the codings with regards to
the inputs are small. In other words, two similar inputs must have similar codings." The penalty is the
encoder Jacobian's squared Frobenius norm, in closed form for a sigmoid encoder. A plain autoencoder of
the same shape (λ = 0) is trained beside it to show the difference.
"""
from dataclasses import dataclass, replace
from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from tf1_ae.compat import tf
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.pipeline import train_listing

IDEA = "A sigmoid autoencoder penalized by its encoder Jacobian's norm, so similar inputs get similar codings."
LOSS = ("loss = mean_batch Σ_pixels xent(X, sigmoid(h·Wᵀ + b')) + λ · mean_batch Σ_j (h_j(1-h_j))² ‖W_:,j‖²,  "
        "h = sigmoid(X·W + b)")
RADII = np.logspace(-2, 1, 13)  # input-space distances for the contraction curve


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden: int = 500  # DeepLearningTutorials cA.py: 784-500-784, tied, sigmoid both ways
    contraction_level: float = 0.1  # λ, cA.py
    learning_rate: float = 0.001  # ours: Adam (cA.py: SGD 0.01 with batch 10 for 20 epochs)
    n_epochs: int = 10  # ours, with the stacked listings' batch 150 and book-style step budget
    batch_size: int = 150


def contractive_penalty(codings, weights, name="jacobian_penalty"):
    """‖J_f(x)‖²_F for a sigmoid encoder h = s(xW + b), averaged over the batch, in closed form:
    ∂h_j/∂x_i = h_j(1 - h_j)·W_ij, so ‖J‖²_F = Σ_j (h_j(1 - h_j))² · Σ_i W_ij²."""
    slope = tf.square(codings * (1 - codings))  # (batch, units)
    column_norms = tf.reduce_sum(tf.square(weights), axis=0)  # (units,)
    return tf.reduce_mean(tf.reduce_sum(slope * column_norms, axis=1), name=name)


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    limit = 4 * np.sqrt(6 / (config.n_inputs + config.n_hidden))  # cA.py's init for sigmoid units
    weights1 = tf.get_variable("weights1", [config.n_inputs, config.n_hidden],
                               initializer=tf.random_uniform_initializer(-limit, limit))
    biases1 = tf.get_variable("biases1", [config.n_hidden], initializer=tf.zeros_initializer())
    biases2 = tf.get_variable("biases2", [config.n_inputs], initializer=tf.zeros_initializer())
    codings = tf.nn.sigmoid(tf.matmul(X, weights1) + biases1, name="codings")
    logits = tf.add(tf.matmul(codings, weights1, transpose_b=True), biases2, name="logits")  # tied
    outputs = tf.nn.sigmoid(logits, name="outputs")

    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    reconstruction_loss = tf.reduce_mean(tf.reduce_sum(xentropy, axis=1), name="reconstruction_loss")
    jacobian_penalty = contractive_penalty(codings, weights1)
    loss = tf.add(reconstruction_loss, config.contraction_level * jacobian_penalty, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    metrics = [Metric("reconstruction_loss", "Train reconstruction loss", reconstruction_loss),
               Metric("jacobian_penalty", "Jacobian norm²", jacobian_penalty),
               Metric("loss", "loss", loss, in_book_line=False)]
    test_mse = Metric("test_mse", "Test MSE", tf.reduce_mean(tf.square(outputs - X)))
    return Autoencoder(X=X, codings=codings, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, metrics), test_metric=test_mse)


def contraction_curve(sess, ae, images, radii=RADII, seed=0):
    """Mean ‖h(x + δ) - h(x)‖ / ‖δ‖ over images, for random directions δ of each length."""
    rng = np.random.RandomState(seed)
    base = sess.run(ae.codings, {ae.X: images})
    ratios = []
    for r in radii:
        direction = rng.randn(*images.shape)
        delta = r * direction / np.linalg.norm(direction, axis=1, keepdims=True)
        moved = sess.run(ae.codings, {ae.X: images + delta})
        ratios.append(float(np.mean(np.linalg.norm(moved - base, axis=1) / r)))
    return ratios


def curve_report(part, sess, ae, metrics, curves, key):
    """A trained run's contraction curve, kept in `curves[key]` for the figure of both."""
    curves[key] = contraction_curve(sess, ae, part.data.test.images[:200])
    return {"contraction_ratio_small": curves[key][0]}


def train_with_and_without_penalty(run):
    """The contractive autoencoder, then the same without the penalty, and both contraction curves."""
    curves, results = {}, {}
    plain = run.sub_run("plain", replace(run.config, contraction_level=0.0))
    for key, part in (("contractive", run), ("plain", plain)):
        run.log(f"— {key} autoencoder, λ = {part.config.contraction_level}")

        report = partial(curve_report, curves=curves, key=key)
        results[key] = train_listing(part, build, report, figure_name=f"{key}_reconstruction_plot")
    plt.figure(figsize=(7, 4.5))
    for key, label in (("contractive", f"contractive (λ = {run.config.contraction_level})"), ("plain", "plain (λ = 0)")):
        plt.plot(RADII, curves[key], "o-", label=label)
    plt.xscale("log")
    plt.xlabel("distance moved in input space ‖δ‖")
    plt.ylabel("‖h(x + δ) − h(x)‖ / ‖δ‖")
    plt.title("How far the codings move, per unit of input distance (200 test digits)")
    plt.legend()
    plt.grid(True, alpha=0.3)
    run.figure("contraction_curve")
    metrics = dict(results["contractive"])
    metrics.update({"plain_" + k: v for k, v in results["plain"].items()
                    if k in ("reconstruction_loss", "jacobian_penalty", "test_mse", "contraction_ratio_small")})
    run.log(f"codings move {curves['contractive'][0]:.4g} per unit of small input change with the penalty, "
            f"{curves['plain'][0]:.4g} without")
    return run.finish(metrics, steps=results["contractive"]["steps"])  # each model's
