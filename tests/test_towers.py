"""The fast path (--towers N) computes the plain graph's update, up to float round-off. Where the graph
draws random numbers (the VAE's ε, the denoising corruption), the test feeds the same numbers to both: the
whole batch's to the plain graph's tensor, each tower its slice of them, found by name under tower<i>/. Both
are compared at the same weights, on the same batch, as tests/roundoff.py says why."""
import numpy as np
import pytest

from graphs import (denoising_dropout, denoising_gaussian, layerwise_cached, layerwise_singlegraph, layerwise_stopgrad,
                    stacked_all, stacked_tied, vae_logvar, vae_sigma)
from roundoff import assert_same_first_step, first_step
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.train import with_towers


def random_tensors(graph, name, towers):
    """The tensor of random numbers `name` (the plain graph's) and its copy in each tower."""
    if name is None:
        return None, []
    in_towers = [graph.get_tensor_by_name(f"tower{i}/{name}") for i in range(towers)] if towers > 1 else []
    return graph.get_tensor_by_name(name), in_towers


def load(sess, variables, values):
    for var, value in zip(variables, values):
        var.load(value, sess)


def one_step(module, random_name, towers, initial, batch, random):
    """The variables' names and values before the step, and (loss, gradients, weights after) of one step."""
    reset_graph()
    ae = module.build(module.Config())
    variables = tf.trainable_variables()
    plan = with_towers(ae.plan, towers)
    plain_random, tower_randoms = random_tensors(tf.get_default_graph(), random_name, towers)
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        if initial is not None:
            load(sess, variables, initial)
        feed = {ae.X: batch}
        if random is not None:  # the batch's random numbers, and each tower its slice of them
            feed[plain_random] = random
            feed.update(zip(tower_randoms, np.split(random, len(tower_randoms) or 1)))
        start = sess.run(variables)
        return [v.op.name for v in variables], start, first_step(sess, plan, variables, feed)



# (listing, its tensor of random numbers, columns of them)
CASES = {"stacked_all": (stacked_all, None, 0),
         "stacked_tied": (stacked_tied, None, 0),
         "denoising_gaussian": (denoising_gaussian, "X_noisy:0", 784),
         "denoising_dropout": (denoising_dropout, "dropout/Identity:0", 784),
         "vae_sigma": (vae_sigma, "noise:0", 20),
         "vae_logvar": (vae_logvar, "noise:0", 20)}


@pytest.mark.parametrize("name", list(CASES))
def test_two_towers_take_the_plain_graph_s_step(name, mnist5k):
    module, random_name, draws = CASES[name]
    config = module.Config()
    batch = mnist5k.train.images[:config.batch_size]
    random = np.random.RandomState(0).randn(config.batch_size, draws).astype(np.float32) if draws else None
    names, start, plain = one_step(module, random_name, 1, None, batch, random)
    tower_names, _, towers = one_step(module, random_name, 2, start, batch, random)
    assert tower_names == names  # the towers share the plain graph's variables, nothing more
    assert_same_first_step(plain, towers, start, config.learning_rate, names)


PHASE_VARIABLES = ({0, 3, 4, 7}, {1, 2, 5, 6})  # weights1, weights4, biases1, biases4; then weights2, 3, biases2, 3


def layerwise_steps(module, towers, initial, batch):
    """Each phase of the single-graph layer-wise listing from the same weights (phase 2 fed the cache of hidden1
    where the variant caches): (loss, gradients of the variables it trains, every variable after its step)."""
    reset_graph()
    g = module.build(module.Config())
    hidden1, variables = g.tensors["hidden1"], tf.trainable_variables()
    plans = [with_towers(phase.plan, towers) for phase in g.phases]
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        start = sess.run(variables)
        if initial is not None:
            start = initial
        steps = []
        for plan, trained in zip(plans, PHASE_VARIABLES):
            load(sess, variables, start)
            feed = {g.X: batch}
            if plan.inputs is not g.X:  # the cached phase 2: hidden1 of the batch, fed in hidden1's place
                feed = {hidden1: sess.run(hidden1, feed)}
            loss, gradients, after = first_step(sess, plan, [variables[i] for i in sorted(trained)], feed)
            steps.append((loss, gradients, after, sess.run(variables)))
        return [v.op.name for v in variables], start, steps


