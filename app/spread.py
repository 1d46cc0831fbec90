"""`make spread`: how far another faithful run of ours lands, measured, so that the verdict's allowances are.

Every section with a printed log in the book is run again with other TensorFlow graph seeds (other initial
weights and noise; numpy's seed, and so the book's batches, stay the book's), each seed a `make all --only`
of those sections in a folder of its own. Beside the run of `make all` itself, each printed value then has
one value per seed. graphs/our_spread.json keeps them all, with the command, date, machine and TensorFlow
that made them: the verdict (app/compare.py) allows each value the largest gap between a seed's value and
ours, widened by the book's own reruns.
"""
import hashlib
import subprocess
import sys
import time
from pathlib import Path

from graphs.book import book_data
from tf1_ae import peak
from tf1_ae.runs import REPO_ROOT, RunPaths, UsageError, read_history, read_metrics, write_json

SPREAD_FILE = Path(__file__).resolve().parent.parent / "graphs" / "our_spread.json"
SEEDS = (1, 2)  # graph seeds beside the default run's 42


def logged_sections():
    """The book's sections whose log (or final values) its notebook printed, in the table's order."""
    from app.notebook import has_cell
    from app.sections import SECTIONS

    book = book_data()
    keys = set(book.logs) | {f"{section}_" for section in book.numbers}
    return [name for name in SECTIONS if has_cell(name) and any(key.startswith(name + "_") for key in keys)]


def seed_folder(out, seed):
    return Path(out) / "checkpoints" / "spread" / f"graph_seed_{seed}"


def printed_values(section, history, metrics):
    """{<section>_<metric>: {"epochs": [...], "final": value}} of a run: each value the book printed."""
    book = book_data()
    values = {}
    for key in book.logs:
        if key.startswith(section + "_"):
            metric = key[len(section) + 1:]
            values[key] = {"epochs": [e.get(metric) for e in history if "epoch" in e and metric in e]}
    for metric in book.numbers.get(section, {}).get("values", {}):
        if isinstance(metrics.get(metric), (int, float)):
            values.setdefault(f"{section}_{metric}", {})["final"] = metrics[metric]
    return values


def collect(out, seeds, data_name):
    """graphs/our_spread.json's contents from the default run and each seed's, or UsageError naming a
    section whose default run is missing or not of the book's length on `data_name`."""
    from app.notebook import batches_drawn

    record = {}
    for section in logged_sections():
        runs = {42: RunPaths.under(out, section).checkpoint_dir}
        runs.update({seed: RunPaths.under(seed_folder(out, seed), section).checkpoint_dir for seed in seeds})
        kept = {}
        for seed, folder in runs.items():
            metrics = kept[seed] = read_metrics(folder, warn=False) or {}
            if not metrics.get("complete") or metrics.get("data") != data_name or metrics.get(
                    "batches", "alone") != batches_drawn(section, "notebook") or metrics.get("graph_seed", 42) != seed:
                raise UsageError(f"{folder} holds no finished run of {section} on {data_name} with the notebook's "
                                 f"batches: `make all` first, then `make spread`")
        for seed, folder in runs.items():
            for key, values in printed_values(section, read_history(folder) or [], kept[seed]).items():
                entry = record.setdefault(key, {})
                for epoch, value in enumerate(values.get("epochs", [])):
                    entry.setdefault("epochs", [])
                    while len(entry["epochs"]) <= epoch:
                        entry["epochs"].append({})
                    entry["epochs"][epoch][str(seed)] = value
                if "final" in values:
                    entry.setdefault("final", {})[str(seed)] = values["final"]
    return record


def run_spread(args):
    """Train every logged section with each graph seed (sections already finished in a seed's folder are
    skipped), then write graphs/our_spread.json."""
    from tf1_ae.data import resolved_name

    out = args.out or REPO_ROOT
    data_name = resolved_name(args.data)
    seeds = SEEDS[:args.seeds] if args.seeds <= len(SEEDS) else tuple(range(1, args.seeds + 1))
    started = time.perf_counter()
    collect(out, (), data_name)  # the default runs are there before hours go into the seeds
    for seed in seeds:
        print(f"\n##### graph seed {seed} (numpy's stays {args.seed}): {', '.join(logged_sections())}", flush=True)
        command = [sys.executable, "-m", "tf1_ae", "all", "--only", ",".join(logged_sections()), "--data", args.data,
                   "--seed", str(args.seed), "--graph-seed", str(seed), "--out", str(seed_folder(out, seed)),
                   "--jobs", str(args.jobs), *(["--no-progress"] if args.progress is False else [])]
        subprocess.run(command, check=False)
    record = collect(out, seeds, data_name)
    write_json(SPREAD_FILE, {
        "_about": "Each value the book printed, from our runs: `make all` (graph seed 42) and one run per other "
                  "graph seed, numpy's seed and the notebook's batches the book's. app/compare.py allows each of "
                  "ours the largest gap to a seed's value, widened by the book's reruns.",
        "command": f"make spread ARGS='--seeds {len(seeds)}'", "date": time.strftime("%Y-%m-%d"),
        "machine": peak.described_machine(), "tensorflow": tensorflow_version(), "data": data_name,
        "commit": commit(), "listings": listings_digest(), "seeds": [42, *seeds], "values": record})
    print(f"wrote {SPREAD_FILE} ({len(record)} printed values' logs, {len(seeds) + 1} seeds) in "
          f"{(time.perf_counter() - started) / 60:.1f} minutes")
    return 0


# What decides the numbers a spread measured: the listings, and the toolkit code they compute with
LISTINGS = ("graphs/*.py", "tf1_ae/layers.py", "tf1_ae/data.py", "tf1_ae/replay.py", "app/notebook.py")


def listings_digest():
    """SHA-256 over the files LISTINGS names, in order: another digest means they changed since."""
    digest = hashlib.sha256()
    for pattern in LISTINGS:
        for path in sorted(REPO_ROOT.glob(pattern)):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def commit():
    """The checkout's commit (git's HEAD), or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def staleness(spread):
    """A line saying that the listings changed since `spread` (graphs/our_spread.json) was measured, or None."""
    if not spread or spread.get("listings") == listings_digest():
        return None
    made = f"at commit {spread['commit'][:10]}" if spread.get("commit") else "by an older version"
    return (f"graphs/our_spread.json was measured {made} on {spread.get('machine')} ({spread.get('date')}); the "
            f"listings or the code they compute with ({', '.join(LISTINGS)}) have changed since: where their "
            f"numbers moved, `make all` then `make spread` measures the allowances again")


def tensorflow_version():
    from importlib import metadata

    for package in ("tensorflow-cpu", "tensorflow"):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return None
