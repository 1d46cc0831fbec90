"""The table of sections: each make target's name, its place in the book, its listing module and everything
a run of it needs to know about it (the one place that knows every section, one record per section).

Reading it imports no TensorFlow: a listing's module loads without it (TensorFlow loads when a graph is
first built), so its Config checks the command line's values before any work starts.
"""
import dataclasses
import importlib
import os
from dataclasses import dataclass, replace
from functools import partial


@dataclass(frozen=True)
class Headline:
    """Its row in the table of results (README.md, `make results`)."""
    heading: str  # the book's section, as the row names it
    words: str  # what the number is; {key} quotes another of its metrics
    metric: str = None  # the metrics.json key shown beside the book's; None: its result is its figures


@dataclass(frozen=True)
class Sources:
    """The sections whose checkpoints a section may restore (its Config's `source`, --source SECTION)."""
    holding: str  # what it restores from them
    names: tuple = None  # None: every section that trains an autoencoder


@dataclass(frozen=True)
class Section:
    name: str  # the make target and `python -m tf1_ae run` name; graphs/<name>.py is its listing
    book: str  # where it is in the book (1st ed., ch. 15)
    summary: str
    headline: Headline = None  # None: shown in the row of the section before it
    after: tuple = ()  # sections whose finished runs it reuses: `all` runs it after them, without needing them
    runner: str = None  # the listing's function that runs it, where its run is more than training build()'s model
    trains: bool = True  # False: it only draws, from its own numbers or another section's checkpoint (made again
    # whenever asked: a finished one is never kept)
    bench: bool = False  # `make bench` times its training step (a listing that builds one model with a plan)
    uses_data: bool = True  # trains or draws on the --data set (pca and kl_plot make their own numbers)
    autoencoder: bool = True  # its checkpoint holds an autoencoder that reconstructions can draw
    resumable: bool = True  # --resume continues its training (those that train nothing, or only short runs, refuse)
    towers: bool = False  # the fast path: --towers N splits each batch of its training (tf1_ae.derive.in_towers)
    flags: tuple = ()  # the Config fields its shorthand flags set (--penalty mse is --set penalty=mse); their
    # choices and help are the listing's (tf1_ae.config.choice / switch)
    variants: tuple = ()  # (field, value, Config class): that value runs the class; outputs in <name>/<field>_<value>/
    sources: Sources = None  # where its Config has a `source`: the sections it may name
    onednn: bool = False  # TF_ENABLE_ONEDNN_OPTS for a process that runs it: on for convolutions (2× faster
    # here), off for dense layers (the recorded numbers' setting); pinned so numbers repeat

    def environment(self, flipped=False):
        """The environment of a process that runs it: oneDNN as pinned for it, or (flipped) the other way."""
        return {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1" if self.onednn != flipped else "0"}

    @property
    def module(self):
        return importlib.import_module(f"graphs.{self.name}")

    @property
    def needs(self):
        """The sections whose checkpoints it reads (trained first when missing; `all` skips it when one of them
        failed): its Config's default `source`, where it has one."""
        return (self.module.Config().source,) if self.sources else ()

    def source_names(self):
        if self.sources.names is not None:
            return self.sources.names
        return tuple(section.name for section in SECTIONS.values() if section.autoencoder)

    def config_class(self, overrides=()):
        """(the Config class a run uses, its own output subfolder or None, the override that chose it)."""
        for field, value, class_name in self.variants:
            if (field, value) in overrides:
                return getattr(self.module, class_name), f"{field}_{value}", (field, value)
        return self.module.Config, None, None

    def config(self, options):
        """The Config a run of these options uses, every option checked against this section (it resumes, it
        has towers that divide its batch, its Config has the fields and their values are in range, its
        source is one it can read): UsageError, all before TensorFlow loads."""
        from tf1_ae.config import apply_options
        from tf1_ae.runs import UsageError

        if options.resume and not self.resumable:
            raise UsageError(f"{self.name} cannot --resume: rerun it without")
        if options.towers > 1 and not self.towers:
            raise UsageError(f"--towers applies to {', '.join(towers_sections())}, not {self.name}")
        config_class, _, _ = self.config_class(options.overrides)
        fields = [f.name for f in dataclasses.fields(config_class)]
        unknown = next((name for name, _ in options.overrides if name not in fields), None)
        if unknown:
            raise UsageError(f"{unknown}: the {self.name} config has no such field (it has: {', '.join(fields)})")
        config = apply_options(config_class(), options)
        if options.towers > 1 and config.batch_size % options.towers:
            raise UsageError(f"--towers {options.towers} must divide the batch size {config.batch_size}")
        if self.sources and config.source not in self.source_names():
            raise UsageError(f"--source {config.source}: expected a section whose checkpoint has "
                             f"{self.sources.holding}, one of {', '.join(self.source_names())}")
        return config

    def run(self, options, log=print, config=None):
        """Check everything that can be checked before TensorFlow loads (`config`: where the command line has
        built the options' Config already), take the section's folder, run it."""
        from app.admission import kept_run
        from tf1_ae.config import is_full_budget
        from tf1_ae.runs import RunPaths, mark_complete, run_lock

        config = config or self.config(options)
        _, subfolder, chosen = self.config_class(options.overrides)
        paths = RunPaths.under(options.out, self.name)
        if subfolder:  # a variant's outputs beside the listing's own, never over them
            paths = RunPaths(self.name, paths.checkpoint_dir / subfolder, paths.figure_dir / subfolder)
        full = is_full_budget(replace(options, overrides=tuple(o for o in options.overrides if o != chosen)))
        with run_lock(paths):  # one run at a time in a folder; an --out that cannot be written ends here
            metrics = kept_run(self, paths.checkpoint_dir, options, full, log)
            if metrics is None:
                metrics = self.runner_of()(self.new_run(options, config, paths, log, full))
                if full:
                    mark_complete(paths.checkpoint_dir)
        if options.compare:
            from app.compare import comparison
            for line in comparison(self.name, paths.checkpoint_dir):
                log(line)
        return metrics

    def new_run(self, options, config, paths, log, full=None):
        from app import notebook
        from tf1_ae.pipeline import Run

        start_of = notebook.start if options.batches == "notebook" else None
        return Run(self.name, options, config, log, paths=paths, checkpoint_of=checkpoint_of, start_of=start_of,
                   full=full)

    def runner_of(self):
        """What runs it: its listing's own runner, or the pipeline training what its build() returns (with its
        optional `report(run, sess, model, metrics)` figures and `data(config)`, data of its own)."""
        from tf1_ae.pipeline import train_listing

        module = self.module
        if self.runner:
            return getattr(module, self.runner)
        return partial(train_listing, build=module.build, report=getattr(module, "report", None),
                       own_data=getattr(module, "data", None))


def checkpoint_of(name, options, log=print):
    """Section `name`'s checkpoint folder, training it first (with the same data and seed) only where it has
    none at all: one that cannot be read is refused, never replaced."""
    from tf1_ae.runs import RunPaths, UsageError
    from tf1_ae.checkpoints import command_on, has_checkpoint_files, latest_checkpoint

    folder = RunPaths.under(options.out, name).checkpoint_dir
    readable = latest_checkpoint(folder) is not None
    if not readable and has_checkpoint_files(folder):
        raise UsageError(f"the {name} checkpoint in {folder} cannot be read; {command_on(name, folder, '--force')} "
                         f"trains it again")
    if not readable:
        log(f"no {name} checkpoint in {folder}: training it first")
        SECTIONS[name].run(replace(options, resume=False, overrides=(), towers=1, force=False), log)
    return folder


def towers_sections():
    return [section.name for section in SECTIONS.values() if section.towers]


# the sections whose checkpoints hold the layer-wise stack's weights1, biases1, weights2, biases2
LAYERWISE = Sources("the layer-wise stack's weights1 and weights2",
                    ("layerwise_singlegraph", "layerwise_stopgrad", "layerwise_cached", "layerwise_multigraph"))
GAMMA_VAE = Sources("the γ = log σ² VAE's variables", ("vae_logvar",))
TEST_MSE = "stack's test MSE"
SECTIONS = {s.name: s for s in [  # in the book's order
    Section("pca", "§Performing PCA with an Undercomplete Linear Autoencoder",
            "a 3-2-3 linear autoencoder finds PCA's plane on 3-D toy data",
            Headline("Performing PCA with an Undercomplete Linear Autoencoder",
                     "test MSE (PCA's optimum: {pca_test_mse})", "test_mse"), uses_data=False, autoencoder=False),
    Section("stacked_all", "§Stacked Autoencoders, training all layers at once",
            "784-300-150-300-784 ELU autoencoder, He init, L2, Adam",
            Headline("Stacked Autoencoders", "last epoch's Train MSE", "train_mse"), towers=True, bench=True),
    Section("stacked_tied", "§Stacked Autoencoders: Tying Weights",
            "the same stack with decoder weights = encoder weights transposed",
            Headline("Tying Weights", "last epoch's Train MSE", "train_mse"), towers=True, bench=True),
    Section("layerwise_multigraph", "§Training One Autoencoder at a Time, in multiple graphs",
            "two shallow autoencoders trained one after the other, each in its own tf.Graph, then stacked",
            Headline("Training One Autoencoder at a Time (graphs)", "2nd AE, last Train MSE", "ae2_train_mse"),
            runner="train_one_at_a_time", resumable=False, towers=True),
    Section("layerwise_singlegraph", "§Training One Autoencoder at a Time, in a single graph",
            "one graph, two phases; phase 2 trains only the inner layers (var_list)",
            Headline("… in a single graph (`var_list`)", TEST_MSE, "test_mse"), towers=True, bench=True),
    Section("layerwise_stopgrad", "§Training One Autoencoder at a Time, in a single graph",
            "the same, with hidden1 frozen by tf.stop_gradient instead of var_list",
            Headline("… frozen by `tf.stop_gradient`", TEST_MSE, "test_mse"), towers=True),
    Section("layerwise_cached", "§Training One Autoencoder at a Time: caching the frozen layer's outputs",
            "the same, phase 2 fed from a cache of hidden1 computed once",
            Headline("… caching the frozen layer's outputs", TEST_MSE, "test_mse"), towers=True),
    Section("reconstructions", "§Visualizing the Reconstructions",
            "restores a section's checkpoint and draws test digits beside their reconstructions",
            Headline("Visualizing the Reconstructions", "figure from any checkpoint"), runner="draw", trains=False,
            autoencoder=False, resumable=False, sources=Sources("an autoencoder to draw")),
    Section("features", "§Visualizing Features",
            "top images per coding unit, weights1 as images, gradient ascent on the input",
            Headline("Visualizing Features (four ways)", "figures"), runner="draw", trains=False, autoencoder=False,
            resumable=False, sources=LAYERWISE),
    Section("pretraining", "§Unsupervised Pretraining Using Stacked Autoencoders",
            "a classifier from scratch vs. starting from the layer-wise autoencoder's weights",
            Headline("Unsupervised Pretraining Using Stacked Autoencoders", "pretrained test accuracy",
                     "pretrained_test_accuracy"),
            runner="train_both", autoencoder=False, resumable=False, flags=("freeze_pretrained",), sources=LAYERWISE),
    Section("pretraining_sweep", "beyond the book: §Unsupervised Pretraining Using Stacked Autoencoders",
            "test accuracy against the number of labels, from scratch / pretrained / pretrained and frozen",
            Headline("beyond the book: accuracy against the number of labels", "figure"),
            runner="sweep", autoencoder=False, resumable=False, sources=LAYERWISE),
    Section("denoising_gaussian", "§Denoising Autoencoders, Gaussian noise",
            "784-300-150-300-784 ReLU AE reconstructing clean digits from noisy ones",
            Headline("Denoising Autoencoders (Gaussian noise)", "last epoch's Train MSE", "train_mse"), towers=True,
            bench=True),
    Section("denoising_dropout", "§Denoising Autoencoders, dropout",
            "the same with 30% input dropout during training",
            Headline("Denoising Autoencoders (dropout)", "last epoch's Train MSE", "train_mse"), towers=True,
            bench=True),
    Section("kl_plot", "§Sparse Autoencoders, the sparsity-cost figure",
            "KL divergence vs squared and absolute error as a sparsity cost, target 0.1",
            Headline("Sparse Autoencoders: the sparsity cost", "figure"), runner="draw", trains=False,
            uses_data=False, autoencoder=False, resumable=False),
    Section("sparse", "§Sparse Autoencoders",
            "784-1000-784 sigmoid-coded AE with a KL sparsity loss (--penalty mse, --reconstruction xent)",
            Headline("Sparse Autoencoders", "last epoch's total loss", "total_loss"),
            flags=("penalty", "reconstruction"), bench=True),
    Section("vae_sigma", "§Variational Autoencoders",
            "784-500-500-20-500-500-784 VAE whose encoder outputs μ and σ",
            Headline("Variational Autoencoders", "last epoch's total loss", "total_loss"), towers=True, bench=True),
    Section("vae_logvar", "§Variational Autoencoders, γ = log σ²",
            "the same VAE with the encoder outputting γ = log σ²: smoother, faster training",
            Headline("… with γ = log σ²", "last epoch's total loss", "total_loss"), towers=True, bench=True),
    Section("vae_generate", "§Generating Digits",
            "decode 60 samples of N(0, I) with the γ model",
            Headline("Generating Digits", "figures"), runner="draw", trains=False, autoencoder=False,
            resumable=False, sources=GAMMA_VAE),
    Section("vae_encode_decode", "§Generating Digits: encode & decode",
            "test digits through the γ model's sampled codings and back",
            runner="draw", trains=False, autoencoder=False, resumable=False, sources=GAMMA_VAE),
    Section("vae_interpolate", "§Generating Digits: interpolate digits",
            "decode points between random codings: one digit morphs into the next",
            runner="draw", trains=False, autoencoder=False, resumable=False, sources=GAMMA_VAE),
    Section("vae_compare", "beyond the book: §Variational Autoencoders, σ vs γ",
            "both VAEs, same seed and steps, loss curves in one figure",
            Headline("beyond the book: σ against γ", "figure"), runner="train_both", autoencoder=False,
            after=("vae_sigma", "vae_logvar")),
    Section("contractive", "§Other Autoencoders: contractive autoencoder",
            "sigmoid AE penalized by its encoder Jacobian's norm, beside a plain one",
            Headline("Other Autoencoders: contractive", "‖J‖²_F (without the penalty: {plain_jacobian_penalty})",
                     "jacobian_penalty"), runner="train_with_and_without_penalty", bench=True),
    Section("wta", "§Other Autoencoders: winner-take-all autoencoder",
            "784-2000 ReLU AE keeping each unit's top 5% activations per batch; its dictionary",
            Headline("… winner-take-all", "test MSE", "test_mse"), bench=True),
    Section("conv", "§Other Autoencoders: stacked convolutional autoencoders",
            "conv 16/32/64 + pooling encoder, transposed-conv decoder (--wta spatial: conv WTA)",
            Headline("… stacked convolutional (`--wta spatial`)", "test MSE", "test_mse"),
            flags=("wta",), variants=(("wta", "spatial", "WTAConfig"),), onednn=True, bench=True),
    Section("adversarial", "§Other Autoencoders: adversarial autoencoders",
            "an autoencoder whose 2-D codings a discriminator pushes toward a Gaussian prior",
            Headline("… adversarial", "test MSE", "test_mse"), bench=True),
    Section("gsn", "§Other Autoencoders: generative stochastic network",
            "a walk-back denoising autoencoder sampled by a corrupt-reconstruct Markov chain",
            Headline("… generative stochastic network", "test MSE (binarized)", "test_mse"), bench=True),
]}


if __name__ == "__main__":  # the Makefile's list of section targets
    print(" ".join(SECTIONS))
