"""How far two computations of the same training step may lie apart, on any x86-64 CPU.

Two graphs that should take the same step (two towers and the plain graph; oneDNN's kernels, XLA's and
Eigen's) are compared at the same weights, on the same batch: the loss, its gradient, and the first step the
training op takes from there. Round-off is all that may tell them apart. float32 keeps 24 bits (ε = 6e-8); a
batch summed as two halves, or by another kernel or another CPU's GEMM blocking, moves a sum of non-negative
terms by a few ε and a gradient by about 1e-7 of its norm. Measured on an AMD EPYC under oneDNN's AVX-512,
AVX2 and SSE4.1 kernels (ONEDNN_MAX_CPU_ISA, which round differently, a stand-in for other CPUs): losses at
most 1.2e-7 apart, gradients 2.4e-7 of their norm, first steps 1e-5 of the learning rate. The tolerances
below leave a factor of 80 and more above that; a wrong split or a wrong loss (a slice lost, a mean taken for
a sum, a tower's gradient stopped) moves the loss or the gradient by 1e-1 and more.

Training longer is no test of such a promise. Adam scales each gradient to about its learning rate, so a
weight whose gradient is round-off around zero steps either way, and the differences grow from there: the σ
VAE's log(eps + σ²) magnifies them within two steps (on an Intel Xeon with AVX-512, 66,489 of hidden1's
392,000 weights parted after two steps), and 10 steps of the stacked autoencoder with oneDNN's kernels land
8e-6 from Eigen's losses. One step from the same weights is ± the learning rate wherever the gradient stands
clear of its round-off, whatever the CPU.
"""
import numpy as np

from tf1_ae.compat import tf

LOSS_RTOL = 1e-5  # a loss of the same weights, summed in another order
GRADIENT_RTOL = 1e-4  # ‖gradient − other gradient‖ / ‖other gradient‖, per variable
CLEAR = 1e-3  # a gradient clear of round-off: above this share of its variable's largest
STEP_ATOL = 1e-3  # of the learning rate: Adam's first step where the gradient is clear of round-off


def first_step(sess, plan, variables, feed):
    """At the weights the session holds: the loss the loop fetches, its gradient for each variable, and each
    variable after one step of the training op."""
    gradients = tf.gradients(plan.loss, variables)
    loss, values = sess.run([plan.loss, gradients], feed)
    sess.run(plan.training_op, {**feed, **plan.train_feed})
    return loss, values, sess.run(variables)


def assert_same_first_step(reference, other, start, learning_rate, names):
    """`reference` and `other`: (loss, gradients, weights after the step), both from the weights `start`."""
    np.testing.assert_allclose(other[0], reference[0], rtol=LOSS_RTOL)
    for name, s, reference_gradient, reference_after, gradient, after in zip(names, start, *reference[1:], *other[1:]):
        distance = np.linalg.norm(gradient - reference_gradient)
        assert distance <= GRADIENT_RTOL * np.linalg.norm(reference_gradient), (name, distance)
        clear = np.abs(reference_gradient) > CLEAR * np.abs(reference_gradient).max()
        assert clear.any() and not np.array_equal(after, s), name  # the step reached every variable it trains
        np.testing.assert_allclose((after - s)[clear], (reference_after - s)[clear], rtol=0,
                                   atol=STEP_ATOL * learning_rate, err_msg=name)
