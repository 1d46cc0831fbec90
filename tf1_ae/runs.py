"""Where a run writes (checkpoints/<section>/, figures/<section>/), its options, and metrics.json."""
import json
import math
import os
import sys
from dataclasses import dataclass, fields, replace
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
    source: str | None = None  # the section whose checkpoint `reconstructions` draws
    towers: int = 1  # the fast path: each batch split over N towers (sections with a towers graph)
    force: bool = False  # let a shorter or changed run replace a finished full run
    compare: bool = True  # end with the book's printed numbers beside ours
    overrides: tuple = ()  # (config field, value) pairs: --set field=value, or a flag such as --penalty mse


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


def parse_field(config, name, value):
    """`value` for the config field `name`; text from `--set name=text` is read as that field's type."""
    known = {f.name: f for f in fields(config)}
    if name not in known:
        raise UsageError(f"{name}: this section's config has no such field (it has: {', '.join(known)})")
    kind = type(getattr(config, name))
    if not isinstance(value, str) or kind is str:
        return value
    try:
        if kind is bool:
            return {"true": True, "false": False, "1": True, "0": False}[value.lower()]
        if kind is tuple:
            return tuple(int(part) for part in value.split(","))
        return kind(value)
    except (KeyError, ValueError):
        raise UsageError(f"--set {name}={value}: expected a {kind.__name__} "
                         f"like {getattr(config, name)!r}") from None


def is_full_budget(options):
    """A run of the section's own defaults: the book's steps and the listing's Config as it stands."""
    return (options.steps is None and options.epochs is None and options.learning_rate is None
            and options.batch_size is None and not options.overrides)


def apply_options(config, options):
    """The section's frozen config with the command line's changes: learning rate and batch size where
    the config has them, and each --set field=value (or section flag such as --penalty) it must have."""
    changes = {}
    if options.learning_rate is not None and hasattr(config, "learning_rate"):
        changes["learning_rate"] = options.learning_rate
    if options.batch_size is not None and hasattr(config, "batch_size"):
        changes["batch_size"] = options.batch_size
    for name, value in options.overrides:
        changes[name] = parse_field(config, name, value)
    try:
        return replace(config, **changes)
    except ValueError as exc:  # a Config's own check of its values
        raise UsageError(str(exc)) from None


def write_json(path, value, indent=2, sort_keys=False):
    """Write JSON atomically (a temporary file renamed over the old one): a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=indent, sort_keys=sort_keys) + "\n")
    os.replace(tmp, path)
    return path


def read_json(path, kind=dict):
    """The JSON value in `path` if it is a `kind`; None if the file is missing, and (said in one line on
    stderr) if it is unreadable or malformed: readers treat that as "not run" and go on."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        print(f"{path} is unreadable ({type(exc).__name__}); treated as not run", file=sys.stderr)
        return None
    if not isinstance(value, kind) or (kind is list and not all(isinstance(v, dict) for v in value)):
        print(f"{path} is not a {kind.__name__} of results; treated as not run", file=sys.stderr)
        return None
    return value


def write_metrics(checkpoint_dir, metrics):
    """metrics.json: every printed metric's final value plus the run's identity (non-finite → null)."""
    clean = {k: (float(v) if isinstance(v, float) or hasattr(v, "dtype") else v) for k, v in metrics.items()}
    clean = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in clean.items()}
    return write_json(Path(checkpoint_dir) / "metrics.json", clean, sort_keys=True)


def read_metrics(checkpoint_dir):
    return read_json(Path(checkpoint_dir) / "metrics.json")


def mark_complete(checkpoint_dir):
    """Flag a run that used the section's full default budget, so `make all` can skip it next time."""
    metrics = read_metrics(checkpoint_dir)
    if metrics is not None:
        write_metrics(checkpoint_dir, {**metrics, "complete": True})


def finished_run(checkpoint_dir, data_name=None, seed=None):
    """The metrics of the finished full-budget run in checkpoint_dir (on data_name, of seed, where given and
    where the run recorded them), or None."""
    metrics = read_metrics(checkpoint_dir) or {}
    if not metrics.get("complete"):
        return None
    if data_name is not None and metrics.get("data", data_name) != data_name:
        return None
    if seed is not None and metrics.get("seed", seed) != seed:
        return None
    return metrics


def is_complete(checkpoint_dir, data_name=None):
    """Whether checkpoint_dir holds a finished full-budget run (on data_name, when the run recorded its data)."""
    return finished_run(checkpoint_dir, data_name) is not None


def write_history(checkpoint_dir, history):
    """history.json: every epoch's printed values, for curves drawn later (vae_compare, the report)."""
    return write_json(Path(checkpoint_dir) / "history.json", history, indent=1)


def read_history(checkpoint_dir):
    return read_json(Path(checkpoint_dir) / "history.json", list)
