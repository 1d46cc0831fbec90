"""`make bench`: how fast the chapter's graphs train, measured side by side in one run.

Table 1, the layer-wise listing's claims:
- phase 2 fed images (hidden1 recomputed every step) vs fed the cache of hidden1: the same graph, session
  and training op, only the feed differs. The arithmetic promises about 2× (half the multiply-adds).
- the stacked autoencoder with four weight matrices vs the tied one (two, transposed).
Beside each bare step, the same graph in the loop a section runs (the Trainer, one book epoch and its
checkpoint save per call: `<name>_run`, the loop inside the graph; `<name>_feed_run`, the book's feed loop
that `--loop feed` keeps), so each loop's cost shows.
Table 2, the stacked autoencoder's training step (784-300-150-300-784, batch 150, Adam) against the
machine's limit, its float32 GEMM peak (tf1_ae.peak, measured in the same run) divided by the step's FLOPs
per image (tf1_ae.flops): the book's feed_dict loop; the data held in the graph (batches gathered in-graph,
no feed), one step or 37 steps (a tf.while_loop) per Session.run; each with two towers (`--towers 2`:
half-batches on the two cores); Keras 3 `fit` on the same TensorFlow (its own process); PyTorch eager on the
CPU where the optional `bench` extra is installed (its own process; the row says "not installed" otherwise);
and, as a reference, NumPy's BLAS doing just the step's products at their own small shapes.
Table 3, every trained section's bare step (app/bench_settings.py): its share of the peak with the
project's settings, and how oneDNN the other way and XLA's auto-clustering change its speed.
"""
import json
import subprocess
import sys

from app.bench_graphs import BATCH_SIZE, POOLS, STACK
from app.measure import Variant, Worker, in_process, measure, table
from app.roofline import GemmStep
from app.sections import SECTIONS
from tf1_ae import data as datasets
from tf1_ae import peak
from tf1_ae.compat import tf
from tf1_ae.runs import RunPaths, write_metrics
from tf1_ae.train import plan_flops

LAYERWISE_RATIOS = [("phase2_cached", "phase2_uncached", "phase 2, cached hidden1 vs recomputed"),
                    ("stacked_tied", "stacked_all", "tied weights vs all four weight matrices")]
LOOP_RATIOS = [("phase2_cached_run", "phase2_uncached_run", "phase 2 as a section runs it, cached vs recomputed"),
               ("phase2_cached_towers_run", "phase2_uncached_towers_run", "the same, both with 2 towers"),
               ("phase2_cached_towers_run", "phase2_uncached_run", "phase 2: cached with 2 towers vs the book's"),
               ("stacked_all_run", "stacked_all", "stacked: the section's loop vs the bare step"),
               ("stacked_towers_run", "stacked_towers", "2 towers: the section's loop vs the bare step"),
               ("stacked_towers_run", "stacked_all_run", "stacked as a section runs it: 2 towers vs the book's graph"),
               ("stacked_all_run", "stacked_all_feed_run", "stacked as a section runs it: in the graph vs fed"),
               ("stacked_towers_run", "stacked_towers_feed_run", "the same, both with 2 towers"),
               ("stacked_towers_run", "stacked_ingraph_loop_towers",
                "2 towers as a section runs it vs the bare in-graph towers loop")]
STACKED = ["stacked_all", "stacked_all_feed_run", "stacked_all_run", "stacked_ingraph", "stacked_ingraph_loop", "stacked_towers",
           "stacked_towers_feed_run", "stacked_towers_run", "stacked_ingraph_towers", "stacked_ingraph_loop_towers", "keras_fit", "pytorch_eager"]


def keras_fit(data, log):
    """Samples/second of Keras 3 fit, from a process of its own (None if it cannot run)."""
    done = subprocess.run([sys.executable, "-m", "app.bench_keras", data], capture_output=True, text=True)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])["samples_per_second"]
    except (IndexError, ValueError, KeyError):
        log(f"Keras fit could not be measured: {(done.stderr or done.stdout).strip()[-300:]}")
        return None


def torch_eager(data, log):
    """(samples/second of PyTorch eager on the CPU, from a process of its own, or None; why there is none)."""
    done = subprocess.run([sys.executable, "-m", "app.bench_torch", data], capture_output=True, text=True)
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        log(f"PyTorch could not be measured: {(done.stderr or done.stdout).strip()[-300:]}")
        return None, "failed"
    return result.get("samples_per_second"), "not installed" if result.get("not_installed") else None


def settings_workers(data, seed):
    """One worker per TensorFlow setting and per oneDNN default (convolutions have theirs on)."""
    from app import bench_settings

    workers = []
    for setting in bench_settings.SETTINGS:
        for onednn in (False, True):
            names = [n for n in bench_settings.measured() if SECTIONS[n].onednn == onednn]
            command = [sys.executable, "-m", "app.bench_settings", setting, ",".join(names), data, str(seed)]
            workers.append(Worker(command, env=bench_settings.environment(setting, SECTIONS[names[0]])))
    return workers


def flops_per_sample(name):
    """The FLOPs per image of a section's training step (its first phase where it has several)."""
    config = SECTIONS[name].module.Config()
    with tf.Graph().as_default():
        return plan_flops(SECTIONS[name].module.build(config).first_plan, config.batch_size) / config.batch_size


