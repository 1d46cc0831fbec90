"""A run's checkpoints on disk: found without TensorFlow, saved so that no interruption can split them.

Each epoch's save is a pair: the trainer's state (`trainer_state-<step>.npz`: the batches' position, numpy's
RNG, the epochs printed so far) and the Saver's checkpoint of the same step (`model.ckpt-<step>`, its own
files, never written over the last ones). The state goes first, then the checkpoint and the `checkpoint`
pointer; only then are the previous pair's files removed. Stopped anywhere, the folder holds a whole pair:
the new one, or the one before it. A fresh run's first save removes another run's pair the same way, so a run
that dies before it has saved leaves the one before it as it was.

Each state also records what saved it (`saved_record`): the section, whether of the book's full budget, the
budget's steps. A run reads it, before TensorFlow loads, to tell an unfinished full run (trained work) from a
quick look, and one section's run from another's.
"""
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from tf1_ae.commands import command, out_options
from tf1_ae.compat import tensorflow_message, tf
from tf1_ae.runs import UsageError

CHECKPOINT_NAME = "model.ckpt"  # saved as model.ckpt-<step> by a training, as model.ckpt by a model saved once
STATE_PREFIX = "trainer_state"
ASIDE = ".aside"  # another run's file of the step being saved, renamed until the new pair is whole
_NUMBERED = re.compile(rf"^{re.escape(CHECKPOINT_NAME)}-(\d+)\.index$")


def _step(path):
    match = _NUMBERED.match(Path(path).name)
    return int(match.group(1)) if match else -1


def _pointed(folder):
    """The checkpoint the `checkpoint` pointer names, as a name in this folder (the pointer may be damaged or,
    in a copied folder, name the folder it came from: only its last part counts)."""
    try:
        text = (folder / "checkpoint").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^model_checkpoint_path: "(.*)"', text, re.MULTILINE)
    return Path(match.group(1)).name if match else None


def latest_checkpoint(checkpoint_dir):
    """The checkpoint in checkpoint_dir (its path prefix), or None: the one the pointer names where its files
    are here, else the folder's own newest."""
    folder = Path(checkpoint_dir)
    pointed = _pointed(folder)
    if pointed and (folder / f"{pointed}.index").is_file():
        return str(folder / pointed)
    numbered = sorted(folder.glob(f"{CHECKPOINT_NAME}-*.index"), key=_step)
    if numbered:
        return str(numbered[-1])[:-len(".index")]
    if (folder / f"{CHECKPOINT_NAME}.index").is_file():
        return str(folder / CHECKPOINT_NAME)
    return None


def has_checkpoint_files(checkpoint_dir):
    """Anything a Saver leaves: a `checkpoint` pointer or model files, readable or not."""
    folder = Path(checkpoint_dir)
    return (folder / "checkpoint").exists() or any(folder.glob(f"{CHECKPOINT_NAME}*"))


def saved_record(checkpoint_dir):
    """What saved the training checkpoint in checkpoint_dir, read with numpy alone (no TensorFlow): the record
    kept in its trainer state ({section, full, steps, budget}, as far as its trainer knew them) and its `step`;
    {"step": step} for a checkpoint whose state records nothing (an older version's); None without a numbered
    checkpoint (a model saved whole at the end of a run is described by the run's metrics.json)."""
    path = latest_checkpoint(checkpoint_dir)
    step = _step(f"{path}.index") if path else -1
    if step < 0:
        return None
    try:
        with np.load(Path(checkpoint_dir) / f"{STATE_PREFIX}-{step}.npz") as saved:
            record = json.loads(str(saved["run"])) if int(saved["step"]) == step else {}
    except (OSError, ValueError, KeyError):
        record = {}
    return {**(record if isinstance(record, dict) else {}), "step": step}


def command_on(section, checkpoint_dir, *flags):
    """The command that runs `section` again on the run whose folder is checkpoint_dir: with its --out where it
    is not the default one, so that the command acts on that folder."""
    return command(("run", section), out_options(section, checkpoint_dir), *flags)


def _cause(exc, path, section):
    """What is wrong with checkpoint `path` that TensorFlow could not restore, in words (its error says where in
    the graph it failed, seldom what)."""
    text = str(getattr(exc, "message", exc))
    data_files = ", ".join(sorted(p.name for p in Path(path).parent.glob(f"{Path(path).name}.data-?????-of-?????")))
    missing = re.search(r"([^/\s]+); No such file or directory", text)
    key = re.search(r"Key (\S+) not found in checkpoint", text)
    first = tensorflow_message(exc)[:200]
    if missing:
        return f"cannot be read: its data file {missing.group(1)} is missing"
    if isinstance(exc, tf.errors.OutOfRangeError) or "Read less bytes than requested" in text:
        return f"cannot be read: its data file {data_files} is truncated (shorter than its index says)"
    if "Checksum does not match" in text:
        return f"cannot be read: its data file {data_files} is damaged (a checksum does not match)"
    if isinstance(exc, tf.errors.DataLossError):
        index = ".index" in text or "sstable" in text  # the table of contents TensorFlow reads first
        return (f"cannot be read: its index file {Path(path).name}.index is damaged" if index
                else f"cannot be read: its files are damaged ({first})")
    if key:
        return f"is not a checkpoint of the {section} graph: it has no variable {key.group(1)}"
    if isinstance(exc, (tf.errors.NotFoundError, tf.errors.InvalidArgumentError)):
        return f"is not a checkpoint of the {section} graph ({first})"
    return f"cannot be read ({first})"


