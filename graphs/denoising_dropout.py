"""Book §"Denoising Autoencoders", with dropout.

The same denoising autoencoder, corrupted by switching off 30% of the input pixels (dropout) instead of
adding noise; dropout acts only when `training` (a placeholder_with_default(False)) is fed True, which
the book does for the training op alone, so the logged loss is measured on clean inputs. The layers and loss
are the Gaussian listing's (`denoising_gaussian.denoising_layers`); these are the lines the book
changes.
"""
from dataclasses import dataclass

from graphs import denoising_gaussian
from graphs.denoising_gaussian import denoising_layers, report  # noqa: F401  (report: the same figures)
from tf1_ae.compat import tf
from tf1_ae.config import rate
from tf1_ae.layers import dropout
from tf1_ae.model import Autoencoder, Metric, TrainPlan

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


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    training = tf.placeholder_with_default(False, shape=(), name="training")
    X_drop = dropout(X, config.dropout_rate, training=training, seed=config.corruption_op_seed)
    hidden2, outputs, reconstruction_loss = denoising_layers(X_drop, X, config)

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")

    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, reconstruction_loss,
                                      [Metric("train_mse", "Train MSE", reconstruction_loss)],
                                      train_feed={training: True}),  # dropout while training only
                       tensors={"corrupted": X_drop})
