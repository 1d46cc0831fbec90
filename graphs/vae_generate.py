"""Book §"Generating Digits": sample codings from N(0, I) and decode them.

Because the latent loss pulled the codings toward N(0, I), decoding fresh samples of N(0, I) gives new,
digit-like images. The samples are fed straight into the sampled-coding tensor `hidden3`, as the book does.
The model is the γ = log σ² VAE's own checkpoint (checkpoints/vae_logvar/); the σ model's is never touched
(the book's notebook overwrote one with the other).
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from graphs import vae_logvar
from tf1_ae.checkpoints import restore
from tf1_ae.compat import session_config, tf
from tf1_ae.plots import plot_multiple_images

IDEA = "Decoding samples of N(0, I) with the trained VAE gives new digits."
LOSS = "x̂ = sigmoid(decoder(z)),  z ~ N(0, I_20)"


@dataclass(frozen=True)
class Config:
    n_digits: int = 60  # book
    n_rows: int = 6  # book: plot_multiple_images(..., 6, 10)
    n_cols: int = 10
    source: str = "vae_logvar"  # book: the γ = log σ² model, trained last


def restore_trained(run):
    """The trained γ model (trained first if it has no checkpoint): (open session, Autoencoder)."""
    folder = run.checkpoint_of(run.config.source)
    run.reset_graph()
    ae = vae_logvar.build()
    saver = tf.train.Saver()
    sess = tf.Session(config=session_config())
    try:
        run.log(f"restored {restore(sess, saver, folder, run.config.source)}")
    except Exception:
        sess.close()
        raise
    return sess, ae


def generate(sess, ae, codings):
    return ae.outputs.eval(session=sess, feed_dict={ae.codings: codings})


def draw(run):
    config = run.config
    sess, ae = restore_trained(run)
    with sess:
        n_codings = int(ae.codings.shape[1])
        codings_rnd = np.random.normal(size=[config.n_digits, n_codings])  # numpy's global RNG
        outputs_val = generate(sess, ae, codings_rnd)
    plt.figure(figsize=(8, 5))
    plot_multiple_images(outputs_val.reshape(-1, 28, 28), config.n_rows, config.n_cols)
    run.figure("generated_digits_plot")
    return run.finish({"source": config.source, "n_digits": config.n_digits, "mean_pixel": float(outputs_val.mean())})
