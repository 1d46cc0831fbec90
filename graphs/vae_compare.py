"""Beyond the book: does γ = log σ² train faster and more stably than σ? (§"Variational Autoencoders")

Both variational autoencoders (vae_sigma, vae_logvar) are trained with the same seed, data and step
budget, each on its notebook cell's batches (or fresh ones, with --batches alone); their per-epoch total
losses (the book's last-batch values) are drawn in one figure beside the book's own logs, and each one's
final and worst total loss (over all its epochs, the first included) are compared with the book's at the
end of the run. A finished full run of either section, of the same seed, data and batches, is reused
instead of trained again: it would give the same numbers.
"""
from dataclasses import dataclass

import matplotlib.pyplot as plt

from graphs import vae_logvar, vae_sigma
from graphs.book import book_data
from tf1_ae import data as datasets
from tf1_ae.pipeline import train_listing
from tf1_ae.config import apply_options, is_full_budget
from tf1_ae.runs import RunPaths, TrainingFailed, finished_run, read_history

IDEA = "Both VAEs with the same seed, data and steps: their loss curves in one figure, beside the book's logs."
LOSS = "σ: latent = ½ Σ (σ² + μ² - 1 - log(eps + σ²))      γ: latent = ½ Σ (exp(γ) + μ² - 1 - γ)"
VAES = (("sigma", "σ (the book's first VAE)", vae_sigma), ("logvar", "γ = log σ² (the book's variant)", vae_logvar))


@dataclass(frozen=True)
class Config:
    """Nothing of its own: each variant trains with its own section's Config (and the run's options)."""


def reusable(key, options, batches):
    """(folder, its metrics) of the finished full run of vae_<key> of this run's seed, data and `batches` (those
    this run draws), where this run is a full run too: training it again would give the same numbers. None
    otherwise."""
    if not is_full_budget(options) or options.resume:
        return None
    section = f"vae_{key}"
    folder = RunPaths.under(options.out, section).checkpoint_dir
    metrics = finished_run(folder, datasets.resolved_name(options.data), options.seed, batches=batches,
                           graph_seed=options.graph_seed, section=section)
    return (folder, metrics) if metrics is not None and read_history(folder) else None


def train_or_reuse(run, key, module):
    """Its per-epoch history, and its identity and whether it diverged, as metrics."""
    reused = reusable(key, run.options, batches_of_part(run))
    if reused is not None:
        run.log(f"reusing the finished vae_{key} run of the same seed, data and steps ({reused[0]})")
        return read_history(reused[0]), {**{k: reused[1][k] for k in ("data", "n_train", "steps")},
                                         f"{key}_diverged": False}
    part = run.sub_run(key, apply_options(module.Config(), run.options))
    try:  # the σ variant can blow up: that is a result here, not an error
        result = train_listing(part, module.build, figure_name=f"{key}_reconstruction_plot")
        return part.history, {**{k: result[k] for k in ("data", "n_train", "steps")}, f"{key}_diverged": False}
    except TrainingFailed as exc:
        run.log(f"vae_{key} stopped: {exc}")
        return part.history, {f"{key}_diverged": True}


def batches_of_part(run):
    """The batches this run's parts draw: the notebook's (each VAE's cell), or fresh ones (--batches alone)."""
    return "notebook" if run.options.batches == "notebook" else "alone"


def final_and_worst(history, diverged):
    """The last epoch's total loss (None when training diverged) and the largest of every epoch's."""
    losses = [epoch["total_loss"] for epoch in history]
    return (losses[-1] if losses and not diverged else None), (max(losses) if losses else None)


def train_both(run):
    histories, metrics = {}, {}
    for key, description, module in VAES:
        run.log(f"— {description}")
        histories[key], found = train_or_reuse(run, key, module)
        metrics.update(found)
        metrics[f"{key}_final_total_loss"], metrics[f"{key}_worst_total_loss"] = final_and_worst(
            histories[key], metrics[f"{key}_diverged"])
    draw_curves(run, histories)
    run.batches = batches_of_part(run)  # what both parts drew, as `make all` checks it before skipping this run
    identity = {k: metrics.pop(k) for k in ("data", "n_train", "steps") if k in metrics}
    return run.finish(metrics, **identity)


def draw_curves(run, histories):
    plt.figure(figsize=(9, 5))
    for (key, description, _), color in zip(VAES, ("tab:blue", "tab:orange")):
        epochs = [e["epoch"] for e in histories[key]]
        plt.plot(epochs, [e["total_loss"] for e in histories[key]], "o-", color=color, markersize=3,
                 label=f"{description}, ours")
        book = book_data().logs[f"vae_{key}_total_loss"]
        plt.plot(range(len(book)), book, "--", color=color, alpha=0.6, label=f"{description}, the book's log")
    plt.yscale("log")
    plt.xlabel("epoch")
    plt.ylabel("total loss, epoch's last batch\n(nats summed over 150 images)")
    plt.legend()
    plt.grid(True, alpha=0.3)
    run.figure("vae_compare_plot")
