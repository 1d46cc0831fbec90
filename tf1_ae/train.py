"""The epoch loop every section shares: batches, progress bar, the book's per-epoch line, TensorBoard
scalars, a Saver checkpoint at the end of every epoch, --resume, and a stop on a NaN or Inf loss.

As in the book, the printed values are measured on the epoch's last mini-batch after the update
(`reconstruction_loss.eval(feed_dict={X: X_batch})`), formatted as numpy printed them (6 significant
digits, `13150.0`, `1.0`).
"""
import math
import sys
import threading
import time
from concurrent import futures
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from tf1_ae import interrupts
from tf1_ae.checkpoints import Checkpoints, latest_checkpoint, saved_record
from tf1_ae.compat import tf
from tf1_ae.flops import step_flops
from tf1_ae.derive import in_towers
from tf1_ae.loop import STEPS_PER_RUN, GraphLoop, can_loop, step_computes
from tf1_ae.runs import RunOptions, TrainingFailed

SUMMARY_EVERY = 10  # steps between TensorBoard scalar points


def with_towers(plan, n_towers):
    """`plan` as --towers N trains it: its update from N equal slices of each batch (tf1_ae.derive.in_towers),
    its loss the towers'; the plan itself for one tower."""
    if n_towers == 1:
        return plan
    training_op, loss = in_towers(plan.training_op, plan.loss, plan.inputs, n_towers)
    return replace(plan, training_op=training_op, loss=loss)


def plan_flops(plan, batch_size):
    """The FLOPs of one training step of `plan` (each of its training ops' Session.run), from the graph."""
    fed = [*plan.batch_tensors, *plan.train_feed]
    runs = [[op] for op in plan.ops[:-1]] + [[plan.ops[-1], plan.loss]]
    return sum(step_flops(fetches, fed, batch_size) for fetches in runs)


def book_format(value):
    """A number as the book's numpy printed a float32: 6 significant digits, a whole number with ".0"."""
    text = f"{value:.6g}"
    return text if any(c in text for c in ".eni") else text + ".0"


def format_line(epoch, values, metrics, separator=" "):
    """`0 Train MSE: 0.0150667`, the book's line, then any term the book did not print."""
    book = [f"{m.label}: {book_format(values[m.key])}" for m in metrics if m.in_book_line]
    extra = [f"{m.label}: {book_format(values[m.key])}" for m in metrics if not m.in_book_line]
    line = f"{epoch} " + separator.join(book)
    return line + (f"   [{', '.join(extra)}]" if extra else "")


