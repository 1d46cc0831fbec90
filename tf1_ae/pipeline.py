"""One run of a section, from the command line's options to metrics.json, the same way for every section.

A `Run` holds what a run needs (its section's name, the options, the config that runs, the output folders,
the log, the data, the time it takes) and ends with `finish`, which writes metrics.json with the same
identity keys for every section. `train_listing` is the whole run of a listing that builds one model:
data, budget, graph, training (its phases one after another), then `conclude`, the tail every trained
model ends with: its test metric, the listing's own figures, test digits beside their reconstructions,
its checkpoint, metrics.json.
"""
import dataclasses
import os
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tf1_ae import data as datasets
from tf1_ae import peak
from tf1_ae.budget import make_budget
from tf1_ae.checkpoints import CHECKPOINT_NAME, command_on, latest_checkpoint, restore
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.config import is_full_budget
from tf1_ae.model import INPUTS_COLLECTION, OUTPUTS_COLLECTION, Autoencoder
from tf1_ae.phases import Phases
from tf1_ae.plots import save_fig, show_reconstructed_digits
from tf1_ae.runs import RunPaths, UsageError, read_metrics, write_history, write_metrics
from tf1_ae.train import Trainer, book_format

N_TEST_DIGITS = 2  # show_reconstructed_digits' default: the first two test digits (full MNIST: a 7 and a 2)
# Images per Session.run when a whole set is evaluated. The book evaluates MNIST's 10,000 test images in one
# run, and so does every section here, to the same float32 digits; only a larger set goes in chunks of this
# many, its memory bounded by the chunk, not the set.
EVALUATED_AT_ONCE = 10_000
IDENTITY = ("section", "data", "batches", "n_train", "steps", "seed", "seconds", "samples_per_second")  # every metrics.json


def process_started():
    """When this process started (seconds since the epoch, Linux), or None where that cannot be read."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


PROCESS_STARTED = process_started()
_process_start_to_count = [PROCESS_STARTED]  # the process's start, counted in the start-up of its first run only


def run_started():
    """Where a top-level run's start-up begins: the process's start for the first (imports, TensorFlow and
    all), the run's own start for later ones (`all` runs many sections in one process)."""
    started = _process_start_to_count.pop() if _process_start_to_count else None
    return started if started is not None else time.time()


class Stopwatch:
    seconds = None  # set when the timed block ends
    flops = 0  # the arithmetic of a training timed by the block, where its trainer is not the run's


