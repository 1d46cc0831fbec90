"""Book §"Training One Autoencoder at a Time", in a single graph (seed note 05).

One graph holds the whole 784-300-150-300-784 stack. Phase 1 trains the outer layers through a shortcut
(hidden1 straight to the output layer); phase 2 trains the inner layers to reproduce hidden1, with
weights1/biases1 and weights4/biases4 frozen by giving phase 2's optimizer only the inner variables.

    phase 1: mean((hidden1·weights4 + biases4 - X)²) + l2_reg · (½‖weights1‖² + ½‖weights4‖²)
    phase 2: mean((hidden3 - hidden1)²)               + l2_reg · (½‖weights2‖² + ½‖weights3‖²)
"""
import time
from dataclasses import dataclass, replace

from tf1_ae import data as datasets
from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Autoencoder
from tf1_ae.plots import save_fig, show_reconstructed_digits
from tf1_ae.runs import RunPaths, apply_options, run_identity, write_history, write_metrics
from tf1_ae.train import CHECKPOINT_NAME, Metric, TrainPlan, Trainer, latest_checkpoint

FREEZING = ("var_list", "stop_gradient")


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book §05
    n_hidden2: int = 150  # codings, book §05
    n_hidden3: int = 300  # mirrors hidden1
    n_outputs: int = 28 * 28
    learning_rate: float = 0.01  # book §05, one Adam for both phases
    l2_reg: float = 0.0001  # book §05
    n_epochs: int = 4  # book §05: n_epochs = [4, 4]
    batch_size: int = 150  # book §05: batch_sizes = [150, 150]
    freeze: str = "var_list"  # book §05; "stop_gradient" is layerwise_stopgrad's way


@dataclass
class LayerwiseGraph:
    autoencoder: Autoencoder  # the full stack: X → outputs
    hidden1: object
    phase1: TrainPlan
    phase2: TrainPlan
    frozen: list  # weights1, biases1, weights4, biases4
    trained_in_phase2: list  # weights2, biases2, weights3, biases3


def build(config=Config()):
    if config.freeze not in FREEZING:
        raise ValueError(f"freeze must be one of {FREEZING}, not {config.freeze!r}")
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    initializer = he_init

    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    weights1_init = initializer([config.n_inputs, config.n_hidden1])
    weights2_init = initializer([config.n_hidden1, config.n_hidden2])
    weights3_init = initializer([config.n_hidden2, config.n_hidden3])
    weights4_init = initializer([config.n_hidden3, config.n_outputs])

    weights1 = tf.Variable(weights1_init, dtype=tf.float32, name="weights1")
    weights2 = tf.Variable(weights2_init, dtype=tf.float32, name="weights2")
    weights3 = tf.Variable(weights3_init, dtype=tf.float32, name="weights3")
    weights4 = tf.Variable(weights4_init, dtype=tf.float32, name="weights4")

    biases1 = tf.Variable(tf.zeros(config.n_hidden1), name="biases1")
    biases2 = tf.Variable(tf.zeros(config.n_hidden2), name="biases2")
    biases3 = tf.Variable(tf.zeros(config.n_hidden3), name="biases3")
    biases4 = tf.Variable(tf.zeros(config.n_outputs), name="biases4")

    hidden1 = activation(tf.matmul(X, weights1) + biases1, name="hidden1")
    if config.freeze == "stop_gradient":
        # No gradient flows back through this point: whatever is built on it cannot move weights1/biases1.
        hidden1_frozen = tf.stop_gradient(hidden1, name="hidden1_frozen")
    else:
        hidden1_frozen = hidden1
    hidden2 = activation(tf.matmul(hidden1_frozen, weights2) + biases2, name="hidden2")
    hidden3 = activation(tf.matmul(hidden2, weights3) + biases3, name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, weights4), biases4, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)

    with tf.name_scope("phase1"):
        phase1_outputs = tf.matmul(hidden1, weights4) + biases4  # bypass hidden2 and hidden3
        phase1_reconstruction_loss = tf.reduce_mean(tf.square(phase1_outputs - X))
        phase1_reg_loss = regularizer(weights1) + regularizer(weights4)
        phase1_loss = phase1_reconstruction_loss + phase1_reg_loss
        phase1_training_op = optimizer.minimize(phase1_loss)

    with tf.name_scope("phase2"):
        phase2_reconstruction_loss = tf.reduce_mean(tf.square(hidden3 - hidden1_frozen))
        phase2_reg_loss = regularizer(weights2) + regularizer(weights3)
        phase2_loss = phase2_reconstruction_loss + phase2_reg_loss
        train_vars = [weights2, biases2, weights3, biases3]
        if config.freeze == "var_list":
            phase2_training_op = optimizer.minimize(phase2_loss, var_list=train_vars)  # freeze hidden1
        else:
            phase2_training_op = optimizer.minimize(phase2_loss)  # frozen by stop_gradient above

    autoencoder = Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                              loss=reconstruction_loss, training_op=None)
    phase1 = TrainPlan(phase1_training_op, inputs=X, loss=phase1_loss, metrics=[
        Metric("phase1_train_mse", "Train MSE", phase1_reconstruction_loss),
        Metric("phase1_regularization_loss", "regularization loss", phase1_reg_loss, in_book_line=False)])
    phase2 = TrainPlan(phase2_training_op, inputs=X, loss=phase2_loss, metrics=[
        Metric("phase2_train_mse", "Train MSE", phase2_reconstruction_loss),
        Metric("phase2_regularization_loss", "regularization loss", phase2_reg_loss, in_book_line=False)])
    return LayerwiseGraph(autoencoder, hidden1, phase1, phase2,
                          frozen=[weights1, biases1, weights4, biases4], trained_in_phase2=train_vars)


