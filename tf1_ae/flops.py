"""How much arithmetic a training step does: the floating-point operations of its matrix products and
convolutions (2 per multiply-add: the forward pass, the weight gradients, and the input gradients where a
layer below needs them), read from the graph, with the batch's rows where a shape says None. Biases,
activations, losses and the optimizer's update are left out: what the machine's GEMM peak bounds.
"""
import math
import re

PRODUCTS = ("MatMul", "BatchMatMulV2", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
_TOWER = re.compile(r"(^|/)tower(\d+)(?:_\d+)?/")  # tower<i>/, or tower<i>_<k>/ for a later training's towers


def needed_ops(fetches, fed=()):
    """The ops a Session.run of `fetches` runs when the tensors in `fed` are fed. An Identity's control inputs
    only order it (the gradients' tuples group an op's every gradient, those nobody uses included): they
    are not followed, so the gradient of a fed input, which TensorFlow prunes, is not counted."""
    fed = {t.name for t in fed}
    seen, found, stack = set(), [], [getattr(f, "op", f) for f in fetches]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        found.append(op)
        stack.extend(t.op for t in op.inputs if t.name not in fed)
        if op.type != "Identity":
            stack.extend(op.control_inputs)
    return found


def _dims(tensor, rows):
    return [rows if d is None else d for d in tensor.shape.as_list()]


def product_flops(op, rows):
    """2 × the multiply-adds of one product or convolution whose unknown dimension (the batch) is `rows`."""
    if op.type in ("MatMul", "BatchMatMulV2"):
        a, b = _dims(op.inputs[0], rows), _dims(op.inputs[1], rows)
        transpose_a = op.get_attr("transpose_a" if op.type == "MatMul" else "adj_x")
        transpose_b = op.get_attr("transpose_b" if op.type == "MatMul" else "adj_y")
        m, k = (a[-1], a[-2]) if transpose_a else (a[-2], a[-1])
        n = b[-2] if transpose_b else b[-1]
        return 2 * math.prod(a[:-2]) * m * n * k
    if op.type == "Conv2D":
        kh, kw, c_in, _ = _dims(op.inputs[1], rows)
        return 2 * math.prod(_dims(op.outputs[0], rows)) * kh * kw * c_in
    if op.type == "Conv2DBackpropInput":  # input gradients, and a transposed convolution's forward pass
        kh, kw, c_in, _ = _dims(op.inputs[1], rows)
        return 2 * math.prod(_dims(op.inputs[2], rows)) * kh * kw * c_in
    if op.type == "Conv2DBackpropFilter":
        kh, kw, c_in, _ = _dims(op.outputs[0], rows)
        return 2 * math.prod(_dims(op.inputs[2], rows)) * kh * kw * c_in
    return 0


def step_flops(fetches, fed, batch_size):
    """The FLOPs of one Session.run of `fetches` on a batch of batch_size rows; an op of a tower (a name under
    tower<i>/) works on its equal slice of the batch."""
    ops = [op for op in needed_ops(fetches, fed) if op.type in PRODUCTS]
    towers = len({m.group(2) for op in ops for m in [_TOWER.search(op.name)] if m}) or 1
    return sum(product_flops(op, batch_size // towers if _TOWER.search(op.name) else batch_size) for op in ops)