class Run:
    """A section's run: `checkpoint_of(name)` gives the checkpoint folder of another section (trained
    first when it has none), as the application provides it; the toolkit knows no section."""

    def __init__(self, section, options, config, log=print, paths=None, checkpoint_of=None, parent=None,
                 start_of=None, part=None, full=None):
        self.section = section
        self.part = part  # a part's name (a second model, a variant): its own folder under the run's
        self.options = options
        # of the book's full budget (None: as the options say), as its checkpoints record: a later run refuses
        # to replace an unfinished full run's, where a quick look's may be replaced
        self.full = parent.full if parent else (is_full_budget(options) if full is None else full)
        self.config = config
        self.log = log
        self.paths = paths or RunPaths.under(options.out, section)
        self._checkpoint_of = checkpoint_of
        self._start_of = start_of  # (run, data, seed) -> a line, or None: where the notebook's cells before left
        # the data and numpy's RNG (--batches notebook), as the application provides it
        self.batches = "alone"  # "notebook" once the data starts where the notebook's cell started
        self.parent = parent
        self.data = None
        self.history = []
        self.figures = []
        self.steps = 0  # the models' optimizer steps
        self.samples = 0  # images (or codings) the training steps went through
        self.flops = 0  # the training steps' products and convolutions (tf1_ae.flops)
        self.training_seconds = 0.0
        self.startup_seconds = None  # from the run's (or its process's) start to the first training step
        self.loop = None  # "graph" or "feed": the loop its training ran (tf1_ae.loop)
        self.book_steps = None  # the book's budget of its last training, before --steps or --epochs
        self._said_fresh = False
        self.started = time.perf_counter()
        self.wall_started = parent.wall_started if parent else run_started()

    def sub_run(self, name, config=None, quiet=False):
        """The run of one of this run's models (a second model, a variant it compares), with a checkpoint
        folder of its own; its training time counts in this run's too. A quiet one logs nothing and shows no
        progress bar."""
        paths = self.paths.phase(name)
        options, log = (replace(self.options, progress=False), lambda line: None) if quiet else (self.options, self.log)
        part = Run(self.section, options, config or self.config, log, paths, self._checkpoint_of, parent=self,
                   start_of=self._start_of, part=name)
        part.data = self.data
        return part

    def checkpoint_of(self, section):
        return self._checkpoint_of(section, self.options, self.log)

    def load_data(self, own_data=None):
        """The --data set, or the listing's own (`own_data(config)`), said in one line."""
        self.data = own_data(self.config) if own_data is not None else datasets.load(self.options.data)
        self.log(self.data.summary())
        return self.data

    def reset_graph(self):
        """The book's reset_graph() at the top of a cell (the graph's seed and numpy's); with the notebook's
        batches, then the training set and numpy's RNG where the notebook's cells before this run's left
        them. Loads the data where it is not loaded yet."""
        reset_graph(self.options.seed)
        tf.set_random_seed(self.options.tf_seed)
        key = self.section if self.part is None else f"{self.section}/{self.part}"
        line = None if self._start_of is None else self._start_of(key, self.data or self.load_data(),
                                                                  self.options.seed)
        if line is not None:
            for run in self.lineage():
                run.batches = "notebook"
            self.log(line)
        elif not self._said_fresh:
            self._said_fresh = True
            why = "--batches alone" if self._start_of is None else "the notebook has no cell that draws them"
            self.log(f"batches: fresh ({why}): the training set in its first order, numpy's RNG seeded "
                     f"{self.options.seed} by reset_graph()")

    def budget(self, config=None, n_train=None, note=""):
        """The book's steps for a config's n_epochs of batch_size (or --epochs/--steps), logged with `note`
        appended. A config that trains on other than the book's 55,000 images says so in book_train_size;
        one whose steps print as fewer lines than epochs, in printed_epochs."""
        config = config or self.config
        n_train = n_train or self.data.train.num_examples
        if config.batch_size > n_train:
            raise UsageError(f"a batch of {config.batch_size:,} is larger than the {n_train:,} training images")
        book = dict(book_train_size=getattr(config, "book_train_size", datasets.BOOK_TRAIN_SIZE),
                    printed_epochs=getattr(config, "printed_epochs", None))
        budget = make_budget(config.n_epochs, config.batch_size, n_train, epochs=self.options.epochs,
                             steps=self.options.steps, **book)
        self.book_steps = make_budget(config.n_epochs, config.batch_size, n_train, **book).total_steps
        self.log(budget.describe(n_train) + note)
        return budget

    def session(self, graph=None):
        return tf.Session(graph=graph, config=self.options.session_config())

    def trainer(self, plan, folder=None, counter="global_step"):
        return Trainer(plan, folder or self.paths.checkpoint_dir, self.section, self.options, counter=counter,
                       record={"section": self.section, "full": self.full})

    @contextmanager
    def stopwatch(self, budget=None):
        """Times the block (`.seconds` after it); with a budget, as a fresh training of its steps."""
        watch = Stopwatch()
        if budget is not None:
            self.forget_results()
        start = time.perf_counter()
        yield watch
        watch.seconds = round(time.perf_counter() - start, 3)
        if budget is not None:
            self._account(time.perf_counter() - start, budget.total_steps, budget.total_steps * budget.batch_size,
                          watch.flops)

    def lineage(self):
        """This run and the runs it is part of, innermost first: what they report includes this run's."""
        run = self
        while run is not None:
            yield run
            run = run.parent

    def _account(self, seconds, steps, samples, flops):
        for run in self.lineage():
            run.training_seconds += seconds
            run.steps += steps
            run.samples += samples
            run.flops += flops

    def forget_results(self):
        """Before a fresh training writes its first checkpoint: the metrics.json and history.json beside the
        old one no longer describe what is there, so they go (a run that stops early leaves none behind)."""
        for run in self.lineage():
            for name in ("metrics.json", "history.json"):
                (run.paths.checkpoint_dir / name).unlink(missing_ok=True)

    def train(self, sess, trainer, data, budget, resume=None):
        """The training loop for `budget`; returns (and keeps in `history`) every epoch printed, those
        before a resume included. The run's steps are the model's steps."""
        resume = self.options.resume if resume is None else resume
        if not resume:
            self.forget_results()
        start = time.perf_counter()
        epochs = trainer.run(sess, data, budget, resume=resume, log=self.log)
        for run in self.lineage():
            run.loop = trainer.loop_used
            if trainer.first_step_at is not None and run.startup_seconds is None:
                run.startup_seconds = round(trainer.first_step_at - run.wall_started, 2)
        trained = trainer.last_step - trainer.first_step
        self._account(time.perf_counter() - start, trainer.last_step, trained * budget.batch_size,
                      trained * trainer.flops_per_step(budget.batch_size))
        self.history.extend(epochs)
        return epochs

    def figure(self, name, folder=None):
        """Save the current matplotlib figure as <figure folder>/<name>.png."""
        path = save_fig(folder or self.paths.figure_dir, name)
        self.figures.append(path)
        return path

    def identity(self, data=None, n_train=None, steps=None):
        """The keys every metrics.json carries beside its metrics (part of the interface); `steps`: the
        steps of one model, where a run trains several of the same budget."""
        seconds = self.training_seconds if self.steps else time.perf_counter() - self.started
        return {"section": self.section, "data": data or (self.data.name if self.data else None),
                "batches": self.batches,
                "n_train": n_train or (self.data.train.num_examples if self.data else None),
                "steps": self.steps if steps is None else steps, "seed": self.options.seed, "seconds": round(seconds, 3),
                "samples_per_second": round(self.samples / self.training_seconds, 1) if self.samples else None,
                **self.arithmetic()}

    def changed(self):
        """What this run changed of its listing's defaults (the book's values, in a book listing): {field:
        [this run's value, the default]} for each Config field, and {"--steps" or "--epochs": [its value, the
        full budget's steps]}."""
        changed = {}
        if dataclasses.is_dataclass(self.config):
            default = type(self.config)()
            changed = {field.name: [getattr(self.config, field.name), getattr(default, field.name)]
                       for field in dataclasses.fields(self.config)
                       if getattr(self.config, field.name) != getattr(default, field.name)}
        for flag, value in (("--steps", self.options.steps), ("--epochs", self.options.epochs)):
            if value is not None:
                changed[flag] = [value, self.book_steps]
        return changed

    def arithmetic(self):
        """{flops: the training's products and convolutions (tf1_ae.flops), gflops: per second (10⁹ FLOP/s),
        share_of_peak: of this machine's float32 GEMM peak, where it has been measured (`python -m tf1_ae
        peak`)} for a run that trained; nothing for one that did not."""
        if not self.flops or not self.training_seconds:
            return {}
        return peak.arithmetic(self.flops, self.training_seconds)

    def finish(self, metrics, data=None, n_train=None, steps=None):
        """Write metrics.json (the metrics and the run's identity) and history.json; say what was written."""
        metrics = {**metrics, **self.identity(data, n_train, steps)}
        if self.options.graph_seed is not None:
            metrics["graph_seed"] = self.options.graph_seed
        if self.loop is not None:
            metrics["loop"] = self.loop
        if self.options.tensorflow_settings:  # numbers that differ from the default's by round-off
            metrics["tensorflow_settings"] = list(self.options.tensorflow_settings)
        if self.startup_seconds is not None:
            metrics["startup_seconds"] = self.startup_seconds
        changed = self.changed()
        if changed:
            metrics["changed"] = changed
        folder = self.paths.checkpoint_dir
        if self.history:
            write_history(folder, self.history)
        written = [write_metrics(folder, metrics), *self.figures]
        checkpoint = " and a checkpoint + TensorBoard events" if latest_checkpoint(folder) else ""
        self.log(f"wrote {', '.join(str(p) for p in written)}{checkpoint} in {folder}")
        if metrics["samples_per_second"]:
            startup = f"; first step {self.startup_seconds:.1f} s after start" if self.startup_seconds else ""
            self.log(f"speed: {metrics['samples_per_second']:,.0f} samples/s, {peak.share_text(metrics)} "
                     f"({self.samples:,} samples in {self.training_seconds:.1f} s of training, checkpoint saves "
                     f"included{startup})")
        return metrics


