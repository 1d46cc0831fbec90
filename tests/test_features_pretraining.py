"""Looking inside (features) and reusing (pretraining) the layer-wise autoencoder."""
import re
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS, checkpoint_of
from graphs import features, layerwise_singlegraph, pretraining
from tf1_ae.compat import reset_graph, tf
from tf1_ae.data import load_mnist5k
from tf1_ae.train import book_format
from tf1_ae.visualize import GradientAscent, top_activating


def test_top_activating_returns_each_units_argmax_set_in_order():
    acts = np.random.RandomState(0).randn(500, 7)
    top = top_activating(acts, 9)
    assert top.shape == (7, 9)
    for unit in range(7):
        assert top[unit].tolist() == np.argsort(-acts[:, unit])[:9].tolist()


def test_gradient_ascent_raises_the_unit_at_every_recorded_iteration_and_keeps_pixels_in_range(mnist5k):
    config = features.Config()
    reset_graph()
    ae = layerwise_singlegraph.build()
    phase1 = ae.phases[0].plan
    ascent = GradientAscent(ae.X, ae.codings)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):  # a little training, so the units respond to digit-like strokes
            sess.run(phase1.training_op, phase1.feed(mnist5k.train.next_batch(150)))
        start = config.ascent_start_noise * np.random.RandomState(0).rand(784)
        for unit in (0, 77):
            recorded = ascent.run(sess, unit, start, config.ascent_step, 100, record=(0, 10, 50, 100))
            activations = [recorded[i][1] for i in sorted(recorded)]
            assert all(b > a for a, b in zip(activations, activations[1:])), activations
            for image, _ in recorded.values():
                assert image.min() >= 0.0 and image.max() <= 1.0
            assert not np.array_equal(recorded[0][0], recorded[100][0])


@pytest.fixture
def layerwise_checkpoint(options):
    return checkpoint_of("layerwise_cached", replace(options, steps=4), log=lambda line: None)


def test_pretrain_saver_restores_exactly_the_four_autoencoder_variables(layerwise_checkpoint):
    reset_graph(3)
    clf = pretraining.build()
    assert sorted(v.op.name for v in clf.pretrain_saver._var_list) == ["biases1", "biases2", "weights1",
                                                                       "weights2"]
    ckpt = tf.train.latest_checkpoint(str(layerwise_checkpoint))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = dict(zip(["weights1", "weights2", "biases1", "biases2"], sess.run(clf.pretrained)))
        top_before = sess.run(clf.top)
        clf.pretrain_saver.restore(sess, ckpt)
        after = dict(zip(["weights1", "weights2", "biases1", "biases2"], sess.run(clf.pretrained)))
        top_after = sess.run(clf.top)
    for name, value in after.items():
        assert np.array_equal(value, tf.train.load_variable(ckpt, name))
        assert name.startswith("biases") or not np.array_equal(value, before[name])
    for initial, restored in zip(top_before, top_after):
        assert np.array_equal(initial, restored)


def test_freeze_pretrained_trains_only_the_output_layer(mnist5k):
    reset_graph()
    clf = pretraining.build(pretraining.Config(freeze_pretrained=True))
    feed = {clf.X: mnist5k.train.images[:150], clf.y: mnist5k.train.labels[:150]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(clf.pretrained + clf.top)
        for _ in range(3):
            sess.run(clf.training_op, feed)
        after = sess.run(clf.pretrained + clf.top)
    assert all(np.array_equal(a, b) for a, b in zip(before[:4], after[:4]))
    assert not np.array_equal(before[4], after[4])


def test_pretraining_prints_the_books_lines_for_both_runs(options, layerwise_checkpoint):
    lines = []
    metrics = SECTIONS["pretraining"].run(replace(options, steps=8), log=lines.append)
    scratch = [x for x in lines if re.match(r"^\d+ Train accuracy: \S+ Test accuracy: \S+$", x)]
    pretrained = [x for x in lines if re.match(r"^\d+ Train accuracy: \S+\tTest accuracy: \S+$", x)]
    assert len(scratch) == 4 and len(pretrained) == 4 and metrics["n_labeled"] == 1455
    # The recorded test accuracy is the saved classifier's, on the whole test set: recomputed here from its logits.
    mnist = load_mnist5k()
    for run in ("supervised", "pretrained"):
        reset_graph()
        clf = pretraining.build()
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(str(options.out / "checkpoints/pretraining" / run)))
            logits = sess.run(clf.logits, {clf.X: mnist.test.images})
        accuracy = np.mean(np.argmax(logits, axis=1) == mnist.test.labels)
        assert metrics[f"{run}_test_accuracy"] == pytest.approx(accuracy, abs=1e-6)
        assert f"Test accuracy: {book_format(metrics[f'{run}_test_accuracy'])}" in (scratch if run == "supervised"
                                                                                    else pretrained)[-1]


def test_features_writes_one_figure_per_method(options):
    metrics = SECTIONS["features"].run(replace(options, steps=4), log=lambda line: None)
    for name in ("top_activating_images", "extracted_features_plot", "gradient_ascent_plot"):
        assert (options.out / f"figures/features/{name}.png").stat().st_size > 0
    assert all(b > a for a, b in zip(metrics["ascent_start_activation"], metrics["ascent_final_activation"]))
