"""The chapter's listings, one module per book listing, and the book's printed numbers (`book`).

A listing module is, in this order:
- its docstring (the book section, the idea), `IDEA` (one sentence) and `LOSS` (the formula);
- `Config`, a frozen dataclass of the book's values, each with a comment saying where it comes from (a
  variant's is a subclass with what the book changes, or the base listing's own);
- `build(config)`, the book's cell with the book's names, top to bottom: the placeholders, the variables or
  layers, the loss, `optimizer = tf.train.AdamOptimizer(learning_rate)` and `training_op =
  optimizer.minimize(loss)`; it returns a `tf1_ae.model.Autoencoder`: its input, codings, outputs, losses and
  the plan the training loop runs (`TrainPlan(training_op, X, loss, metrics)`, or for a model trained in
  phases, its `phases`). A variant holds the lines the book changes (the VAE's γ head, the dropout, the
  tf.stop_gradient, the cache) and passes them to its base listing's builder. The listing knows nothing of
  the fast paths: the towers' update (`--towers N`) and the loop inside the graph are copies of the ops it
  built, made by the toolkit (`tf1_ae.derive`);
- only what is its own: `report(run, sess, model, metrics)` (figures and metrics after training, given those
  measured so far), `data(config)` (data of its own instead of MNIST), or, where its run is more than training
  what `build` returns (two models, only drawing), one function named for what it does, `draw(run)`,
  `train_both(run)`...

The pipeline (`tf1_ae.pipeline`) does the rest the same way for every listing: data, step budget, training,
the test metric, the reconstructions figure, the checkpoint and metrics.json. A Config field that is not a
count, a size or a weight says what it may hold in its metadata (`tf1_ae.config`: `rate(0.3)`,
`choice("kl", PENALTIES, flag=...)`). What the application needs to know about a section (its book heading
and headline number, whether it trains, resumes, is benched, takes --towers, its flags and variants, the
sections whose checkpoints it may restore, the function that runs it) is its record in `app/sections.py`.
Importing a listing does not import TensorFlow: it loads when a graph is first built.
"""