def last_values(history, sess, plan, data_set, batch_size):
    """The printed metrics' final values: the last epoch's line, or (a resumed run with nothing left to
    train and no metrics.json of its own) the same terms measured on one batch."""
    if history:
        return {k: v for k, v in history[-1].items() if k not in ("epoch", "step")}
    batch = data_set.next_batch(batch_size)
    return {m.key: float(v) for m, v in zip(plan.metrics, sess.run([m.tensor for m in plan.metrics],
                                                                     plan.feed(batch)))}


def evaluate(sess, tensor, X, images):
    """The mean `tensor` computes over a batch, over a whole set: in chunks of EVALUATED_AT_ONCE images, each
    chunk's mean weighted by its size (a set that fits in one chunk is one Session.run, as the book's)."""
    if len(images) <= EVALUATED_AT_ONCE:
        return float(sess.run(tensor, {X: images}))
    chunks = [images[i:i + EVALUATED_AT_ONCE] for i in range(0, len(images), EVALUATED_AT_ONCE)]
    return sum(float(sess.run(tensor, {X: chunk})) * len(chunk) for chunk in chunks) / len(images)


def train_listing(run, build, report=None, own_data=None, figure_name="reconstruction_plot"):
    """Train `build(run.config)` for the book's budget, then `conclude`; `report(run, sess, model, metrics)` may add
    figures and metrics; `own_data(config)`: the listing's own data instead of --data's."""
    config = run.config
    data = run.load_data(own_data)
    budget = run.budget(config)
    run.reset_graph()
    model = build(config)
    model.mark()
    phases = Phases(run, model)
    stack_saver = tf.train.Saver(max_to_keep=1, save_relative_paths=True) if model.phases else None
    init = tf.global_variables_initializer()
    with run.session() as sess:
        init.run()
        metrics = phases.train(sess, data.train, budget)
        if run.options.resume and phases.trained_nothing:
            kept = read_metrics(run.paths.checkpoint_dir)
            if kept is not None:
                run.log(f"the checkpoint is at the end of its {budget.total_steps:,} steps: nothing to resume; "
                        f"metrics.json left as it was")
                return kept
        if not metrics:  # resumed at its end, with no epochs kept and no metrics.json
            metrics = last_values(run.history, sess, model.plan, data.train, budget.batch_size)
        return conclude(run, sess, model, metrics, report, figure_name, stack_saver)


