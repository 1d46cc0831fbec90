"""Book §"Sparse Autoencoders", the sparsity-cost figure.

Why KL divergence for sparsity: for a target activation p = 0.1, the KL divergence from a unit's actual
mean activation q is larger than the squared error wherever q is not p, and steeper: its gradients push
harder toward the target, the book's point. The absolute error, which we add to the figure, is larger than
the KL near the target; the KL passes it only far from it (q below about 0.02 or above about 0.55) and goes
to infinity as q reaches 0 or 1.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from tf1_ae.config import OPEN_UNIT, ranged

IDEA = "Why KL divergence for sparsity: it is larger and steeper than the squared error away from the target."
LOSS = "KL(p‖q) = p·log(p/q) + (1-p)·log((1-p)/(1-q)),   MSE = (p - q)²,   MAE = |p - q|"


@dataclass(frozen=True)
class Config:
    p: float = ranged(0.1, OPEN_UNIT)  # book: the target sparsity
    n_points: int = 500  # book: np.linspace(0.001, 0.999, 500)


def costs(p, q):
    return {"kl": p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)),
            "mse": (p - q) ** 2, "mae": np.abs(p - q)}


STYLES = {"kl": ("b-", "KL divergence", 1), "mae": ("g--", r"MAE ($\ell_1$)", 1), "mse": ("r--", "MSE", 1)}


def draw_costs(p, q, cost, terms):
    """The book's figure with the curves named in `terms` (the book: KL and MSE)."""
    figure = plt.figure(figsize=(8, 5))
    plt.plot([p, p], [0, 0.3], "k:")
    plt.text(0.05, 0.32, "Target\nsparsity", fontsize=14)
    for term in terms:
        style, label, width = STYLES[term]
        plt.plot(q, cost[term], style, linewidth=width, label=label)
    plt.legend(loc="upper left", fontsize=14)
    plt.xlabel("Actual sparsity")
    plt.ylabel("Cost", rotation=0)
    plt.axis([0, 1, 0, 0.95])
    return figure


def draw(run):
    p = run.config.p
    q = np.linspace(0.001, 0.999, run.config.n_points)
    cost = costs(p, q)
    draw_costs(p, q, cost, ("kl", "mse"))
    run.figure("sparsity_loss_plot")
    draw_costs(p, q, cost, ("kl", "mae", "mse"))  # ours: the absolute error too
    run.figure("sparsity_loss_plot_with_mae")
    shown = (0.2, 0.5, 0.9)
    at = {f"{name}_at_{x}": float(costs(p, np.array(x))[name]) for name in ("kl", "mse", "mae") for x in shown}
    for x in shown:
        run.log(f"q = {x}: KL {at[f'kl_at_{x}']:.4f}, MSE {at[f'mse_at_{x}']:.4f}, MAE {at[f'mae_at_{x}']:.4f}")
    return run.finish({"target": p, **at})
