"""The fast path (--towers N) computes the plain graph's update, up to float round-off. Where the graph
draws random numbers (the VAE's ε, the denoising corruption), the test feeds the same numbers to both: the
whole batch's to the plain graph's tensor, each tower its slice of them, found by name under tower<i>/."""
import numpy as np
import pytest

from graphs import (denoising_dropout, denoising_gaussian, layerwise_cached, layerwise_singlegraph, layerwise_stopgrad,
                    stacked_all, stacked_tied, vae_logvar, vae_sigma)
from tf1_ae.compat import reset_graph, session_config, tf


def random_tensors(graph, name, towers):
    """The tensor of random numbers `name` (the plain graph's) and its copy in each tower."""
    if name is None:
        return None, []
    in_towers = [graph.get_tensor_by_name(f"tower{i}/{name}") for i in range(towers)] if towers > 1 else []
    return graph.get_tensor_by_name(name), in_towers


def one_run(module, random_name, towers, initial, batches, randoms=None):
    """Variables before and after training on `batches`, the losses each step, and the variables' names."""
    reset_graph()
    ae = module.build(module.Config(), towers)
    variables = tf.trainable_variables()
    random, tower_random = random_tensors(tf.get_default_graph(), random_name, towers)
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        if initial is not None:
            for var, value in zip(variables, initial):
                var.load(value, sess)
        start = sess.run(variables)
        logged = {m.key: m.tensor for m in ae.metrics}
        full_batch_loss = next(logged[k] for k in ("loss", "total_loss", "train_mse") if k in logged)  # minimized
        losses = []
        for i, batch in enumerate(batches):
            feed = {ae.X: batch}
            if randoms is not None:  # the batch's random numbers, and each tower's its slice of them
                feed[random] = randoms[i]
                feed.update(zip(tower_random, np.split(randoms[i], len(tower_random) or 1)))
            losses.append(sess.run([full_batch_loss, ae.loss], feed))  # the graph's, and the one the loop fetches
            sess.run(ae.training_op, {**feed, **ae.plan.train_feed})
        return start, sess.run(variables), np.array(losses), [v.op.name for v in variables]


# (listing, its tensor of random numbers, columns of them, steps compared, weights' absolute tolerance): the σ
# VAE's log(eps + σ²) magnifies round-off within a few steps (why the book moved to γ), so it is compared
# over its first two updates, each weight within a tenth of one Adam step (its learning rate, 0.001).
CASES = {"stacked_all": (stacked_all, None, 0, 10, 1e-5),
         "stacked_tied": (stacked_tied, None, 0, 10, 1e-5),
         "denoising_gaussian": (denoising_gaussian, "X_noisy:0", 784, 10, 1e-5),
         "denoising_dropout": (denoising_dropout, "dropout/Identity:0", 784, 10, 1e-5),
         "vae_sigma": (vae_sigma, "noise:0", 20, 2, 1e-4),
         "vae_logvar": (vae_logvar, "noise:0", 20, 10, 1e-5)}


