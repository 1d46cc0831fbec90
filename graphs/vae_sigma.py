"""Book §"Variational Autoencoders": the encoder outputs a mean μ and a σ per coding.

A probabilistic autoencoder: the codings are sampled, hidden3 = μ + σ·ε with ε ~ N(0, I), and a latent
loss pulls the codings' distribution toward N(0, I), so that decoding samples of N(0, I) later gives
new digits. Here σ is a plain linear output (it may go negative or to 0: the log needs an eps).
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.layers import dense, he_init
from tf1_ae.losses import vae_latent_loss_logvar, vae_latent_loss_sigma
from tf1_ae.model import Autoencoder
from tf1_ae.towers import tower_slices
from tf1_ae.train import Metric, TrainPlan

IDEA = "A 784-500-500-20-500-500-784 VAE: sampled codings, pulled toward N(0, I) by a latent loss."
LOSS = "loss = Σ_batch,pixels xent(X, sigmoid(logits)) + ½ Σ_batch,codings (σ² + μ² - 1 - log(eps + σ²))"
PARAMETRIZATIONS = ("sigma", "logvar")


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden1: int = 500  # book
    n_hidden2: int = 500
    n_hidden3: int = 20  # codings
    n_hidden4: int = n_hidden2
    n_hidden5: int = n_hidden1
    learning_rate: float = 0.001  # book
    n_epochs: int = 50  # book
    batch_size: int = 150  # book
    eps: float = 1e-10  # book: inside log(eps + σ²)
    parametrization: str = "sigma"  # "logvar": the book's variant with γ = log σ²

    def __post_init__(self):
        if self.parametrization not in PARAMETRIZATIONS:
            raise ValueError(f"parametrization must be one of {', '.join(PARAMETRIZATIONS)}")


def network(X, config):
    """The book's encoder, sampled codings and decoder on X; on a second call (inside a reusing scope) the
    same variables. Returns (hidden3_mean, σ or γ, the noise ε, hidden3, logits)."""
    my_dense_layer = partial(dense, activation=tf.nn.elu, kernel_initializer=he_init)
    hidden1 = my_dense_layer(X, config.n_hidden1, name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, name="hidden2")
    hidden3_mean = my_dense_layer(hidden2, config.n_hidden3, activation=None, name="hidden3_mean")
    if config.parametrization == "sigma":
        hidden3_sigma = my_dense_layer(hidden2, config.n_hidden3, activation=None, name="hidden3_sigma")
        noise = tf.random_normal(tf.shape(hidden3_sigma), dtype=tf.float32)
        hidden3 = tf.add(hidden3_mean, hidden3_sigma * noise, name="hidden3")
        scale = hidden3_sigma
    else:
        hidden3_gamma = my_dense_layer(hidden2, config.n_hidden3, activation=None, name="hidden3_gamma")
        noise = tf.random_normal(tf.shape(hidden3_gamma), dtype=tf.float32)
        hidden3 = tf.add(hidden3_mean, tf.exp(0.5 * hidden3_gamma) * noise, name="hidden3")
        scale = hidden3_gamma
    hidden4 = my_dense_layer(hidden3, config.n_hidden4, name="hidden4")
    hidden5 = my_dense_layer(hidden4, config.n_hidden5, name="hidden5")
    logits = my_dense_layer(hidden5, config.n_inputs, activation=None, name="logits")
    return hidden3_mean, scale, noise, hidden3, logits


def latent(config, hidden3_mean, scale, name="latent_loss"):
    if config.parametrization == "sigma":
        return vae_latent_loss_sigma(hidden3_mean, scale, config.eps, name=name)
    return vae_latent_loss_logvar(hidden3_mean, scale, name=name)


def build(config=Config()):
    X = tf.placeholder(tf.float32, [None, config.n_inputs], name="X")
    hidden3_mean, scale, noise, hidden3, logits = network(X, config)
    outputs = tf.sigmoid(logits, name="outputs")

    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    reconstruction_loss = tf.reduce_sum(xentropy, name="reconstruction_loss")  # summed, not averaged
    latent_loss = latent(config, hidden3_mean, scale)
    loss = tf.add(reconstruction_loss, latent_loss, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")
    return autoencoder(X, hidden3, outputs, reconstruction_loss, latent_loss, loss, training_op, loss, {"random": noise})


def autoencoder(X, hidden3, outputs, reconstruction_loss, latent_loss, loss, training_op, trained_loss, noises):
    """The listing's tensors and what the loop logs; `noises` names the ε tensors (a test can feed them)."""
    n_images = tf.cast(tf.shape(X)[0], tf.float32)
    metrics = [Metric("total_loss", "Train total loss", loss),
               Metric("reconstruction_loss", "Reconstruction loss", reconstruction_loss),
               Metric("latent_loss", "Latent loss", latent_loss),
               Metric("total_loss_per_image", "nats per image", loss / n_images, in_book_line=False)]
    test_metric = Metric("test_total_loss_per_image", "Test total loss (nats per image)", loss / n_images)
    return Autoencoder(X=X, codings=hidden3, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, trained_loss, metrics, separator=" \t"),
                       test_metric=test_metric, tensors=noises)


def build_towers(config, n_towers):
    """Beyond the book (`--towers N`): the same losses, summed over equal slices of the batch that run on
    the cores side by side; the book's sums over the batch are the sums of the slices' sums."""
    X = tf.placeholder(tf.float32, [None, config.n_inputs], name="X")
    hidden3_mean, scale, noise, hidden3, logits = network(X, config)  # the whole batch: metrics, test, drawing
    outputs = tf.sigmoid(logits, name="outputs")
    reconstruction_loss = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits),
                                        name="reconstruction_loss")
    latent_loss = latent(config, hidden3_mean, scale)
    loss = tf.add(reconstruction_loss, latent_loss, name="loss")
    tower_losses, noises = [], []
    for part in tower_slices(X, n_towers):
        part_mean, part_scale, part_noise, _, part_logits = network(part, config)
        xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=part, logits=part_logits)
        tower_losses.append(tf.reduce_sum(xentropy) + latent(config, part_mean, part_scale, name=None))
        noises.append(part_noise)
    towers_loss = tf.add_n(tower_losses, name="towers_loss")
    training_op = tf.train.AdamOptimizer(config.learning_rate).minimize(towers_loss, name="training_op")
    return autoencoder(X, hidden3, outputs, reconstruction_loss, latent_loss, loss, training_op, towers_loss,
                       {"random": noise, "tower_random": noises})
