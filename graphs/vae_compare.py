"""Beyond the book: the seed note's claim, measured. Does γ = log σ² train faster and more stably than σ?

Both variational autoencoders (vae_sigma, vae_logvar) are trained with the same seed, data and step
budget; their per-epoch total losses (the book's last-batch values) are drawn in one figure, and the
final and worst epochs of each are tabled.

    σ: latent = ½ Σ (σ² + μ² - 1 - log(eps + σ²))      γ: latent = ½ Σ (exp(γ) + μ² - 1 - γ)
"""
import math

import matplotlib.pyplot as plt

from graphs import vae_logvar, vae_sigma
from tf1_ae.plots import save_fig
from tf1_ae.runner import run_autoencoder
from tf1_ae.runs import RunPaths, TrainingFailed, write_metrics

VARIANTS = (("sigma", "σ (book §12)", vae_sigma), ("logvar", "γ = log σ² (book §13)", vae_logvar))
BOOK = {"sigma": {"final": 15147.4, "worst": 38965.4}, "logvar": {"final": 14637.6, "worst": 17792.6}}


def run(options, log=print, section="vae_compare"):
    paths = RunPaths.under(options.out, section)
    histories, metrics = {}, {}
    for key, description, module in VARIANTS:
        log(f"— {description}")
        histories[key] = []
        sub = RunPaths(section, paths.checkpoint_dir / key, paths.figure_dir)
        try:
            result = run_autoencoder(section, module.build, module.Config(), options, log, paths=sub,
                                     history=histories[key], figure_name=f"{key}_reconstruction_plot")
            metrics.update({"data": result["data"], "n_train": result["n_train"], "steps": result["steps"]})
            metrics[f"{key}_diverged"] = False
        except TrainingFailed as exc:  # the σ variant can blow up: that is a result here, not an error
            log(f"{description} stopped: {exc}")
            metrics[f"{key}_diverged"] = True
        losses = [epoch["total_loss"] for epoch in histories[key]]
        metrics[f"{key}_final_total_loss"] = losses[-1] if losses and not metrics[f"{key}_diverged"] else None
        metrics[f"{key}_worst_total_loss"] = max(losses) if losses else None

    plt.figure(figsize=(8, 4.5))
    for key, description, _ in VARIANTS:
        epochs = [e["epoch"] for e in histories[key]]
        plt.plot(epochs, [e["total_loss"] for e in histories[key]], "o-", markersize=3, label=description)
    plt.yscale("log")
    plt.xlabel("epoch")
    plt.ylabel("total loss on the epoch's last batch (nats, summed over 150 images)")
    plt.legend()
    plt.grid(True, alpha=0.3)
    figure = save_fig(paths.figure_dir, "vae_compare_plot")

    log(f"{'variant':<24}{'final total loss':>18}{'worst epoch':>14}{'book final':>12}{'book worst':>12}")
    for key, description, _ in VARIANTS:
        final, worst = metrics[f"{key}_final_total_loss"], metrics[f"{key}_worst_total_loss"]
        show = [f"{v:.6g}" if v is not None and math.isfinite(v) else "diverged" for v in (final, worst)]
        log(f"{description:<24}{show[0]:>18}{show[1]:>14}{BOOK[key]['final']:>12}{BOOK[key]['worst']:>12}")
    metrics.update({"section": section, "seed": options.seed})
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
