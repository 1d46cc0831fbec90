"""Data parallelism inside one graph, the classic TF1 multi-GPU pattern, here across CPU cores.

The batch is split into equal parts; each part ("tower") runs the same network on shared variables and
computes its gradients; the gradients are averaged and applied once. With equal parts, the mean of the
towers' mean losses is the full batch's mean loss, so the update is the plain one up to float round-off,
while TensorFlow's inter-op pool can run the towers on different cores (run the session with
`session_config(towers=n)`).
"""
from tf1_ae.compat import tf


def average_gradients(tower_grads):
    """[[(grad, var), ...] per tower] → [(mean grad, var), ...], leaving out the variables the loss does not
    reach (no gradient), as `minimize` does."""
    averaged = []
    for pairs in zip(*tower_grads):
        grads = [g for g, _ in pairs]
        if grads[0] is None:
            continue
        averaged.append((tf.add_n(grads) / len(grads), pairs[0][1]))
    return averaged


def tower_slices(inputs, n_towers):
    """Equal slices of the batch, each yielded inside a name scope `tower<i>` and a variable scope that reuses
    the variables already built: build the network on each slice in the loop's body."""
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        for i, part in enumerate(tf.split(inputs, n_towers)):
            with tf.name_scope(f"tower{i}"):
                yield part


def minimize_in_towers(optimizer, tower_loss, inputs, n_towers, name="training_op", var_list=None):
    """Split `inputs` along the batch into n_towers equal parts; `tower_loss(part)` builds the network on a
    part with the variables that already exist (reused) and returns its loss. Returns the training op and
    the towers' mean loss: the batch's loss, computed by the towers themselves (fetching it every step
    costs no second forward pass of the whole batch). `var_list`: the variables to train, as minimize's."""
    tower_grads, losses = [], []
    for part in tower_slices(inputs, n_towers):
        losses.append(tower_loss(part))
        tower_grads.append(optimizer.compute_gradients(losses[-1], var_list=var_list))
    training_op = optimizer.apply_gradients(average_gradients(tower_grads), name=name)
    return training_op, tf.add_n(losses) / n_towers
