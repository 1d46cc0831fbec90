"""Beyond the book: when does unsupervised pretraining pay? (seed note 08, method 4)

The pretraining listing's classifier trained with 50 … all labelled images, from scratch, from the
layer-wise autoencoder's weights (all layers trained), and from those weights frozen (only the new output
layer trained), each with the book's step budget. The book's single point (20,000 labels) shows no gain;
the curve shows where one appears.

    loss = xent(softmax(logits), y) + l2_reg · Σ_k ½‖weights_k‖²,  trained on the first n labelled images
"""
import time
from dataclasses import replace

import matplotlib.pyplot as plt

from graphs import SECTIONS
from graphs.pretraining import Config, build, train_classifier  # noqa: F401  (the same classifier)
from tf1_ae import data as datasets
from tf1_ae.plots import save_fig
from tf1_ae.runs import RunPaths, apply_options, run_identity, write_metrics

LABEL_COUNTS = (50, 100, 500, 1000, None)  # None: every training image
VARIANTS = (("scratch", "from scratch", False, False),
            ("pretrained", "pretrained, all layers trained", True, False),
            ("frozen", "pretrained, only the output layer trained", True, True))


RESUMABLE = False  # --resume is refused: every point of the sweep is a fresh short run


def run(options, log=print, section="pretraining_sweep"):
    config = apply_options(Config(), options)
    paths = RunPaths.under(options.out, section)
    source_dir = SECTIONS[config.source].ensure_checkpoint(options, log)
    mnist = datasets.load(options.data)
    log(mnist.summary())
    counts = [min(n or mnist.train.num_examples, mnist.train.num_examples) for n in LABEL_COUNTS]
    quiet = replace(options, progress=False)
    results, start = {}, time.perf_counter()
    for key, description, pretrained, frozen in VARIANTS:
        variant_config = replace(config, freeze_pretrained=frozen)
        for n in counts:
            final, budget = train_classifier(
                mnist, variant_config, quiet, n, pretrained_from=source_dir if pretrained else None,
                checkpoint_dir=paths.phase(f"{key}_{n}").checkpoint_dir, log=lambda line: None)
            results[key, n] = final["test_accuracy"]
            log(f"{description:<42} {n:>6,} labels: test accuracy {final['test_accuracy']:.4f}")

    plt.figure(figsize=(7, 4.5))
    for key, description, _, _ in VARIANTS:
        plt.plot(counts, [results[key, n] for n in counts], "o-", label=description)
    plt.xscale("log")
    plt.xlabel("labelled training images")
    plt.ylabel("test accuracy")
    plt.title(f"Pretraining on {mnist.name}: {budget.total_steps} steps of batch {config.batch_size} each")
    plt.grid(True, alpha=0.3)
    plt.legend(loc="lower right")
    figure = save_fig(paths.figure_dir, "pretraining_sweep_plot")

    metrics = {f"{key}_{n}_test_accuracy": results[key, n] for key, _, _, _ in VARIANTS for n in counts}
    metrics.update({"source": config.source, "label_counts": counts,
                    **run_identity(section, mnist.name, mnist.train.num_examples, budget.total_steps,
                                   options.seed, time.perf_counter() - start)})
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)} and {figure}")
    return metrics
