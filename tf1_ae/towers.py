"""Data parallelism inside one graph, the classic TF1 multi-GPU pattern, here across CPU cores.

A listing writes its forward pass and loss once, as a function of its input tensor. `minimize_in_towers`
splits each batch into equal parts ("towers"), calls that function on each part with the variables that
already exist, and minimizes the parts' losses combined as the listing combines examples: the mean of
equal parts' means is the batch's mean, the sum of their sums its sum. The update is the plain one up to
float round-off, while TensorFlow's inter-op pool runs the towers on different cores (run the session with
`session_config(towers=n)`).
"""
from tf1_ae.compat import tf
from tf1_ae.layers import penalties_once


def tower_slices(inputs, n_towers):
    """Equal slices of the batch, each yielded inside a name scope `tower<i>` and a variable scope that reuses
    the variables already built: build the network on each slice in the loop's body."""
    with tf.variable_scope(tf.get_variable_scope(), reuse=True), penalties_once():
        for i, part in enumerate(tf.split(inputs, n_towers)):
            with tf.name_scope(f"tower{i}"):
                yield part


def minimize_in_towers(optimizer, loss_of, inputs, n_towers, reduction="mean", var_list=None, name="training_op"):
    """`optimizer.minimize` of the batch's loss, computed by n_towers towers: `loss_of(part)` builds the listing's
    loss on a part of `inputs`; `reduction` says how the listing's loss combines examples ("mean" or "sum").
    Returns (the training op, the batch's loss as the towers computed it: fetching it every step costs no
    second pass over the whole batch)."""
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be mean or sum, not {reduction!r}")
    losses = [loss_of(part) for part in tower_slices(inputs, n_towers)]
    towers_loss = tf.add_n(losses, name="towers_loss")
    if reduction == "mean":
        towers_loss = towers_loss / n_towers
    return optimizer.minimize(towers_loss, var_list=var_list, name=name), towers_loss
