"""The book's notebook (ageron/handson-ml, 15_autoencoders.ipynb), as its cells moved `mnist` and numpy's RNG.

Its printed numbers come from cells that share one kernel: each cell's batches depend on the draws of every
cell before it. One record per cell that moves that state, in the notebook's order (execution counts in
the comments), so each section can start where the book's cell started. A count is the book's loop's:
its listing's `Config` epochs × `mnist.train.num_examples // batch_size` (55,000 images), read from the
listing; on smaller data the same calls are replayed, as each section keeps the book's number of steps.
"""
import importlib

from tf1_ae.replay import Cell, NextBatch, Normals, Permutations, start_of

BOOK_TRAIN = 55_000  # mnist.train.num_examples


def per_epoch(batch_size, n=BOOK_TRAIN):
    return n // batch_size  # the notebook's n_batches


def book_loop(section, n=BOOK_TRAIN):
    """(steps, batch size) of a listing's training loop in the book: n_epochs × n // batch_size, as its Config
    has them (for a model trained in phases, those of each phase)."""
    config = importlib.import_module(f"graphs.{section}").Config()
    return config.n_epochs * per_epoch(config.batch_size, n), config.batch_size


def next_batches(section):
    """The book's loop over `mnist.train.next_batch(batch_size)`."""
    return NextBatch(*book_loop(section))


def permutations(section, n=BOOK_TRAIN, size=None):
    """The book's loop drawing `rnd.permutation(...)` once per step."""
    return Permutations(book_loop(section, n)[0], size)


def labeled(n_train):
    """The pretraining cells' rnd.permutation(n_labeled_instances): 20,000 of the book's 55,000 (the same
    share of a smaller set, as the pretraining listing takes)."""
    from graphs.pretraining import Config, n_labeled_for
    return n_labeled_for(Config(), n_train)


CELLS = (
    Cell("Stacked Autoencoders", ("stacked_all",), reseeds=True,  # [11]
         draws=(next_batches("stacked_all"),)),
    Cell("Tying weights", ("stacked_tied",), reseeds=True,  # [17]
         draws=(next_batches("stacked_tied"),)),
    # [20] two train_autoencoder calls: rnd.permutation(len(X_train)) each iteration, no next_batch
    Cell("Training one Autoencoder at a time in multiple graphs", ("layerwise_multigraph",), reseeds=True,
         draws=(permutations("layerwise_multigraph"), permutations("layerwise_multigraph"))),
    # [26] both phases draw from mnist.train; layerwise_stopgrad is this cell with tf.stop_gradient
    Cell("Training one Autoencoder at a time in a single graph", ("layerwise_singlegraph", "layerwise_stopgrad"),
         reseeds=True, draws=(next_batches("layerwise_singlegraph"), next_batches("layerwise_singlegraph"))),
    # [27] no reset_graph(): the same graph, numpy's RNG where [26] left it; phase 2 feeds a cache of hidden1
    Cell("Cache the frozen layer outputs", ("layerwise_cached",), reseeds=False,
         draws=(next_batches("layerwise_cached"), permutations("layerwise_cached"))),
    # [31] rnd.permutation(20000)[:150], 20000 // 150 = 133 per epoch
    Cell("Unsupervised pretraining, without pretraining", ("pretraining/supervised",), reseeds=True,
         draws=(permutations("pretraining", 20_000, labeled),)),
    # [32] no reset_graph(): the scratch cell's graph, numpy's RNG where [31] left it
    Cell("Unsupervised pretraining, with pretraining", ("pretraining/pretrained",), reseeds=False,
         draws=(permutations("pretraining", 20_000, labeled),)),
    Cell("Stacked denoising Autoencoder, Gaussian noise", ("denoising_gaussian",), reseeds=True,  # [36]
         draws=(next_batches("denoising_gaussian"),)),
    Cell("Stacked denoising Autoencoder, dropout", ("denoising_dropout",), reseeds=True,  # [40]
         draws=(next_batches("denoising_dropout"),)),
    Cell("Sparse Autoencoder", ("sparse",), reseeds=True,  # [46]
         draws=(next_batches("sparse"),)),
    # vae_compare trains each VAE as its cell does (so a finished run of that section is its run, reused)
    Cell("Variational Autoencoder", ("vae_sigma", "vae_compare/sigma"), reseeds=True,  # [53]
         draws=(next_batches("vae_sigma"),)),
    # [55] trains the γ model, then samples 60 codings of 20 in the same cell
    Cell("Variational Autoencoder, γ = log σ²", ("vae_logvar", "vae_compare/logvar"), reseeds=True,
         draws=(next_batches("vae_logvar"),)),
    Cell("Generate digits", ("vae_generate",), reseeds=False, draws=(Normals(60 * 20),)),
    Cell("Encode & Decode", ("vae_encode_decode",), reseeds=False,  # [59] the test set's first batch
         draws=(NextBatch(1, 150, split="test"),)),
    Cell("Interpolate digits", ("vae_interpolate",), reseeds=False, draws=(Normals(6 * 20),)),  # [62]
)


def has_cell(section):
    """Whether a section (or a part of it) starts at one of the notebook's cells."""
    return any(run == section or run.startswith(section + "/") for cell in CELLS for run in cell.runs)


def batches_drawn(section, asked):
    """The batches a run of `section` draws when `asked` is --batches: a section the notebook does not have
    (beyond the book) always starts fresh."""
    return asked if has_cell(section) else "alone"


def start(run, data, seed):
    """tf1_ae.replay.start_of with the book's cells (the Run's hook for --batches notebook)."""
    return start_of(CELLS, run, data, seed)
