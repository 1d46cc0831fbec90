"""Book §13 (seed note 13): the variational autoencoder with γ = log σ² instead of σ.

The encoder's second head outputs γ, and σ = exp(γ/2) is positive by construction; the latent loss
needs no log of a σ² that may reach 0, which is why this variant trains faster and more smoothly (the
book's logs: σ spikes to 38,965 at epoch 17 and ends at 15,147; γ is smooth and ends at 14,638).

    hidden3 = μ + exp(γ/2)·ε
    loss = Σ_batch,pixels xent(X, sigmoid(logits)) + ½ Σ_batch,codings (exp(γ) + μ² - 1 - γ)
"""
from dataclasses import dataclass

from graphs import vae_sigma


@dataclass(frozen=True)
class Config(vae_sigma.Config):
    parametrization: str = "logvar"  # book §13; every other value as in §12


def build(config=Config()):
    return vae_sigma.build(config)


def restore_trained(options, log=print):
    """The trained γ model (trained first if it has no checkpoint): (open session, Autoencoder).

    Its checkpoint is checkpoints/vae_logvar/; the σ model's (checkpoints/vae_sigma/) is never touched
    (the book's notebook overwrote one with the other)."""
    from graphs import SECTIONS
    from tf1_ae.compat import reset_graph, session_config, tf
    from tf1_ae.train import restore

    folder = SECTIONS["vae_logvar"].ensure_checkpoint(options, log)
    reset_graph(options.seed)
    ae = build()
    saver = tf.train.Saver()
    sess = tf.Session(config=session_config())
    try:
        log(f"restored {restore(sess, saver, folder, 'vae_logvar')}")
    except Exception:
        sess.close()
        raise
    return sess, ae
