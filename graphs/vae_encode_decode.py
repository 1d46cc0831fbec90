"""Book §"Generating Digits", "Encode & Decode": a test image → its (sampled) codings → back to an image."""
from dataclasses import dataclass

import matplotlib.pyplot as plt

from graphs.vae_generate import restore_trained
from tf1_ae.plots import plot_image

IDEA = "Test digits go through the trained VAE's sampled codings and back to images."
LOSS = "z = μ(x) + exp(γ(x)/2)·ε,   x̂ = sigmoid(decoder(z))"


@dataclass(frozen=True)
class Config:
    n_digits: int = 3  # book
    batch_size: int = 150  # book: mnist.test.next_batch(batch_size)
    source: str = "vae_logvar"  # book: the γ = log σ² model, trained last


def draw(run):
    config = run.config
    mnist = run.load_data()
    sess, ae = restore_trained(run)
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
    run.figure("encode_decode_plot")
    return run.finish({"source": config.source, "codings_shape": list(codings_val.shape)})
