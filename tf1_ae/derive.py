"""The speed paths, derived from the graph a listing built once: the towers' update and the in-graph loop's step.

A listing writes the book's cell: its layers on `X`, its loss, `training_op = optimizer.minimize(loss)`. Both
fast paths need that same computation again on another batch, a slice of `X` or a batch the graph gathers, on
the same variables and the same Adam. Rather than asking the listing to build itself again, the toolkit copies
the ops it built (`copy_ops`), as `tf.contrib.graph_editor` did in TensorFlow 1: an op is re-created with the
same type and attributes, its inputs mapped to the copies, the batch put in the place of `X`. The variables
(and the placeholders a step feeds) are shared, never copied, so a copy reads and updates the listing's own
weights and Adam slots.

- `copy_ops(targets, replacements)`: the copy itself; `tf1_ae.loop` makes the step of the loop inside the
  graph with it (`--loop graph`, the default), each gathered batch in the place of `X`;
- `in_towers(training_op, loss, inputs, n)`: the towers' update (`--towers N`), built by `tf1_ae.train`;
- `draws_when_run(fetches, feed)`: the random ops a run draws from, which decide whether a step may loop.
It reaches into TensorFlow's graph internals (`Graph._create_op_internal`, `Graph._get_function`, `Operation._id`),
as graph_editor did: TensorFlow 2.21 has no public way to re-create an op.
"""
from tf1_ae.compat import tf

SHARED_TYPES = {"VarHandleOp", "VariableV2", "Placeholder", "PlaceholderWithDefault"}
BRANCHING = ("If", "StatelessIf")  # tf.cond in TensorFlow 2 (control flow v2), graph mode included
BRANCHES = ("then_branch", "else_branch")
MEAN_OR_SUM = {"Mean": "mean", "Sum": "sum"}


def closure(targets, stop=(), shared=()):
    """The ops `targets` (tensors or ops) need, through data and control inputs, not looking past `stop`
    (tensors put in the place of others) nor into the inputs of ops of the types `shared`."""
    stop = set(stop)
    seen, todo = set(), [_op(t) for t in targets]
    while todo:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type not in shared:
            todo.extend(t.op for t in op.inputs if t not in stop)
            todo.extend(op.control_inputs)
    return seen


def downstream(ops, sources):
    """Those of `ops` that depend, through data or control inputs, on a tensor of `sources`."""
    sources, found = set(sources), set()
    for op in sorted(ops, key=lambda op: op._id):  # created after their inputs: one pass in creation order
        if any(t in sources or t.op in found for t in op.inputs) or any(c in found for c in op.control_inputs):
            found.add(op)
    return found


def copy_ops(targets, replacements, only=None, reseed=False):
    """Copies of the ops `targets` need, where each tensor of `replacements` (a dict) stands in for its key,
    made in the current name scope (and while-loop body, if any). `only`: copy just these ops (the others
    are shared as they are); by default every op but the variables and the placeholders. A copied random op
    draws what the op itself would have, or with `reseed` apart from it, seeded as an op built there.
    Returns a function mapping a tensor or op of the original graph to its copy (or itself where shared)."""
    ops = closure(targets, stop=replacements, shared=SHARED_TYPES)
    if only is None:
        only = {op for op in ops if op.type not in SHARED_TYPES}
    graph = tf.get_default_graph()
    copied = {}

    def mapped(t):
        if isinstance(t, tf.Operation):
            return copied.get(t, t)
        if t in replacements:
            return replacements[t]
        return copied[t.op].outputs[t.value_index] if t.op in copied else t

    for op in sorted(ops & set(only), key=lambda op: op._id):
        attrs = {key: value for key, value in op.node_def.attr.items() if key != "_class"}  # no colocation
        if reseed and "seed2" in attrs:
            attrs = {**attrs, **_fresh_seeds()}
        if reseed and op.type in BRANCHING:  # a tf.cond: its branches are functions, their draws seeded inside
            attrs = {**attrs, **{branch: _reseeded(graph, attrs[branch].func.name) for branch in BRANCHES
                                 if _draws_in_function(graph, attrs[branch].func.name)}}
        with graph.control_dependencies([mapped(c) for c in op.control_inputs]):
            copied[op] = graph._create_op_internal(op.type, [mapped(t) for t in op.inputs],
                                                   [t.dtype for t in op.outputs], name=op.name, attrs=attrs,
                                                   op_def=op.op_def)
    return mapped


def _fresh_seeds(offset=0):
    """The seeds TensorFlow gives an op created here without its own (`tf.get_seed(None)`), the op seed moved
    on by `offset` (for the random ops of one function)."""
    from tensorflow.core.framework import attr_value_pb2
    seed, seed2 = tf.get_seed(None)
    return {"seed": attr_value_pb2.AttrValue(i=seed or 0), "seed2": attr_value_pb2.AttrValue(i=(seed2 or 0) + offset)}