class Trainer:
    """Runs a TrainPlan for a Budget in an open session, writing into checkpoint_dir.

    Build it after the graph (it adds a step counter, the summaries and the Saver, after the model so the
    model's seeded initial weights do not move), then call `run`.
    """

    def __init__(self, plan, checkpoint_dir, what, options=RunOptions(), counter="global_step", record=None):
        self.plan = plan = with_towers(plan, options.towers)  # beyond the book where --towers N is given
        self.asked_in_graph = options.loop == "graph"  # the default
        self.in_graph = self.asked_in_graph and can_loop(plan)  # the loop inside the graph (tf1_ae.loop), built at
        # the first run
        self.loop = None
        self.uploaded = None  # the (session, data set) whose arrays the loop's graph holds
        self.record = dict(record or {})  # {section, full}: what this training is, kept with its checkpoints
        self.what = what
        self.checkpoint_dir = Path(checkpoint_dir)
        self.progress = options.progress
        # Each training phase counts its own steps (phase1_step, phase2_step) so each can resume.
        self.global_step = tf.get_variable(counter, [], tf.int64, initializer=tf.zeros_initializer(),
                                           trainable=False)
        with tf.name_scope("train_step"):
            self.increment = tf.assign_add(self.global_step, 1)
        # TensorBoard tags losses/<key> (a phase's keys start with its name), clear of the graph's own op names;
        # "losses/" with its slash is that scope itself, never losses_1 for a second trainer of the graph.
        self.logged = [m.key for m in plan.metrics if m.tensor.shape.ndims == 0 and m.feed is None]
        with tf.name_scope("losses/"):
            self.summaries = tf.summary.merge([tf.summary.scalar(m.key, m.tensor) for m in plan.metrics
                                               if m.key in self.logged])
        self.checkpoints = Checkpoints(self.checkpoint_dir)
        self.ops_before = plan.ops[:-1]  # each in a Session.run of its own, in order
        self.fetch = [plan.ops[-1], self.increment, plan.loss]
        self.history = []
        self.first_step_at = None  # wall-clock time of this trainer's first step
        self.saved = False  # whether this training has saved a checkpoint
        self.replaced = None  # the checkpoint a fresh training found here: another run's, kept until its first save
        self.old_events = set()  # that run's TensorBoard event files, which go with it

    def start(self, sess, data, resume, log=print, budget=None):
        """Restore for --resume (the weights, Adam's slots, the step, the batches' position, numpy's RNG and
        the epochs printed so far), saying so, and how far it goes where that is not the checkpoint's own
        budget. A fresh run leaves the checkpoint it finds (and its event files) until its own first save,
        so that one which dies first has lost nothing."""
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            path, step, history, saved = self.checkpoints.load(sess, self.what, self.global_step, data)
            if history is None:
                log(f"resuming from step {step:,} ({path}) with fresh batches: its batch state was not saved")
            else:
                self.history = history
                log(f"resuming from step {step:,} ({path}){self._continued(saved, budget)}")
            return step
        self.old_events = set(self.checkpoint_dir.glob("events.out.tfevents.*"))
        self.replaced = latest_checkpoint(self.checkpoint_dir)
        if self.replaced:
            found = _described(saved_record(self.checkpoint_dir), self.what)
            log(f"starting afresh: the checkpoint {self.replaced}{found} is replaced once this run has saved its first checkpoint")
        return int(sess.run(self.global_step))

    def _continued(self, saved, budget):
        """': the quick look's 10 steps (--steps 10 of the book's 1,830), continued to the full budget's 1,830
        steps' where a resume goes on to another budget than the one its checkpoint was saved for; '' where it
        does not."""
        if budget is None or "steps" not in saved or (saved["steps"], saved.get("full")) == (
                budget.total_steps, self.record.get("full")):
            return ""
        return (f": {_budget_words(saved.get('full'), saved['steps'], saved['budget'])}, continued to "
                f"{_budget_words(self.record.get('full'), budget.total_steps, budget.origin, quick='')}")

    @property
    def loop_used(self):
        return "graph" if self.in_graph else "feed"

    def loop_line(self):
        """Which loop trains, in a line: inside the graph, or the book's, and why."""
        if self.loop is not None:
            most = STEPS_PER_RUN if self.loop.logged_keys else SUMMARY_EVERY
            why = "" if self.loop.logged_keys else " (the whole batch's logged terms measured between chunks)"
            return f"loop: inside the graph, up to {most} steps per Session.run{why}"
        if self.asked_in_graph:
            return ("loop: the book's, a Session.run per step (this listing keeps it: docs/speed.md, "
                    "\"Where the feed loop stays\")")
        return "loop: the book's, a Session.run per step (--loop feed)"

    def flops_per_step(self, batch_size):
        return plan_flops(self.plan, batch_size)

    def run(self, sess, data, budget, resume=False, log=print):
        """Train to the budget's end; returns every epoch printed, those before a resume included.
        `first_step` and `last_step` say where this call started and stopped."""
        self.checkpoints.record = {**self.record, "steps": budget.total_steps, "budget": budget.origin}
        writer = None
        try:
            step = self.first_step = self.start(sess, data, resume, log, budget)
            if step < budget.total_steps:  # a resume at its end builds and uploads nothing
                if self.in_graph:
                    self._ready_loop(sess, data)
                log(self.loop_line())
            writer = tf.summary.FileWriter(str(self.checkpoint_dir), sess.graph)
            for epoch, end in enumerate(budget.epoch_ends()):
                if step < end:
                    self._epoch(sess, data, budget.batch_size, epoch, step, end, writer, log)
                    step = end
            self.last_step = step
        except BaseException as stopped:  # Ctrl-C, SIGTERM, a NaN: its one line says what this folder keeps
            stopped.kept = self._kept()
            raise
        finally:
            if writer is not None:
                _close(writer)
                if not resume and not self.saved:  # stopped before its first save: the folder as it was found
                    for new in set(self.checkpoint_dir.glob("events.out.tfevents.*")) - self.old_events:
                        new.unlink(missing_ok=True)
        return self.history

    def _saved(self):
        """After each save: the first one has replaced the run found here (its pairs went with the save), so
        that run's event files go too, and TensorBoard shows one run."""
        if not self.saved:
            for old in self.old_events:
                old.unlink(missing_ok=True)
        self.saved = True

    def _kept(self):
        """What a stop before the next save leaves: the last good checkpoint of this run, or the one it found."""
        kept = latest_checkpoint(self.checkpoint_dir)
        if kept is None:
            return "no checkpoint was written"
        if self.replaced and not self.saved:
            return f"this run saved no checkpoint: {kept}, which it would have replaced, is left as it was"
        return f"last good checkpoint kept: {kept}"

    def _epoch(self, sess, data, batch_size, epoch, step, end, writer, log):
        bar = tqdm(total=end - step, desc=f"epoch {epoch}", unit="step", leave=False,
                   disable=None if self.progress is None else not self.progress, file=sys.stderr)
        try:
            steps = self._looped_steps if self.loop is not None else self._fed_steps
            batch = steps(sess, data, batch_size, epoch, step, end, writer, bar)
            step = end
        finally:
            bar.close()
        on_batch = [m for m in self.plan.metrics if m.feed is None]
        values = dict(zip([m.key for m in on_batch], sess.run([m.tensor for m in on_batch],
                                                              self.plan.feed(batch))))
        values.update({m.key: sess.run(m.tensor, m.feed) for m in self.plan.metrics if m.feed is not None})
        values = {m.key: float(values[m.key]) for m in self.plan.metrics}
        if not all(math.isfinite(v) for v in values.values()):
            raise TrainingFailed(f"a logged loss is not finite at the end of epoch {epoch}: {values}; "
                                 f"stopped without saving")
        log(format_line(epoch, values, self.plan.metrics, self.plan.separator))
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag=f"epoch/{k}", simple_value=v)
                                             for k, v in values.items()]), step)
        self.history.append({"epoch": epoch, "step": step, **values})
        self.checkpoints.save(sess, step, data, self.history)
        self._saved()

    # Two loops, as two ways to run steps: the feed loop's unit is a step (its batch fed, its scalars fetched
    # with it), the graph loop's a chunk of steps (their indices fed, their scalars handed back after it).
    # What follows a unit is the same, in `_ran`.

    def _ran(self, steps, loss, step, epoch, bar):
        """After `steps` steps ending at `step` with `loss`: a Ctrl-C noted meanwhile stops here (at most this
        unit is lost), a loss that is not finite stops without saving, the bar moves."""
        interrupts.raise_noted()  # a Ctrl-C that TensorFlow swallowed during the unit
        self._check(loss, step, epoch)
        bar.update(steps)

    def _clock_first_step(self):
        if self.first_step_at is None:
            self.first_step_at = time.time()  # start-up ends here: TensorFlow, data, graph, session

    def _fed_steps(self, sess, data, batch_size, epoch, step, end, writer, bar):
        """The book's loop: a Session.run per step, its batch fed. Returns the last batch."""
        train_feed = self.plan.train_feed
        batch = None
        while step < end:
            batch = data.next_batch(batch_size)
            feed = {**self.plan.feed(batch), **train_feed}
            for op in self.ops_before:
                sess.run(op, feed)
            self._clock_first_step()
            if step % SUMMARY_EVERY == 0:
                _, _, loss, summary = sess.run(self.fetch + [self.summaries], feed)
                writer.add_summary(summary, step)
            else:
                _, _, loss = sess.run(self.fetch, feed)
            step += 1
            self._ran(1, loss, step, epoch, bar)
            if step % 20 == 0:
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
        return batch

    def _ready_loop(self, sess, data):
        """The loop inside the graph, built at the first training (collecting the logged terms where the step
        computes them anyway), and `data`'s arrays uploaded once per training: 172 MB for full MNIST."""
        if self.loop is None:
            with sess.graph.as_default():
                logged = [m.tensor for m in self.plan.metrics if m.key in self.logged]
                self.loop = GraphLoop(self.plan, self.global_step,
                                      self.logged if step_computes(self.plan, logged) else [])
        if self.uploaded != (sess, data):
            self.loop.upload(sess, data)
            self.uploaded = (sess, data)

    def _looped_steps(self, sess, data, batch_size, epoch, step, end, writer, bar):
        """The loop inside the graph: up to STEPS_PER_RUN steps per Session.run, the same batches drawn by
        index, each step's logged terms written at the feed loop's step numbers. Where the loop does not
        collect them (towers), a chunk ends at each step they are logged at, measured before it on its batch.
        Returns the last batch."""
        images, labels = data.held_arrays
        picked, ahead = None, None
        # its end waits for a draw in flight: none goes on behind a stop, and no thread outlives the epoch
        with futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="batches") as drawer:
            while step < end:
                picked = ahead.result() if ahead is not None else _drawn(data, batch_size, self._chunk(step, end))
                following = step + len(picked)
                # The next chunk's batches are drawn while TensorFlow runs this one (a cache's permutation of
                # 55,000 costs half a cached step): numpy's RNG called in the same order, never past the epoch's
                # end, where the checkpoint saves its state.
                ahead = (drawer.submit(_drawn, data, batch_size, self._chunk(following, end))
                         if following < end else None)
                step = self._run_chunk(sess, picked, images, labels, step, epoch, writer, bar)
        return images[picked[-1]], None if labels is None else labels[picked[-1]]

    def _chunk(self, step, end):
        """The steps of the chunk that starts at `step`: up to STEPS_PER_RUN, never past the epoch's end, nor
        past a step whose terms are logged where the loop does not collect them."""
        steps = min(STEPS_PER_RUN, end - step)
        if not self.loop.logged_keys:
            steps = min(steps, SUMMARY_EVERY - step % SUMMARY_EVERY)
        return steps

    def _run_chunk(self, sess, picked, images, labels, step, epoch, writer, bar):
        """One chunk in the graph, its scalars written at the feed loop's steps; returns the step after it."""
        self._clock_first_step()
        if not self.loop.logged_keys and step % SUMMARY_EVERY == 0:
            first = (images[picked[0]], None if labels is None else labels[picked[0]])
            writer.add_summary(sess.run(self.summaries, {**self.plan.feed(first), **self.plan.train_feed}), step)
        losses, logged = self.loop.run(sess, picked)
        for done in range(len(losses)):
            if (step + done) % SUMMARY_EVERY == 0 and self.loop.logged_keys:
                writer.add_summary(tf.Summary(value=[
                    tf.Summary.Value(tag=f"losses/{key}", simple_value=float(values[done]))
                    for key, values in zip(self.loop.logged_keys, logged)]), step + done)
        step += len(losses)
        self._ran(len(losses), float(losses[-1]), step, epoch, bar)
        bar.set_postfix(loss=f"{losses[-1]:.4g}", refresh=False)
        return step

    def _check(self, loss, step, epoch):
        if not math.isfinite(loss):
            raise TrainingFailed(f"loss became {loss} at step {step:,} (epoch {epoch}); stopped without "
                                 f"saving; {self._kept()}")


