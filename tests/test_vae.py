"""The variational autoencoders: latent losses against numpy, the summed reconstruction loss, generation."""
import json
import re
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS, checkpoint_of
from graphs import vae_compare, vae_generate, vae_logvar, vae_sigma
from tf1_ae.compat import reset_graph, tf
from tf1_ae.pipeline import Run
from tf1_ae.train import book_format


def kl_oracle(mean, sigma):
    return 0.5 * np.sum(sigma ** 2 + mean ** 2 - 1 - np.log(sigma ** 2))


def evaluate(tensor):
    with tf.Session() as sess:
        return sess.run(tensor)


def latent_loss(codings, mean, scale, config):
    """A listing's head's latent loss, its dense layer standing in for a `scale` (σ or γ) given outright."""
    def given_scale(*args, **kwargs):
        return tf.constant(scale)
    return evaluate(codings(None, tf.constant(mean), given_scale, config, None)[1])


def test_latent_losses_match_numpy_and_each_other():
    rng = np.random.RandomState(0)
    mean = rng.randn(150, 20).astype(np.float32)
    sigma = rng.uniform(0.2, 2.0, size=(150, 20)).astype(np.float32)
    gamma = np.log(sigma ** 2)
    reset_graph()
    by_sigma = latent_loss(vae_sigma.sigma_codings, mean, sigma, vae_sigma.Config())
    by_gamma = latent_loss(vae_logvar.gamma_codings, mean, gamma, vae_logvar.Config())
    expected = kl_oracle(mean.astype(np.float64), sigma.astype(np.float64))
    assert by_sigma == pytest.approx(expected, rel=1e-4)
    assert by_gamma == pytest.approx(expected, rel=1e-4)
    assert by_sigma == pytest.approx(by_gamma, rel=1e-4)


def test_latent_losses_vanish_for_the_standard_normal():
    zeros, ones = np.zeros([150, 20], np.float32), np.ones([150, 20], np.float32)
    assert abs(latent_loss(vae_sigma.sigma_codings, zeros, ones, vae_sigma.Config())) < 1e-6
    assert latent_loss(vae_logvar.gamma_codings, zeros, zeros, vae_logvar.Config()) == 0.0


@pytest.mark.parametrize("module", [vae_sigma, vae_logvar])
def test_reconstruction_loss_is_a_sum_over_images_and_pixels(module, mnist5k):
    reset_graph()
    ae = module.build()
    X = mnist5k.test.images[:30]
    z = np.random.RandomState(1).randn(30, 20).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        outputs, loss = sess.run([ae.outputs, ae.reconstruction_loss], {ae.X: X, ae.codings: z})
        doubled = sess.run(ae.reconstruction_loss, {ae.X: np.concatenate([X, X]),
                                                     ae.codings: np.concatenate([z, z])})
    p = outputs.astype(np.float64)
    xent = -(X * np.log(p) + (1 - X) * np.log(1 - p))
    assert loss == pytest.approx(xent.sum(), rel=1e-4)
    assert doubled == pytest.approx(2 * loss, rel=1e-5)


def test_logvar_graph_names(mnist5k):
    reset_graph()
    vae_logvar.build()
    names = [v.op.name for v in tf.trainable_variables()]
    assert names == [f"{layer}/{part}" for layer in ("hidden1", "hidden2", "hidden3_mean", "hidden3_gamma",
                                                     "hidden4", "hidden5", "logits") for part in ("kernel", "bias")]


@pytest.fixture
def trained_logvar(options):
    lines = []
    checkpoint_of("vae_logvar", replace(options, steps=5), log=lines.append)
    return lines


def test_short_vae_run_prints_the_books_line_and_per_image_nats(options, trained_logvar):
    """Each epoch's line is the book's (tab-separated, numpy's float32 printing) and says what history.json
    records for it; the last epoch's values are metrics.json's."""
    history = json.loads((options.out / "checkpoints/vae_logvar/history.json").read_text())
    metrics = json.loads((options.out / "checkpoints/vae_logvar/metrics.json").read_text())
    lines = [x for x in trained_logvar if re.match(r"^\d+ Train total loss: ", x)]
    assert len(lines) == len(history) == 5
    for line, epoch in zip(lines, history):
        v = {k: book_format(epoch[k]) for k in ("total_loss", "reconstruction_loss", "latent_loss",
                                                "total_loss_per_image")}
        assert line == (f"{epoch['epoch']} Train total loss: {v['total_loss']} \tReconstruction loss: "
                        f"{v['reconstruction_loss']} \tLatent loss: {v['latent_loss']}   "
                        f"[nats per image: {v['total_loss_per_image']}]")
    assert {k: metrics[k] for k in ("total_loss", "latent_loss")} == {k: history[-1][k] for k in
                                                                        ("total_loss", "latent_loss")}