@pytest.mark.parametrize("name", list(CASES))
def test_two_towers_make_the_same_adam_steps_as_the_plain_graph(name, mnist5k):
    module, random_name, draws, n_steps, atol = CASES[name]
    batch_size = module.Config().batch_size
    batches = [mnist5k.train.images[(i * batch_size) % 3000:][:batch_size] for i in range(n_steps)]
    randoms = np.random.RandomState(0).randn(n_steps, batch_size, draws).astype(np.float32) if draws else None
    start, plain, plain_losses, names = one_run(module, random_name, 1, None, batches, randoms)
    _, towers, tower_losses, tower_names = one_run(module, random_name, 2, start, batches, randoms)
    assert tower_names == names  # the towers share the plain graph's variables, nothing more
    if not draws:  # same weights, same batch: the same loss, up to the GEMM's summation order on this CPU
        np.testing.assert_allclose(tower_losses[0, 0], plain_losses[0, 0], rtol=1e-6)
    # Later steps: Adam magnifies the round-off of near-zero gradients (below), and the losses follow it: seen 1e-5
    # apart once in five runs on a busy machine; a wrong split of the batch is 1e-2 apart and more.
    np.testing.assert_allclose(tower_losses, plain_losses, rtol=1e-4)
    # The loss the loop fetches every step is the towers' own: the batch's loss without a second pass.
    np.testing.assert_allclose(tower_losses[:, 1], tower_losses[:, 0], rtol=1e-5)
    # Adam scales each gradient to about its learning rate, so a weight whose gradient is round-off around zero
    # may step either way: all of them within that (two steps' worth a step), all but 5 (or one in 10,000)
    # within atol (seen: up to 9 of weights1's 235,200, depending on the tests run before in the process; a
    # wrong split of the batch moves most of them).
    largest_step = 2 * module.Config().learning_rate * n_steps
    for a, b, s in zip(plain, towers, start):
        assert not np.array_equal(a, s)
        assert np.abs(b - a).max() <= largest_step
        close = np.isclose(b, a, rtol=1e-4, atol=atol)
        differ = close.size - close.sum()
        assert differ <= max(5, close.size // 10_000), f"{differ} weights of {close.size} differ"


def layerwise_run(module, towers, initial, batches):
    """Both phases of the single-graph layer-wise listing, 5 steps each (phase 2 fed the cache of hidden1 where
    the variant caches): the variables after each phase, and the loss the loop fetched at every step."""
    reset_graph()
    g = module.build(module.Config(), towers)
    hidden1, phase1, phase2 = g.tensors["hidden1"], g.phases[0].plan, g.phases[1].plan
    variables = tf.trainable_variables()
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        for var, value in zip(variables, initial if initial is not None else []):
            var.load(value, sess)
        start, after, losses = sess.run(variables), [], []
        for plan in (phase1, phase2):
            for batch in batches:
                feed = {g.X: batch}
                if plan.inputs is not g.X:  # the cached phase 2: hidden1 of the batch, fed in hidden1's place
                    feed = {hidden1: sess.run(hidden1, feed)}
                losses.append(sess.run([plan.training_op, plan.loss], feed)[1])
            after.append(sess.run(variables))
        return start, after, np.array(losses), [v.op.name for v in variables]


@pytest.mark.parametrize("module", [layerwise_singlegraph, layerwise_stopgrad, layerwise_cached],
                         ids=lambda m: m.__name__.split(".")[-1])
def test_layerwise_towers_take_each_phase_s_plain_steps_and_freeze_the_same_layers(module, mnist5k):
    batches = [mnist5k.train.images[i * 150:][:150] for i in range(5)]
    start, plain, plain_losses, names = layerwise_run(module, 1, None, batches)
    _, towers, tower_losses, tower_names = layerwise_run(module, 2, start, batches)
    assert tower_names == names == ["weights1", "weights2", "weights3", "weights4",
                                    "biases1", "biases2", "biases3", "biases4"]
    np.testing.assert_allclose(tower_losses, plain_losses, rtol=1e-5)
    inner = {1, 2, 5, 6}  # weights2, weights3, biases2, biases3: the only ones phase 2 moves
    for i, s in enumerate(start):  # within 1% of one Adam step (lr 0.01): Adam magnifies tiny gradients' round-off
        np.testing.assert_allclose(towers[0][i], plain[0][i], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(towers[1][i], plain[1][i], rtol=1e-4, atol=1e-4)
        assert (i in inner) != np.array_equal(towers[1][i], towers[0][i])  # phase 2 froze the outer layers
        assert not np.array_equal(towers[1][i], s)


def test_the_multigraph_helper_with_towers_trains_each_shallow_autoencoder_as_without(mnist5k, tmp_path):
    """The book's train_autoencoder helper with n_towers=2: from the same seed and batches, the same hidden
    outputs and parameters after 30 steps, up to round-off."""
    from graphs import layerwise_multigraph
    from tf1_ae.budget import make_budget

    images = mnist5k.train.images
    results = []
    for towers in (1, 2):
        np.random.seed(0)  # the batches' permutations
        results.append(layerwise_multigraph.train_autoencoder(
            images, 300, 1, 150, output_activation=None, budget=make_budget(1, 150, len(images), steps=30),
            checkpoint_dir=tmp_path / str(towers), log=lambda line: None, progress=False, n_towers=towers))
    hidden_plain, *plain = results[0]
    hidden_towers, *towers = results[1]
    np.testing.assert_allclose(hidden_towers, hidden_plain, rtol=1e-4, atol=1e-4)
    for a, b in zip(plain, towers):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)
