"""The chapter's listings, one module per book listing.

A module is its docstring, `IDEA` (one sentence) and `LOSS` (the formula), its `Config` (a frozen dataclass
of the book's values; a variant is a subclass) and `build(config)`, the book's listing. A module whose run
is more than "train one autoencoder" (a second phase, another model, only drawing) also has `run(run)`,
given a `tf1_ae.pipeline.Run`; `report(run, sess, ae)` adds a section's own figures and metrics.
Importing this package does not import TensorFlow.
"""
