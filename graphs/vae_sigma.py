"""Book §"Variational Autoencoders": the encoder outputs a mean μ and a σ per coding.

A probabilistic autoencoder: the codings are sampled, hidden3 = μ + σ·ε with ε ~ N(0, I), and a latent
loss pulls the codings' distribution toward N(0, I), so that decoding samples of N(0, I) later gives
new digits. Here σ is a plain linear output (it may go negative or to 0: the log needs an eps).
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.compat import tf
from tf1_ae.config import positive
from tf1_ae.layers import dense, he_init
from tf1_ae.model import Autoencoder, Metric, TrainPlan

IDEA = "A 784-500-500-20-500-500-784 VAE: sampled codings, pulled toward N(0, I) by a latent loss."
LOSS = "loss = Σ_batch,pixels xent(X, sigmoid(logits)) + ½ Σ_batch,codings (σ² + μ² - 1 - log(eps + σ²))"


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
    eps: float = positive(1e-10)  # book: inside log(eps + σ²)
    # TF 1.x seeded each random op by the ops its graph held then: X is op 1, each He initializer makes 3
    # constants before it draws, and each tf.layers.dense made 16 ops (15 without activation); tf.shape and 2
    # constants come before the noise draws (op seed 66), then 5 ops to hidden3
    op_seeds: tuple = (4, 20, 36, 51, 74, 90, 106)  # hidden1, hidden2, hidden3_mean, hidden3_sigma, hidden4, hidden5, logits
    noise_op_seed: int = 66


def sigma_codings(hidden2, hidden3_mean, my_dense_layer, config, kernel_initializer):
    """The book's σ head: hidden3 = μ + σ·ε, and the latent loss KL(N(μ, σ²) ‖ N(0, I)) summed over the batch
    and codings, ½ Σ (σ² + μ² - 1 - log(eps + σ²)). σ is a plain linear output: it may reach 0, hence eps."""
    hidden3_sigma = my_dense_layer(hidden2, config.n_hidden3, activation=None, kernel_initializer=kernel_initializer,
                                   name="hidden3_sigma")
    noise = tf.random_normal(tf.shape(hidden3_sigma), dtype=tf.float32, seed=config.noise_op_seed,
                             name="noise")
    hidden3 = tf.add(hidden3_mean, hidden3_sigma * noise, name="hidden3")
    latent_loss = tf.multiply(0.5, tf.reduce_sum(
        tf.square(hidden3_sigma) + tf.square(hidden3_mean) - 1 - tf.log(config.eps + tf.square(hidden3_sigma))),
        name="latent_loss")
    return hidden3, latent_loss


def build(config=Config(), codings=sigma_codings):
    """`codings(hidden2, hidden3_mean, ...)`: the sampled codings and the latent loss of the σ head (above) or
    of a variant's."""
    X = tf.placeholder(tf.float32, [None, config.n_inputs], name="X")
    my_dense_layer = partial(dense, activation=tf.nn.elu)
    he = [he_init.with_seed(seed) for seed in config.op_seeds]  # each kernel's, as the book's graph seeded it
    hidden1 = my_dense_layer(X, config.n_hidden1, kernel_initializer=he[0], name="hidden1")
    hidden2 = my_dense_layer(hidden1, config.n_hidden2, kernel_initializer=he[1], name="hidden2")
    hidden3_mean = my_dense_layer(hidden2, config.n_hidden3, activation=None, kernel_initializer=he[2],
                                  name="hidden3_mean")
    hidden3, latent_loss = codings(hidden2, hidden3_mean, my_dense_layer, config, he[3])
    hidden4 = my_dense_layer(hidden3, config.n_hidden4, kernel_initializer=he[4], name="hidden4")
    hidden5 = my_dense_layer(hidden4, config.n_hidden5, kernel_initializer=he[5], name="hidden5")
    logits = my_dense_layer(hidden5, config.n_inputs, activation=None, kernel_initializer=he[6], name="logits")
    outputs = tf.sigmoid(logits, name="outputs")

    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    reconstruction_loss = tf.reduce_sum(xentropy, name="reconstruction_loss")  # summed, not averaged
    loss = tf.add(reconstruction_loss, latent_loss, name="loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(loss, name="training_op")

    n_images = tf.cast(tf.shape(X)[0], tf.float32)
    metrics = [Metric("total_loss", "Train total loss", loss),
               Metric("reconstruction_loss", "Reconstruction loss", reconstruction_loss),
               Metric("latent_loss", "Latent loss", latent_loss),
               Metric("total_loss_per_image", "nats per image", loss / n_images, in_book_line=False)]
    return Autoencoder(X=X, codings=hidden3, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, loss, metrics, separator=" \t"),
                       test_metric=Metric("test_total_loss_per_image", "Test total loss (nats per image)",
                                          loss / n_images))
