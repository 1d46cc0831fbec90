"""The machine's limit for a dense network's training step.

The roof itself is tf1_ae.peak's (float32 products as large as run fastest). `GemmStep` is a reference
below it: NumPy's BLAS doing exactly the products one step needs, at the step's own small shapes (per layer
with batch b, fan-in n, fan-out m: forward X·W and the weight gradient Xᵀ·dY, 4·b·n·m FLOPs, and the input
gradient dY·Wᵀ, 2·b·n·m more, for every layer but the first: the same products tf1_ae.flops counts in the
graph, 433.8 MFLOP for a batch of 150 of the 784-300-150-300-784 stack). Biases, activations and Adam's
update are left out.
"""
import numpy as np


class GemmStep:
    """One training step's matrix products, in float32 NumPy, callable like a bench Variant step."""

    def __init__(self, layer_sizes, batch_size, seed=0):
        rng = np.random.RandomState(seed)
        self.batch_size = batch_size
        self.layers = []
        for n, m in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.layers.append((rng.rand(batch_size, n).astype(np.float32), rng.rand(n, m).astype(np.float32),
                                rng.rand(batch_size, m).astype(np.float32)))
        pairs = list(zip(layer_sizes[:-1], layer_sizes[1:]))
        self.flops = sum(4 * batch_size * n * m for n, m in pairs) + sum(2 * batch_size * n * m for n, m in pairs[1:])

    def __call__(self, i=0):
        for layer, (X, W, dY) in enumerate(self.layers):
            X @ W
            if layer:  # the input layer's gradient with respect to the images is never needed
                dY @ W.T
            X.T @ dY
