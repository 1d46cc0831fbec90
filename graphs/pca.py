"""Book §"Performing PCA with an Undercomplete Linear Autoencoder" (seed note 01).

With no activation and an MSE loss, a 3→2→3 autoencoder learns the same 2-D subspace as PCA: its codings
are a projection of the data onto the plane that keeps the most variance.

    loss = mean((outputs - X)²),   outputs = (X·W1 + b1)·W2 + b2
"""
import time
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from tf1_ae.budget import Budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import DataSet
from tf1_ae.layers import dense
from tf1_ae.plots import save_fig
from tf1_ae.runs import RunPaths, apply_options, run_identity, write_metrics
from tf1_ae.train import Metric, TrainPlan, Trainer

LOG_LINES = 10  # the book prints nothing; we print the 1,000 steps as 10 lines of 100


@dataclass(frozen=True)
class Config:
    data_seed: int = 4  # book: rnd.seed(4)
    m: int = 200  # points; the first 100 train, the last 100 test
    w1: float = 0.1
    w2: float = 0.3
    noise: float = 0.1
    n_inputs: int = 3
    n_hidden: int = 2  # codings
    learning_rate: float = 0.01  # book, Adam
    n_iterations: int = 1000  # book: full-batch steps
    batch_size: int = 100  # full batch: the whole training half


def make_toy_data(config=Config()):
    """The book's 3-D point cloud near a tilted plane, standard-scaled on its training half."""
    rnd = np.random.RandomState(config.data_seed)  # same draws as rnd.seed(4), without the global RNG
    m = config.m
    angles = rnd.rand(m) * 3 * np.pi / 2 - 0.5
    data = np.empty((m, 3))
    data[:, 0] = np.cos(angles) + np.sin(angles) / 2 + config.noise * rnd.randn(m) / 2
    data[:, 1] = np.sin(angles) * 0.7 + config.noise * rnd.randn(m) / 2
    data[:, 2] = data[:, 0] * config.w1 + data[:, 1] * config.w2 + config.noise * rnd.randn(m)
    scaler = StandardScaler()
    X_train = scaler.fit_transform(data[:100]).astype(np.float32)
    X_test = scaler.transform(data[100:]).astype(np.float32)
    return X_train, X_test


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    hidden = dense(X, config.n_hidden, name="hidden")
    outputs = dense(hidden, config.n_inputs, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")
    return X, hidden, outputs, reconstruction_loss, training_op


def pca_test_mse(X_train, X_test, n_components):
    """The best any rank-n linear map fit on the training points can do on the test points."""
    pca = PCA(n_components=n_components).fit(X_train)
    X_back = pca.inverse_transform(pca.transform(X_test))
    return float(np.mean((X_back - X_test) ** 2))


def budget_for(config, options):
    total, origin = config.n_iterations, "the book's 1,000 full-batch steps"
    if options.epochs is not None:
        total, origin = options.epochs, f"--epochs {options.epochs}"
    if options.steps is not None and options.steps < total:
        total, origin = options.steps, f"capped by --steps {options.steps}"
    return Budget(total_steps=total, n_epochs=min(LOG_LINES, total), batch_size=config.batch_size, origin=origin)


def run(options, log=print, section="pca"):
    paths = RunPaths.under(options.out, section)
    config = apply_options(Config(), options)
    X_train, X_test = make_toy_data(config)
    budget = budget_for(config, options)
    log(f"data: toy 3-D points (book §01, seed {config.data_seed}): {len(X_train)} train / {len(X_test)} test")
    log(budget.describe(len(X_train)))

    reset_graph(options.seed)
    X, codings, outputs, reconstruction_loss, training_op = build(config)
    plan = TrainPlan(training_op=training_op, inputs=X, loss=reconstruction_loss,
                     metrics=[Metric("train_mse", "Train MSE", reconstruction_loss)])
    trainer = Trainer(plan, paths.checkpoint_dir, section, progress=options.progress)
    init = tf.global_variables_initializer()
    with tf.Session(config=session_config()) as sess:
        init.run()
        start = time.perf_counter()
        history = trainer.run(sess, DataSet(X_train, np.zeros(len(X_train))), budget,
                              resume=options.resume, log=log)
        seconds = time.perf_counter() - start
        codings_val, test_mse = sess.run([codings, reconstruction_loss], {X: X_test})
        train_mse = sess.run(reconstruction_loss, {X: X_train})

    pca_mse = pca_test_mse(X_train, X_test, config.n_hidden)
    log(f"Test MSE: {test_mse:.6g}   PCA (2 components) test MSE: {pca_mse:.6g}   "
        f"ratio: {test_mse / pca_mse:.4f}")

    plt.figure(figsize=(4, 3))
    plt.plot(codings_val[:, 0], codings_val[:, 1], "b.")
    plt.xlabel("$z_1$", fontsize=18)
    plt.ylabel("$z_2$", fontsize=18, rotation=0)
    figure = save_fig(paths.figure_dir, "linear_autoencoder_pca_plot")

    metrics = {"train_mse": float(train_mse if not history else history[-1]["train_mse"]),
               "test_mse": float(test_mse), "pca_test_mse": pca_mse,
               **run_identity(section, "toy3d", len(X_train), budget.total_steps, options.seed, seconds)}
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
