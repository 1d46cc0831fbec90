"""Book §"Training One Autoencoder at a Time", in multiple graphs.

Greedy layer-wise training: a shallow autoencoder 784→300→784 learns to reproduce the images, a second
300→150→300 learns to reproduce the first one's codings, and the two are stacked into 784-300-150-300-784
without further training. Each shallow autoencoder lives in its own `tf.Graph()`.
"""
from dataclasses import dataclass
from functools import partial

from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.layers import dense, he_init, l2_regularizer
from tf1_ae.model import Autoencoder
from tf1_ae.plots import show_reconstructed_digits
from tf1_ae.towers import minimize_in_towers
from tf1_ae.train import CHECKPOINT_NAME, Metric, TrainPlan, Trainer

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


def train_autoencoder(X_train, n_neurons, n_epochs, batch_size, learning_rate=0.01, l2_reg=0.0005,
                      seed=42, hidden_activation=tf.nn.elu, output_activation=tf.nn.elu,
                      budget=None, checkpoint_dir=None, history=None, log=print, progress=None, n_towers=1):
    """The book's helper: train one shallow autoencoder in a graph of its own and return
    (hidden outputs on X_train, hidden kernel, hidden bias, output kernel, output bias) as numpy.

    Beyond the book: `budget` (default: n_epochs passes), a checkpoint per epoch in checkpoint_dir, `history`
    (a list that receives each epoch's logged values) and `n_towers` (--towers N)."""
    budget = budget or make_budget(n_epochs, batch_size, len(X_train), epochs=n_epochs)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)

        n_inputs = X_train.shape[1]

        X = tf.placeholder(tf.float32, shape=[None, n_inputs], name="X")

        my_dense_layer = partial(dense, kernel_initializer=he_init,
                                 kernel_regularizer=l2_regularizer(l2_reg))

        hidden = my_dense_layer(X, n_neurons, activation=hidden_activation, name="hidden")
        outputs = my_dense_layer(hidden, n_inputs, activation=output_activation, name="outputs")

        reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

        reg_losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
        loss = tf.add_n([reconstruction_loss] + reg_losses, name="loss")

        optimizer = tf.train.AdamOptimizer(learning_rate)
        if n_towers == 1:
            training_op = optimizer.minimize(loss, name="training_op")
        else:  # the same update from equal slices of each batch, side by side (the towers' mean loss fetched)
            training_op, loss = minimize_in_towers(optimizer, lambda part: tf.reduce_mean(tf.square(my_dense_layer(
                my_dense_layer(part, n_neurons, activation=hidden_activation, name="hidden"), n_inputs,
                activation=output_activation, name="outputs") - part)) + tf.add_n(reg_losses), X, n_towers)

        plan = TrainPlan(training_op=training_op, inputs=X, loss=loss, metrics=[
            Metric("train_mse", "Train MSE", reconstruction_loss),
            Metric("regularization_loss", "regularization loss", tf.add_n(reg_losses), in_book_line=False)])
        trainer = Trainer(plan, checkpoint_dir, "autoencoder", progress=progress)
        init = tf.global_variables_initializer()

    with tf.Session(graph=graph, config=session_config(n_towers)) as sess:
        init.run()
        epochs = trainer.run(sess, PermutationSampler(X_train), budget, log=log)
        if history is not None:
            history.extend(epochs)
        params = dict([(var.name, var.eval()) for var in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)])
        hidden_val = hidden.eval(feed_dict={X: X_train})
        return hidden_val, params["hidden/kernel:0"], params["hidden/bias:0"], params["outputs/kernel:0"], \
            params["outputs/bias:0"]

STACKED_PARAMETERS = ("weights1", "biases1", "weights2", "biases2", "weights3", "biases3", "weights4", "biases4")