@pytest.mark.parametrize("module", [layerwise_singlegraph, layerwise_stopgrad, layerwise_cached],
                         ids=lambda m: m.__name__.split(".")[-1])
def test_layerwise_towers_take_each_phase_s_plain_step_and_freeze_the_same_layers(module, mnist5k):
    batch = mnist5k.train.images[:150]
    names, start, plain = layerwise_steps(module, 1, None, batch)
    tower_names, _, towers = layerwise_steps(module, 2, start, batch)
    assert tower_names == names == ["weights1", "weights2", "weights3", "weights4",
                                    "biases1", "biases2", "biases3", "biases4"]
    for trained, plain_phase, tower_phase in zip(PHASE_VARIABLES, plain, towers):
        indices = sorted(trained)
        assert_same_first_step(plain_phase[:3], tower_phase[:3], [start[i] for i in indices],
                               module.Config().learning_rate, [names[i] for i in indices])
        for i, (s, plain_after, after) in enumerate(zip(start, plain_phase[3], tower_phase[3])):
            assert (i not in trained) == np.array_equal(after, s) == np.array_equal(plain_after, s), names[i]


def test_the_multigraph_helper_with_towers_takes_each_shallow_autoencoder_s_plain_step(mnist5k, tmp_path):
    """The book's train_autoencoder helper with 2 towers: from the same seed and batch, one step lands on the
    plain step's parameters and hidden outputs, up to round-off. The helper keeps its gradients to itself, so
    the step is compared whole: Adam's first step is about ± the learning rate wherever the gradient stands
    clear of round-off (measured: 1e-4 of it apart under oneDNN's AVX-512, AVX2 and SSE4.1 kernels); where it
    does not, the gradient is so small beside Adam's ε that the step is a few thousandths of the learning rate."""
    from graphs import layerwise_multigraph
    from tf1_ae.budget import make_budget
    from tf1_ae.runs import RunOptions

    images = mnist5k.train.images
    results = []
    for towers in (1, 2):
        np.random.seed(0)  # the batch's permutation
        results.append(layerwise_multigraph.train_autoencoder(
            images, 300, 1, 150, output_activation=None, budget=make_budget(1, 150, len(images), steps=1),
            checkpoint_dir=tmp_path / str(towers), log=lambda line: None,
            options=RunOptions(progress=False, towers=towers)))
    (hidden_plain, *plain), (hidden_towers, *towers) = results
    assert np.linalg.norm(hidden_towers - hidden_plain) <= 1e-5 * np.linalg.norm(hidden_plain)
    for a, b in zip(plain, towers):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-2 * layerwise_multigraph.Config.learning_rate)


@pytest.mark.parametrize("module, corrupted", [(denoising_gaussian, "X_noisy:0"), (denoising_dropout, "dropout:0")])
def test_each_tower_draws_its_own_noise(module, corrupted):
    """A tower's copy of a random op (or of a tf.cond whose branch draws) is seeded apart: the slices of a
    batch of equal images are corrupted differently, as the plain graph corrupts its rows differently."""
    reset_graph(42)
    ae = module.build(module.Config())
    with_towers(ae.plan, 2)
    graph = tf.get_default_graph()
    with tf.Session() as sess:
        halves = sess.run([graph.get_tensor_by_name(f"tower{i}/{corrupted}") for i in range(2)],
                          {ae.X: np.ones((150, 784), np.float32), **ae.plan.train_feed})
    assert halves[0].shape == (75, 784) and not np.array_equal(halves[0], halves[1])


def test_the_towers_combine_slices_as_the_loss_combines_examples():
    """Read from the loss's reductions over the batch: a mean of the stacked MSE, a sum of the VAE's nats; a loss
    that mixes both has no one way to combine its slices, and is refused."""
    from tf1_ae.derive import batch_reduction

    for module, expected in ((stacked_all, "mean"), (vae_sigma, "sum")):
        reset_graph()
        ae = module.build(module.Config())
        assert batch_reduction(ae.plan.loss, ae.X) == expected
    reset_graph()
    X = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="mean and sum"):
        batch_reduction(tf.reduce_mean(X) + tf.reduce_sum(X), X)
