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
FIGURES = None  # a section whose result is its figures


def number(value):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


# (make targets, the book's section, the headline, the metric it shows or FIGURES); the first target's run
ROWS = [
    (("pca",), "Performing PCA with an Undercomplete Linear Autoencoder", "test MSE (PCA's optimum: {pca_test_mse})",
     "test_mse"),
    (("stacked_all",), "Stacked Autoencoders", "last epoch's Train MSE", "train_mse"),
    (("stacked_tied",), "Tying Weights", "last epoch's Train MSE", "train_mse"),
    (("layerwise_multigraph",), "Training One Autoencoder at a Time (graphs)", "2nd AE, last Train MSE",
     "ae2_train_mse"),
    (("layerwise_singlegraph",), "… in a single graph (`var_list`)", "stack's test MSE", "test_mse"),
    (("layerwise_stopgrad",), "… frozen by `tf.stop_gradient`", "stack's test MSE", "test_mse"),
    (("layerwise_cached",), "… caching the frozen layer's outputs", "stack's test MSE", "test_mse"),
    (("reconstructions",), "Visualizing the Reconstructions", "figure from any checkpoint", FIGURES),
    (("features",), "Visualizing Features (four ways)", "figures", FIGURES),
    (("pretraining",), "Unsupervised Pretraining Using Stacked Autoencoders", "pretrained test accuracy",
     "pretrained_test_accuracy"),
    (("pretraining_sweep",), "beyond the book: accuracy against the number of labels", "figure", FIGURES),
    (("denoising_gaussian",), "Denoising Autoencoders (Gaussian noise)", "last epoch's Train MSE", "train_mse"),
    (("denoising_dropout",), "Denoising Autoencoders (dropout)", "last epoch's Train MSE", "train_mse"),
    (("kl_plot",), "Sparse Autoencoders: the sparsity cost", "figure", FIGURES),
    (("sparse",), "Sparse Autoencoders", "last epoch's total loss", "total_loss"),
    (("vae_sigma",), "Variational Autoencoders", "last epoch's total loss", "total_loss"),
    (("vae_logvar",), "… with γ = log σ²", "last epoch's total loss", "total_loss"),
    (("vae_generate", "vae_encode_decode", "vae_interpolate"), "Generating Digits", "figures", FIGURES),
    (("vae_compare",), "beyond the book: σ against γ", "figure", FIGURES),
    (("contractive",), "Other Autoencoders: contractive", "‖J‖²_F (without the penalty: {plain_jacobian_penalty})",
     "jacobian_penalty"),
    (("wta",), "… winner-take-all", "test MSE", "test_mse"),
    (("conv",), "… stacked convolutional (`--wta spatial`)", "test MSE", "test_mse"),
    (("adversarial",), "… adversarial", "test MSE", "test_mse"),
    (("gsn",), "… generative stochastic network", "test MSE (binarized)", "test_mse"),
]


class Shown(dict):
    """A run's metrics as the headline's words show them: numbers as in the table, a missing one as —."""

    def __missing__(self, key):
        return "—"


def row(targets, book_section, headline, metric, out):
    metrics = read_metrics(RunPaths.under(out, targets[0]).checkpoint_dir)
    if metrics:
        label = headline.format_map(Shown({k: number(v) for k, v in metrics.items() if isinstance(v, (int, float))}))
    else:  # no run: the headline without the parenthesis that would quote it
        label = re.sub(r"\s*\([^()]*\{\w+\}[^()]*\)", "", headline)
    book = book_data().numbers.get(targets[0], {}).get("values", {})
    if metric is FIGURES:
        ours, theirs = ("✓" if metrics else "not run"), ("✓" if not book_section.startswith("beyond") else "—")
    else:
        ours = number(metrics.get(metric)) if metrics else "not run"
        theirs = number(book.get(metric)) if metric in book else "—"
    make = ", ".join(f"`{target}`" for target in targets)
    return f"| {make} | {book_section} | {label} | {ours} | {theirs} |"


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
    lines += [row(*entry, out) for entry in ROWS]
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
