"""Book §14, "Interpolate digits" (seed note 14): decode points on the line between two codings.

Six random codings each walk toward the next one in 3 steps; decoding every point shows digit k turning
into digit k+1 (the book draws one figure per step; here the steps are the rows of one figure).

    z_t = z_k + (z_{k+1} - z_k) · t / 3,  t = 0 … 3
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs.vae_generate import generate
from graphs.vae_logvar import restore_trained
from tf1_ae.plots import plot_image, save_fig
from tf1_ae.runs import RunPaths, write_metrics


@dataclass(frozen=True)
class Config:
    n_iterations: int = 3  # book §14
    n_digits: int = 6  # book §14


RESUMABLE = False  # --resume is refused: it trains nothing


def run(options, log=print, section="vae_interpolate"):
    config = Config()
    paths = RunPaths.under(options.out, section)
    sess, ae = restore_trained(options, log)
    rows = []
    with sess:
        codings_rnd = np.random.normal(size=[config.n_digits, int(ae.codings.shape[1])])
        target_codings = np.roll(codings_rnd, -1, axis=0)
        for iteration in range(config.n_iterations + 1):
            codings_interpolate = codings_rnd + (target_codings - codings_rnd) * iteration / config.n_iterations
            rows.append(generate(sess, ae, codings_interpolate))
    plt.figure(figsize=(11, 2 * len(rows)))
    for row, outputs_val in enumerate(rows):
        for digit in range(config.n_digits):
            plt.subplot(len(rows), config.n_digits, row * config.n_digits + digit + 1)
            plot_image(outputs_val[digit])
            if digit == 0:
                plt.title(f"step {row}/{config.n_iterations}", fontsize=9, loc="left")
    figure = save_fig(paths.figure_dir, "interpolated_digits_plot")
    metrics = {"section": section, "source": "vae_logvar", "seed": options.seed,
               "n_iterations": config.n_iterations, "n_digits": config.n_digits}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
