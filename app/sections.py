"""The table of sections: each make target's name, its place in the book, its listing module, and how a
run of it is put together (the one place that knows every section). Imports no TensorFlow."""
import ast
import importlib
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Section:
    name: str  # the make target and `python -m tf1_ae run` name
    book: str  # where it is in the book (1st ed., ch. 15)
    summary: str
    needs: tuple = ()  # the sections whose checkpoints this one reads (`all` skips it when one failed)
    uses_data: bool = True  # trains or draws on the --data set (pca and kl_plot make their own numbers)
    autoencoder: bool = True  # its checkpoint holds an autoencoder that reconstructions can draw
    onednn: bool = False  # TF_ENABLE_ONEDNN_OPTS for a process that runs it: on for convolutions (2-3×
    # faster here), off for dense layers (faster for their small matmuls); pinned so numbers repeat

    @property
    def module(self):
        return importlib.import_module(f"graphs.{self.name}")

    def run(self, options, log=print):
        from tf1_ae.pipeline import Run, train_autoencoder
        from tf1_ae.runs import (RunPaths, UsageError, apply_options, is_complete, is_full_budget, mark_complete,
                                 read_metrics)

        module = self.module
        config_class, subfolder, chosen = variant(module, options.overrides)
        paths = RunPaths.under(options.out, self.name)
        if subfolder:  # a variant's outputs beside the listing's own, never over them
            paths = RunPaths(self.name, paths.checkpoint_dir / subfolder, paths.figure_dir / subfolder)
        folder = paths.checkpoint_dir
        full = is_full_budget(replace(options, overrides=tuple(o for o in options.overrides if o != chosen)))
        if options.resume and not getattr(module, "RESUMABLE", True):
            raise UsageError(f"{self.name} cannot --resume: rerun it without")
        if is_complete(folder) and not options.force:
            if options.resume:
                log(f"{self.name} has finished its full run in {folder}: nothing to resume, nothing changed")
                return read_metrics(folder)
            if not full:
                raise UsageError(f"{folder} holds a finished full run of {self.name}, which this shorter or changed "
                                 f"run would replace: put quick looks elsewhere with --out DIR, or replace it with --force")
        if options.towers > 1 and not has_towers(self.name):
            raise UsageError(f"--towers applies to {', '.join(towers_sections())}, not {self.name}")
        config = apply_options(config_class(), options)
        if options.towers > 1 and config.batch_size % options.towers:
            raise UsageError(f"--towers {options.towers} must divide the batch size {config.batch_size}")
        run = Run(self.name, options, config, log, paths=paths, checkpoint_of=checkpoint_of)
        if hasattr(module, "run"):
            metrics = module.run(run)
        else:
            build = module.build
            if options.towers > 1:
                build = lambda config: module.build_towers(config, options.towers)  # noqa: E731
            metrics = train_autoencoder(run, build, report=getattr(module, "report", None))
        if full:
            mark_complete(folder)
        if options.compare:
            from app.compare import comparison
            for line in comparison(self.name, folder):
                log(line)
        return metrics


def variant(module, overrides):
    """(the Config class a run uses, its own output folder, the override that chose it): `--set wta=spatial`
    on a listing whose VARIANTS maps ("wta", "spatial") to a Config subclass runs that variant in
    <section>/wta_spatial/."""
    for name, value in overrides:
        chosen = getattr(module, "VARIANTS", {}).get((name, value))
        if chosen is not None:
            return chosen, f"{name}_{value}", (name, value)
    return module.Config, None, None


def finished(section, out, data_name):
    """Whether `make all` may skip the section: a finished full run, on the same data where it uses data."""
    from tf1_ae.runs import RunPaths, is_complete

    return is_complete(RunPaths.under(out, section.name).checkpoint_dir, data_name if section.uses_data else None)


def checkpoint_of(name, options, log=print):
    """Section `name`'s checkpoint folder, training it first (with the same data and seed) only where it has
    none at all: one that cannot be read is refused, never replaced."""
    from tf1_ae.runs import RunPaths, UsageError
    from tf1_ae.train import has_checkpoint_files, latest_checkpoint

    folder = RunPaths.under(options.out, name).checkpoint_dir
    readable = latest_checkpoint(folder) is not None
    if not readable and has_checkpoint_files(folder):
        raise UsageError(f"the {name} checkpoint in {folder} cannot be read; `make {name}` trains it again")
    if not readable:
        log(f"no {name} checkpoint in {folder}: training it first")
        SECTIONS[name].run(replace(options, resume=False, source=None, overrides=(), towers=1, force=False), log)
    return folder


def has_towers(name):
    """Whether a listing has the fast path (--towers N): a `build_towers`, or a run() that takes it
    (`TOWERS = True`), read from its source."""
    return defines(name, "build_towers") or any(
        isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "TOWERS" for t in n.targets)
        and getattr(n.value, "value", None) is True for n in listing_tree(name).body)


def towers_sections():
    return [name for name in SECTIONS if has_towers(name)]


def listing_tree(name):
    return ast.parse((Path(__file__).resolve().parent.parent / "graphs" / f"{name}.py").read_text(encoding="utf-8"))


