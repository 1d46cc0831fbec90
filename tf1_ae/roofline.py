"""The physical limit for a dense network's training step on this machine: the time NumPy's BLAS (all
cores) takes for exactly the matrix products one step needs, at the step's own shapes.

Per layer with batch b, fan-in n, fan-out m: forward X·W (b×n·n×m), backward dY·Wᵀ and Xᵀ·dY, i.e.
6·b·n·m FLOPs; a step of the 784-300-150-300-784 stack is 6 × 560,400 × b FLOPs. Biases, activations and
Adam's update are left out, so no real loop can reach it.
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
        self.flops = sum(6 * batch_size * n * m for n, m in zip(layer_sizes[:-1], layer_sizes[1:]))

    def __call__(self, i=0):
        for X, W, dY in self.layers:
            X @ W
            dY @ W.T
            X.T @ dY
