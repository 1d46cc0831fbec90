"""Book §"Training One Autoencoder at a Time", single graph, frozen with `tf.stop_gradient`.

The same two phases as layerwise_singlegraph, but phase 2 freezes hidden1 in the graph instead of in the
optimizer call: hidden2 is computed from `tf.stop_gradient(hidden1)`, and phase 2's target is that same
stopped tensor, so no gradient of phase 2's loss can reach weights1/biases1 (and weights4/biases4 are not
on its path at all). `optimizer.minimize(phase2_loss)` then needs no var_list.

What each way of freezing does:
- var_list (the book): the graph is unchanged; phase 2's training op simply computes and applies
  gradients for weights2/biases2/weights3/biases3 only. The freeze belongs to that one op: another op in
  the same graph (say, fine-tuning the whole stack) can still train weights1.
- stop_gradient: the freeze is part of the graph. `compute_gradients` returns None for weights1, biases1,
  weights4 and biases4 and `apply_gradients` skips them, so every loss built on hidden2 leaves hidden1's
  layer alone, including any later fine-tuning op (which would need a graph without it).
- Optimizer state is the same in both: Adam creates m and v slots only for variables it applies gradients
  to, so phase 2 adds slots for the four inner variables and leaves phase 1's slots for the outer ones
  untouched; the shared beta1/beta2 power accumulators keep advancing in both phases. The backward graph
  is pruned at hidden1 either way (nothing asks for a gradient through it).
"""
from graphs import layerwise_singlegraph
from tf1_ae.compat import tf

IDEA = "The same two phases, with hidden1 frozen in the graph by tf.stop_gradient instead of by var_list."
LOSS = "phase 2: mean((hidden3 - sg(hidden1))²) + l2_reg · (½‖weights2‖² + ½‖weights3‖²),  sg = stop_gradient"

Config = layerwise_singlegraph.Config  # the book's values, unchanged


def freeze_by_stop_gradient(hidden1, inner_variables):
    """No gradient flows back through hidden1_frozen: whatever is built on it cannot move weights1/biases1, so
    phase 2's optimizer needs no var_list (None: every variable it reaches)."""
    hidden1_frozen = tf.stop_gradient(hidden1, name="hidden1_frozen")
    return hidden1_frozen, None


def build(config=Config()):
    return layerwise_singlegraph.build(config, freeze=freeze_by_stop_gradient)
