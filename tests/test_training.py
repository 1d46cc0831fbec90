"""Short real runs on the embedded data: losses fall, checkpoints restore exactly, runs repeat exactly."""
import json
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS
from graphs import stacked_all
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.runs import REPO_ROOT, RunOptions
from tf1_ae.train import Trainer


def run_section(name, options):
    lines = []
    metrics = SECTIONS[name].run(options, log=lines.append)
    return metrics, lines


def epoch_values(lines, label="Train MSE"):
    return [float(m.group(1)) for m in (re.match(rf"^\d+ {label}: (\S+)", line) for line in lines) if m]


def test_pca_linear_autoencoder_reaches_pca_error(options):
    metrics, lines = run_section("pca", options)
    assert metrics["test_mse"] <= 1.01 * metrics["pca_test_mse"]
    assert metrics["test_mse"] >= 0.999 * metrics["pca_test_mse"]  # PCA is the optimum
    assert (options.out / "figures/pca/linear_autoencoder_pca_plot.png").stat().st_size > 0


def test_short_stacked_run_lowers_the_loss_and_writes_its_outputs(options):
    metrics, lines = run_section("stacked_all", replace(options, steps=150))
    values = epoch_values(lines)
    assert len(values) == 5
    assert values[-1] < 0.7 * values[0]
    assert lines[0].startswith("data: mnist5k") and "4,000 train" in lines[0]
    ckpt = options.out / "checkpoints/stacked_all"
    saved = json.loads((ckpt / "metrics.json").read_text())
    for key in ("train_mse", "regularization_loss", "loss", "test_mse", "section", "data", "n_train",
                "steps", "seed", "seconds"):
        assert key in saved
    assert saved["train_mse"] == values[-1] or abs(saved["train_mse"] - values[-1]) < 1e-6 * values[-1]
    assert saved["steps"] == 150 and saved["n_train"] == 4000 and saved["data"] == "mnist5k"
    assert (options.out / "figures/stacked_all/reconstruction_plot.png").stat().st_size > 0
    # TensorBoard: the graph and one scalar per loss term.
    events = list(ckpt.glob("events.out.tfevents.*"))
    assert len(events) == 1
    tags, has_graph = set(), False
    for event in tf.train.summary_iterator(str(events[0])):
        has_graph |= event.HasField("graph_def")
        tags |= {v.tag for v in event.summary.value}
    assert has_graph and {"losses/train_mse", "losses/regularization_loss", "losses/loss"} <= tags


def test_checkpoint_restores_into_a_fresh_graph_bit_for_bit(tmp_path, mnist5k):
    from tf1_ae.budget import make_budget

    X_test = mnist5k.test.images
    reset_graph(42)
    ae = stacked_all.build()
    trainer = Trainer(ae.plan, tmp_path, "stacked_all", RunOptions(progress=False))
    with tf.Session(config=session_config()) as sess:
        sess.run(tf.global_variables_initializer())
        trainer.run(sess, mnist5k.train, make_budget(5, 150, 4000, steps=10), log=lambda line: None)
        before = sess.run(ae.outputs, {ae.X: X_test})
    reset_graph(7)  # another seed: the fresh graph's own initial weights differ
    fresh = stacked_all.build()
    restorer = Trainer(fresh.plan, tmp_path, "stacked_all", RunOptions(progress=False))
    with tf.Session(config=session_config()) as sess:
        sess.run(tf.global_variables_initializer())
        untrained = sess.run(fresh.outputs, {fresh.X: X_test})
        restorer.start(sess, mnist5k.train, resume=True, log=lambda line: None)
        after = sess.run(fresh.outputs, {fresh.X: X_test})
        assert sess.run(restorer.global_step) == 10
    assert not np.array_equal(untrained, before)
    assert np.array_equal(before, after)


def test_resume_continues_from_the_saved_step(options):
    run_section("stacked_tied", replace(options, steps=10))
    metrics, lines = run_section("stacked_tied", replace(options, steps=20, resume=True))
    assert any(line.startswith("resuming from step 10") for line in lines)
    ckpt = tf.train.latest_checkpoint(str(options.out / "checkpoints/stacked_tied"))
    assert tf.train.load_variable(ckpt, "global_step") == 20
    assert metrics["steps"] == 20
    # Epochs end at steps 4, 8, ..., 20: step 10 lies in epoch 2, so epochs 2-4 are left to print.
    assert [line.split()[0] for line in lines if re.match(r"^\d+ Train MSE", line)] == ["2", "3", "4"]


