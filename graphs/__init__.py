"""The chapter's listings, one module per book listing, and the book's printed numbers (`book`).

A listing module is, in this order:
- its docstring (the book section, the idea), `IDEA` (one sentence) and `LOSS` (the formula);
- `Config`, a frozen dataclass of the book's values, each with a comment saying where it comes from (a
  variant is a subclass: `layerwise_cached.Config` sets `cache=True`);
- `build(config)`, the book's listing with the book's names, returning a `tf1_ae.model.Autoencoder`: its
  input, codings, outputs, losses and the plan the training loop runs (or, for a model trained in phases,
  its `phases`). Where the section has the fast path (`--towers N`), `build(config, towers)`: the forward
  pass and loss are one function of the input tensor, which the toolkit calls on each slice of the batch;
- only what is its own: `report(run, sess, model)` (figures and metrics after training), `data(config)`
  (data of its own instead of MNIST), or, where its run is more than training what `build` returns (two
  models, only drawing), one function named for what it does, `draw(run)`, `train_both(run)`...

The pipeline (`tf1_ae.pipeline`) does the rest the same way for every listing: data, step budget, training,
the test metric, the reconstructions figure, the checkpoint and metrics.json. What the application needs
to know about a section (whether it resumes, takes --towers, its flags and variants, the sections it
needs, the function that runs it) is its record in `app/sections.py`. Importing a listing does not import
TensorFlow: it loads when a graph is first built.
"""
