"""Book §"Visualizing Features" (seed note 07), with all four of the seed note's methods (its section 8).

What has a trained autoencoder learned? Four ways to look, on the layer-wise stack's checkpoint:
  1. for a coding unit, the training images that excite it most (best for the deepest, most abstract units);
  2. each hidden1 unit's incoming weights drawn as a 28×28 image (the book's `extracted_features_plot`);
  3. gradient ascent on the input: start from noise and move the image along ∂unit/∂X, pixels kept in [0,1];
  4. use the features for a supervised task and see whether it helps: `make pretraining`.

    method 3:  x_{t+1} = clip(x_t + η · ∂ hidden2_j(x_t) / ∂x, 0, 1)
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs import SECTIONS, layerwise_singlegraph
from tf1_ae import data as datasets
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.plots import plot_image, save_fig
from tf1_ae.runs import RunPaths, write_metrics
from tf1_ae.train import restore
from tf1_ae.visualize import GradientAscent, top_activating


@dataclass(frozen=True)
class Config:
    source: str = "layerwise_singlegraph"  # book §07 restores ./my_model_one_at_a_time.ckpt
    n_weight_images: int = 5  # book §07: weights1_val.T[i] for i in range(5)
    n_units: int = 6  # coding units shown by methods 1 and 3 (those whose activation varies most)
    n_top: int = 8  # method 1: images per unit
    ascent_step: float = 0.5  # method 3: η (0.01 barely moves the image in 200 steps)
    ascent_start_noise: float = 0.2  # method 3 starts from faint uniform noise in [0, 0.2]
    ascent_iterations: int = 200
    ascent_record: tuple = (0, 10, 50, 100, 200)


def caption(text):
    plt.suptitle(text, fontsize=9)


def plot_top_images(images, top, units, figure_dir):
    n_units, n_top = top.shape
    plt.figure(figsize=(n_top * 1.1, n_units * 1.2 + 0.8))
    for row, (unit, picked) in enumerate(zip(units, top)):
        for col, index in enumerate(picked):
            plt.subplot(n_units, n_top, row * n_top + col + 1)
            plot_image(images[index])
            if col == 0:
                plt.title(f"unit {unit}", fontsize=8, loc="left")
    caption("Method 1 of 4: the training images that excite each coding unit (hidden2) most")
    return save_fig(figure_dir, "top_activating_images")


def plot_weight_images(weights1, n, figure_dir):
    plt.figure(figsize=(2 * n, 2.6))
    for i in range(n):
        plt.subplot(1, n, i + 1)
        plot_image(weights1.T[i])
    caption("Method 2 of 4: hidden1 units' incoming weights as images (the book's extracted_features_plot)")
    return save_fig(figure_dir, "extracted_features_plot")


def plot_ascent(results, figure_dir):
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
    return save_fig(figure_dir, "gradient_ascent_plot")


RESUMABLE = False  # --resume is refused: it trains nothing


def run(options, log=print, section="features"):
    config = Config()
    paths = RunPaths.under(options.out, section)
    source_dir = SECTIONS[config.source].ensure_checkpoint(options, log)
    mnist = datasets.load(options.data)
    log(mnist.summary())

    reset_graph(options.seed)
    g = layerwise_singlegraph.build()
    X, codings, weights1 = g.autoencoder.X, g.autoencoder.codings, g.frozen[0]
    ascent = GradientAscent(X, codings)
    saver = tf.train.Saver([v for v in tf.global_variables()])
    with tf.Session(config=session_config()) as sess:
        log(f"restored {restore(sess, saver, source_dir, config.source)}")
        weights1_val = weights1.eval()
        activations = codings.eval(feed_dict={X: mnist.train.images})
        units = np.argsort(-activations.std(axis=0))[:config.n_units]
        top = top_activating(activations[:, units], config.n_top)
        start = config.ascent_start_noise * np.random.RandomState(options.seed).rand(X.shape[1])
        results = {int(u): ascent.run(sess, int(u), start, config.ascent_step, config.ascent_iterations,
                                      config.ascent_record) for u in units}
    figures = [plot_top_images(mnist.train.images, top, units, paths.figure_dir),
               plot_weight_images(weights1_val, config.n_weight_images, paths.figure_dir),
               plot_ascent(results, paths.figure_dir)]
    for unit, recorded in results.items():
        values = [f"{recorded[i][1]:.3g}" for i in sorted(recorded)]
        log(f"unit {unit}: activation along the ascent {' → '.join(values)}")
    metrics = {"section": section, "source": config.source, "data": mnist.name, "seed": options.seed,
               "units": [int(u) for u in units],
               "ascent_start_activation": [results[int(u)][0][1] for u in units],
               "ascent_final_activation": [results[int(u)][config.ascent_iterations][1] for u in units]}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and " + ", ".join(str(f) for f in figures))
    return metrics