def run(options, log=print, section="layerwise_singlegraph", freeze="var_list", cache=False):
    """Train phase 1, then phase 2 (from a cache of hidden1 when `cache`), then measure the full stack."""
    paths = RunPaths.under(options.out, section)
    config = replace(apply_options(Config(), options), freeze=freeze)
    mnist = datasets.load(options.data)
    budget = make_budget(config.n_epochs, config.batch_size, mnist.train.num_examples,
                         epochs=options.epochs, steps=options.steps)
    log(mnist.summary())
    log(budget.describe(mnist.train.num_examples) + ", for each phase")

    reset_graph(options.seed)
    g = build(config)
    g.autoencoder.mark()
    phase2_plan = replace(g.phase2, inputs=g.hidden1) if cache else g.phase2  # feed hidden1 directly
    trainers = [Trainer(g.phase1, paths.phase("phase1").checkpoint_dir, section, options.progress, "phase1_step"),
                Trainer(phase2_plan, paths.phase("phase2").checkpoint_dir, section, options.progress,
                        "phase2_step")]
    stack_saver = tf.train.Saver(max_to_keep=1)  # its own: a Saver deletes what it saved before
    init = tf.global_variables_initializer()
    metrics, seconds, epochs = {}, {}, []
    with tf.Session(config=session_config()) as sess:
        init.run()
        for phase, trainer in enumerate(trainers):
            log(f"Training phase #{phase + 1}")
            resume = options.resume and (phase == 0 or latest_checkpoint(trainer.checkpoint_dir) is not None)
            start = time.perf_counter()
            data = mnist.train
            if phase == 1 and cache:
                hidden1_cache = g.hidden1.eval(feed_dict={g.autoencoder.X: mnist.train.images})
                data = PermutationSampler(hidden1_cache)
                seconds["cache_seconds"] = time.perf_counter() - start
            history = trainer.run(sess, data, budget, resume=resume, log=log)
            seconds[f"phase{phase + 1}_seconds"] = time.perf_counter() - start
            epochs.extend(history)
            if history:
                metrics.update({k: v for k, v in history[-1].items() if k not in ("epoch", "step")})
        ae = g.autoencoder
        metrics["test_mse"] = float(ae.reconstruction_loss.eval(feed_dict={ae.X: mnist.test.images}))
        log(f"Test MSE: {metrics['test_mse']:.6g}")
        stack_saver.save(sess, str(paths.checkpoint_dir / CHECKPOINT_NAME))
        shown = mnist.test.images[:2]
        outputs_val = ae.outputs.eval(feed_dict={ae.X: shown})
    if epochs:
        write_history(paths.checkpoint_dir, epochs)
    show_reconstructed_digits(shown, outputs_val, 2)
    figure = save_fig(paths.figure_dir, "reconstruction_plot")
    metrics.update({k: round(v, 3) for k, v in seconds.items()})
    metrics.update(run_identity(section, mnist.name, mnist.train.num_examples, 2 * budget.total_steps,
                                options.seed, seconds["phase1_seconds"] + seconds["phase2_seconds"]))
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)}, {figure} and checkpoints in "
        f"{paths.checkpoint_dir} (the stack) and its phase1/, phase2/")
    return metrics
