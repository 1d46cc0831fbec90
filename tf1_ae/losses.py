"""The chapter's loss terms, each as one small function (numpy oracles in the tests check them)."""
from tf1_ae.compat import tf


def kl_divergence(p, q):
    """Bernoulli KL(p‖q), elementwise (the sparse autoencoder's sparsity cost)."""
    return p * tf.log(p / q) + (1 - p) * tf.log((1 - p) / (1 - q))


def vae_latent_loss_sigma(mean, sigma, eps=1e-10, name="latent_loss"):
    """The VAE's latent loss: ½ Σ (σ² + μ² - 1 - log(eps + σ²)): KL(N(μ, σ²) ‖ N(0, 1)) summed over batch and codings."""
    return tf.multiply(0.5, tf.reduce_sum(tf.square(sigma) + tf.square(mean) - 1
                                          - tf.log(eps + tf.square(sigma))), name=name)


def vae_latent_loss_logvar(mean, gamma, name="latent_loss"):
    """The same KL with γ = log σ²: ½ Σ (exp(γ) + μ² - 1 - γ); no log of a possibly-zero σ²."""
    return tf.multiply(0.5, tf.reduce_sum(tf.exp(gamma) + tf.square(mean) - 1 - gamma), name=name)


def contractive_penalty(codings, weights, name="jacobian_penalty"):
    """‖J_f(x)‖²_F for a sigmoid encoder h = s(xW + b), averaged over the batch, in closed form:
    ∂h_j/∂x_i = h_j(1 - h_j)·W_ij, so ‖J‖²_F = Σ_j (h_j(1 - h_j))² · Σ_i W_ij²."""
    slope = tf.square(codings * (1 - codings))  # (batch, units)
    column_norms = tf.reduce_sum(tf.square(weights), axis=0)  # (units,)
    return tf.reduce_mean(tf.reduce_sum(slope * column_norms, axis=1), name=name)