def config_fields(name):
    """The fields of a listing's Config, read from its source (so flags are checked before TensorFlow loads);
    a Config that subclasses another listing's (`class Config(layerwise_singlegraph.Config)`) has its fields too."""
    for node in listing_tree(name).body:
        if isinstance(node, ast.ClassDef) and node.name == "Config":
            inherited = [f for base in node.bases if isinstance(base, ast.Attribute) and base.attr == "Config"
                         for f in config_fields(base.value.id)]
            own = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign)]
            return inherited + [f for f in own if f not in inherited]
        if isinstance(node, ast.ImportFrom) and any(a.name == "Config" for a in node.names):
            return config_fields(node.module.split(".")[-1])
    return []


def defines(name, function):
    """Whether a listing defines (or imports) a top-level function of that name, read from its source."""
    tree = listing_tree(name)
    return any(isinstance(n, ast.FunctionDef) and n.name == function for n in tree.body) or any(
        isinstance(n, ast.ImportFrom) and any(a.name == function for a in n.names) for n in tree.body)


SECTIONS = {s.name: s for s in [
    Section("pca", "§Performing PCA with an Undercomplete Linear Autoencoder",
            "a 3-2-3 linear autoencoder finds PCA's plane on 3-D toy data", uses_data=False, autoencoder=False),
    Section("stacked_all", "§Stacked Autoencoders, training all layers at once",
            "784-300-150-300-784 ELU autoencoder, He init, L2, Adam"),
    Section("stacked_tied", "§Stacked Autoencoders: Tying Weights",
            "the same stack with decoder weights = encoder weights transposed"),
    Section("layerwise_multigraph", "§Training One Autoencoder at a Time, in multiple graphs",
            "two shallow autoencoders trained one after the other, each in its own tf.Graph, then stacked"),
    Section("layerwise_singlegraph", "§Training One Autoencoder at a Time, in a single graph",
            "one graph, two phases; phase 2 trains only the inner layers (var_list)"),
    Section("layerwise_stopgrad", "§Training One Autoencoder at a Time, in a single graph",
            "the same, with hidden1 frozen by tf.stop_gradient instead of var_list"),
    Section("layerwise_cached", "§Training One Autoencoder at a Time: caching the frozen layer's outputs",
            "the same, phase 2 fed from a cache of hidden1 computed once"),
    Section("features", "§Visualizing Features",
            "top images per coding unit, weights1 as images, gradient ascent on the input",
            needs=("layerwise_singlegraph",), autoencoder=False),
    Section("pretraining", "§Unsupervised Pretraining Using Stacked Autoencoders",
            "a classifier from scratch vs. starting from the layer-wise autoencoder's weights",
            needs=("layerwise_cached",), autoencoder=False),
    Section("pretraining_sweep", "beyond the book: §Unsupervised Pretraining Using Stacked Autoencoders",
            "test accuracy against the number of labels, from scratch / pretrained / pretrained and frozen",
            needs=("layerwise_cached",), autoencoder=False),
    Section("denoising_gaussian", "§Denoising Autoencoders, Gaussian noise",
            "784-300-150-300-784 ReLU AE reconstructing clean digits from noisy ones"),
    Section("denoising_dropout", "§Denoising Autoencoders, dropout",
            "the same with 30% input dropout during training"),
    Section("kl_plot", "§Sparse Autoencoders, the sparsity-cost figure",
            "KL divergence vs squared and absolute error as a sparsity cost, target 0.1", uses_data=False, autoencoder=False),
    Section("sparse", "§Sparse Autoencoders",
            "784-1000-784 sigmoid-coded AE with a KL sparsity loss (--penalty mse, --reconstruction xent)"),
    Section("contractive", "§Other Autoencoders: contractive autoencoder",
            "sigmoid AE penalized by its encoder Jacobian's norm, beside a plain one"),
    Section("wta", "§Other Autoencoders: winner-take-all autoencoder",
            "784-2000 ReLU AE keeping each unit's top 5% activations per batch; its dictionary"),
    Section("conv", "§Other Autoencoders: stacked convolutional autoencoders",
            "conv 16/32/64 + pooling encoder, transposed-conv decoder (--wta spatial: conv WTA)",
            onednn=True),
    Section("adversarial", "§Other Autoencoders: adversarial autoencoders",
            "an autoencoder whose 2-D codings a discriminator pushes toward a Gaussian prior"),
    Section("gsn", "§Other Autoencoders: generative stochastic network",
            "a walk-back denoising autoencoder sampled by a corrupt-reconstruct Markov chain"),
    Section("vae_sigma", "§Variational Autoencoders",
            "784-500-500-20-500-500-784 VAE whose encoder outputs μ and σ"),
    Section("vae_logvar", "§Variational Autoencoders, γ = log σ²",
            "the same VAE with the encoder outputting γ = log σ²: smoother, faster training"),
    Section("vae_generate", "§Generating Digits",
            "decode 60 samples of N(0, I) with the γ model", needs=("vae_logvar",), autoencoder=False),
    Section("vae_encode_decode", "§Generating Digits: encode & decode",
            "test digits through the γ model's sampled codings and back", needs=("vae_logvar",), autoencoder=False),
    Section("vae_interpolate", "§Generating Digits: interpolate digits",
            "decode points between random codings: one digit morphs into the next", needs=("vae_logvar",), autoencoder=False),
    Section("vae_compare", "beyond the book: §Variational Autoencoders, σ vs γ",
            "both VAEs, same seed and steps, loss curves in one figure", autoencoder=False),
    Section("reconstructions", "§Visualizing the Reconstructions",
            "restores a section's checkpoint and draws test digits beside their reconstructions",
            needs=("layerwise_singlegraph",), autoencoder=False),
]}


if __name__ == "__main__":  # the Makefile's list of section targets
    print(" ".join(SECTIONS))
