"""Greedy layer-wise training: frozen really means frozen, the cache changes nothing but speed, and the
stacked multi-graph model reproduces each shallow autoencoder."""
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS
from graphs import layerwise_multigraph, layerwise_singlegraph
from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, tf


def test_variable_names_are_pinned():
    reset_graph()
    layerwise_singlegraph.build()
    names = [(v.op.name, v.shape.as_list()) for v in tf.trainable_variables()]
    assert names == [("weights1", [784, 300]), ("weights2", [300, 150]), ("weights3", [150, 300]),
                     ("weights4", [300, 784]), ("biases1", [300]), ("biases2", [150]), ("biases3", [300]),
                     ("biases4", [784])]


def train_steps(sess, plan, data, n, batch_size=150):
    for _ in range(n):
        sess.run(plan.training_op, plan.feed(data.next_batch(batch_size)))


@pytest.mark.parametrize("freeze", ["var_list", "stop_gradient"])
def test_phase2_leaves_the_outer_layers_bit_identical(freeze, mnist5k):
    reset_graph()
    g = layerwise_singlegraph.build(layerwise_singlegraph.Config(freeze=freeze))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        train_steps(sess, g.phase1, mnist5k.train, 5)
        frozen_before, inner_before = sess.run(g.frozen), sess.run(g.trained_in_phase2)
        train_steps(sess, g.phase2, mnist5k.train, 5)
        frozen_after, inner_after = sess.run(g.frozen), sess.run(g.trained_in_phase2)
    for before, after in zip(frozen_before, frozen_after):
        assert np.array_equal(before, after)
    for before, after in zip(inner_before[::2], inner_after[::2]):  # weights2, weights3
        assert not np.array_equal(before, after)


def test_phase1_trains_the_outer_layers_only(mnist5k):
    reset_graph()
    g = layerwise_singlegraph.build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        inner_before = sess.run(g.trained_in_phase2)
        outer_before = sess.run(g.frozen)
        train_steps(sess, g.phase1, mnist5k.train, 3)
        inner_after, outer_after = sess.run(g.trained_in_phase2), sess.run(g.frozen)
    assert all(np.array_equal(a, b) for a, b in zip(inner_before, inner_after))
    assert not np.array_equal(outer_before[0], outer_after[0])


def test_cached_and_uncached_phase2_give_the_same_loss(mnist5k):
    reset_graph()
    g = layerwise_singlegraph.build()
    X_batch = mnist5k.train.images[:150]
    loss = g.phase2.metrics[0].tensor
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        train_steps(sess, g.phase1, mnist5k.train, 3)
        hidden1_batch = sess.run(g.hidden1, {g.autoencoder.X: X_batch})
        uncached = sess.run(loss, {g.autoencoder.X: X_batch})
        cached = sess.run(loss, {g.hidden1: hidden1_batch})  # X is not even fed
    assert cached == uncached


def test_stacked_multigraph_model_reproduces_each_autoencoder(mnist5k, tmp_path):
    X = mnist5k.train.images[:600]
    budget = make_budget(1, 150, len(X), steps=4)
    quiet = dict(budget=budget, log=lambda line: None, progress=False)
    reset_graph()
    hidden_ae1, W1, b1, W4, b4 = layerwise_multigraph.train_autoencoder(
        X, 300, 1, 150, output_activation=None, checkpoint_dir=tmp_path / "ae1", **quiet)
    hidden_ae2, W2, b2, W3, b3 = layerwise_multigraph.train_autoencoder(
        hidden_ae1, 150, 1, 150, checkpoint_dir=tmp_path / "ae2", **quiet)
    reset_graph()
    params = [W1, b1, W2, b2, W3, b3, W4, b4]
    ae, variables, hidden1, hidden2 = layerwise_multigraph.build(params)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for var, value in zip(variables.values(), params):
            var.load(value, sess)
        hidden1_val, hidden2_val = sess.run([hidden1, hidden2], {ae.X: X})
    np.testing.assert_allclose(hidden1_val, hidden_ae1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hidden2_val, hidden_ae2, rtol=1e-5, atol=1e-6)


def test_cached_run_writes_both_phases_and_a_stack_that_pretraining_can_restore(options):
    lines = []
    metrics = SECTIONS["layerwise_cached"].run(replace(options, steps=8), log=lines.append)
    assert lines.index("Training phase #1") < lines.index("Training phase #2")
    for key in ("phase1_train_mse", "phase2_train_mse", "test_mse", "phase1_seconds", "phase2_seconds",
                "phase1_samples_per_second", "phase2_samples_per_second",
                "cache_seconds"):
        assert key in metrics
    root = options.out / "checkpoints/layerwise_cached"
    for folder in (root, root / "phase1", root / "phase2"):
        assert tf.train.latest_checkpoint(str(folder)) is not None
    stored = dict(tf.train.list_variables(tf.train.latest_checkpoint(str(root))))
    assert stored["weights1"] == [784, 300] and stored["weights2"] == [300, 150]
    assert stored["biases1"] == [300] and stored["biases2"] == [150]