def conclude(run, sess, model, metrics, report=None, figure_name="reconstruction_plot", saver=None):
    """The tail of every run of a trained model (trained here, or restored by `restored_autoencoder`): its test
    metric on the whole test set, logged; the listing's own figures and metrics (`report`, given the metrics so
    far); the first test digits beside their reconstructions; with `saver`,
    the whole model's checkpoint in the run's folder (a one-phase model's Trainer has saved it already);
    metrics.json."""
    test = model.test_metric
    metrics = {**metrics, test.key: evaluate(sess, test.tensor, model.X, run.data.test.images)}
    run.log(f"{test.label}: {book_format(metrics[test.key])}")
    if report is not None:
        metrics.update(report(run, sess, model, metrics))
    shown = run.data.test.images[:N_TEST_DIGITS]
    reconstructed = sess.run(model.outputs, {model.X: shown})  # the book's show_reconstructed_digits
    if saver is not None:
        run.paths.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        saver.save(sess, str(run.paths.checkpoint_dir / CHECKPOINT_NAME))
    if shown.shape[1] == 28 * 28:  # images (the PCA listing's 3-D points draw no digits)
        title = None if run.data.name == "mnist" else (f"the first test digits of {run.data.name} (on the "
                                                       f"book's full MNIST: a 7 and a 2)")
        show_reconstructed_digits(shown, reconstructed, N_TEST_DIGITS, title=title)
        run.figure(figure_name)
    return run.finish(metrics)


def restored_autoencoder(checkpoint_dir, section):
    """A trained autoencoder rebuilt from its checkpoint alone (the .meta file holds the graph, its inputs and
    outputs marked by `Autoencoder.mark`), its variables restored: (open session, Autoencoder whose test metric
    is the test MSE). UsageError where the graph cannot be read or marks no images in and out."""
    path = latest_checkpoint(checkpoint_dir)
    tf.reset_default_graph()
    try:
        saver = tf.train.import_meta_graph(path + ".meta")
    except Exception as exc:
        raise UsageError(f"cannot read the graph of {path} ({type(exc).__name__}: {str(exc)[:200]}); "
                         f"{command_on(section, checkpoint_dir, '--force')} trains it again") from exc
    inputs, outputs = tf.get_collection(INPUTS_COLLECTION), tf.get_collection(OUTPUTS_COLLECTION)
    if not inputs or not outputs:
        raise UsageError(f"{section} has no image reconstructions to draw (its graph marks no inputs/outputs)")
    X, outputs = inputs[0], outputs[0]
    sess = tf.Session(config=session_config())
    try:
        restore(sess, saver, checkpoint_dir, section)
    except BaseException:
        sess.close()
        raise
    return sess, Autoencoder(X=X, codings=None, outputs=outputs,
                             reconstruction_loss=tf.reduce_mean(tf.square(outputs - X)))
