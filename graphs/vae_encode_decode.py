"""Book §14, "Encode & Decode" (seed note 14): a test image → its (sampled) codings → back to an image.

    z = μ(x) + exp(γ(x)/2)·ε,   x̂ = sigmoid(decoder(z))
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt

from graphs.vae_logvar import restore_trained
from tf1_ae import data as datasets
from tf1_ae.plots import plot_image, save_fig
from tf1_ae.runs import RunPaths, write_metrics


@dataclass(frozen=True)
class Config:
    n_digits: int = 3  # book §14
    batch_size: int = 150  # book: mnist.test.next_batch(batch_size)


RESUMABLE = False  # --resume is refused: it trains nothing


def run(options, log=print, section="vae_encode_decode"):
    config = Config()
    paths = RunPaths.under(options.out, section)
    mnist = datasets.load(options.data)
    log(mnist.summary())
    sess, ae = restore_trained(options, log)
    with sess:
        X_test, _ = mnist.test.next_batch(config.batch_size)
        codings_val = ae.codings.eval(session=sess, feed_dict={ae.X: X_test})  # encode
        outputs_val = ae.outputs.eval(session=sess, feed_dict={ae.codings: codings_val})  # decode
    fig = plt.figure(figsize=(8, 2.5 * config.n_digits))
    for iteration in range(config.n_digits):
        plt.subplot(config.n_digits, 2, 1 + 2 * iteration)
        plot_image(X_test[iteration])
        plt.subplot(config.n_digits, 2, 2 + 2 * iteration)
        plot_image(outputs_val[iteration])
    fig.suptitle("test digit → codings → decoded")
    figure = save_fig(paths.figure_dir, "encode_decode_plot")
    metrics = {"section": section, "source": "vae_logvar", "data": mnist.name, "seed": options.seed,
               "codings_shape": list(codings_val.shape)}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
