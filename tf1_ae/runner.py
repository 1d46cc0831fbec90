"""Train an MNIST autoencoder graph end to end: data, budget, loop, test MSE, figure, metrics.json."""
import time

from tf1_ae import data as datasets
from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.plots import save_fig, show_denoising, show_reconstructed_digits
from tf1_ae.runs import RunPaths, apply_options, run_identity, write_history, write_metrics
from tf1_ae.train import Trainer

N_TEST_DIGITS = 2  # show_reconstructed_digits' default


def last_values(history, sess, plan, data_set, batch_size):
    """The printed metrics' final values: the last epoch's line, or (nothing left to train on
    --resume) the same terms measured on one batch."""
    if history:
        return {k: v for k, v in history[-1].items() if k not in ("epoch", "step")}
    batch = data_set.next_batch(batch_size)
    return {m.key: float(v) for m, v in zip(plan.metrics, sess.run([m.tensor for m in plan.metrics],
                                                                     plan.feed(batch)))}


def run_autoencoder(section, build, config, options, log=print, paths=None, history=None,
                    figure_name="reconstruction_plot", report=None):
    """Train, test, draw, write metrics.json; `history` (a list) receives every epoch's values, and
    `report(sess, ae, data, figure_dir, log)` may add a section's own figures and metrics."""
    paths = paths or RunPaths.under(options.out, section)
    data = datasets.load(options.data)
    config = apply_options(config, options)
    budget = make_budget(config.n_epochs, config.batch_size, data.train.num_examples,
                         epochs=options.epochs, steps=options.steps)
    log(data.summary())
    log(budget.describe(data.train.num_examples))
    reset_graph(options.seed)
    ae = build(config)
    ae.mark()
    plan = ae.plan()
    trainer = Trainer(plan, paths.checkpoint_dir, section, progress=options.progress)
    init = tf.global_variables_initializer()
    with tf.Session(config=session_config(getattr(config, "towers", 1))) as sess:
        init.run()
        start = time.perf_counter()
        epochs = trainer.run(sess, data.train, budget, resume=options.resume, log=log)
        seconds = time.perf_counter() - start
        if history is not None:
            history.extend(epochs)
        if epochs:
            write_history(paths.checkpoint_dir, epochs)
        metrics = last_values(epochs, sess, plan, data.train, budget.batch_size)
        test = ae.test_metric
        metrics[test.key] = float(sess.run(test.tensor, {ae.X: data.test.images}))
        log(f"{test.label}: {metrics[test.key]:.6g}")
        if report is not None:
            extra, _ = report(sess, ae, data, paths.figure_dir, log)
            metrics.update(extra)
        shown = data.test.images[:N_TEST_DIGITS]
        if ae.corrupted is None:
            reconstructed = sess.run(ae.outputs, {ae.X: shown})
        else:  # what the network gets during training: the corrupted input
            corrupted, reconstructed = sess.run([ae.corrupted, ae.outputs], {ae.X: shown, **ae.train_feed})
    if ae.corrupted is None:
        show_reconstructed_digits(shown, reconstructed, N_TEST_DIGITS)
    else:
        show_denoising(corrupted, reconstructed, shown)
    figure = save_fig(paths.figure_dir, figure_name)
    metrics.update(run_identity(section, data.name, data.train.num_examples, budget.total_steps, options.seed,
                                seconds))
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)}, {figure} and a checkpoint + TensorBoard "
        f"events in {paths.checkpoint_dir}")
    return metrics
