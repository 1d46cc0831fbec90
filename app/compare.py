"""The book's printed numbers beside ours, in the terminal at the end of a run and in the report.

Per printed epoch (where the book printed a value every epoch) and for the final values the book printed:
the book's value, ours, their ratio, and how far apart the two may be. That allowance comes from the
book's own evidence for each value: how far the notebook's own reruns of the same cells moved it
(graphs/book_reruns.json); for an accuracy, a number of points, not a percentage; and where the book has
no rerun of a value, our tolerance of ±10%, named as ours. Only like is scored with like: a run on other
data than the book's full MNIST, or shorter or other than the book's, prints its table without a verdict.
"""
from dataclasses import dataclass

from graphs.book import book_data
from tf1_ae.runs import read_history, read_metrics
from tf1_ae.train import book_format

OUR_TOLERANCE = 0.10  # relative, for values the book never reran
ACCURACY_POINTS = 0.01  # an accuracy may differ by one point: our tolerance, in points, not percent
BOOK_DATA = "mnist"  # the data set the book trained on (full MNIST, 55,000 training images)
MAX_ROWS = 10  # a longer log shows this many epochs, evenly spaced, the first and the last included


@dataclass(frozen=True)
class Row:
    label: str
    metric: str
    book: float
    ours: float
    allowed: float  # relative, or in points for an accuracy
    evidence: str  # "reruns" (the book's), "points" or "ours" (our tolerances)

    @property
    def gap(self):
        return abs(self.ours - self.book) if self.evidence == "points" else abs(self.ours / self.book - 1)

    @property
    def within(self):
        return self.gap <= self.allowed

    def allowed_text(self):
        if self.evidence == "points":
            return f"±{self.allowed * 100:g} pt"
        return f"±{self.allowed * 100:.2g}%" + (" reruns" if self.evidence == "reruns" else " ours")

    def gap_text(self):
        return f"{self.gap * 100:.1f} points" if self.evidence == "points" else f"{self.gap:.1%}"


def allowance(key, epoch, book):
    """(allowed gap, evidence) for the book's value of `key` (<section>_<metric>) at `epoch` (None: final)."""
    reruns = [run if epoch is None else run[epoch] for run in book_data().reruns.get(key, {}).values()]
    reruns = [value for value in reruns if value is not None]
    if reruns:
        return max(abs(value / book - 1) for value in reruns), "reruns"
    if key.endswith("accuracy"):
        return ACCURACY_POINTS, "points"
    return OUR_TOLERANCE, "ours"


def shown_epochs(n):
    if n <= MAX_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_ROWS - 1)) for i in range(MAX_ROWS)})


def rows_for(section, metrics, history):
    """Our values beside the book's: each printed epoch of its logs, then each final value it printed."""
    book = book_data()
    prefix = section + "_"
    logged = {key[len(prefix):]: values for key, values in book.logs.items() if key.startswith(prefix)}
    rows = []
    for metric, values in logged.items():
        ours = {e["epoch"]: e[metric] for e in history if isinstance(e.get(metric), (int, float)) and "epoch" in e}
        rows += [Row(f"{metric}, epoch {epoch}", metric, values[epoch], ours[epoch],
                     *allowance(prefix + metric, epoch, values[epoch]))
                 for epoch in shown_epochs(len(values)) if epoch in ours]
    finals = book.numbers.get(section, {}).get("values", {})
    rows += [Row(f"{metric}, final", metric, value, metrics[metric], *allowance(prefix + metric, None, value))
             for metric, value in finals.items()
             if metric not in logged and isinstance(metrics.get(metric), (int, float))]
    return rows


def not_comparable(metrics):
    """Why a run's numbers cannot be scored against the book's, or None when they can."""
    if metrics.get("data") != BOOK_DATA:
        return (f"ours ran on {metrics.get('data')}, the book's on full MNIST (`make data` fetches it, then "
                f"`--data auto` uses it)")
    if not metrics.get("complete"):
        return f"this run ({metrics.get('steps') or 0:,} steps) is shorter or other than the book's"
    return None


def verdict(rows):
    within = sum(row.within for row in rows)
    counts = {evidence: sum(row.evidence == evidence for row in rows) for evidence in ("reruns", "points", "ours")}
    judged = [text for evidence, text in (("reruns", "by the book's reruns"), ("points", "in points, as accuracies"),
                                          ("ours", f"by our ±{OUR_TOLERANCE:.0%}, where the book has no rerun"))
              if counts[evidence] for text in [f"{counts[evidence]} {text}"]]
    worst = max(rows, key=lambda row: row.gap / max(row.allowed, 1e-12))
    return (f"verdict: {within} of {len(rows)} values within the book's spread for them ({'; '.join(judged)}); "
            f"farthest: {worst.gap_text()} against {worst.allowed_text().split()[0]} ({worst.label})")


def comparison(section, folder):
    """The lines of the table for `section`'s run in `folder`, or [] when the book printed nothing for it."""
    metrics = read_metrics(folder) or {}
    rows = rows_for(section, metrics, read_history(folder) or [])
    if not rows:
        return []
    book = book_data().numbers.get(section, {})
    ours = ", ".join([str(metrics.get("data"))] + ([f"{metrics['n_train']:,} training images"] if metrics.get(
        "n_train") else []) + ([f"{metrics['steps']:,} steps"] if metrics.get("steps") else []))
    width = max(len(row.label) for row in rows)
    lines = [f"beside the book (book: {book.get('data', 'full MNIST')}; ours: {ours})",
             f"{'':<{width}}  {'book':>12}  {'ours':>12}  {'ours/book':>9}  {'allowed':>14}"]
    lines += [f"{row.label:<{width}}  {book_format(row.book):>12}  {book_format(row.ours):>12}  "
              f"{row.ours / row.book:>9.2f}  {row.allowed_text():>14}  {'within' if row.within else 'outside'}"
              for row in rows]
    reason = not_comparable(metrics)
    lines.append(f"not scored: {reason}" if reason else verdict(rows))
    return lines
