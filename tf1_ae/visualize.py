"""Looking inside a trained network: which inputs excite a unit most, and what input it "wants"."""
import numpy as np

from tf1_ae.compat import tf


def top_activating(activations, k):
    """For each unit (column), the row indices of its k largest activations, largest first."""
    activations = np.asarray(activations)
    top = np.argpartition(-activations, k - 1, axis=0)[:k]  # the k largest, unordered
    order = np.argsort(-np.take_along_axis(activations, top, axis=0), axis=0)
    return np.take_along_axis(top, order, axis=0).T  # (units, k)


class GradientAscent:
    """Make an input that excites one unit: x ← clip(x + step · ∂unit/∂x, 0, 1), recorded as it goes.

    The gradient op is built once (tf.gradients of the unit's activation with respect to the input
    tensor); the unit is chosen at run time through a placeholder."""

    def __init__(self, inputs, layer):
        self.inputs = inputs
        self.unit = tf.placeholder(tf.int32, shape=[], name="ascent_unit")
        self.activation = tf.reduce_sum(tf.gather(layer, self.unit, axis=1))
        self.gradient, = tf.gradients(self.activation, [inputs])

    def run(self, sess, unit, start, step=0.01, n_iterations=200, record=(0, 10, 50, 100, 200)):
        """Returns {iteration: (image, activation)} for the recorded iterations (0 = the start)."""
        x = np.clip(np.asarray(start, dtype=np.float32).reshape(1, -1), 0.0, 1.0)
        recorded = {}
        for iteration in range(n_iterations + 1):
            activation, gradient = sess.run([self.activation, self.gradient], {self.inputs: x, self.unit: unit})
            if iteration in record:
                recorded[iteration] = (x[0].copy(), float(activation))
            if iteration < n_iterations:
                x = np.clip(x + step * gradient, 0.0, 1.0)
        return recorded
