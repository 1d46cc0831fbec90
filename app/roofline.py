"""The machine's limit for a dense network's training step.

`GemmPeak` is the roof: float32 matrix products as large as BLAS runs fastest (2048×2048, all cores), in
FLOP/s; divided by a step's FLOPs per sample, it bounds any training loop's samples/s on this machine.
`GemmStep` is a reference below it: NumPy's BLAS doing exactly the products one step needs, at the step's
own small shapes (per layer with batch b, fan-in n, fan-out m: forward X·W, backward dY·Wᵀ and Xᵀ·dY, i.e.
6·b·n·m FLOPs; the 784-300-150-300-784 stack is 6 × 560,400 FLOPs per sample). Biases, activations and
Adam's update are left out of both.
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


class GemmPeak:
    """One n×n float32 product per call (2·n³ FLOPs), as fast as this machine's BLAS goes."""

    def __init__(self, n=2048, seed=0):
        rng = np.random.RandomState(seed)
        self.a, self.b = rng.rand(n, n).astype(np.float32), rng.rand(n, n).astype(np.float32)
        self.flops = 2 * n ** 3

    def __call__(self, i=0):
        self.a @ self.b
