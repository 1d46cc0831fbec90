"""One run of a section, from the command line's options to metrics.json, the same way for every section.

A `Run` holds what a run needs (its section's name, the options, the config that runs, the output folders,
the log, the data, a clock) and ends with `finish`, which writes metrics.json with the same identity keys
for every section. `train_autoencoder` is the whole run of a section that trains one autoencoder: data,
budget, graph, training loop, test, figure, metrics.
"""
import os
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tf1_ae import data as datasets
from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.plots import save_fig, show_denoising, show_reconstructed_digits
from tf1_ae.runs import RunPaths, UsageError, read_metrics, write_history, write_metrics
from tf1_ae.train import Trainer, book_format, latest_checkpoint

N_TEST_DIGITS = 2  # show_reconstructed_digits' default


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
_UNCLAIMED_START = [PROCESS_STARTED]  # the process's start, counted by its first run only


def run_started():
    """Where a top-level run's start-up begins: the process's start for the first (imports, TensorFlow and
    all), the run's own start for later ones (`all` runs many sections in one process)."""
    started = _UNCLAIMED_START.pop() if _UNCLAIMED_START else None
    return started if started is not None else time.time()


IDENTITY = ("section", "data", "n_train", "steps", "seed", "seconds", "samples_per_second")


class Clock:
    seconds = None


class Run:
    """A section's run: `checkpoint_of(name)` gives the checkpoint folder of another section (trained
    first when it has none), as the application provides it; the toolkit knows no section."""

    def __init__(self, section, options, config, log=print, paths=None, checkpoint_of=None, parent=None):
        self.section = section
        self.options = options
        self.config = config
        self.log = log
        self.paths = paths or RunPaths.under(options.out, section)
        self._checkpoint_of = checkpoint_of
        self.parent = parent
        self.data = None
        self.history = []
        self.figures = []
        self.steps = 0  # the models' optimizer steps
        self.samples = 0  # images (or codings) the training steps went through
        self.training_seconds = 0.0
        self.startup_seconds = None  # from the run's (or its process's) start to the first training step
        self.started = time.perf_counter()
        self.wall_started = parent.wall_started if parent else run_started()

    def part(self, name, config=None, quiet=False):
        """A part of this run (a second model, a variant it compares) with a checkpoint folder of its own;
        its training time counts in this run's too. A quiet part logs nothing and shows no progress bar."""
        paths = self.paths.phase(name)
        options, log = (replace(self.options, progress=False), lambda line: None) if quiet else (self.options, self.log)
        return Run(self.section, options, config or self.config, log, paths, self._checkpoint_of, parent=self)

    def checkpoint_of(self, section):
        return self._checkpoint_of(section, self.options, self.log)

    def load_data(self):
        self.data = datasets.load(self.options.data)
        self.log(self.data.summary())
        return self.data

    def budget(self, book_epochs, batch_size, n_train=None, note=""):
        """The book's steps for `book_epochs` (or --epochs/--steps), logged with `note` appended."""
        n_train = n_train or self.data.train.num_examples
        if batch_size > n_train:
            raise UsageError(f"a batch of {batch_size:,} is larger than the {n_train:,} training images")
        budget = make_budget(book_epochs, batch_size, n_train, epochs=self.options.epochs, steps=self.options.steps)
        self.log(budget.describe(n_train) + note)
        return budget

    def session(self, graph=None):
        return tf.Session(graph=graph, config=session_config(self.options.towers))

    def trainer(self, plan, folder=None, counter="global_step"):
        return Trainer(plan, folder or self.paths.checkpoint_dir, self.section, progress=self.options.progress,
                       counter=counter)

    @contextmanager
    def timed(self, budget=None):
        """Times the block (`clock.seconds` after it); with a budget, as a fresh training of its steps."""
        clock = Clock()
        if budget is not None:
            self.forget_results()
        start = time.perf_counter()
        yield clock
        clock.seconds = round(time.perf_counter() - start, 3)
        if budget is not None:
            self._account(time.perf_counter() - start, budget.total_steps, budget.total_steps * budget.batch_size)

    def _account(self, seconds, steps, samples):
        run = self
        while run is not None:
            run.training_seconds += seconds
            run.steps += steps
            run.samples += samples
            run = run.parent

    def forget_results(self):
        """Before a fresh training writes its first checkpoint: the metrics.json and history.json beside the
        old one no longer describe what is there, so they go (a run that stops early leaves none behind)."""
        run = self
        while run is not None:
            for name in ("metrics.json", "history.json"):
                (run.paths.checkpoint_dir / name).unlink(missing_ok=True)
            run = run.parent

    def train(self, sess, trainer, data, budget, resume=None):
        """The training loop for `budget`; returns (and keeps in `history`) every epoch printed, those
        before a resume included. The run's steps are the model's steps."""
        resume = self.options.resume if resume is None else resume
        if not resume:
            self.forget_results()
        start = time.perf_counter()
        epochs = trainer.run(sess, data, budget, resume=resume, log=self.log)
        if trainer.first_step_at is not None:
            run = self
            while run is not None and run.startup_seconds is None:
                run.startup_seconds = round(trainer.first_step_at - run.wall_started, 2)
                run = run.parent
        self._account(time.perf_counter() - start, trainer.last_step,
                      (trainer.last_step - trainer.first_step) * budget.batch_size)
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
                "n_train": n_train or (self.data.train.num_examples if self.data else None),
                "steps": self.steps if steps is None else steps, "seed": self.options.seed, "seconds": round(seconds, 3),
                "samples_per_second": round(self.samples / self.training_seconds, 1) if self.samples else None}

    def finish(self, metrics, data=None, n_train=None, steps=None):
        """Write metrics.json (the metrics and the run's identity) and history.json; say what was written."""
        metrics = {**metrics, **self.identity(data, n_train, steps)}
        if self.startup_seconds is not None:
            metrics["startup_seconds"] = self.startup_seconds
        folder = self.paths.checkpoint_dir
        if self.history:
            write_history(folder, self.history)
        written = [write_metrics(folder, metrics), *self.figures]
        checkpoint = " and a checkpoint + TensorBoard events" if latest_checkpoint(folder) else ""
        self.log(f"wrote {', '.join(str(p) for p in written)}{checkpoint} in {folder}")
        if metrics["samples_per_second"]:
            startup = f"; first step {self.startup_seconds:.1f} s after start" if self.startup_seconds else ""
            self.log(f"speed: {metrics['samples_per_second']:,.0f} samples/s ({self.samples:,} samples in "
                     f"{self.training_seconds:.1f} s of training, checkpoint saves included{startup})")
        return metrics


