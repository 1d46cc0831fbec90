"""Denoising, sparse, contractive and winner-take-all autoencoders: each regularizer does what it says."""
import math
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS
from graphs import contractive, denoising_dropout, denoising_gaussian, sparse, wta
from tf1_ae.compat import reset_graph, tf


def kl_oracle(p, q):
    return np.sum(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)))


def sparsity_value(activations, target=0.1, penalty="kl"):
    reset_graph()
    with tf.Session() as sess:
        return sess.run(sparse.sparsity_loss(tf.constant(activations, tf.float32), target, penalty))


def test_kl_sparsity_loss_matches_numpy_is_zero_at_the_target_and_finite_at_the_edges():
    acts = np.random.RandomState(0).uniform(0.01, 0.6, size=(50, 30))
    assert sparsity_value(acts) == pytest.approx(kl_oracle(0.1, acts.mean(axis=0)), rel=1e-4)
    assert sparsity_value(np.full((50, 30), 0.1)) == pytest.approx(0.0, abs=1e-6)
    for edge in (0.0, 1.0):
        assert math.isfinite(sparsity_value(np.full((50, 30), edge)))
    assert sparsity_value(acts, penalty="mse") == pytest.approx(np.sum((0.1 - acts.mean(axis=0)) ** 2), rel=1e-4)


def test_short_sparse_run_moves_the_mean_coding_activation_toward_the_target(options, mnist5k):
    reset_graph()
    ae = sparse.build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(ae.codings, {ae.X: mnist5k.test.images}).mean()
    metrics = SECTIONS["sparse"].run(replace(options, steps=60), log=lambda line: None)
    after = metrics["mean_coding_activation"]
    assert abs(after - 0.1) < 0.5 * abs(before - 0.1)
    assert (options.out / "figures/sparse/sparse_activation_histogram.png").is_file()


def test_contractive_penalty_equals_a_finite_difference_jacobian(mnist5k):
    reset_graph()
    ae = contractive.build()
    x = mnist5k.test.images[:1].astype(np.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        W, b = sess.run(tf.trainable_variables()[:2])
        penalty = sess.run(ae.metrics[1].tensor, {ae.X: x})

    def encode(inputs):
        return 1 / (1 + np.exp(-(inputs @ W.astype(np.float64) + b)))

    eps = 1e-5
    steps = np.eye(784) * eps
    jacobian = (encode(x + steps) - encode(x - steps)) / (2 * eps)  # (784 inputs, 500 codings)
    assert penalty == pytest.approx(np.sum(jacobian ** 2), rel=1e-3)


@pytest.mark.parametrize("batch", [100, 150, 37])
def test_wta_mask_keeps_exactly_the_top_k_per_unit_and_only_while_training(batch, mnist5k):
    reset_graph()
    ae = wta.build(wta.Config(n_hidden=64))
    X = mnist5k.train.images[:batch]
    k = math.ceil(0.05 * batch)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        training = ae.tensors["training"]
        hidden, mask, trained = sess.run([ae.tensors["hidden"], ae.tensors["mask"], ae.codings], {ae.X: X, training: True})
        tested = sess.run(ae.codings, {ae.X: X})
    assert mask.sum(axis=0).tolist() == [k] * 64
    for unit in range(64):
        assert sorted(np.flatnonzero(mask[:, unit])) == sorted(np.argsort(-hidden[:, unit], kind="stable")[:k])
    assert np.array_equal(trained, hidden * mask)
    assert np.array_equal(tested, hidden)


def test_dropout_acts_only_when_training_is_fed_true(mnist5k):
    reset_graph()
    ae = denoising_dropout.build()
    (training, _), = ae.plan.train_feed.items()
    X = mnist5k.train.images[:200]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        clean = sess.run(ae.tensors["corrupted"], {ae.X: X})
        dropped = sess.run(ae.tensors["corrupted"], {ae.X: X, training: True})
    assert np.array_equal(clean, X)
    lit = X > 0
    zeroed = np.mean(dropped[lit] == 0)
    assert zeroed == pytest.approx(0.3, abs=0.02)
    np.testing.assert_allclose(dropped[lit & (dropped > 0)], X[lit & (dropped > 0)] / 0.7, rtol=1e-5)


def test_gaussian_noise_has_the_requested_standard_deviation(mnist5k):
    reset_graph()
    ae = denoising_gaussian.build(denoising_gaussian.Config(noise_level=0.5))
    X = mnist5k.train.images[:500]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        noise = sess.run(ae.tensors["corrupted"], {ae.X: X}) - X
    assert noise.std() == pytest.approx(0.5, rel=0.01)
    assert abs(noise.mean()) < 0.01


def test_short_runs_draw_each_sections_figures_panel_by_panel_none_blank(options, drawn):
    quick = replace(options, steps=6)
    metrics = SECTIONS["contractive"].run(quick, log=lambda line: None)
    # The same initial weights and batches, 6 steps: the penalized model's codings already move less.
    assert metrics["jacobian_penalty"] < metrics["plain_jacobian_penalty"]
    assert metrics["contraction_ratio_small"] < metrics["plain_contraction_ratio_small"]
    # The training mask keeps each unit's top 5% of a batch: at most that share of the codings is non-zero.
    assert 0 < SECTIONS["wta"].run(quick, log=lambda line: None)["masked_active_fraction"] <= wta.Config().sparsity
    SECTIONS["denoising_dropout"].run(quick, log=lambda line: None)
    SECTIONS["kl_plot"].run(quick, log=lambda line: None)
    figures = {str(path.relative_to(options.out / "figures").with_suffix("")): shown for path, shown in drawn.items()}
    expected = {
        "contractive/contraction_curve": [["curve of 13 points"] * 2],  # with and without the penalty, 13 radii
        "wta/wta_dictionary": [["image 302×302"]],  # 100 units' 28×28 atoms, 10×10, 2 pixels apart
        "denoising_dropout/reconstruction_plot": [["image 28×28"]] * 4,  # 2 digits beside their reconstructions
        "denoising_dropout/denoising_plot": [["image 28×28"]] * 6,  # 2 digits noisy, reconstructed, clean
        # the target's dotted mark, then the book's KL and MSE over its 500 values of q
        "kl_plot/sparsity_loss_plot": [["curve of 2 points", "curve of 500 points", "curve of 500 points"]]}
    assert {name: figures.get(name) for name in expected} == expected
