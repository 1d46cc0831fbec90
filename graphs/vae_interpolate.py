"""Book §"Generating Digits", "Interpolate digits": decode points on the line between two codings.

Six random codings each walk toward the next one in 3 steps; decoding every point shows digit k turning
into digit k+1. The book draws one row of digits per step, each its own figure
(`interpolated_digits_plot_step0` … `step3`); `interpolated_digits_grid` puts the steps in one grid.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs.vae_generate import generate, restore_trained
from tf1_ae.plots import plot_image

IDEA = "Decoding points on the line between two codings morphs one digit into the next."
LOSS = "z_t = z_k + (z_{k+1} - z_k) · t / 3,  t = 0 … 3"


@dataclass(frozen=True)
class Config:
    n_iterations: int = 3  # book
    n_digits: int = 6  # book
    source: str = "vae_logvar"  # book: the γ = log σ² model, trained last


def draw(run):
    config = run.config
    sess, ae = restore_trained(run)
    rows = []
    with sess:
        codings_rnd = np.random.normal(size=[config.n_digits, int(ae.codings.shape[1])])
        target_codings = np.roll(codings_rnd, -1, axis=0)
        for iteration in range(config.n_iterations + 1):
            codings_interpolate = codings_rnd + (target_codings - codings_rnd) * iteration / config.n_iterations
            rows.append(generate(sess, ae, codings_interpolate))
    for row, outputs_val in enumerate(rows):  # the book: one row of digits per step, each its own figure
        plt.figure(figsize=(11, 1.5 * config.n_iterations))
        for digit in range(config.n_digits):
            plt.subplot(1, config.n_digits, digit + 1)
            plot_image(outputs_val[digit])
        run.figure(f"interpolated_digits_plot_step{row}")
    plt.figure(figsize=(11, 2 * len(rows)))  # ours: every step in one grid
    for row, outputs_val in enumerate(rows):
        for digit in range(config.n_digits):
            plt.subplot(len(rows), config.n_digits, row * config.n_digits + digit + 1)
            plot_image(outputs_val[digit])
            if digit == 0:
                plt.title(f"step {row}/{config.n_iterations}", fontsize=9, loc="left")
    run.figure("interpolated_digits_grid")
    return run.finish({"source": config.source, "n_iterations": config.n_iterations, "n_digits": config.n_digits})