def last_values(history, sess, plan, data_set, batch_size):
    """The printed metrics' final values: the last epoch's line, or (a resumed run with nothing left to
    train and no metrics.json of its own) the same terms measured on one batch."""
    if history:
        return {k: v for k, v in history[-1].items() if k not in ("epoch", "step")}
    batch = data_set.next_batch(batch_size)
    return {m.key: float(v) for m, v in zip(plan.metrics, sess.run([m.tensor for m in plan.metrics],
                                                                     plan.feed(batch)))}


def train_autoencoder(run, build, report=None, figure_name="reconstruction_plot"):
    """Train `build(run.config)` on MNIST-like data for the book's budget, test it, draw test digits beside
    their reconstructions, write metrics.json; `report(run, sess, ae)` may add figures and metrics."""
    config = run.config
    data = run.load_data()
    budget = run.budget(config.n_epochs, config.batch_size)
    reset_graph(run.options.seed)
    ae = build(config)
    ae.mark()
    trainer = run.trainer(ae.plan)
    init = tf.global_variables_initializer()
    with run.session() as sess:
        init.run()
        history = run.train(sess, trainer, data.train, budget)
        nothing_new = run.options.resume and trainer.last_step == trainer.first_step
        kept = read_metrics(run.paths.checkpoint_dir) if nothing_new else None
        if kept is not None:
            run.log(f"the checkpoint is at the end of its {budget.total_steps:,} steps: nothing to resume; "
                    f"metrics.json left as it was")
            return kept
        metrics = last_values(history, sess, ae.plan, data.train, budget.batch_size)
        test = ae.test_metric
        metrics[test.key] = float(sess.run(test.tensor, {ae.X: data.test.images}))
        run.log(f"{test.label}: {book_format(metrics[test.key])}")
        if report is not None:
            metrics.update(report(run, sess, ae))
        shown = data.test.images[:N_TEST_DIGITS]
        reconstructed = sess.run(ae.outputs, {ae.X: shown})  # the book's show_reconstructed_digits
        if ae.corrupted is not None:  # ours too: what the network gets during training, the corrupted input
            corrupted, from_corrupted = sess.run([ae.corrupted, ae.outputs], {ae.X: shown, **ae.plan.train_feed})
    show_reconstructed_digits(shown, reconstructed, N_TEST_DIGITS)
    run.figure(figure_name)
    if ae.corrupted is not None:
        show_denoising(corrupted, from_corrupted, shown)
        run.figure("denoising_plot")
    return run.finish(metrics)