def restore(sess, saver, checkpoint_dir, section):
    """Restore the latest checkpoint in checkpoint_dir (a run of `section`), or raise UsageError with one line
    saying why, and the command that trains it again (with the run's --out)."""
    path = latest_checkpoint(checkpoint_dir)
    again = f"{command_on(section, checkpoint_dir, '--force')} trains it again"
    if path is None and has_checkpoint_files(checkpoint_dir):
        raise UsageError(f"the checkpoint in {checkpoint_dir} cannot be read (some of its files are missing); {again}")
    if path is None:
        raise UsageError(f"no checkpoint in {checkpoint_dir} to restore; {command_on(section, checkpoint_dir)} "
                         f"trains it")
    try:
        saver.restore(sess, path)
    except (tf.errors.OpError, ValueError) as exc:
        raise UsageError(f"checkpoint {path} {_cause(exc, path, section)}; {again}") from exc
    return path


def _write_state(path, step, data, history, record):
    """What the checkpoint does not hold: the batches' position, numpy's RNG, the epochs printed so far; and
    what saved it (`record`, read by saved_record)."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    arrays = {f"data_{k}": np.asarray(v) for k, v in data.state().items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, step=step, rng_keys=keys, rng_pos=pos, rng_has_gauss=has_gauss, rng_gauss=gauss,
             history=json.dumps(history), run=json.dumps(record), **arrays)
    os.replace(tmp, path)


def _read_state(path, step, data):
    """Put back the state saved with the checkpoint of `step`; returns the epochs printed so far, or None if
    there is no state for that step."""
    try:
        with np.load(path) as saved:
            if int(saved["step"]) != step:
                return None
            data.set_state({k[5:]: saved[k] for k in saved.files if k.startswith("data_")})
            np.random.set_state(("MT19937", saved["rng_keys"], int(saved["rng_pos"]), int(saved["rng_has_gauss"]),
                                 float(saved["rng_gauss"])))
            return json.loads(str(saved["history"]))
    except (OSError, ValueError, KeyError):
        return None


class Checkpoints:
    """A training's checkpoint folder: `save` a pair, `load` the pair of the checkpoint restored. `record`:
    what the trainer saving here is (section, full budget or not, its budget's steps), kept with each pair."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.saver = tf.train.Saver(max_to_keep=None, save_relative_paths=True)  # relative: the folder can move
        self.record = {}

    def state_path(self, step):
        return self.folder / f"{STATE_PREFIX}-{step}.npz"

    def save(self, sess, step, data, history):
        aside = self._set_aside(step)
        try:
            self.write_state(step, data, history)
            path = self.write_checkpoint(sess, step)
        except BaseException:  # a full disk, a signal: no half-written files beside the last good pair
            for partial in [*self.folder.glob("*.tmp*"), *self.folder.glob("*_temp*"), *self.folder.glob("*tempstate*")]:
                if partial.is_dir():
                    shutil.rmtree(partial, ignore_errors=True)
                else:
                    partial.unlink(missing_ok=True)
            for original, moved in aside:
                os.replace(moved, original)
            raise
        self.remove_older(step)
        return path

    def _set_aside(self, step):
        """The files of a pair of `step` already here, renamed out of the new pair's way: a run saves each step
        once, so they are another run's (one this fresh run replaces, or a save cut short); put back if this
        save fails, removed with the older pairs once it is whole."""
        pair = [path for path in self.folder.glob(f"{CHECKPOINT_NAME}-{step}.*")
                if _prefix(path.name) == f"{CHECKPOINT_NAME}-{step}"]
        state = self.state_path(step)
        aside = []
        for path in pair + ([state] if state.exists() else []):
            moved = path.with_name(path.name + ASIDE)
            os.replace(path, moved)
            aside.append((path, moved))
        return aside

    def write_state(self, step, data, history):
        _write_state(self.state_path(step), step, data, history, self.record)

    def write_checkpoint(self, sess, step):
        return self.saver.save(sess, str(self.folder / CHECKPOINT_NAME), global_step=step)

    def remove_older(self, step):
        """The files of every pair but `step`'s: the older pairs, those of the run a fresh one replaces (set
        aside or not), the unnumbered files an older version saved."""
        keep = {f"{CHECKPOINT_NAME}-{step}", f"{STATE_PREFIX}-{step}"}
        for path in [*self.folder.glob(f"{CHECKPOINT_NAME}*"), *self.folder.glob(f"{STATE_PREFIX}*.npz"),
                     *self.folder.glob(f"*{ASIDE}")]:
            if path.is_file() and (path.name.endswith(ASIDE) or _prefix(path.name) not in keep):
                path.unlink(missing_ok=True)

    def load(self, sess, section, global_step, data):
        """Restore the latest checkpoint and the state saved with it; returns (its path, its step, the epochs
        printed up to it and what saved it (saved_record), or (None, {}) where no state was saved with it: the
        batches then start afresh)."""
        path = restore(sess, self.saver, self.folder, section)
        step = int(sess.run(global_step))
        history = _read_state(self.state_path(step), step, data)
        if history is None:
            return path, step, None, {}
        return path, step, history, saved_record(self.folder) or {}


def _prefix(name):
    """model.ckpt-366.data-00000-of-00001 → model.ckpt-366; trainer_state-366.npz → trainer_state-366."""
    if ".data-" in name:
        return name.split(".data-")[0]
    for suffix in (".index", ".meta", ".npz"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name
