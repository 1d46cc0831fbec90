"""Book §"Denoising Autoencoders", with dropout.

The same denoising autoencoder, corrupted by switching off 30% of the input pixels (dropout) instead of
adding noise; dropout acts only when `training` (a placeholder_with_default(False)) is fed True, which
the book does for the training op alone, so the logged loss is measured on clean inputs. The layers, loss
and training op are the Gaussian listing's (`denoising_gaussian.train_to_denoise`); these are the lines
the book changes.
"""
from dataclasses import dataclass

from graphs import denoising_gaussian
from graphs.denoising_gaussian import report  # noqa: F401  (the same figures)
from tf1_ae.compat import tf
from tf1_ae.config import rate
from tf1_ae.layers import dropout

IDEA = "The same denoising autoencoder, its input corrupted by 30% dropout while training."
LOSS = "loss = mean((outputs(X ⊙ m / (1 - rate)) - X)²),  m_i ~ Bernoulli(1 - rate) while training"


@dataclass(frozen=True)
class Config(denoising_gaussian.Layers):
    dropout_rate: float = rate(0.3)  # book
    # TF 1.x seeded each random op by the ops its graph held then. Here: training's default and placeholder,
    # X, then tf.layers.dropout's tf.cond: 4 ops to enter it, keep_prob, X switched in, its shape and 2
    # constants before the uniform noise draws (op seed 12), 11 ops more to the merge; each glorot-uniform
    # kernel makes 3 constants before it draws, and each tf.layers.dense made 17 ops
    corruption_op_seed: int = 12
    op_seeds: tuple = (26, 43, 60, 77)


def build(config=Config(), towers=1):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    training = tf.placeholder_with_default(False, shape=(), name="training")

    def drop_pixels(X, config, seed=None):  # only while `training` is fed True
        return dropout(X, config.dropout_rate, training=training, seed=seed)

    return denoising_gaussian.train_to_denoise(X, config, drop_pixels, towers, train_feed={training: True})
