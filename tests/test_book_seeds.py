"""Each listing draws its initial weights (and its noise) with the op seeds the book's TF 1.x graph gave them,
whatever else its graph holds: TF 2 would number its random ops 0, 1, 2... in the order they are made."""
import numpy as np
import pytest

import dataclasses

from app.sections import SECTIONS
from graphs import vae_sigma
from tf1_ae.compat import reset_graph, tf

# every listing that builds a graph from a Config stating the book's op seeds
LISTINGS = [section.module for section in SECTIONS.values() if hasattr(section.module, "build")
            and "op_seeds" in {field.name for field in dataclasses.fields(section.module.Config)}]


def initial_values(module, random_op_first):
    reset_graph(42)
    if random_op_first:
        tf.random_normal([1])  # takes TF 2's first op seed
    module.build(module.Config())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


@pytest.mark.parametrize("module", LISTINGS, ids=lambda m: m.__name__.split(".")[-1])
def test_initial_weights_are_seeded_as_the_books_graph_seeded_them(module):
    plain, shifted = initial_values(module, False), initial_values(module, True)
    assert plain.keys() == shifted.keys()
    for name in plain:
        np.testing.assert_array_equal(plain[name], shifted[name], err_msg=name)
    seeds = sorted(op.get_attr("seed2") for op in tf.get_default_graph().get_operations()
                   if op.type in ("TruncatedNormal", "RandomUniform", "RandomStandardNormal")
                   and not op.name.startswith("random_normal"))  # not the op this test added
    kernels = list(module.Config().op_seeds)
    assert set(kernels) <= set(seeds)


def test_the_noise_is_seeded_as_the_books(mnist5k):
    """Two graphs that differ before the VAE's noise op draw the same noise (the op seed is the book's)."""
    draws = []
    for random_op_first in (False, True):
        reset_graph(42)
        if random_op_first:
            tf.random_normal([1])
        vae = vae_sigma.build(vae_sigma.Config())
        noise = tf.get_default_graph().get_tensor_by_name("noise:0")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            draws.append(sess.run(noise, {vae.X: mnist5k.test.images[:5]}))
    np.testing.assert_array_equal(*draws)
