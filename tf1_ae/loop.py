"""The training loop inside the graph: a chunk of a listing's steps per `Session.run`, on batches the graph
gathers from training images it holds.

The feed loop pays at every step a `Session.run`, a batch fed from Python (470 KB at the book's 150 images),
the NaN check and the scalars. Here the training set is uploaded once, into a variable no checkpoint holds;
a chunk feeds only its batches' indices, which the data set's own `next_batch` arithmetic computes, so each
step sees the images the feed loop would, in the same order. A `tf.while_loop` runs a copy of the listing's
step on the gathered batch (tf1_ae.derive: the same ops on the same variables and Adam slots, each weight
penalty read afresh in the step) until the chunk ends or a loss is not finite, one step after another, and
hands back every step's loss and logged terms, for the NaN check and the TensorBoard scalars.
"""
import numpy as np

from tf1_ae.compat import tf
from tf1_ae.derive import copy_ops, draws_when_run
from tf1_ae.flops import PRODUCTS, needed_ops

STEPS_PER_RUN = 50  # steps per Session.run at most (a chunk never crosses an epoch's end): the bar moves


def can_loop(plan):
    """Whether a plan can run inside the graph, bit for bit as the feed loop runs it: its step is one training
    op (ops that run one after another, each after the last one's update, stay in the feed loop), and no random
    op of the step also draws at the epoch's printed line (the book evaluates its loss there with fresh noise:
    a copy of the op in the loop would not see those draws, and would train on other noise from then on)."""
    line = [m.tensor for m in plan.metrics if m.feed is None]
    return len(plan.ops) == 1 and not draws_when_run(line, plan.batch_tensors)


def step_computes(plan, tensors):
    """Whether a step of `plan` computes `tensors` on its way (they need no matrix product of their own): then
    the loop collects them at every step. With towers, a term of the whole batch is a forward pass of its own,
    which the feed loop ran only at the steps it logged, and so does the Trainer, before a chunk that starts
    at one."""
    stepped = {op.name for op in needed_ops(plan.ops + [plan.loss], plan.batch_tensors)}
    return not any(op.type in PRODUCTS and op.name not in stepped for op in needed_ops(tensors, plan.batch_tensors))


class GraphLoop:
    """The loop for `plan` on a data set's arrays (`held_arrays`): build it in the plan's graph after the
    plan's own training op (which made Adam's slots), `upload` once in a session, then `run` chunks."""

    def __init__(self, plan, global_step, logged_keys):
        with tf.name_scope("graph_loop"):
            held_images, images_in = _held(plan.inputs, "images")
            self.held = [(held_images, images_in)]
            held_labels = None
            if plan.labels is not None:
                held_labels, labels_in = _held(plan.labels, "labels")
                self.held.append((held_labels, labels_in))
            self.picked = tf.placeholder(tf.int32, [None, None], name="picked")  # a chunk's batches
            n_steps = tf.shape(self.picked)[0]

        terms = {m.key: m.tensor for m in plan.metrics}
        logged = [terms[key] for key in logged_keys]

        def body(i, finite, losses, *logged_arrays):
            replacements = {plan.inputs: tf.gather(held_images, self.picked[i])}
            if held_labels is not None:
                replacements[plan.labels] = tf.gather(held_labels, self.picked[i])
            step = copy_ops([*plan.ops, plan.loss, *logged], replacements)
            with tf.control_dependencies([step(plan.ops[0])]):
                increment = tf.assign_add(global_step, 1)
            with tf.control_dependencies([increment]):  # the next step starts after this one's update
                values = [tf.identity(step(plan.loss))] + [tf.identity(step(term)) for term in logged]
                written = [array.write(i, tf.cast(value, tf.float32))
                           for array, value in zip((losses, *logged_arrays), values)]
                return (i + 1, tf.math.is_finite(values[0]), *written)

        arrays = [tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[])
                  for _ in range(1 + len(logged_keys))]
        done = tf.while_loop(lambda i, finite, *_: tf.logical_and(i < n_steps, finite), body,
                             [tf.constant(0), tf.constant(True), *arrays], parallel_iterations=1, name="graph_loop")
        self.fetch = [done[0]] + [array.stack() for array in done[2:]]
        self.logged_keys = list(logged_keys)
        self.train_feed = plan.train_feed

    def upload(self, sess, data):
        """A data set's arrays into the graph, once per training (the graph's copy is in no checkpoint)."""
        for (variable, placeholder), values in zip(self.held, data.held_arrays):
            sess.run(variable.initializer, {placeholder: values})

    def run(self, sess, picked):
        """Train on the batches `picked` (steps × batch size indices into the held arrays), stopping after a
        step whose loss is not finite. Returns the losses of the steps run and, per logged key, their values."""
        steps, losses, *logged = sess.run(self.fetch, {self.picked: np.asarray(picked, np.int32),
                                                       **self.train_feed})
        return losses[:steps], [values[:steps] for values in logged]


def _held(fed, name):
    """A variable outside every collection (no checkpoint, no initializer of all variables) for the arrays fed
    into `fed` a batch at a time, any number of rows; and the placeholder that fills it."""
    values_in = tf.placeholder(fed.dtype, [None, *fed.shape[1:]], name=f"{name}_in")
    return tf.Variable(values_in, trainable=False, collections=[], validate_shape=False, name=f"held_{name}"), values_in
