"""Book §"Visualizing Features", four ways.

What has a trained autoencoder learned? Four ways to look, on the layer-wise stack's checkpoint:
  1. for a coding unit, the training images that excite it most (best for the deepest, most abstract units);
  2. each hidden1 unit's incoming weights drawn as a 28×28 image (the book's `extracted_features_plot`);
  3. gradient ascent on the input: start from noise and move the image along ∂unit/∂X, pixels kept in [0,1];
  4. use the features for a supervised task and see whether it helps: `make pretraining`.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs import layerwise_singlegraph
from tf1_ae.checkpoints import restore
from tf1_ae.compat import reset_graph, tf
from tf1_ae.config import COUNTS_FROM_ZERO, UNIT_INTERVAL, positive, ranged
from tf1_ae.plots import plot_image
from tf1_ae.visualize import GradientAscent, top_activating

IDEA = "What a trained autoencoder learned: its units' favourite images, its weights as images, and the inputs its units want."
LOSS = "method 3:  x_{t+1} = clip(x_t + η · ∂ hidden2_j(x_t) / ∂x, 0, 1)"


@dataclass(frozen=True)
class Config:
    source: str = "layerwise_singlegraph"  # the book restores ./my_model_one_at_a_time.ckpt
    n_weight_images: int = 5  # book: weights1_val.T[i] for i in range(5)
    n_units: int = 6  # coding units shown by methods 1 and 3 (those whose activation varies most)
    n_top: int = 8  # method 1: images per unit
    ascent_step: float = positive(0.5)  # method 3: η (0.01 barely moves the image in 200 steps)
    ascent_start_noise: float = ranged(0.2, UNIT_INTERVAL)  # method 3 starts from faint uniform noise in [0, 0.2]
    ascent_iterations: int = 200
    ascent_record: tuple = ranged((0, 10, 50, 100, 200), COUNTS_FROM_ZERO, any_length=True)


def caption(text):
    plt.suptitle(text, fontsize=9)


def plot_top_images(images, top, units):
    n_units, n_top = top.shape
    plt.figure(figsize=(n_top * 1.1, n_units * 1.2 + 0.8))
    for row, (unit, picked) in enumerate(zip(units, top)):
        for col, index in enumerate(picked):
            plt.subplot(n_units, n_top, row * n_top + col + 1)
            plot_image(images[index])
            if col == 0:
                plt.title(f"unit {unit}", fontsize=8, loc="left")
    caption("Method 1 of 4: the training images that excite each coding unit (hidden2) most")


def plot_weight_images(weights1, n):
    plt.figure(figsize=(2 * n, 2.6))
    for i in range(n):
        plt.subplot(1, n, i + 1)
        plot_image(weights1.T[i])
    caption("Method 2 of 4: hidden1 units' incoming weights as images (the book's extracted_features_plot)")


def plot_ascent(results):
    iterations = sorted(next(iter(results.values())))
    plt.figure(figsize=(1.6 * len(iterations), 1.7 * len(results) + 0.8))
    for row, (unit, recorded) in enumerate(results.items()):
        for col, iteration in enumerate(iterations):
            image, activation = recorded[iteration]
            plt.subplot(len(results), len(iterations), row * len(iterations) + col + 1)
            plot_image(image)
            plt.title(f"unit {unit}, it {iteration}\nact {activation:.2f}", fontsize=7)
    caption("Method 3 of 4: gradient ascent on the input from faint noise, pixels kept in [0, 1]\n"
            "(method 4, unsupervised pretraining, is `make pretraining`)")


def draw(run):
    config = run.config
    source_dir = run.checkpoint_of(config.source)
    mnist = run.load_data()

    reset_graph(run.options.seed)
    ae = layerwise_singlegraph.build()
    X, codings, weights1 = ae.X, ae.codings, ae.tensors["weights1"]
    ascent = GradientAscent(X, codings)
    saver = tf.train.Saver([v for v in tf.global_variables()])
    with run.session() as sess:
        run.log(f"restored {restore(sess, saver, source_dir, config.source)}")
        weights1_val = weights1.eval()
        activations = codings.eval(feed_dict={X: mnist.train.images})
        units = np.argsort(-activations.std(axis=0))[:config.n_units]
        top = top_activating(activations[:, units], config.n_top)
        start = config.ascent_start_noise * np.random.RandomState(run.options.seed).rand(X.shape[1])
        results = {int(u): ascent.run(sess, int(u), start, config.ascent_step, config.ascent_iterations,
                                      config.ascent_record) for u in units}
    plot_top_images(mnist.train.images, top, units)
    run.figure("top_activating_images")
    plot_weight_images(weights1_val, config.n_weight_images)
    run.figure("extracted_features_plot")
    plot_ascent(results)
    run.figure("gradient_ascent_plot")
    for unit, recorded in results.items():
        values = [f"{recorded[i][1]:.3g}" for i in sorted(recorded)]
        run.log(f"unit {unit}: activation along the ascent {' → '.join(values)}")
    return run.finish({"source": config.source, "units": [int(u) for u in units],
                       "ascent_start_activation": [results[int(u)][0][1] for u in units],
                       "ascent_final_activation": [results[int(u)][config.ascent_iterations][1] for u in units]})
