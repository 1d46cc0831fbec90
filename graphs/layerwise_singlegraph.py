"""Book §"Training One Autoencoder at a Time", in a single graph.

One graph holds the whole 784-300-150-300-784 stack. Phase 1 trains the outer layers through a shortcut
(hidden1 straight to the output layer); phase 2 trains the inner layers to reproduce hidden1, with
weights1/biases1 and weights4/biases4 frozen by giving phase 2's optimizer only the inner variables.
"""
from dataclasses import dataclass

from tf1_ae.compat import reset_graph, tf
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Autoencoder
from tf1_ae.plots import show_reconstructed_digits
from tf1_ae.phases import Phase, Phases
from tf1_ae.train import CHECKPOINT_NAME, Metric, TrainPlan

IDEA = "One graph, two phases: the outer layers learn first, then the inner ones with the outer layers frozen."
LOSS = """phase 1: mean((hidden1·weights4 + biases4 - X)²) + l2_reg · (½‖weights1‖² + ½‖weights4‖²)
phase 2: mean((hidden3 - hidden1)²)               + l2_reg · (½‖weights2‖² + ½‖weights3‖²)"""


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28  # MNIST
    n_hidden1: int = 300  # book
    n_hidden2: int = 150  # codings, book
    n_hidden3: int = 300  # mirrors hidden1
    n_outputs: int = 28 * 28
    learning_rate: float = 0.01  # book, one Adam for both phases
    l2_reg: float = 0.0001  # book
    n_epochs: int = 4  # book: n_epochs = [4, 4]
    batch_size: int = 150  # book: batch_sizes = [150, 150]
    freeze: str = "var_list"  # book; "stop_gradient" is layerwise_stopgrad's way
    cache: bool = False  # phase 2 fed from a cache of hidden1 (layerwise_cached)

    def __post_init__(self):
        if self.freeze not in ("var_list", "stop_gradient"):
            raise ValueError(f"freeze must be var_list or stop_gradient, not {self.freeze!r}")


@dataclass(frozen=True)
class LayerwiseGraph:
    autoencoder: Autoencoder  # the full stack: X → outputs (trained by the phases, not as a whole)
    hidden1: object
    phase1: TrainPlan
    phase2: TrainPlan
    frozen: list  # weights1, biases1, weights4, biases4
    trained_in_phase2: list  # weights2, biases2, weights3, biases3


def layer_variables(config):
    """The book's eight tf.Variables, in its order (so a seed gives the book's initial weights)."""
    initializer = he_init
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
    return weights1, weights2, weights3, weights4, biases1, biases2, biases3, biases4


def build(config=Config()):
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")

    weights1, weights2, weights3, weights4, biases1, biases2, biases3, biases4 = layer_variables(config)

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

    stack = Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                        plan=TrainPlan(None, X, reconstruction_loss, []))
    phase1 = phase_plan(X, "phase1", phase1_training_op, phase1_loss, phase1_reconstruction_loss, phase1_reg_loss)
    phase2 = phase_plan(X, "phase2", phase2_training_op, phase2_loss, phase2_reconstruction_loss, phase2_reg_loss)
    return LayerwiseGraph(stack, hidden1, phase1, phase2, frozen=[weights1, biases1, weights4, biases4],
                          trained_in_phase2=train_vars)


def phase_plan(X, phase, training_op, loss, mse, reg_loss):
    return TrainPlan(training_op, X, loss, [Metric(f"{phase}_train_mse", "Train MSE", mse), Metric(
        f"{phase}_regularization_loss", "regularization loss", reg_loss, in_book_line=False)])


def build_towers(config, n_towers):  # beyond the book (--towers N): in a module of its own
    from graphs.layerwise_towers import build_towers
    return build_towers(config, n_towers)


def run(run):
    """Phase 1, then phase 2 (from a cache of hidden1 when `config.cache`), then the full stack's test MSE."""
    config, mnist = run.config, run.load_data()
    budget = run.budget(config.n_epochs, config.batch_size, note=", for each phase")
    reset_graph(run.options.seed)
    g = build(config) if run.options.towers == 1 else build_towers(config, run.options.towers)
    g.autoencoder.mark()
    cache = g.hidden1 if config.cache else None  # phase 2 fed hidden1's values, computed once
    phases = Phases(run, [Phase(g.phase1, mnist.train), Phase(g.phase2, mnist.train, cached=cache)])
    stack_saver = tf.train.Saver(max_to_keep=1, save_relative_paths=True)  # its own: a Saver deletes its old saves
    init = tf.global_variables_initializer()
    with run.session() as sess:
        init.run()
        metrics = phases.train(sess, budget)
        ae, shown = g.autoencoder, mnist.test.images[:2]
        metrics["test_mse"] = float(ae.reconstruction_loss.eval(feed_dict={ae.X: mnist.test.images}))
        run.log(f"Test MSE: {metrics['test_mse']:.6g}")
        stack_saver.save(sess, str(run.paths.checkpoint_dir / CHECKPOINT_NAME))
        show_reconstructed_digits(shown, ae.outputs.eval(feed_dict={ae.X: shown}), 2)
    run.figure("reconstruction_plot")
    return run.finish(metrics)
