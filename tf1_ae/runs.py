"""Where a run writes (checkpoints/<section>/, figures/<section>/), its options, and metrics.json."""
import fcntl
import json
import math
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class UsageError(Exception):
    """Bad input the user can fix (exit code 2): bad flag value, missing data, mismatched checkpoint."""


class TrainingFailed(Exception):
    """Training stopped (a NaN or Inf loss); the last good checkpoint is left as it was (exit code 1)."""


@dataclass(frozen=True)
class RunOptions:
    """What the command line may change; None keeps the section's (the book's) value."""
    data: str = "auto"
    epochs: int | None = None
    steps: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    seed: int = 42
    out: Path = REPO_ROOT
    resume: bool = False
    progress: bool | None = None  # None: a bar when stderr is a terminal
    towers: int = 1  # the fast path: each batch split over N towers (sections with a towers graph)
    loop: str = "graph"  # the training loop: inside the graph, a chunk of steps per Session.run, where a listing
    # gives its step on a batch ("graph"), or the book's, a Session.run and a fed batch per step ("feed")
    force: bool = False  # let a shorter or changed run replace a finished full run
    compare: bool = True  # end with the book's printed numbers beside ours
    overrides: tuple = ()  # (config field, value) pairs: --set field=value, or a flag such as --penalty mse
    tensorflow_settings: tuple = ()  # --onednn on|off, --xla: TensorFlow's own settings changed for this run
    batches: str = "notebook"  # where the training set and numpy's RNG start: as the book's notebook's cell
    # found them ("notebook"), or fresh, as if the cell ran alone ("alone")
    graph_seed: int | None = None  # TensorFlow's graph seed alone (initial weights, noise), numpy's staying `seed`
    typed: tuple = ()  # the options as the user typed them after the section: a command a line names keeps them

    def session_config(self):
        """The session settings of a run with these options (tf1_ae.compat.session_config)."""
        from tf1_ae.compat import session_config
        return session_config(self.towers)

    @property
    def tf_seed(self):
        return self.seed if self.graph_seed is None else self.graph_seed


@dataclass(frozen=True)
class RunPaths:
    section: str
    checkpoint_dir: Path
    figure_dir: Path

    @classmethod
    def under(cls, out, section):
        return cls(section, Path(out) / "checkpoints" / section, Path(out) / "figures" / section)

    def phase(self, name):
        """A phase's own checkpoint folder (checkpoints/<section>/<name>/)."""
        return replace(self, checkpoint_dir=self.checkpoint_dir / name)


def write_json(path, value, indent=2, sort_keys=False):
    """Write JSON atomically (a temporary file renamed over the old one): a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=indent, sort_keys=sort_keys) + "\n")
    os.replace(tmp, path)
    return path


def read_json(path, kind=dict, warn=True):
    """The JSON value in `path` if it is a `kind`; None if the file is missing, and (said in one line on
    stderr, unless not `warn`) if it is unreadable or malformed: readers treat that as "not run" and go on."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError, JSONDecodeError: ValueErrors
        problem = f"is unreadable ({type(exc).__name__})"
    else:
        if isinstance(value, kind) and (kind is not list or all(isinstance(v, dict) for v in value)):
            return value
        problem = f"is not a {kind.__name__} of results"
    if warn:
        print(f"{path} {problem}; treated as not run", file=sys.stderr)
    return None


def write_metrics(checkpoint_dir, metrics):
    """metrics.json: every printed metric's final value plus the run's identity (non-finite → null)."""
    clean = {k: (float(v) if isinstance(v, float) or hasattr(v, "dtype") else v) for k, v in metrics.items()}
    clean = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in clean.items()}
    return write_json(Path(checkpoint_dir) / "metrics.json", clean, sort_keys=True)


def read_metrics(checkpoint_dir, warn=True):
    return read_json(Path(checkpoint_dir) / "metrics.json", warn=warn)


def mark_complete(checkpoint_dir):
    """Flag a run that used the section's full default budget, so `make all` can skip it next time."""
    metrics = read_metrics(checkpoint_dir)
    if metrics is not None:
        write_metrics(checkpoint_dir, {**metrics, "complete": True})


def finished_run(checkpoint_dir, data_name=None, seed=None, batches=None, graph_seed=None, section=None):
    """The metrics of the finished full-budget run in checkpoint_dir (of `section`, on data_name, of seed, with
    batches and graph_seed, where given and where the run recorded them), or None: a folder holding another
    section's run (copied, a mistyped --out) is never taken for this one's."""
    metrics = read_metrics(checkpoint_dir) or {}
    return metrics if (metrics.get("complete") and metrics.get("section", section) == section
                       and is_of(metrics, data_name, seed, batches, graph_seed)) else None


def batches_of(metrics):
    """The batches a run drew: "notebook" or "alone" (a run from before the notebook's batches: alone)."""
    return metrics.get("batches", "alone")


def is_of(metrics, data_name=None, seed=None, batches=None, graph_seed=None):
    """Whether a run's metrics are of data_name, of seed, drew `batches` and had `graph_seed` (None: TensorFlow's
    seed was `seed`), where given and where the run recorded them."""
    return ((data_name is None or metrics.get("data", data_name) == data_name)
            and (seed is None or metrics.get("seed", seed) == seed)
            and (batches is None or batches_of(metrics) == batches)
            and metrics.get("graph_seed") == graph_seed)


def is_complete(checkpoint_dir, data_name=None):
    """Whether checkpoint_dir holds a finished full-budget run (on data_name, when the run recorded its data)."""
    return finished_run(checkpoint_dir, data_name) is not None


def write_history(checkpoint_dir, history):
    """history.json: every epoch's printed values, for curves drawn later (vae_compare, the report)."""
    return write_json(Path(checkpoint_dir) / "history.json", history, indent=1)


def read_history(checkpoint_dir):
    return read_json(Path(checkpoint_dir) / "history.json", list)


@contextmanager
def run_lock(paths):
    """One run at a time in a run's folders: an flock on <checkpoint folder>/.lock, which the kernel releases
    however the process ends (a killed run leaves no lock behind). Both folders are made and written to
    first, so an --out that cannot be written is said before any work; a run that ends having written
    nothing (a refusal) leaves no folder behind."""
    made = _missing_folders(paths.checkpoint_dir) + _missing_folders(paths.figure_dir)
    lock_path = paths.checkpoint_dir / ".lock"
    try:
        _prepare_writable(paths)
        with open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                raise UsageError(f"another run ({holder}) is using {paths.checkpoint_dir} now: wait for it to end, "
                                 f"or put this one elsewhere with --out DIR") from None
            lock.seek(0)
            lock.truncate()
            lock.write(f"pid {os.getpid()}")
            lock.flush()
            try:
                yield
            finally:  # still holding the lock: no other run can be between this and the unlink
                if made and [p.name for p in paths.checkpoint_dir.iterdir()] == [".lock"]:
                    lock_path.unlink()
    finally:
        for folder in sorted(made, key=lambda path: len(path.parts), reverse=True):  # the deepest first
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def _prepare_writable(paths):
    """Make both folders and write a file in each; any refusal (a read-only disk, /proc, a file in the way)
    is said as the folder that cannot be written, whatever errno the kernel chose."""
    for folder in (paths.checkpoint_dir, paths.figure_dir):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from None


def _missing_folders(folder):
    """`folder` and those of its parents that do not exist yet."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing
