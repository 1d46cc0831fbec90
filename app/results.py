"""The tables of a whole chapter's run, written from its metrics.json files between two markers of a Markdown
file (`make results`), so that no number in them is typed by hand: each section's headline number beside
the book's (the README, and docs/offline.md for a run on mnist5k), and each section's speed as a share of
this machine's GEMM peak (docs/speed.md). Below each, the run it came from: `make all`'s own record
(checkpoints/all.json: the data, how long it took, on what).
"""
import re
from pathlib import Path

from graphs.book import book_data
from tf1_ae.runs import RunPaths, UsageError, read_json, read_metrics

MARKERS = {name: (f"<!-- {name}: written by `make results`, from checkpoints/*/metrics.json -->", f"<!-- /{name} -->")
           for name in ("results", "speed")}
START, END = MARKERS["results"]


def number(value):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def rows():
    """(make targets, their Headline) per row of the table, from the table of sections: a section without a
    headline of its own joins the row before it; the row shows its first target's run."""
    from app.sections import SECTIONS

    found = []
    for name, section in SECTIONS.items():
        if section.headline is None:
            found[-1] = (found[-1][0] + (name,), found[-1][1])
        else:
            found.append(((name,), section.headline))
    return found


class Shown(dict):
    """A run's metrics as the headline's words show them: numbers as in the table, a missing one as —."""

    def __missing__(self, key):
        return "—"


def row(targets, headline, out):
    metrics = read_metrics(RunPaths.under(out, targets[0]).checkpoint_dir)
    if metrics:
        label = headline.words.format_map(Shown({k: number(v) for k, v in metrics.items()
                                                 if isinstance(v, (int, float))}))
    else:  # no run: the headline without the parenthesis that would quote it
        label = re.sub(r"\s*\([^()]*\{\w+\}[^()]*\)", "", headline.words)
    book = book_data().numbers.get(targets[0], {}).get("values", {})
    if headline.metric is None:  # its result is its figures
        ours, theirs = ("✓" if metrics else "not run"), ("✓" if not headline.heading.startswith("beyond") else "—")
    else:
        ours = number(metrics.get(headline.metric)) if metrics else "not run"
        theirs = number(book.get(headline.metric)) if headline.metric in book else "—"
    make = ", ".join(f"`{target}`" for target in targets)
    return f"| {make} | {headline.heading} | {label} | {ours} | {theirs} |"


def all_record(out):
    """`make all`'s record of the run (checkpoints/all.json), or {} where there is none."""
    return read_json(Path(out) / "checkpoints" / "all.json") or {}


def run_line(run):
    """The line under a table: what the `make all` of record `run` was."""
    if not run:
        return []
    share = f", {run['share_of_peak']:.0%} of the machine's GEMM peak" if run.get("share_of_peak") else ""
    sections = run.get("sections") if isinstance(run.get("sections"), dict) else {}
    earlier = [name for name, entry in sections.items() if isinstance(entry, dict)
               and entry.get("status") == "finished before"]
    # a run that found finished sections timed only the rest: its minutes are not the whole chapter's
    part = (f" for the {len(sections) - len(earlier)} of its {len(sections)} sections not finished before"
            if earlier else "")
    return ["", f"Ours: `make all` on {run.get('data')} ({run.get('n_train') or 0:,} training images), seed "
                f"{run.get('seed')}, TensorFlow {run.get('tensorflow')}, {run.get('date')}: "
                f"{run.get('seconds', 0) / 60:.1f} minutes{part} on {run.get('machine')} with {run.get('jobs', 1)} "
                f"process{'es side by side' if run.get('jobs', 1) > 1 else ''}{share}."]


def table(out):
    lines = ["| make target | book section (1st ed., ch. 15) | headline | ours | book |", "|---|---|---|---|---|"]
    lines += [row(targets, headline, out) for targets, headline in rows()]
    return "\n".join(lines + run_line(all_record(out)))


def speed_table(out):
    """Each section that trained: its images per second, its products' GFLOP/s and their share of the peak,
    its training seconds and, where it ran in a process of its own, that process's peak memory."""
    run = all_record(out)
    lines = ["| section | images/s | GFLOP/s | of the peak | training s | peak memory |", "|---|---|---|---|---|---|"]
    for name, record in (run.get("sections") or {}).items():
        metrics = read_metrics(Path(out) / "checkpoints" / name, warn=False) or {}
        memory = f"{record['peak_memory_mb'] / 1024:.2f} GiB" if record.get("peak_memory_mb") else "—"
        if metrics.get("gflops"):
            share = f"{metrics['share_of_peak']:.0%}" if metrics.get("share_of_peak") is not None else "—"
            lines.append(f"| `{name}` | {metrics['samples_per_second']:,.0f} | {metrics['gflops']:.1f} | {share} | "
                         f"{metrics['seconds']:.0f} | {memory} |")
        elif record.get("status") == "done":
            lines.append(f"| `{name}` | trains nothing | | | | {memory} |")
    return "\n".join(lines + run_line(run))


TABLES = {"results": table, "speed": speed_table}


def write_into(path, out, which="results"):
    """Replace what lies between the markers of `which` table in the Markdown file `path` with that table of
    `out`'s runs."""
    start, end = MARKERS[which]
    text = Path(path).read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise UsageError(f"{path} has no {start} … {end} markers to write the table between")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    Path(path).write_text(f"{head}{start}\n{TABLES[which](out)}\n{end}{tail}", encoding="utf-8")
    return path
