"""The book's printed numbers beside ours, in the terminal, at the end of a run.

Per printed epoch (where the book printed a value every epoch) and for the final values the book printed,
the book's value, ours and their ratio, with the data each came from, then one line that measures the
gap against the book's own run-to-run spread: its notebook's reruns on the same data moved these
last-mini-batch values by up to 10%.
"""
import functools
import json
from pathlib import Path

from tf1_ae.runs import read_history, read_metrics
from tf1_ae.train import book_format

BOOK_SPREAD = 0.10  # the notebook's logs of different dates differ by up to 10% epoch for epoch
MAX_ROWS = 10  # a longer log shows this many epochs, evenly spaced, the first and the last included
GRAPHS = Path(__file__).resolve().parent.parent / "graphs"


@functools.lru_cache(maxsize=1)  # read once per process: the report asks for every section
def book_data():
    return [json.loads((GRAPHS / name).read_text()) for name in ("book_numbers.json", "book_logs.json")]


def shown_epochs(n):
    if n <= MAX_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_ROWS - 1)) for i in range(MAX_ROWS)})


def comparison(section, folder):
    """The lines of the table for `section`'s run in `folder`, or [] when the book printed nothing for it."""
    numbers, logs = book_data()
    book = numbers.get(section)
    metrics = read_metrics(folder) or {}
    history = read_history(folder) or []
    rows = []  # (label, book value, our value)
    for key, values in logs.items():
        if not key.startswith(section + "_"):
            continue
        metric = key[len(section) + 1:]
        ours = {e["epoch"]: e[metric] for e in history if metric in e and "epoch" in e}
        rows += [(f"{metric}, epoch {epoch}", values[epoch], ours[epoch]) for epoch in shown_epochs(len(values))
                 if epoch in ours]
    logged = {key[len(section) + 1:] for key in logs if key.startswith(section + "_")}
    if book:
        rows += [(f"{metric}, final", value, metrics[metric]) for metric, value in book["values"].items()
                 if metric not in logged and isinstance(metrics.get(metric), (int, float))]
    if not rows:
        return []
    ours_data = ", ".join([str(metrics.get("data"))] + ([f"{metrics['n_train']:,} training images"] if metrics.get(
        "n_train") else []) + ([f"{metrics['steps']:,} steps"] if metrics.get("steps") else []))
    width = max(len(label) for label, _, _ in rows)
    lines = [f"beside the book (book: {book['data'] if book else 'full MNIST'}; ours: {ours_data})",
             f"{'':<{width}}  {'book':>12}  {'ours':>12}  {'ours/book':>9}"]
    lines += [f"{label:<{width}}  {book_format(theirs):>12}  {book_format(ours):>12}  {ours / theirs:>9.2f}"
              for label, theirs, ours in rows]
    gaps = [abs(ours / theirs - 1) for _, theirs, ours in rows]
    within = sum(gap <= BOOK_SPREAD for gap in gaps)
    worst = max(range(len(rows)), key=gaps.__getitem__)
    lines.append(f"verdict: {within} of {len(rows)} values within the book's own rerun spread (±{BOOK_SPREAD:.0%}); "
                 f"largest gap {gaps[worst]:.0%} ({rows[worst][0]})")
    return lines
