"""A run's checkpoints on disk: found without TensorFlow, saved so that no interruption can split them.

Each epoch's save is a pair: the trainer's state (`trainer_state-<step>.npz`: the batches' position, numpy's
RNG, the epochs printed so far) and the Saver's checkpoint of the same step (`model.ckpt-<step>`, its own
files, never written over the last ones). The state goes first, then the checkpoint and the `checkpoint`
pointer; only then are the previous pair's files removed. Stopped anywhere, the folder holds a whole pair:
the new one, or the one before it.
"""
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from tf1_ae.compat import tf
from tf1_ae.runs import UsageError

CHECKPOINT_NAME = "model.ckpt"  # saved as model.ckpt-<step> by a training, as model.ckpt by a model saved once
STATE_PREFIX = "trainer_state"
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


def restore(sess, saver, checkpoint_dir, section):
    """Restore the latest checkpoint in checkpoint_dir (a run of `section`), or raise UsageError with one line
    saying why, and how to train it again."""
    path = latest_checkpoint(checkpoint_dir)
    if path is None and has_checkpoint_files(checkpoint_dir):
        raise UsageError(f"the checkpoint in {checkpoint_dir} cannot be read (some of its files are missing); "
                         f"`make {section} ARGS=--force` trains it again")
    if path is None:
        raise UsageError(f"no checkpoint in {checkpoint_dir} to restore; `make {section}` trains it")
    try:
        saver.restore(sess, path)
    except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise UsageError(f"checkpoint {path} does not match the {section} graph ({first}); "
                         f"`make {section} ARGS=--force` trains it again") from exc
    except (tf.errors.OpError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise UsageError(f"checkpoint {path} is unreadable ({type(exc).__name__}: {first}); "
                         f"`make {section} ARGS=--force` trains it again") from exc
    return path


def _write_state(path, step, data, history):
    """What the checkpoint does not hold: the batches' position, numpy's RNG, the epochs printed so far."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    arrays = {f"data_{k}": np.asarray(v) for k, v in data.state().items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, step=step, rng_keys=keys, rng_pos=pos, rng_has_gauss=has_gauss, rng_gauss=gauss,
             history=json.dumps(history), **arrays)
    os.replace(tmp, path)


def _read_state(path, step, data):
    """Put back the state saved with the checkpoint of `step`; returns the epochs printed so far, or None if
    there is none for that step."""
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
    """A training's checkpoint folder: `save` a pair, `load` the pair of the checkpoint restored."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.saver = tf.train.Saver(max_to_keep=None, save_relative_paths=True)  # relative: the folder can move

    def state_path(self, step):
        return self.folder / f"{STATE_PREFIX}-{step}.npz"

    def save(self, sess, step, data, history):
        try:
            self.write_state(step, data, history)
            path = self.write_checkpoint(sess, step)
        except BaseException:  # a full disk, a signal: no half-written files beside the last good pair
            for partial in [*self.folder.glob("*.tmp*"), *self.folder.glob("*_temp*"), *self.folder.glob("*tempstate*")]:
                if partial.is_dir():
                    shutil.rmtree(partial, ignore_errors=True)
                else:
                    partial.unlink(missing_ok=True)
            raise
        self.remove_older(step)
        return path

    def write_state(self, step, data, history):
        _write_state(self.state_path(step), step, data, history)

    def write_checkpoint(self, sess, step):
        return self.saver.save(sess, str(self.folder / CHECKPOINT_NAME), global_step=step)

    def remove_older(self, step):
        """The files of every pair but `step`'s (every pair's, for None; and the unnumbered files an older
        version saved)."""
        keep = {f"{CHECKPOINT_NAME}-{step}", f"{STATE_PREFIX}-{step}"} if step is not None else set()
        for path in [*self.folder.glob(f"{CHECKPOINT_NAME}*"), *self.folder.glob(f"{STATE_PREFIX}*.npz")]:
            if _prefix(path.name) not in keep:
                path.unlink(missing_ok=True)
        if step is None:
            (self.folder / "checkpoint").unlink(missing_ok=True)

    def load(self, sess, section, global_step, data):
        """Restore the latest checkpoint and the state saved with it; returns (its path, its step, the epochs
        printed up to it, or None where no state was saved with it: the batches then start afresh)."""
        path = restore(sess, self.saver, self.folder, section)
        step = int(sess.run(global_step))
        return path, step, _read_state(self.state_path(step), step, data)


def _prefix(name):
    """model.ckpt-366.data-00000-of-00001 → model.ckpt-366; trainer_state-366.npz → trainer_state-366."""
    if ".data-" in name:
        return name.split(".data-")[0]
    for suffix in (".index", ".meta", ".npz"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name
