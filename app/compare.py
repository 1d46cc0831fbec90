"""The book's printed numbers beside ours, in the terminal at the end of a run and in the report.

Per printed epoch (where the book printed a value every epoch) and for the final values the book printed:
the book's value, ours, how far ours is from it, how far it may be, and the gap as a share of that
allowance. The allowance is measured: how far another faithful run of ours lands (the largest gap between
our default run and one with another TensorFlow graph seed, graphs/our_spread.json, written by `make
spread`), widened by how far the notebook's own reruns of the same cells moved the book's value
(graphs/book_reruns.json). An accuracy is judged in points. Where nothing was measured for a value, the
book's reruns alone judge it, or else our tolerance of ±10%, named as ours. A line per kind of allowance
says what it is; under the table, how close each whole log is (the largest and the median gap over its
epochs); the verdict names the value nearest its allowance. Only like is scored with like: a run on other
data than the book's full MNIST, with a changed setting or budget, or other batches prints its values
beside the book's, no allowance, and what makes it other.
"""
import statistics
from dataclasses import dataclass

from graphs.book import book_data, our_spread
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
    evidence: str  # "seeds" (ours measured, the book's reruns added), "reruns" (the book's), "points" or "ours"

    @property
    def signed_gap(self):
        return self.ours - self.book if self.evidence == "points" else self.ours / self.book - 1

    @property
    def gap(self):
        return abs(self.signed_gap)

    @property
    def used(self):
        """The gap as a share of the allowance: within at 1 and below."""
        return self.gap / max(self.allowed, 1e-12)

    @property
    def within(self):
        return self.gap <= self.allowed

    def allowed_text(self):
        if self.evidence == "points":
            return f"±{self.allowed * 100:g} pt"
        return f"±{percent(self.allowed)} {self.evidence}"

    def gap_text(self, signed=False):
        if self.evidence == "points":
            return f"{self.signed_gap * 100:+.2f} pt" if signed else f"{self.gap * 100:.2f} points"
        return ("+" if signed and self.signed_gap >= 0 else "-" if signed else "") + percent(self.gap)



def percent(fraction):
    """A relative gap as a percentage with two significant digits (0.0013%, 0.4%, 12%, 116%)."""
    value = fraction * 100
    return f"{value:.0f}%" if value >= 10 else f"{value:.2g}%"


def seeds_gap(key, epoch):
    """The largest relative gap between our default run's value and another graph seed's, or None where
    `make spread` measured nothing for it; and the number of seeds it came from."""
    entry = our_spread().get("values", {}).get(key, {})
    try:
        values = entry["final"] if epoch is None else entry["epochs"][epoch]
        ours = values["42"]
        others = [v for seed, v in values.items() if seed != "42" and isinstance(v, (int, float))]
    except (KeyError, IndexError, TypeError):
        return None, 0
    if not others or not isinstance(ours, (int, float)) or ours == 0:
        return None, 0
    return max(abs(v / ours - 1) for v in others), len(others) + 1


def allowance(key, epoch, book):
    """(allowed gap, evidence) for the book's value of `key` (<section>_<metric>) at `epoch` (None: final)."""
    reruns = [run if epoch is None else run[epoch] for run in book_data().reruns.get(key, {}).values()]
    reruns = [value for value in reruns if value is not None]
    book_spread = max((abs(value / book - 1) for value in reruns), default=0.0)
    if key.endswith("accuracy"):
        return ACCURACY_POINTS, "points"
    measured, _ = seeds_gap(key, epoch)
    if measured is not None:
        return measured + book_spread, "seeds"
    if reruns:
        return book_spread, "reruns"
    return OUR_TOLERANCE, "ours"


def shown_epochs(n):
    if n <= MAX_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_ROWS - 1)) for i in range(MAX_ROWS)})


def capped(metrics):
    """Whether --steps or --epochs set the run's budget: its printed lines are then no epochs of the book's."""
    return any(name in (metrics.get("changed") or {}) for name in ("--steps", "--epochs"))


def rows_for(section, metrics, history):
    """Our values beside the book's: each printed epoch of its logs (under --steps, each line named by its
    step), then each final value it printed."""
    book = book_data()
    prefix = section + "_"
    logged = {key[len(prefix):]: values for key, values in book.logs.items() if key.startswith(prefix)}
    rows = []
    for metric, values in logged.items():
        ours = {e["epoch"]: e for e in history if isinstance(e.get(metric), (int, float)) and "epoch" in e}
        rows += [Row(f"{metric}, line {epoch} (step {ours[epoch].get('step', 0):,})" if capped(metrics)
                     else f"{metric}, epoch {epoch}", metric, values[epoch], ours[epoch][metric],
                     *allowance(prefix + metric, epoch, values[epoch]))
                 for epoch in shown_epochs(len(values)) if epoch in ours]
    finals = book.numbers.get(section, {}).get("values", {})
    rows += [Row(f"{metric}, final", metric, value, metrics[metric], *allowance(prefix + metric, None, value))
             for metric, value in finals.items()
             if metric not in logged and isinstance(metrics.get(metric), (int, float))]
    return rows


def not_comparable(metrics):
    """What makes a run other than the book's, in words (its data, each changed setting with the book's value,
    its budget, its batches), or None when it can be scored."""
    reasons = []
    if metrics.get("data") != BOOK_DATA:
        size = f", {metrics['n_train']:,} training images" if metrics.get("n_train") else ""
        reasons.append(f"data {metrics.get('data')}{size} (the book's: full MNIST, 55,000; `make data` fetches it, "
                       f"then `--data auto` uses it)")
    changed = metrics.get("changed") or {}
    for name, (ours, default) in sorted(changed.items(), key=lambda item: item[0].startswith("--")):
        if name.startswith("--"):  # --steps, --epochs: the budget
            reasons.append(f"{name} {ours}" + (f" (the book's budget: {default:,} steps)" if default else ""))
        else:
            reasons.append(f"{name} {shown(ours)} (the book's {shown(default)})")
    if metrics.get("batches") == "alone":
        reasons.append("--batches alone (our allowances were measured on the notebook's batches)")
    if not reasons and not metrics.get("complete"):
        reasons.append(f"a budget other than the book's ({metrics.get('steps') or 0:,} steps)")
    return "; ".join(reasons) or None


def shown(value):
    """A setting's value as the command line takes it: 0.001, 300, kl, (4, 20)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def verdict(rows):
    within = sum(row.within for row in rows)
    nearest = max(rows, key=lambda row: row.used)
    return (f"verdict: {within} of {len(rows)} values within their allowance; nearest its allowance (the largest "
            f"gap/allowed): {nearest.label}, {nearest.gap_text()} against {nearest.allowed_text().split()[0]}, "
            f"{percent(nearest.used)} of it")


def allowances_explained(rows):
    """One line per kind of allowance in the table: what it is, and why it is wide where it is."""
    lines = []
    seeds = [row for row in rows if row.evidence == "seeds"]
    if seeds:
        others = [str(seed) for seed in our_spread().get("seeds", []) if seed != 42]
        widest = max(seeds, key=lambda row: row.allowed)
        lines.append(f"seeds: as far as our runs with TensorFlow seeds {' and '.join(others) or 'other than 42'} "
                     f"landed from seed 42's (`make spread`), plus as far as the notebook's own reruns moved the "
                     f"book's value; widest at {widest.label} (±{percent(widest.allowed)}), where runs from "
                     f"other initial weights were farthest apart")
    if any(row.evidence == "reruns" for row in rows):
        lines.append("reruns: as far as the notebook's own reruns moved the book's value (ours not measured by "
                     "`make spread`)")
    if any(row.evidence == "ours" for row in rows):
        lines.append(f"ours: our unmeasured ±{OUR_TOLERANCE:.0%}, the book having printed the value once")
    if any(row.evidence == "points" for row in rows):
        lines.append(f"pt: an accuracy, allowed {ACCURACY_POINTS * 100:g} point either way")
    return lines


def whole_logs(section, history, unit="epoch"):
    """For each log the book printed: the largest and the median gap between ours and the book's over every
    epoch both printed (the table shows at most MAX_ROWS of them)."""
    lines = []
    for key, book_values in book_data().logs.items():
        if not key.startswith(section + "_"):
            continue
        metric = key[len(section) + 1:]
        ours = {e["epoch"]: e[metric] for e in history if isinstance(e.get(metric), (int, float)) and "epoch" in e}
        gaps = {epoch: abs(ours[epoch] / value - 1) for epoch, value in enumerate(book_values)
                if epoch in ours and value}
        if len(gaps) > 1:
            largest = max(gaps, key=gaps.get)
            lines.append(f"{metric}, all {len(gaps)} {unit}s: largest gap {percent(gaps[largest])} ({unit} {largest}), "
                         f"median {percent(statistics.median(gaps.values()))}")
    return lines


def comparison(section, folder):
    """The lines of the table for `section`'s run in `folder`, or [] when the book printed nothing for it."""
    title, table, notes = comparison_parts(section, folder)
    return [title, *table, *notes] if table else []


def comparison_parts(section, folder):
    """(its title line, the table's lines, the lines under it) of `comparison`; ("", [], []) when the book
    printed nothing for it. The report shows the table as it is and lets the lines under it wrap."""
    metrics, history = read_metrics(folder) or {}, read_history(folder) or []
    rows = rows_for(section, metrics, history)
    if not rows:
        return "", [], []
    book = book_data().numbers.get(section, {})
    ours = ", ".join([str(metrics.get("data"))] + ([f"{metrics['n_train']:,} training images"] if metrics.get(
        "n_train") else []) + ([f"{metrics['steps']:,} steps"] if metrics.get("steps") else []))
    width = max(len(row.label) for row in rows)
    reason = not_comparable(metrics)
    header = f"{'':<{width}}  {'book':>12}  {'ours':>12}  {'gap':>9}"
    table = [header + ("" if reason else f"  {'allowed':>14}  {'gap/allowed':>11}")]
    for row in rows:
        line = (f"{row.label:<{width}}  {book_format(row.book):>12}  {book_format(row.ours):>12}  "
                f"{row.gap_text(signed=True):>9}")
        if not reason:
            line += f"  {row.allowed_text():>14}  {percent(row.used):>11}  {'within' if row.within else 'outside'}"
        table.append(line)
    notes = [] if reason else allowances_explained(rows)
    lines_not_epochs = capped(metrics)
    if lines_not_epochs:
        notes.append("a line of ours is at the step it names, the book's epoch k at the end of its epoch k: the two "
                     "columns are not at the same step")
    notes += whole_logs(section, history, "line" if lines_not_epochs else "epoch")
    notes.append(f"not scored, as ours is other than the book's run: {reason}" if reason else verdict(rows))
    return f"beside the book (book: {book.get('data', 'full MNIST')}; ours: {ours})", table, notes
