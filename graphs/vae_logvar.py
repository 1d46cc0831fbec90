"""Book §"Variational Autoencoders", the variant with γ = log σ² instead of σ.

The encoder's second head outputs γ, and σ = exp(γ/2) is positive by construction; the latent loss
needs no log of a σ² that may reach 0, which is why this variant trains faster and more smoothly (the
book's logs: σ spikes to 38,965 at epoch 17 and ends at 15,147; γ is smooth and ends at 14,638). The
encoder's first layers and the decoder are the σ listing's (`vae_sigma.build`); these
are the lines the book changes.
"""
from dataclasses import dataclass

from graphs import vae_sigma
from tf1_ae.compat import tf

IDEA = "The same VAE with the encoder outputting γ = log σ²: no log of a σ² that may reach 0, smoother training."
LOSS = "hidden3 = μ + exp(γ/2)·ε;  loss = Σ_batch,pixels xent(X, sigmoid(logits)) + ½ Σ_batch,codings (exp(γ) + μ² - 1 - γ)"


@dataclass(frozen=True)
class Config(vae_sigma.Config):
    # every value as in the σ listing but the decoder's op seeds, 3 later: exp(0.5 γ) made 3 ops more
    op_seeds: tuple = (4, 20, 36, 51, 77, 93, 109)  # hidden1, hidden2, hidden3_mean, hidden3_gamma, hidden4..logits


def gamma_codings(hidden2, hidden3_mean, my_dense_layer, config, kernel_initializer):
    """The book's γ head: hidden3 = μ + exp(γ/2)·ε, and the latent loss ½ Σ (exp(γ) + μ² - 1 - γ)."""
    hidden3_gamma = my_dense_layer(hidden2, config.n_hidden3, activation=None, kernel_initializer=kernel_initializer,
                                   name="hidden3_gamma")
    noise = tf.random_normal(tf.shape(hidden3_gamma), dtype=tf.float32, seed=config.noise_op_seed,
                             name="noise")
    hidden3 = tf.add(hidden3_mean, tf.exp(0.5 * hidden3_gamma) * noise, name="hidden3")
    latent_loss = tf.multiply(0.5, tf.reduce_sum(
        tf.exp(hidden3_gamma) + tf.square(hidden3_mean) - 1 - hidden3_gamma), name="latent_loss")
    return hidden3, latent_loss


def build(config=Config()):
    return vae_sigma.build(config, codings=gamma_codings)