def test_generated_digits_have_the_right_shape_range_and_repeat_with_the_seed(options, trained_logvar):
    results = []
    for _ in range(2):
        run = Run("vae_generate", options, vae_generate.Config(), log=lambda line: None, checkpoint_of=checkpoint_of)
        sess, ae = vae_generate.restore_trained(run)
        with sess:
            codings = np.random.normal(size=[60, 20])
            results.append(vae_generate.generate(sess, ae, codings))
    assert results[0].shape == (60, 784)
    assert results[0].min() >= 0.0 and results[0].max() <= 1.0
    assert np.array_equal(results[0], results[1])
    first = (options.out / "figures/vae_generate/generated_digits_plot.png")
    SECTIONS["vae_generate"].run(options, log=lambda line: None)
    png = first.read_bytes()
    SECTIONS["vae_generate"].run(options, log=lambda line: None)
    assert first.read_bytes() == png


def test_encode_decode_and_interpolate_draw_their_digits_panel_by_panel_none_blank(options, trained_logvar,
                                                                                     drawn):
    metrics = SECTIONS["vae_encode_decode"].run(options, log=lambda line: None)
    assert metrics["codings_shape"] == [150, 20]  # the book's test batch, encoded into the 20 codings
    SECTIONS["vae_interpolate"].run(options, log=lambda line: None)
    figures = options.out / "figures"
    digit = ["image 28×28"]
    # the book's 3 test digits, each beside its decoded codings
    assert drawn[figures / "vae_encode_decode/encode_decode_plot.png"] == [digit] * 3 * 2
    for step in range(4):  # the book's one row of 6 digits per step, from t = 0 to 3
        assert drawn[figures / f"vae_interpolate/interpolated_digits_plot_step{step}.png"] == [digit] * 6
    assert drawn[figures / "vae_interpolate/interpolated_digits_grid.png"] == [digit] * 4 * 6  # ours: all in one
    assert not (options.out / "checkpoints/vae_sigma").exists()  # the σ model is never touched


def test_the_worst_loss_is_the_largest_of_any_epoch_and_a_diverged_run_has_no_final_one():
    history = [{"total_loss": v} for v in (17000.0, 38965.4, 15200.0, 15147.4)]
    assert vae_compare.final_and_worst(history, diverged=False) == (15147.4, 38965.4)
    assert vae_compare.final_and_worst(history, diverged=True) == (None, 38965.4)


def test_compare_trains_both_variants_and_writes_the_four_numbers(options):
    metrics = SECTIONS["vae_compare"].run(replace(options, steps=4), log=lambda line: None)
    for key in ("sigma", "logvar"):  # each variant's own run, in its own folder: its final and its worst epoch
        history = json.loads((options.out / f"checkpoints/vae_compare/{key}/history.json").read_text())
        losses = [epoch["total_loss"] for epoch in history]
        assert len(losses) == 4 and metrics[f"{key}_final_total_loss"] == losses[-1]
        assert metrics[f"{key}_worst_total_loss"] == max(losses) and metrics[f"{key}_diverged"] is False
    assert (options.out / "figures/vae_compare/vae_compare_plot.png").is_file()


def test_compare_trains_each_vae_as_its_own_section_does(options):
    """vae_compare's σ and γ runs start where the book's cells did, as vae_sigma's and vae_logvar's: the same
    epochs to the last bit, so a finished run of either section is its run."""
    quick = replace(options, steps=4)
    SECTIONS["vae_compare"].run(quick, log=lambda line: None)
    for key in ("sigma", "logvar"):
        SECTIONS[f"vae_{key}"].run(quick, log=lambda line: None)
        ours = json.loads((options.out / f"checkpoints/vae_compare/{key}/history.json").read_text())
        its_own = json.loads((options.out / f"checkpoints/vae_{key}/history.json").read_text())
        assert ours == its_own and len(ours) == 4


def test_compare_reuses_the_finished_runs_of_both_vaes_and_trains_neither_again(options, monkeypatch):
    """`make all` runs vae_compare after both VAEs: with their finished full runs in place (here quick runs,
    marked finished), it reads their epochs and trains nothing; and `all` then counts it finished."""
    from app.admission import finished
    from tf1_ae.runs import mark_complete

    for key in ("sigma", "logvar"):
        SECTIONS[f"vae_{key}"].run(replace(options, steps=4), log=lambda line: None)
        mark_complete(options.out / f"checkpoints/vae_{key}")

    def trained_again(*args, **kwargs):
        raise AssertionError("vae_compare trained a VAE whose finished run it could reuse")

    monkeypatch.setattr(vae_compare, "train_listing", trained_again)
    said = []
    metrics = SECTIONS["vae_compare"].run(options, log=said.append)
    for key in ("sigma", "logvar"):
        history = json.loads((options.out / f"checkpoints/vae_{key}/history.json").read_text())
        assert metrics[f"{key}_final_total_loss"] == history[-1]["total_loss"]
        assert any(line.startswith(f"reusing the finished vae_{key} run") for line in said)
    assert finished(SECTIONS["vae_compare"], options.out, "mnist5k")
