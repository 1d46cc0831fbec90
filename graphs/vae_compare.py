"""Beyond the book: does γ = log σ² train faster and more stably than σ? (§"Variational Autoencoders")

Both variational autoencoders (vae_sigma, vae_logvar) are trained with the same seed, data and step
budget; their per-epoch total losses (the book's last-batch values) are drawn in one figure beside the
book's own logs, and each one's final and worst total loss (over all its epochs, the first included) are
tabled beside the book's. A finished default run of either
section, of the same seed and data, is reused instead of trained again: it would give the same numbers.
"""
import json
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt

from graphs import vae_logvar, vae_sigma
from tf1_ae import data as datasets
from tf1_ae.pipeline import train_autoencoder
from tf1_ae.runs import RunPaths, TrainingFailed, apply_options, is_complete, read_history, read_metrics

IDEA = "Both VAEs with the same seed, data and steps: their loss curves in one figure, beside the book's logs."
LOSS = "σ: latent = ½ Σ (σ² + μ² - 1 - log(eps + σ²))      γ: latent = ½ Σ (exp(γ) + μ² - 1 - γ)"
VARIANTS = (("sigma", "σ (the book's first VAE)", vae_sigma), ("logvar", "γ = log σ² (the book's variant)", vae_logvar))
BOOK = {"sigma": {"final": 15147.4, "worst": 38965.4}, "logvar": {"final": 14637.6, "worst": 17792.6}}


@dataclass(frozen=True)
class Config:
    """Nothing of its own: each variant trains with its own section's Config (and the run's options)."""


def reusable_run(key, options):
    """The finished default run of vae_<key> (same seed, data and full budget), if there is one: training
    it again would give the same numbers. Returns (section, folder, history, identity) or None."""
    if options.steps is not None or options.epochs is not None or options.resume:
        return None
    name = f"vae_{key}"
    folder = RunPaths.under(options.out, name).checkpoint_dir
    metrics, history = read_metrics(folder) or {}, read_history(folder)
    if not (is_complete(folder, datasets.resolved_name(options.data)) and history
            and metrics.get("seed") == options.seed
            and options.learning_rate is None and options.batch_size is None):
        return None
    return name, folder, history, {k: metrics[k] for k in ("data", "n_train", "steps")}


def run(run):
    histories, metrics = {}, {}
    for key, description, module in VARIANTS:
        run.log(f"— {description}")
        reused = reusable_run(key, run.options)
        if reused is not None:
            run.log(f"reusing the finished {reused[0]} run of the same seed, data and steps ({reused[1]})")
            histories[key] = reused[2]
            metrics.update(reused[3])
            metrics[f"{key}_diverged"] = False
        else:
            part = run.part(key, apply_options(module.Config(), run.options))
            try:
                result = train_autoencoder(part, module.build, figure_name=f"{key}_reconstruction_plot")
                metrics.update({k: result[k] for k in ("data", "n_train", "steps")})
                metrics[f"{key}_diverged"] = False
            except TrainingFailed as exc:  # the σ variant can blow up: that is a result here, not an error
                run.log(f"{description} stopped: {exc}")
                metrics[f"{key}_diverged"] = True
            histories[key] = part.history
        losses = [epoch["total_loss"] for epoch in histories[key]]
        metrics[f"{key}_final_total_loss"] = losses[-1] if losses and not metrics[f"{key}_diverged"] else None
        metrics[f"{key}_worst_total_loss"] = max(losses) if losses else None

    book_logs = json.loads((Path(__file__).parent / "book_logs.json").read_text())
    plt.figure(figsize=(9, 5))
    for (key, description, _), color in zip(VARIANTS, ("tab:blue", "tab:orange")):
        epochs = [e["epoch"] for e in histories[key]]
        plt.plot(epochs, [e["total_loss"] for e in histories[key]], "o-", color=color, markersize=3,
                 label=f"{description}, ours")
        book = book_logs[f"vae_{key}_total_loss"]
        plt.plot(range(len(book)), book, "--", color=color, alpha=0.6, label=f"{description}, the book's log")
    plt.yscale("log")
    plt.xlabel("epoch")
    plt.ylabel("total loss, epoch's last batch\n(nats summed over 150 images)")
    plt.legend()
    plt.grid(True, alpha=0.3)
    run.figure("vae_compare_plot")

    run.log(f"{'variant':<32}{'final total loss':>18}{'worst total loss':>18}{'book final':>12}{'book worst':>12}")
    for key, description, _ in VARIANTS:
        final, worst = metrics[f"{key}_final_total_loss"], metrics[f"{key}_worst_total_loss"]
        show = [f"{v:.6g}" if v is not None and math.isfinite(v) else "diverged" for v in (final, worst)]
        run.log(f"{description:<32}{show[0]:>18}{show[1]:>18}{BOOK[key]['final']:>12}{BOOK[key]['worst']:>12}")
    identity = {k: metrics.pop(k) for k in ("data", "n_train", "steps") if k in metrics}
    return run.finish(metrics, **identity)
