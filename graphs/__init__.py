"""The chapter's listings, one module each, and the table the command line maps section names with.

A module exports `Config` (a frozen dataclass of the book's values) and `build(config)`; one that needs
more than the shared MNIST autoencoder runner (`tf1_ae.runner.run_autoencoder`) also exports
`run(options, log)`. Importing this package does not import TensorFlow.
"""
import importlib
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Section:
    name: str  # the make target and `python -m tf1_ae run` name
    book: str  # where it is in the book (1st ed., ch. 15) and in the seed note
    summary: str
    needs: str | None = None  # a section whose checkpoint this one reads
    onednn: bool = False  # TF_ENABLE_ONEDNN_OPTS for a process that runs it: on for convolutions (2-3×
    # faster here), off for dense layers (faster for their small matmuls); pinned so numbers repeat

    @property
    def module(self):
        return importlib.import_module(f"graphs.{self.name}")

    def ensure_checkpoint(self, options, log=print):
        """This section's checkpoint folder, training the section first (with `options`) if it has none."""
        from tf1_ae.runs import RunPaths
        from tf1_ae.train import latest_checkpoint

        folder = RunPaths.under(options.out, self.name).checkpoint_dir
        if latest_checkpoint(folder) is None:
            log(f"no {self.name} checkpoint in {folder}: training it first")
            self.run(replace(options, resume=False, source=None), log)
        return folder

    def run(self, options, log=print):
        from tf1_ae.runs import RunPaths, UsageError, mark_complete

        module = self.module
        if options.resume and not getattr(module, "RESUMABLE", True):
            raise UsageError(f"{self.name} cannot --resume: rerun it without")
        if hasattr(module, "run"):
            metrics = module.run(options, log)
        else:
            from tf1_ae.runner import run_autoencoder
            metrics = run_autoencoder(self.name, module.build, module.Config(), options, log,
                                      report=getattr(module, "report", None))
        if options.steps is None and options.epochs is None and not options.overrides:
            mark_complete(RunPaths.under(options.out, self.name).checkpoint_dir)
        return metrics


SECTIONS = {s.name: s for s in [
    Section("pca", "§PCA with an undercomplete linear autoencoder (note 01)",
            "a 3-2-3 linear autoencoder finds PCA's plane on 3-D toy data"),
    Section("stacked_all", "§Stacked autoencoders, all layers at once (note 02)",
            "784-300-150-300-784 ELU autoencoder, He init, L2, Adam"),
    Section("stacked_tied", "§Tying weights (note 03)",
            "the same stack with decoder weights = encoder weights transposed"),
    Section("layerwise_multigraph", "§Training one autoencoder at a time, in multiple graphs (note 04)",
            "two shallow autoencoders trained one after the other, each in its own tf.Graph, then stacked"),
    Section("layerwise_singlegraph", "§Training one autoencoder at a time, in a single graph (note 05)",
            "one graph, two phases; phase 2 trains only the inner layers (var_list)"),
    Section("layerwise_stopgrad", "§Training one autoencoder at a time, in a single graph (note 05)",
            "the same, with hidden1 frozen by tf.stop_gradient instead of var_list"),
    Section("layerwise_cached", "§Cache the frozen layer outputs (note 05)",
            "the same, phase 2 fed from a cache of hidden1 computed once"),
    Section("features", "§Visualizing features (note 07; the note's four methods)",
            "top images per coding unit, weights1 as images, gradient ascent on the input",
            needs="layerwise_singlegraph"),
    Section("pretraining", "§Unsupervised pretraining using stacked autoencoders (note 08)",
            "a classifier from scratch vs. starting from the layer-wise autoencoder's weights",
            needs="layerwise_cached"),
    Section("pretraining_sweep", "beyond the book: §Unsupervised pretraining (note 08)",
            "test accuracy against the number of labels, from scratch / pretrained / pretrained and frozen",
            needs="layerwise_cached"),
    Section("denoising_gaussian", "§Denoising autoencoders, Gaussian noise (note 09)",
            "784-300-150-300-784 ReLU AE reconstructing clean digits from noisy ones"),
    Section("denoising_dropout", "§Denoising autoencoders, dropout (note 09)",
            "the same with 30% input dropout during training"),
    Section("kl_plot", "§Sparse autoencoders, the sparsity-cost figure (note 10)",
            "KL divergence vs squared and absolute error as a sparsity cost, target 0.1"),
    Section("sparse", "§Sparse autoencoders (note 11)",
            "784-1000-784 sigmoid-coded AE with a KL sparsity loss (--penalty mse, --reconstruction xent)"),
    Section("contractive", "§Other autoencoders: contractive (note 13)",
            "sigmoid AE penalized by its encoder Jacobian's norm, beside a plain one"),
    Section("wta", "§Other autoencoders: winner-take-all (note 13)",
            "784-2000 ReLU AE keeping each unit's top 5% activations per batch; its dictionary"),
    Section("conv", "§Other autoencoders: stacked convolutional (note 13)",
            "conv 16/32/64 + pooling encoder, transposed-conv decoder (--wta spatial: conv WTA)",
            onednn=True),
    Section("adversarial", "§Other autoencoders: adversarial (note 13)",
            "an autoencoder whose 2-D codings a discriminator pushes toward a Gaussian prior"),
    Section("gsn", "§Other autoencoders: generative stochastic network (note 13)",
            "a walk-back denoising autoencoder sampled by a corrupt-reconstruct Markov chain"),
    Section("vae_sigma", "§Variational autoencoders (note 12)",
            "784-500-500-20-500-500-784 VAE whose encoder outputs μ and σ"),
    Section("vae_logvar", "§Variational autoencoders, γ = log σ² (note 13)",
            "the same VAE with the encoder outputting γ = log σ²: smoother, faster training"),
    Section("vae_generate", "§Generating digits (note 14)",
            "decode 60 samples of N(0, I) with the γ model", needs="vae_logvar"),
    Section("vae_encode_decode", "§14 'Encode & Decode' (note 14)",
            "test digits through the γ model's sampled codings and back", needs="vae_logvar"),
    Section("vae_interpolate", "§14 'Interpolate digits' (note 14)",
            "decode points between random codings: one digit morphs into the next", needs="vae_logvar"),
    Section("vae_compare", "beyond the book: §12 vs §13",
            "both VAEs, same seed and steps, loss curves in one figure"),
    Section("reconstructions", "§Visualizing the reconstructions (note 06)",
            "restores a section's checkpoint and draws test digits beside their reconstructions",
            needs="stacked_all"),
]}