def build(params, config=Config()):
    """Stack the two autoencoders' parameters into one 784-300-150-300-784 graph.

    The book uses the numpy arrays as constants; here they become variables `weights1..4`, `biases1..4`
    (loaded after init), so the stacked model has a checkpoint that later sections can restore by name."""
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    X = tf.placeholder(tf.float32, shape=[None, W1.shape[0]], name="X")
    variables = {name: tf.Variable(tf.zeros(value.shape), name=name)
                 for name, value in zip(STACKED_PARAMETERS, params)}
    hidden1 = tf.nn.elu(tf.matmul(X, variables["weights1"]) + variables["biases1"], name="hidden1")
    hidden2 = tf.nn.elu(tf.matmul(hidden1, variables["weights2"]) + variables["biases2"], name="hidden2")
    hidden3 = tf.nn.elu(tf.matmul(hidden2, variables["weights3"]) + variables["biases3"], name="hidden3")
    outputs = tf.add(tf.matmul(hidden3, variables["weights4"]), variables["biases4"], name="outputs")
    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")
    ae = Autoencoder(X=X, codings=hidden2, outputs=outputs, reconstruction_loss=reconstruction_loss,
                     plan=TrainPlan(tf.no_op(), X, reconstruction_loss, []))
    return ae, variables, hidden1, hidden2


RESUMABLE = False  # --resume is refused: each train_autoencoder call trains a fresh graph, as the book does
TOWERS = True  # run() hands --towers N to each train_autoencoder call


def run(run):
    config, mnist = run.config, run.load_data()
    X_train = mnist.train.images
    budget = run.budget(config.n_epochs, config.batch_size, note=", for each autoencoder")
    reset_graph(run.options.seed)
    helper = partial(train_autoencoder, n_epochs=config.n_epochs, batch_size=config.batch_size,
                     learning_rate=config.learning_rate, l2_reg=config.l2_reg, seed=run.options.seed, budget=budget,
                     log=run.log, progress=run.options.progress, n_towers=run.options.towers)

    run.log(f"Autoencoder #1: 784 → {config.n_hidden1} (ELU) → 784 (linear)")
    history1, history2 = [], []
    with run.timed(budget):
        hidden_output, W1, b1, W4, b4 = helper(X_train, n_neurons=config.n_hidden1, output_activation=None,
                                               checkpoint_dir=run.paths.phase("ae1").checkpoint_dir, history=history1)
    run.log(f"Autoencoder #2: {config.n_hidden1} → {config.n_hidden2} (ELU) → {config.n_hidden1} (ELU)")
    with run.timed(budget):
        _, W2, b2, W3, b3 = helper(hidden_output, n_neurons=config.n_hidden2,
                                   checkpoint_dir=run.paths.phase("ae2").checkpoint_dir, history=history2)

    reset_graph(run.options.seed)
    params = [W1, b1, W2, b2, W3, b3, W4, b4]
    ae, variables, _, _ = build(params, config)
    ae.mark()
    saver = tf.train.Saver(max_to_keep=1, save_relative_paths=True)
    with run.session() as sess:
        sess.run(tf.global_variables_initializer())
        for name, value in zip(STACKED_PARAMETERS, params):
            variables[name].load(value, sess)
        test_mse = float(sess.run(ae.reconstruction_loss, {ae.X: mnist.test.images}))
        outputs_val = sess.run(ae.outputs, {ae.X: (shown := mnist.test.images[:2])})
        run.paths.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        saver.save(sess, str(run.paths.checkpoint_dir / CHECKPOINT_NAME))
    run.log(f"Test MSE (stacked): {test_mse:.6g}")
    run.history.extend({**{k: v for k, v in e.items() if k != "train_mse"}, f"ae{n}_train_mse": e["train_mse"]}
                       for n, history in ((1, history1), (2, history2)) for e in history)
    show_reconstructed_digits(shown, outputs_val, 2)
    run.figure("reconstruction_plot")
    return run.finish({"ae1_train_mse": history1[-1]["train_mse"] if history1 else None,
                       "ae2_train_mse": history2[-1]["train_mse"] if history2 else None, "test_mse": test_mse})
