"""Book §"Performing PCA with an Undercomplete Linear Autoencoder".

With no activation and an MSE loss, a 3→2→3 autoencoder learns the same 2-D subspace as PCA: its codings
are a projection of the data onto the plane that keeps the most variance. The run fits scikit-learn's
PCA on the same points and prints both test errors: PCA's is the best any rank-2 linear map can do.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from tf1_ae.compat import tf
from tf1_ae.config import FINITE, SEED, ranged
from tf1_ae.data import DataSet, Datasets
from tf1_ae.layers import dense
from tf1_ae.model import Autoencoder, Metric, TrainPlan

IDEA = "A 3-2-3 linear autoencoder trained on 3-D points finds the same plane as PCA."
LOSS = "loss = mean((outputs - X)²),   outputs = (X·W1 + b1)·W2 + b2"


@dataclass(frozen=True)
class Config:
    data_seed: int = ranged(4, SEED)  # book: rnd.seed(4)
    m: int = 200  # points; the first 100 train, the last 100 test
    w1: float = ranged(0.1, FINITE)
    w2: float = ranged(0.3, FINITE)
    noise: float = 0.1
    n_inputs: int = 3
    n_hidden: int = 2  # codings
    learning_rate: float = 0.01  # book, Adam
    n_epochs: int = 1000  # book: n_iterations = 1000 full-batch steps, each an epoch of the 100 training points
    batch_size: int = 100  # full batch: the whole training half
    book_train_size: int = 100  # the book trains on these 100 points, not on MNIST's 55,000 images
    printed_epochs: int = 10  # ours: the book prints nothing; the 1,000 steps print as 10 lines of 100


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


def data(config):
    """The listing's own data instead of MNIST: the toy points as a training and a test set."""
    X_train, X_test = make_toy_data(config)
    return Datasets("toy3d", f"toy 3-D points, the book's, seed {config.data_seed}",
                    DataSet(X_train, np.zeros(len(X_train))), None, DataSet(X_test, np.zeros(len(X_test))))


def build(config=Config()):
    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    hidden = dense(X, config.n_hidden, name="hidden")
    outputs = dense(hidden, config.n_inputs, name="outputs")

    reconstruction_loss = tf.reduce_mean(tf.square(outputs - X), name="reconstruction_loss")

    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    training_op = optimizer.minimize(reconstruction_loss, name="training_op")

    return Autoencoder(X=X, codings=hidden, outputs=outputs, reconstruction_loss=reconstruction_loss,
                       plan=TrainPlan(training_op, X, reconstruction_loss,
                                      [Metric("train_mse", "Train MSE", reconstruction_loss)]))


def pca_test_mse(X_train, X_test, n_components):
    """The best any rank-n linear map fit on the training points can do on the test points."""
    pca = PCA(n_components=n_components).fit(X_train)
    X_back = pca.inverse_transform(pca.transform(X_test))
    return float(np.mean((X_back - X_test) ** 2))


def report(run, sess, ae, metrics):
    """The test points' codings (the book's figure), and PCA's test error beside ours."""
    X_test = run.data.test.images
    codings_val = sess.run(ae.codings, {ae.X: X_test})
    pca_mse = pca_test_mse(run.data.train.images, X_test, run.config.n_hidden)
    run.log(f"PCA ({run.config.n_hidden} components) test MSE: {pca_mse:.6g}; ours / PCA's: "
            f"{metrics['test_mse'] / pca_mse:.4f}")

    plt.figure(figsize=(4, 3))
    plt.plot(codings_val[:, 0], codings_val[:, 1], "b.")
    plt.xlabel("$z_1$", fontsize=18)
    plt.ylabel("$z_2$", fontsize=18, rotation=0)
    run.figure("linear_autoencoder_pca_plot")
    return {"pca_test_mse": pca_mse}
