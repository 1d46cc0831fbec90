"""Book §"Denoising Autoencoders", with dropout.

The same denoising autoencoder, corrupted by switching off 30% of the input pixels (dropout) instead of
adding noise; dropout acts only when `training` (a placeholder_with_default(False)) is fed True, which
the book does for the training op alone, so the logged loss is measured on clean inputs.
"""
from dataclasses import dataclass

from graphs import denoising_gaussian
from graphs.denoising_gaussian import report  # noqa: F401  (the same figures)

IDEA = "The same denoising autoencoder, its input corrupted by 30% dropout while training."
LOSS = "loss = mean((outputs(X ⊙ m / (1 - rate)) - X)²),  m_i ~ Bernoulli(1 - rate) while training"


@dataclass(frozen=True)
class Config(denoising_gaussian.Config):
    corruption: str = "dropout"  # the book's second listing
    # TF 1.x seeded each random op by the ops its graph held then. Here: training's default and placeholder,
    # X, then tf.layers.dropout's tf.cond: 4 ops to enter it, keep_prob, X switched in, its shape and 2
    # constants before the uniform noise draws (op seed 12), 11 ops more to the merge; each glorot-uniform
    # kernel makes 3 constants before it draws, and each tf.layers.dense made 17 ops
    corruption_op_seed: int = 12
    op_seeds: tuple = (26, 43, 60, 77)


def build(config=Config(), towers=1):
    return denoising_gaussian.build(config, towers)