def measure_everything(options, log):
    references = [Variant("blas_step", "reference: NumPy's BLAS at the step's own shapes",
                          GemmStep(STACK, BATCH_SIZE, options.seed), BATCH_SIZE)]
    workers = []
    try:
        for pools in POOLS:
            workers.append(Worker([sys.executable, "-m", "app.bench_graphs", pools, options.data, str(options.seed)]))
        workers += settings_workers(options.data, options.seed)
        descriptions = {k: v for w in workers for k, v in w.descriptions.items()}
        descriptions.update({v.key: v.description for v in references})
        log(f"measuring {len(descriptions)} variants in interleaved rounds, then Keras fit and PyTorch...")
        speeds = measure(workers + [in_process(references)], rounds=5, progress=options.progress)
    finally:
        for w in workers:
            w.close()
    speeds["keras_fit"] = keras_fit(options.data, log)
    descriptions["keras_fit"] = "Keras 3 fit, same model, same TensorFlow"
    speeds["pytorch_eager"], why_not = torch_eager(options.data, log)
    descriptions["pytorch_eager"] = "PyTorch eager, CPU, 2 threads (optional)"
    return speeds, descriptions, why_not


def stacked_table(speeds, descriptions, why_not, limit, per_sample, log):
    log(f"\nthe stacked autoencoder's training step ({per_sample / 1e6:.2f} MFLOP per image) against this machine's "
        f"limit ({limit * per_sample / 1e9:.0f} GFLOP/s float32 GEMM peak = {limit:,.0f} images/s):")
    log(f"{'variant':<58}{'images/s':>10}{'of the limit':>14}")
    for key in STACKED + ["tf_products", "blas_step"]:
        value = speeds.get(key)
        missing = (why_not if key == "pytorch_eager" else None) or "n/a"
        shown = f"{value:>10,.0f}{value / limit:>13.0%}" if value else f"{missing:>14}"
        log(f"{descriptions[key]:<58}{shown}")
    above = [key for key in STACKED + ["tf_products", "blas_step"] if speeds.get(key) and speeds[key] > limit]
    if above:
        log(f"above the limit: {', '.join(above)}: the peak measured low this time (`make peak` measures it again)")


def settings_table(speeds, peak_gflops, log):
    from app import bench_settings

    log(f"\neach section's bare training step: default settings as a share of the {peak_gflops:.0f} GFLOP/s peak, and "
        f"the speed of oneDNN the other way and of XLA relative to it:")
    log(f"{'section':<24}{'images/s':>10}{'of peak':>9}{'oneDNN flipped':>16}{'XLA':>7}")
    shares = {}
    for name in bench_settings.measured():
        default = speeds.get(f"{name}_default")
        if not default:
            continue
        share = default * flops_per_sample(name) / 1e9 / peak_gflops
        shares[name] = {"default_samples_per_second": round(default, 1), "default_share_of_peak": round(share, 4),
                        **{f"{s}_vs_default": round(speeds[f"{name}_{s}"] / default, 3)
                           for s in ("onednn_flipped", "xla") if speeds.get(f"{name}_{s}")}}
        flipped, xla = (shares[name].get(f"{s}_vs_default") for s in ("onednn_flipped", "xla"))
        log(f"{name:<24}{default:>10,.0f}{share:>9.0%}{flipped or 0:>15.2f}×{xla or 0:>6.2f}×")
    return shares


def run(options, log=print, section="bench"):
    mnist = datasets.load(options.data)
    log(mnist.summary())
    record = peak.measure(log)  # the limit, measured in this run beside the loops compared with it
    if not record["gflops"]:
        raise RuntimeError(f"this machine's peak could not be measured: {record['ways']}")
    per_sample = flops_per_sample("stacked_all")
    limit = record["gflops"] * 1e9 / per_sample  # images/s
    speeds, descriptions, why_not = measure_everything(options, log)
    log(table([(k, descriptions[k]) for k in ("phase2_uncached", "phase2_uncached_run", "phase2_uncached_towers_run",
                                               "phase2_cached", "phase2_cached_run", "phase2_cached_towers_run",
                                               "stacked_all", "stacked_tied")],
              speeds, LAYERWISE_RATIOS + LOOP_RATIOS))
    stacked_table(speeds, descriptions, why_not, limit, per_sample, log)
    shares = settings_table(speeds, record["gflops"], log)
    metrics = {f"{key}_samples_per_second": round(value, 1) for key, value in speeds.items() if value}
    metrics.update({f"{a}_vs_{b}": round(speeds[a] / speeds[b], 3) for a, b, _ in LAYERWISE_RATIOS + LOOP_RATIOS})
    metrics.update({f"{k}_share_of_peak": round(speeds[k] / limit, 3) for k in STACKED + ["tf_products", "blas_step"]
                    if speeds.get(k)})
    metrics.update({"section": section, "data": mnist.name, "batch_size": BATCH_SIZE, "seed": options.seed,
                    "peak_gflops": record["gflops"], "peak": record["ways"], "sections": shares})
    log(f"wrote {write_metrics(RunPaths.under(options.out, section).checkpoint_dir, metrics)}")
    return metrics

