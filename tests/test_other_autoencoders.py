"""The autoencoders the book only names: convolutional (and conv WTA), adversarial, GSN."""
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS
from graphs import adversarial, conv, gsn
from tf1_ae.compat import reset_graph, tf


def test_conv_shapes_through_every_layer_and_back_to_28x28(mnist5k):
    reset_graph()
    ae = conv.build()
    expected = {"conv1": (28, 28, 16), "pool1": (14, 14, 16), "conv2": (14, 14, 32), "pool2": (7, 7, 32),
                "conv3": (7, 7, 64), "codings": (3, 3, 64), "deconv1": (7, 7, 32), "deconv2": (14, 14, 16),
                "outputs": (28, 28, 1)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        layers = ae.tensors["layers"]
        values = sess.run(dict(layers), {ae.X: mnist5k.test.images[:5]})
        outputs = sess.run(ae.outputs, {ae.X: mnist5k.test.images[:5]})
    for name, shape in expected.items():
        assert values[name].shape == (5, *shape), name
        assert tuple(layers[name].shape.as_list()[1:]) == shape, name  # static shapes known too
    assert outputs.shape == (5, 784) and outputs.min() >= 0 and outputs.max() <= 1


def test_spatial_wta_keeps_one_value_per_map_per_example_and_lifetime_only_while_training(mnist5k):
    reset_graph()
    ae = conv.build(conv.Config(wta="spatial"))
    X = mnist5k.train.images[:40]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        t = ae.tensors
        hidden, spatial, train_mask = sess.run([t["layers"]["hidden"], t["spatial_mask"], t["mask"]],
                                               {ae.X: X, t["training"]: True})
        test_mask = sess.run(t["mask"], {ae.X: X})
    assert spatial.sum(axis=(1, 2)).tolist() == np.ones((40, 16)).tolist()
    winners = (hidden * spatial).sum(axis=(1, 2))
    assert np.allclose(winners, hidden.max(axis=(1, 2)))
    assert np.array_equal(test_mask, spatial)  # at test time: the spatial mask alone
    assert train_mask.sum(axis=(1, 2)).sum(axis=0).tolist() == [8] * 16  # ⌈20% of 40⌉ examples per map


def test_each_adversarial_training_op_changes_only_its_own_variables(mnist5k):
    reset_graph()
    ae = adversarial.build()
    feed = {ae.X: mnist5k.train.images[:100]}
    everything = tf.trainable_variables()
    ops = dict(zip(["autoencoder", "discriminator", "generator"], ae.training_op))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for name, op in ops.items():
            before = sess.run(everything)
            sess.run(op, feed)
            after = sess.run(everything)
            changed = {v.op.name for v, b, a in zip(everything, before, after) if not np.array_equal(b, a)}
            own = {v.op.name for v in ae.tensors["scopes"][name]}
            assert changed and changed <= own, (name, changed - own)
    assert {v.op.name.split("/")[0] for v in ae.tensors["scopes"]["generator"]} == {"encoder"}


def test_gsn_chain_stays_in_range_moves_and_repeats_with_the_seed(mnist5k):
    reset_graph()
    ae = gsn.build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            sess.run(ae.training_op, {ae.X: mnist5k.train.next_batch(100)[0]})
        start = mnist5k.test.images[0]
        noise = gsn.Config().salt_and_pepper
        chain = gsn.sample_chain(sess, ae, start, 8, noise, seed=3)
        again = gsn.sample_chain(sess, ae, start, 8, noise, seed=3)
        other = gsn.sample_chain(sess, ae, start, 8, noise, seed=4)
    assert chain.shape == (8, 784) and chain.min() >= 0.0 and chain.max() <= 1.0
    assert np.mean(np.abs(chain[-1] - (start > 0.5))) > 0.01
    assert np.array_equal(chain, again) and not np.array_equal(chain, other)


# Each figure's panels as the listing draws them: a 10×10 grid of 28×28 digits 2 pixels apart is 302 pixels
# square; conv's 16 first-layer 3×3 filters, 2 rows of 8, 1 pixel apart, 9×33; mnist5k has 500 test digits.
DIGIT_GRID = [["image 302×302"]]
TWO_DIGITS_AND_RECONSTRUCTIONS = [["image 28×28"]] * 4  # what every trained section ends with


@pytest.mark.parametrize("section, figures", [
    ("adversarial", {"adversarial_codings_plot": [["scatter of 500 points"] * 2, ["colorbar"]],
                     "adversarial_generated_digits": DIGIT_GRID}),
    ("gsn", {"gsn_chain_plot": DIGIT_GRID}),
    ("conv", {"conv_filters": [["image 9×33"]]}),
])
def test_short_runs_draw_their_figures_panel_by_panel_none_blank(section, figures, options, drawn):
    SECTIONS[section].run(replace(options, steps=5), log=lambda line: None)
    expected = {**figures, "reconstruction_plot": TWO_DIGITS_AND_RECONSTRUCTIONS}
    assert {path.relative_to(options.out / "figures" / section).stem: shown for path, shown in drawn.items()} == expected
    assert all(path.is_file() for path in drawn)


def test_conv_wta_run_keeps_the_plain_models_folders(options):
    SECTIONS["conv"].run(replace(options, steps=3, overrides=(("wta", "spatial"),)), log=lambda line: None)
    assert (options.out / "figures/conv/wta_spatial/wta_dictionary.png").is_file()
    assert tf.train.latest_checkpoint(str(options.out / "checkpoints/conv/wta_spatial")) is not None
    assert not (options.out / "checkpoints/conv/metrics.json").exists()
    SECTIONS["conv"].run(replace(options, steps=2), log=lambda line: None)
    plain = (options.out / "checkpoints/conv/metrics.json").read_bytes()
    SECTIONS["conv"].run(replace(options, steps=3, overrides=(("wta", "spatial"),)), log=lambda line: None)
    assert (options.out / "checkpoints/conv/metrics.json").read_bytes() == plain  # the variant never touches it
