"""Beyond the book: when does unsupervised pretraining pay? (§"Unsupervised Pretraining Using Stacked
Autoencoders")

The pretraining listing's classifier trained with 50 … all labelled images, from scratch, from the
layer-wise autoencoder's weights (all layers trained), and from those weights frozen (only the new output
layer trained), each with the book's step budget. The book's single point (20,000 labels) shows no gain;
the curve shows where one appears.
"""
from dataclasses import dataclass, field, replace

import matplotlib.pyplot as plt

from graphs import pretraining
from graphs.pretraining import build, train_classifier  # noqa: F401  (the same classifier)

IDEA = "Test accuracy against the number of labels: from scratch, pretrained, and pretrained with frozen layers."
LOSS = "loss = xent(softmax(logits), y) + l2_reg · Σ_k ½‖weights_k‖²,  trained on the first n labelled images"

LABEL_COUNTS = (50, 100, 500, 1000, None)  # None: every training image
KINDS = (("scratch", "from scratch", False, False),
         ("pretrained", "pretrained, all layers trained", True, False),
         ("frozen", "pretrained, only the output layer trained", True, True))


@dataclass(frozen=True)
class Config(pretraining.Config):
    # each curve sets it (KINDS): no --freeze-pretrained here, and --set may not ask for it
    freeze_pretrained: bool = field(default=False, metadata={"choices": (False,)})


def sweep(run):
    config = run.config
    source_dir = run.checkpoint_of(config.source)
    mnist = run.load_data()
    counts = [min(n or mnist.train.num_examples, mnist.train.num_examples) for n in LABEL_COUNTS]
    results = {}
    for key, description, pretrained, frozen in KINDS:
        variant_config = replace(config, freeze_pretrained=frozen)
        for n in counts:
            final, budget = train_classifier(run.sub_run(f"{key}_{n}", quiet=True), mnist, variant_config, n,
                                             pretrained_from=source_dir if pretrained else None)
            results[key, n] = final["test_accuracy"]
            run.log(f"{description:<42} {n:>6,} labels: test accuracy {final['test_accuracy']:.4f}")

    plt.figure(figsize=(7, 4.5))
    for key, description, _, _ in KINDS:
        plt.plot(counts, [results[key, n] for n in counts], "o-", label=description)
    plt.xscale("log")
    plt.xlabel("labelled training images")
    plt.ylabel("test accuracy")
    plt.title(f"Pretraining on {mnist.name}: {budget.total_steps} steps of batch {config.batch_size} each")
    plt.grid(True, alpha=0.3)
    plt.legend(loc="lower right")
    run.figure("pretraining_sweep_plot")
    metrics = {f"{key}_{n}_test_accuracy": results[key, n] for key, _, _, _ in KINDS for n in counts}
    metrics.update({"source": config.source, "label_counts": counts})
    return run.finish(metrics, steps=budget.total_steps)  # each classifier's
