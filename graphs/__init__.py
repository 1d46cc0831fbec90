"""The chapter's listings, one module each, and the table the command line maps section names with.

A module exports `Config` (a frozen dataclass of the book's values) and `build(config)`; one that needs
more than the shared MNIST autoencoder runner (`tf1_ae.runner.run_autoencoder`) also exports
`run(options, log)`. Importing this package does not import TensorFlow.
"""
import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str  # the make target and `python -m tf1_ae run` name
    book: str  # where it is in the book (1st ed., ch. 15) and in the seed note
    summary: str
    needs: str | None = None  # a section whose checkpoint this one reads

    @property
    def module(self):
        return importlib.import_module(f"graphs.{self.name}")

    def run(self, options, log=print):
        module = self.module
        if hasattr(module, "run"):
            return module.run(options, log)
        from tf1_ae.runner import run_autoencoder
        return run_autoencoder(self.name, module.build, module.Config(), options, log)


SECTIONS = {s.name: s for s in [
    Section("pca", "§PCA with an undercomplete linear autoencoder (note 01)",
            "a 3-2-3 linear autoencoder finds PCA's plane on 3-D toy data"),
    Section("stacked_all", "§Stacked autoencoders, all layers at once (note 02)",
            "784-300-150-300-784 ELU autoencoder, He init, L2, Adam"),
    Section("stacked_tied", "§Tying weights (note 03)",
            "the same stack with decoder weights = encoder weights transposed"),
    Section("reconstructions", "§Visualizing the reconstructions (note 06)",
            "restores a section's checkpoint and draws test digits beside their reconstructions",
            needs="stacked_all"),
]}