def _reseeded(graph, name):
    """A copy of the graph's function `name` (a tf.cond's branch) whose random ops draw apart from its own,
    added to the graph's library (through import_graph_def, its public way in); its AttrValue."""
    from tensorflow.core.framework import attr_value_pb2, graph_pb2
    from tensorflow.python.framework import op_def_registry

    function = graph._get_function(name).definition
    copy = graph_pb2.GraphDef()
    fdef = copy.library.function.add()
    fdef.CopyFrom(function)
    fdef.signature.name = next(new for new in (f"{name}_reseeded{k}" for k in range(10 ** 6))
                               if not graph._is_function(new))
    drawing = [node for node in fdef.node_def if _draws(op_def_registry.get(node.op), node)]
    for offset, node in enumerate(drawing):
        for key, value in _fresh_seeds(offset).items():
            node.attr[key].CopyFrom(value)
    tf.import_graph_def(copy, name="")
    return attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=fdef.signature.name))


def batch_ops(loss, inputs):
    """The ops of `loss` that depend on the batch fed into `inputs`."""
    return downstream(closure([loss], stop=[inputs]), [inputs])


def batch_reduction(loss, inputs, on_batch=None):
    """How `loss` combines the examples of the batch fed into `inputs`: "mean" or "sum", read from the
    reductions that take the batch's axis away (among `on_batch`, its batch_ops where known); refused where
    they mix, or where there is none."""
    ops = (batch_ops(loss, inputs) if on_batch is None else on_batch) | {inputs.op}
    kinds = {MEAN_OR_SUM[op.type] for op in ops if op.type in MEAN_OR_SUM and _takes_batch_axis(op)}
    if len(kinds) != 1:
        raise ValueError(f"towers need a loss that is a mean or a sum over the batch: {loss.name} takes "
                         f"{' and '.join(sorted(kinds)) or 'neither'}")
    return kinds.pop()


def _takes_batch_axis(op):
    """A reduction whose input has the batch's unknown first dimension and whose output does not."""
    given, taken = op.inputs[0].shape, op.outputs[0].shape
    return given.rank and given[0] is None and not (taken.rank and taken[0] is None)


def apply_ops(training_op):
    """The optimizer's updates in a training op, one per variable it trains."""
    return [op for op in closure([training_op]) if op.type.startswith("ResourceApply")]


def in_towers(training_op, loss, inputs, n_towers):
    """The update `training_op` makes from `loss` on the batch fed into `inputs`, computed on n_towers equal
    slices of that batch (each a copy of the batch's ops; what does not depend on the batch, the weights and
    their penalties, shared), combined as the loss combines examples. TensorFlow's inter-op pool runs the
    towers on different cores. Returns (the towers' training op, their loss)."""
    on_batch = batch_ops(loss, inputs)
    reduction = batch_reduction(loss, inputs, on_batch)
    losses = []
    for i, part in enumerate(tf.split(inputs, n_towers)):
        with tf.name_scope(f"tower{i}"):
            losses.append(copy_ops([loss], {inputs: part}, only=on_batch, reseed=True)(loss))
    towers_loss = tf.add_n(losses, name="towers_loss")
    if reduction == "mean":
        towers_loss = towers_loss / n_towers
    updates = apply_ops(training_op)
    gradients = [_gradient_of(update) for update in updates]
    new_gradients = tf.gradients(towers_loss, [update.inputs[0] for update in updates], gate_gradients=True)
    replacements = dict(zip(gradients, new_gradients))
    applied = downstream(closure([training_op], stop=replacements), replacements) | {_op(training_op)}
    with tf.name_scope("towers_update"):
        return copy_ops([training_op], replacements, only=applied)(_op(training_op)), towers_loss


def _gradient_of(update):
    """The input of an optimizer's update op (ResourceApplyAdam, …) that carries the gradient it applies."""
    names = [arg.name for arg in update.op_def.input_arg]
    return update.inputs[names.index("delta" if "delta" in names else "grad")]


def draws_when_run(fetches, feed):
    """The names of the stateful random ops a `Session.run(fetches, feed)` executes: those in the fetches'
    graph and in the branches of its `tf.cond`s (`If` ops, whose branches are functions), except a branch
    that a predicate left at its default (a placeholder_with_default not fed) does not take."""
    graph = tf.get_default_graph()
    found = []
    for op in closure(fetches, stop=list(feed)):
        if op.type in BRANCHING:
            taken = _default_predicate(op.inputs[0], feed)
            for branch, when in zip(BRANCHES, (True, False)):
                if taken in (None, when):
                    found += _draws_in_function(graph, op.get_attr(branch).name)
        elif _draws(op.op_def, op.node_def):
            found.append(op.name)
    return found


def _draws(op_def, node_def):
    return op_def.is_stateful and "seed2" in node_def.attr


def _draws_in_function(graph, name):
    """The random ops a function of the graph's library runs, those of the functions it calls included."""
    from tensorflow.python.framework import op_def_registry
    found = []
    for node in graph._get_function(name).definition.node_def:
        if _draws(op_def_registry.get(node.op), node):
            found.append(f"{name}/{node.name}")
        for value in node.attr.values():
            if value.HasField("func"):
                found += _draws_in_function(graph, value.func.name)
    return found


def _default_predicate(pred, feed):
    """The value a predicate takes when it is not fed: a placeholder_with_default's constant, through Identity."""
    while pred.op.type == "Identity" and pred not in feed:
        pred = pred.op.inputs[0]
    if pred in feed or pred.op.type != "PlaceholderWithDefault" or pred.op.inputs[0].op.type != "Const":
        return None
    return bool(tf.make_ndarray(pred.op.inputs[0].op.get_attr("value")))


def _op(t):
    return t if isinstance(t, tf.Operation) else t.op
