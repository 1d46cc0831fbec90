"""report/index.html: every section beside the book, one page, figures copied next to it.

Per section: its place in the book, the idea and the loss (its listing's IDEA and LOSS), the make target, the
code that builds its graph (app/graph_code.py), our final metrics with a column of the numbers the book
printed (graphs/book_numbers.json and the last value of each log in graphs/book_logs.json, with the data each
came from), the run's speed in a table of its own, and the section's figures, with its per-epoch values drawn
over the book's printed log where the book printed one; a section that has not run yet says so and shows the
book's numbers.
"""
import html
import json
import shutil
from pathlib import Path

from app.compare import comparison_parts
from app.graph_code import graph_code
from tf1_ae.pipeline import IDENTITY
from tf1_ae.runs import RunPaths, read_history, read_metrics

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
section { border-top: 1px solid #ccc; padding: 1em 0; }
h2 { margin-bottom: 0.2em; } .book { color: #666; margin-top: 0; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
.beside { background: #f6f6f6; padding: 0.1em 0.6em; font-size: 0.85em; }
.beside pre { padding: 0; margin: 0.4em 0; } .beside p { margin: 0.4em 0; font-family: monospace; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { border: 1px solid #ddd; padding: 0.2em 0.6em; }
td.num { text-align: right; font-family: monospace; } .missing { color: #a33; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 480px; max-height: 420px; border: 1px solid #eee; }
figcaption { font-size: 0.8em; color: #555; text-align: center; }
"""
SHOWN_APART = (*IDENTITY, "complete", "source", "changed", "loop", "tensorflow_settings")  # said under the table
SPEED = {  # key: (its words, its number as a reader reads it)
    "samples_per_second": ("images per second", lambda v: f"{v:,.0f}"),
    "gflops": ("GFLOP/s", lambda v: f"{v:,.1f}"),
    "share_of_peak": ("share of this machine's GEMM peak", lambda v: f"{v:.0%}"),
    "peak_gflops": ("the GEMM peak, GFLOP/s", lambda v: f"{v:,.1f}"),
    "flops": ("products and convolutions, GFLOP", lambda v: f"{v / 1e9:,.1f}"),
    "seconds": ("training, s", lambda v: f"{v:,.1f}"),
    "startup_seconds": ("start to first step, s", lambda v: f"{v:,.1f}"),
}


def is_speed(key):
    """Timing, throughput and arithmetic keys: a table of their own, apart from what the listing computes."""
    return key in SPEED or key.endswith(("_seconds", "_samples_per_second"))


def book_values(section, book_numbers, book_logs):
    """{metric: the book's printed number}: its final values, and the last epoch of each log it printed."""
    values = {key[len(section) + 1:]: log[-1] for key, log in book_logs.items()
              if key.startswith(section + "_") and log}
    values.update((book_numbers.get(section) or {}).get("values", {}))
    return values


def value_text(value):
    """As the runs print it: floats to 6 significant digits, in lists too."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return html.escape(json.dumps(value) if isinstance(value, dict) else str(value))


WORDS = {"mse": "MSE", "xent": "cross-entropy", "kl": "KL", "pca": "PCA", "ae1": "AE 1", "ae2": "AE 2"}


def label(key):
    """A metrics.json key in words: test_mse → test MSE, phase2_train_mse → phase 2 train MSE."""
    words = [WORDS.get(word, word) for word in key.replace("phase", "phase ").split("_")]
    return html.escape(" ".join(words))


def speed_row(key, value):
    words, shown = SPEED.get(key, (None, None))
    if words is None:  # a part's own time or throughput: phase1_seconds, cache_seconds…
        words = label(key).replace(" seconds", ", s").replace(" samples per second", ", images per second")
        shown = (lambda v: f"{v:,.1f}") if key.endswith("_seconds") else (lambda v: f"{v:,.0f}")
    return f"<tr><td>{words}</td><td class='num'>{shown(value) if isinstance(value, (int, float)) else value}</td></tr>"


def metrics_table(metrics, book):
    """Our final metrics beside the book's printed numbers (blank where it printed none), the speed apart, and what
    the run was: only what it recorded."""
    rows = [f"<tr><td>{label(key)}</td><td class='num'>{value_text(value)}</td>"
            f"<td class='num'>{value_text(book[key]) if key in book else ''}</td></tr>"
            for key, value in metrics.items() if key not in SHOWN_APART and not is_speed(key) and value is not None]
    speed = [speed_row(key, value) for key, value in metrics.items() if is_speed(key) and value is not None]
    loop = {"graph": "inside the graph", "feed": "the book's, a batch fed per step"}.get(metrics.get("loop"))
    run = [f"{words} {value_text(metrics[key])}" for key, words in (("data", "data"), ("n_train", "training images"),
                                                                     ("steps", "steps"), ("seed", "seed"),
                                                                     ("batches", "batches"))
           if metrics.get(key)] + ([f"loop {loop}"] if loop else [])
    table = f"<table><tr><th>metric</th><th>ours</th><th>book</th></tr>{''.join(rows)}</table>" if rows else ""
    table += f"<table><tr><th>speed</th><th>ours</th></tr>{''.join(speed)}</table>" if speed else ""
    return table + (f"<p class='book'>ours: {', '.join(run)}</p>" if run else "")


def book_table(book):
    """The book's printed numbers alone, for a section that has not run."""
    rows = [f"<tr><td>{label(key)}</td><td class='num'>{value_text(value)}</td></tr>" for key, value in book.items()]
    return f"<table><tr><th>metric</th><th>book</th></tr>{''.join(rows)}</table>" if rows else ""


def log_figures(section, out, report_dir, book_logs):
    """For each metric the book printed every epoch, our per-epoch values beside its log, as a PNG."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from tf1_ae.plots import save_fig

    history = read_history(RunPaths.under(out, section.name).checkpoint_dir)
    made = []
    for name, book in book_logs.items():
        metric = name[len(section.name) + 1:]
        ours = [(e["epoch"], e[metric]) for e in history or [] if metric in e]
        if not name.startswith(section.name + "_") or not ours:
            continue
        # where ours matches the book's, the two curves coincide: the book's drawn as open squares under our
        # dots, and the gap in a panel of its own beneath
        figure, (top, bottom) = plt.subplots(2, 1, figsize=(6, 4.2), sharex=True,
                                             gridspec_kw={"height_ratios": [3, 1.3]})
        top.plot(range(len(book)), book, "s--", markersize=7, markerfacecolor="none", color="tab:orange",
                 label="the book's log")
        top.plot(*zip(*ours), "o-", markersize=3, color="tab:blue", label="ours")
        top.set_ylabel(label(metric))
        top.legend()
        top.grid(True, alpha=0.3)
        gaps = [(epoch, 100 * (value / book[epoch] - 1)) for epoch, value in ours if epoch < len(book) and book[epoch]]
        if gaps:
            bottom.bar(*zip(*gaps), color="tab:blue", width=0.6)
        bottom.axhline(0, color="black", linewidth=0.6)
        bottom.set_ylabel("ours − book, %")
        bottom.set_xlabel("epoch")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.grid(True, alpha=0.3)
        made.append(save_fig(report_dir / "figures" / section.name, f"ours_vs_book_{metric}"))
    return made


def image_link(src, alt):
    """A figure shown scaled down, opening at full size on click."""
    src = html.escape(src)
    return f"<a href='{src}'><img src='{src}' alt='{html.escape(alt)}'></a>"


def section_html(section, out, report_dir, book_numbers, book_logs):
    module = section.module
    paths = RunPaths.under(out, section.name)
    metrics = read_metrics(paths.checkpoint_dir)
    parts = [f"<section id='{section.name}'><h2>{html.escape(section.name)}</h2>",
             f"<p class='book'>{html.escape(section.book)}</p>",
             f"<p>{html.escape(module.IDEA)}</p>",
             f"<pre>{html.escape(module.LOSS)}</pre>"]
    parts.append(f"<p>Run it: <code>make {section.name}</code></p>")
    source = graph_code(module)
    if source:
        parts.append(f"<details><summary>the code that builds its graph (<code>graphs/{section.name}.py</code> "
                     "and the listing functions it calls)</summary>"
                     f"<pre>{html.escape(source)}</pre></details>")
    printed = book_values(section.name, book_numbers, book_logs)
    if metrics is None:
        parts.append(f"<p class='missing'>Not run yet: <code>make {section.name}</code> writes "
                     f"checkpoints/{section.name}/metrics.json.</p>")
        parts.append(book_table(printed))
    if metrics is not None:
        parts.append(metrics_table(metrics, printed))
    book = book_numbers.get(section.name)
    if book:
        parts.append(f"<p class='book'>book: {html.escape(book['data'])} ({html.escape(book['when'])})</p>")
    title, table, notes = comparison_parts(section.name, paths.checkpoint_dir)  # what the run printed last
    if table:  # the table as printed; the lines under it wrap
        parts.append(f"<div class='beside'><p>{html.escape(title)}</p><pre>{html.escape(chr(10).join(table))}</pre>"
                     + "".join(f"<p>{html.escape(note)}</p>" for note in notes) + "</div>")
    for figure in log_figures(section, out, report_dir, book_logs):
        relative = figure.relative_to(report_dir)
        parts.append(f"<figure>{image_link(relative.as_posix(), figure.stem)}"
                     f"<figcaption>ours, epoch by epoch, beside the book's printed log</figcaption></figure>")
    figures = sorted(paths.figure_dir.rglob("*.png")) if paths.figure_dir.is_dir() else []
    for figure in figures:
        relative = figure.relative_to(Path(out) / "figures")
        target = report_dir / "figures" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(figure, target)
        parts.append(f"<figure>{image_link('figures/' + relative.as_posix(), figure.stem)}"
                     f"<figcaption>{html.escape(relative.as_posix())}</figcaption></figure>")
    parts.append("</section>")
    return "\n".join(parts), metrics is not None


def write_report(sections, out, book_numbers, book_logs):
    """Write <out>/report/index.html (and copies of the figures beside it); returns (path, n_run)."""
    report_dir = Path(out) / "report"
    if (report_dir / "figures").is_dir():
        shutil.rmtree(report_dir / "figures")
    report_dir.mkdir(parents=True, exist_ok=True)
    bodies, n_run = [], 0
    for section in sections:
        body, ran = section_html(section, out, report_dir, book_numbers, book_logs)
        bodies.append(body)
        n_run += ran
    index = "".join(f"<li><a href='#{s.name}'>{html.escape(s.name)}</a>: {html.escape(s.summary)}</li>"
                    for s in sections)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tf1_ae: the Autoencoders chapter, side by side</title>
<link rel="icon" href="data:,"><style>{STYLE}</style></head>
<body><h1>tf1_ae: Géron, <i>Hands-On ML</i> (1st ed.), chapter 15 "Autoencoders", side by side</h1>
<p>{n_run} of {len(sections)} sections have run. Each part: the idea, the make target, the code that builds its graph,
our final metrics beside the book's printed numbers, and the figures.</p>
<ol>{index}</ol>
{chr(10).join(bodies)}
</body></html>
"""
    path = report_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path, n_run
