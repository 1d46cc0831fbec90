"""Book §"Training One Autoencoder at a Time", in multiple graphs.

Greedy layer-wise training: a shallow autoencoder 784→300→784 learns to reproduce the images, a second
300→150→300 learns to reproduce the first one's codings, and the two are stacked into 784-300-150-300-784
without further training. Each shallow autoencoder lives in its own `tf.Graph()`.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.layers import dense, he_init, l2_regularizer
from tf1_ae.model import Autoencoder, Metric, TrainPlan
from tf1_ae.pipeline import conclude
from tf1_ae.runs import RunOptions
from tf1_ae.train import Trainer

IDEA = "Two shallow autoencoders trained one after the other, each in its own tf.Graph, then stacked."
LOSS = ("loss_k = mean((outputs_k - X_k)²) + l2_reg · (½‖hidden/kernel‖² + ½‖outputs/kernel‖²),  "
        "X_1 = images, X_2 = hidden_1(images)")


@dataclass(frozen=True)
class Config:
    n_hidden1: int = 300  # book: first autoencoder's codings
    n_hidden2: int = 150  # book: second autoencoder's codings
    n_epochs: int = 4  # book, each autoencoder
    batch_size: int = 150  # book
    learning_rate: float = 0.01  # book default argument
    l2_reg: float = 0.0005  # book default argument
    OP_SEEDS = (4, 23)  # the kernels', as TF 1.x seeded them: X was op 1, a book's dense layer 19 ops (tf1_ae.layers)


def train_autoencoder(X_train, n_neurons, n_epochs, batch_size, learning_rate=0.01, l2_reg=0.0005,
                      seed=42, hidden_activation="elu", output_activation="elu",
                      budget=None, checkpoint_dir=None, history=None, log=print, options=RunOptions(), watch=None):
    """The book's helper: train one shallow autoencoder in a graph of its own and return (hidden outputs on
    X_train, hidden kernel, hidden bias, output kernel, output bias) as numpy. The activations are the book's
    tf.nn.elu, named ("elu") so that this module loads without TensorFlow. Beyond the book: `budget` (default:
    n_epochs passes), a checkpoint per epoch in checkpoint_dir, `history` (receives each epoch's values),
    `options` (the run's: its progress bar and loop), `watch` (gets the training's arithmetic)."""
    budget = budget or make_budget(n_epochs, batch_size, len(X_train), epochs=n_epochs)
    hidden_init, outputs_init = (he_init.with_seed(seed) for seed in Config.OP_SEEDS)  # as the book's graph's

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        n_inputs = X_train.shape[1]
        X = tf.placeholder(tf.float32, shape=[None, n_inputs], name="X")
        my_dense_layer = partial(dense, kernel_regularizer=l2_regularizer(l2_reg))
        hidden = my_dense_layer(X, n_neurons, activation=tf_activation(hidden_activation),
                                kernel_initializer=hidden_init, name="hidden")
        outputs = my_dense_layer(hidden, n_inputs, activation=tf_activation(output_activation),
                                 kernel_initializer=outputs_init, name="outputs")
        reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
        reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")
        optimizer = tf.train.AdamOptimizer(learning_rate)
        training_op = optimizer.minimize(loss, name="training_op")

        metrics = [Metric("train_mse", "Train MSE", reconstruction_loss),
                   Metric("regularization_loss", "regularization loss", tf.add_n(reg_losses), in_book_line=False)]
        trainer = Trainer(TrainPlan(training_op, X, loss, metrics), checkpoint_dir, "autoencoder", options)
        init = tf.global_variables_initializer()

    with tf.Session(graph=graph, config=options.session_config()) as sess:
        init.run()
        epochs = trainer.run(sess, PermutationSampler(X_train), budget, log=log)
        if history is not None:
            history.extend(epochs)
        if watch is not None:
            watch.flops = (trainer.last_step - trainer.first_step) * trainer.flops_per_step(budget.batch_size)
        params = dict([(var.name, var.eval()) for var in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)])
        hidden_val = hidden.eval(feed_dict={X: X_train})
        return (hidden_val, *(params[f"{layer}/{kind}:0"] for layer in ("hidden", "outputs") for kind in ("kernel", "bias")))


def tf_activation(name):
    """"elu" → tf.nn.elu; a function, or None (linear), as given."""
    return getattr(tf.nn, name) if isinstance(name, str) else name


STACKED_PARAMETERS = ("weights1", "biases1", "weights2", "biases2", "weights3", "biases3", "weights4", "biases4")


def build(params, config=Config()):
    """Stack the two autoencoders' parameters into one 784-300-150-300-784 graph. The book uses the numpy arrays
    as constants; here they are variables `weights1..4`, `biases1..4` (loaded after init), so the stacked model
    has a checkpoint that later sections can restore by name."""
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    X = tf.placeholder(tf.float32, shape=[None, W1.shape[0]], name="X")
    variables = {name: tf.Variable(tf.zeros(value.shape), name=name) for name, value in zip(STACKED_PARAMETERS, params)}
    hidden1 = tf.nn.elu(tf.matmul(X, variables["weights1"]) + variables["biases1"], name="hidden1")
    hidden2 = tf.nn.elu(tf.matmul(hidden1, variables["weights2"]) + variables["biases2"], name="hidden2")
    hidden3 = tf.nn.elu(tf.matmul(hidden2, variables["weights3"]) + variables["biases3"], name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, variables["weights4"]), variables["biases4"], name="outputs")
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
    return Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       tensors={"variables": variables, "hidden1": hidden1})


def train_one_at_a_time(run):
    """Autoencoder #1 on the images, #2 on #1's codings, each with the book's helper; then the stack, tested."""
    config, mnist = run.config, run.load_data()
    budget = run.budget(config, note=", for each autoencoder")
    run.reset_graph()
    helper = partial(train_autoencoder, n_epochs=config.n_epochs, batch_size=config.batch_size,
                     learning_rate=config.learning_rate, l2_reg=config.l2_reg, seed=run.options.tf_seed, budget=budget,
                     log=run.log, options=run.options)
    histories = {1: [], 2: []}
    run.log(f"Autoencoder #1: 784 → {config.n_hidden1} (ELU) → 784 (linear)")
    with run.stopwatch(budget) as watch:
        hidden_output, W1, b1, W4, b4 = helper(mnist.train.images, n_neurons=config.n_hidden1,
                                               output_activation=None, history=histories[1], watch=watch,
                                               checkpoint_dir=run.paths.phase("ae1").checkpoint_dir)
    run.log(f"Autoencoder #2: {config.n_hidden1} → {config.n_hidden2} (ELU) → {config.n_hidden1} (ELU)")
    with run.stopwatch(budget) as watch:
        _, W2, b2, W3, b3 = helper(hidden_output, n_neurons=config.n_hidden2, history=histories[2], watch=watch,
                                   checkpoint_dir=run.paths.phase("ae2").checkpoint_dir)
    run.history.extend({**{k: v for k, v in e.items() if k != "train_mse"}, f"ae{n}_train_mse": e["train_mse"]}
                       for n, history in histories.items() for e in history)
    reset_graph(run.options.seed)
    params = [W1, b1, W2, b2, W3, b3, W4, b4]
    stack = build(params, config)
    stack.mark()
    saver = tf.train.Saver(max_to_keep=1, save_relative_paths=True)
    with run.session() as sess:
        sess.run(tf.global_variables_initializer())
        for name, value in zip(STACKED_PARAMETERS, params):
            stack.tensors["variables"][name].load(value, sess)
        trained = {f"ae{n}_train_mse": history[-1]["train_mse"] if history else None for n, history in histories.items()}
        return conclude(run, sess, stack, trained, saver=saver)