def _drawn(data, batch_size, steps):
    """The indices of a chunk's `steps` batches (steps × batch size), drawn as the feed loop draws them."""
    return np.asarray([data.next_indices(batch_size) for _ in range(steps)], np.int32)


def _close(writer, seconds=30):
    """Close a FileWriter, waiting at most `seconds`. A Ctrl-C that lands inside its queue's put (an
    add_summary) leaves the queue waiting for an event that never comes, and close() would wait for ever:
    seen here once in a few hundred interrupted runs. Its logger thread is a daemon: nothing waits for it."""
    closer = threading.Thread(target=writer.close, name="close_events", daemon=True)
    closer.start()
    closer.join(seconds)


def _budget_words(full, steps, origin, quick="the quick look's "):
    """A budget as a resume's line names it: "the full budget's 1,830 steps", "the quick look's 10 steps
    (--steps 10 of the book's 1,830)" (`quick`: the words for a budget other than the book's)."""
    if full:
        return f"the full budget's {steps:,} steps"
    return f"{quick if full is False else ''}{steps:,} steps ({origin})"


def _described(record, section):
    """' (a quick look: step 50 of 50, --steps 50 of the book's 1,830)': what a fresh run replaces, where its record
    says; '' where it does not."""
    if not record or "steps" not in record:
        return ""
    what = {True: "a run of the full budget", False: "a quick look"}.get(record.get("full"), "a run")
    of = f" of {record['section']}" if record.get("section") not in (None, section) else ""
    return f" ({what}{of}: step {record['step']:,} of {record['steps']:,}, {record['budget']})"
