"""Book §"Generating Digits" (seed note 14): sample codings from N(0, I) and decode them.

Because the latent loss pulled the codings toward N(0, I), decoding fresh samples of N(0, I) gives new,
digit-like images. The samples are fed straight into the sampled-coding tensor `hidden3`, as the book does.

    x̂ = sigmoid(decoder(z)),  z ~ N(0, I_20)
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs.vae_logvar import restore_trained
from tf1_ae.plots import plot_multiple_images, save_fig
from tf1_ae.runs import RunPaths, write_metrics


@dataclass(frozen=True)
class Config:
    n_digits: int = 60  # book §14
    n_rows: int = 6  # book: plot_multiple_images(..., 6, 10)
    n_cols: int = 10


def generate(sess, ae, codings):
    return ae.outputs.eval(session=sess, feed_dict={ae.codings: codings})


RESUMABLE = False  # --resume is refused: it trains nothing


def run(options, log=print, section="vae_generate"):
    config = Config()
    paths = RunPaths.under(options.out, section)
    sess, ae = restore_trained(options, log)
    with sess:
        n_codings = int(ae.codings.shape[1])
        codings_rnd = np.random.normal(size=[config.n_digits, n_codings])  # global RNG, seeded by reset_graph
        outputs_val = generate(sess, ae, codings_rnd)
    plt.figure(figsize=(8, 5))
    plot_multiple_images(outputs_val.reshape(-1, 28, 28), config.n_rows, config.n_cols)
    figure = save_fig(paths.figure_dir, "generated_digits_plot")
    metrics = {"section": section, "source": "vae_logvar", "seed": options.seed, "n_digits": config.n_digits,
               "mean_pixel": float(outputs_val.mean())}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