def test_same_seed_gives_identical_metrics(tmp_path, options):
    first, _ = run_section("stacked_all", replace(options, steps=20, out=tmp_path / "a"))
    second, _ = run_section("stacked_all", replace(options, steps=20, out=tmp_path / "b"))
    other, _ = run_section("stacked_all", replace(options, steps=20, out=tmp_path / "c", seed=1))
    keys = ("train_mse", "regularization_loss", "loss", "test_mse")
    assert [first[k] for k in keys] == [second[k] for k in keys]
    assert first["test_mse"] != other["test_mse"]


def test_reconstructions_restores_a_sections_checkpoint_and_keeps_each_sources_result(options):
    trained, _ = run_section("stacked_tied", replace(options, steps=10))
    drawn, lines = run_section("reconstructions", replace(options, overrides=(("source", "stacked_tied"),)))
    assert drawn["test_mse"] == trained["test_mse"]
    assert (options.out / "figures/reconstructions/stacked_tied_reconstruction_plot.png").is_file()
    other, _ = run_section("stacked_all", replace(options, steps=10))
    run_section("reconstructions", replace(options, overrides=(("source", "stacked_all"),)))
    kept = json.loads((options.out / "checkpoints/reconstructions/metrics.json").read_text())
    assert kept["stacked_tied_test_mse"] == trained["test_mse"] and kept["stacked_all_test_mse"] == other["test_mse"]


def test_start_up_counts_from_the_process_start_for_the_first_run_only():
    """`make all` runs many sections in one process: the first run's start-up counts from the process's start
    (imports, TensorFlow and all), each later one from its own start, not from the process's (which would add
    every earlier section's training to it). A fresh process, so that no earlier test has claimed its start."""
    probe = ("import time\nfrom tf1_ae.pipeline import PROCESS_STARTED, Run\nfrom tf1_ae.runs import RunOptions\n"
             "time.sleep(0.5)\nfirst = Run('a', RunOptions(), None)\nsecond = Run('b', RunOptions(), None)\n"
             "part = second.sub_run('p')\n"
             "print(PROCESS_STARTED, first.wall_started, second.wall_started, part.wall_started, time.time())")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    process, first, second, part, now = map(float, done.stdout.split())
    assert first == process and now - first > 0.5
    assert second > first + 0.5 and now - second < 0.5
    assert part == second  # a run's part counts from its run's start


def test_a_whole_set_is_evaluated_a_chunk_at_a_time_to_the_same_mean(mnist5k, monkeypatch):
    from tf1_ae import pipeline

    reset_graph()
    ae = stacked_all.build()
    images = mnist5k.test.images  # 500 images
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        whole = float(sess.run(ae.reconstruction_loss, {ae.X: images}))
        assert pipeline.evaluate(sess, ae.reconstruction_loss, ae.X, images) == whole  # one chunk: one run
        monkeypatch.setattr(pipeline, "EVALUATED_AT_ONCE", 128)  # four chunks, the last of 116 images
        assert pipeline.evaluate(sess, ae.reconstruction_loss, ae.X, images) == pytest.approx(whole, rel=1e-6)


def test_a_ctrl_c_that_tensorflow_swallowed_still_stops_training_before_its_next_step(options):
    """A signal's exception raised inside one of TensorFlow's Python callbacks is printed and dropped by
    TensorFlow; the handler noted it, so the loop raises it after the step it came in."""
    import signal

    from tf1_ae import interrupts
    from tf1_ae.checkpoints import latest_checkpoint

    try:
        interrupts.handler(KeyboardInterrupt)(signal.SIGINT, None)
    except KeyboardInterrupt:
        pass  # as TensorFlow does
    try:
        with pytest.raises(KeyboardInterrupt):
            SECTIONS["stacked_all"].run(replace(options, steps=20), log=lambda line: None)
    finally:
        interrupts.forget()
    assert latest_checkpoint(options.out / "checkpoints/stacked_all") is None  # stopped in its first epoch


def test_closing_the_event_writer_never_hangs_a_stopped_run():
    """A Ctrl-C inside a FileWriter's add_summary can leave its queue waiting for ever, and close() with it
    (seen once here: a run interrupted in the test suite hung in close()); the trainer waits a bounded time."""
    import threading

    from tf1_ae import train

    class StuckWriter:
        def close(self):
            threading.Event().wait()  # the queue's flush that never comes

    done = threading.Thread(target=train._close, args=(StuckWriter(), 0.5), daemon=True)
    done.start()
    done.join(5)
    assert not done.is_alive()
