"""This machine's limit for the chapter's training steps: its float32 GEMM peak, measured once and kept.

The peak is the best of large (2048×2048) float32 products by NumPy's BLAS and by TensorFlow's own matmul
(oneDNN off and on), each in a process of its own and at its fastest of several tries. A machine may set
OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) to pin older OpenBLAS builds to a safe kernel, which on a CPU with
AVX-512 halves NumPy's speed: the measuring process alone runs without them, and says which kernel NumPy
used (threadpoolctl). The result is kept with its date beside the data cache (peak.json), for this machine
(its CPU and core count); `python -m tf1_ae peak --again` measures it anew.
"""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tf1_ae.data import cache_dir
from tf1_ae.runs import write_json

SIZE = 2048
TRIES = 12
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def machine():
    """`2 cores of an AMD EPYC`: this machine's core count and CPU, as /proc/cpuinfo names it."""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "CPU"
    article = "an" if model[:1].upper() in "AEIOU" else "a"
    return f"{os.cpu_count()} cores of {article} {model}"


def peak_file():
    return cache_dir() / "peak.json"


def kept():
    """The peak kept for this machine ({"gflops", "date", …}), or None when it has not been measured here."""
    try:
        record = json.loads(peak_file().read_text())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or record.get("machine") != machine() or not record.get("gflops"):
        return None
    return record


def arithmetic(flops, seconds):
    """{flops, gflops: per second, share_of_peak: of this machine's peak where it has been measured}."""
    if not flops or not seconds:
        return {"flops": flops or 0, "gflops": None, "share_of_peak": None}
    gflops = flops / seconds / 1e9
    limit = kept()
    return {"flops": flops, "gflops": round(gflops, 2),
            "share_of_peak": round(gflops / limit["gflops"], 4) if limit else None}


def share_text(figures):
    """`64.2 GFLOP/s, 30% of this machine's 211 GFLOP/s peak`, as far as it is known."""
    if figures.get("gflops") is None:
        return "arithmetic not counted"
    limit = kept()
    if figures.get("share_of_peak") is None or limit is None:
        return f"{figures['gflops']:.1f} GFLOP/s (this machine's peak not measured yet: `make peak`)"
    return (f"{figures['gflops']:.1f} GFLOP/s, {figures['share_of_peak']:.0%} of this machine's "
            f"{limit['gflops']:.0f} GFLOP/s peak")


def _fastest(product):
    for _ in range(3):
        product()
    best = 0.0
    for _ in range(TRIES):
        start = time.perf_counter()
        product()
        best = max(best, 2 * SIZE ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def _numpy():
    import numpy as np
    from threadpoolctl import threadpool_info

    rng = np.random.RandomState(0)
    a, b = rng.rand(SIZE, SIZE).astype(np.float32), rng.rand(SIZE, SIZE).astype(np.float32)
    gflops = _fastest(lambda: a @ b)
    kernels = sorted({f"{pool.get('internal_api')} {pool.get('architecture')}" for pool in threadpool_info()
                      if pool.get("user_api") == "blas"})
    return {"gflops": gflops, "kernel": ", ".join(kernels)}


def _tensorflow():
    from tf1_ae.compat import tf

    with tf.Graph().as_default():
        a = tf.Variable(tf.random_uniform([SIZE, SIZE]))
        b = tf.Variable(tf.random_uniform([SIZE, SIZE]))
        product = tf.matmul(a, b).op  # run, not fetched: no copy of the result
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return {"gflops": _fastest(lambda: sess.run(product))}


def _measure_in_child(what, environment):
    try:
        done = subprocess.run([sys.executable, "-m", "tf1_ae.peak", what], env=environment, capture_output=True,
                              text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"gflops": None, "error": "took more than 10 minutes"}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"gflops": None, "error": (done.stderr or done.stdout).strip()[-200:]}


def measure(log=print):
    """Measure the peak, each way in a process of its own; keep and return the record."""
    log(f"measuring this machine's float32 GEMM peak ({SIZE}×{SIZE} products by NumPy and TensorFlow, about 15 s, "
        f"once)")
    plain = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    ways = {"numpy": _measure_in_child("numpy", plain),
            "tensorflow_onednn_off": _measure_in_child("tensorflow", {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}),
            "tensorflow_onednn_on": _measure_in_child("tensorflow", {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"})}
    best = max((way for way in ways.values() if way.get("gflops")), key=lambda way: way["gflops"], default=None)
    record = {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
              "gflops": round(best["gflops"], 1) if best else None,
              "ways": {name: {k: (round(v, 1) if isinstance(v, float) else v) for k, v in way.items()}
                       for name, way in ways.items()},
              "openblas_overrides_in_environment": {k: os.environ[k] for k in OPENBLAS_OVERRIDES if k in os.environ}}
    if record["gflops"]:
        write_json(peak_file(), record, indent=1)
    return record


if __name__ == "__main__":  # one way of measuring, in the process measure() started for it
    print(json.dumps(_numpy() if sys.argv[1] == "numpy" else _tensorflow()))
