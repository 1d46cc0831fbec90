"""This machine's limit for the chapter's training steps: its float32 GEMM peak, measured once and kept.

The peak is the best of large (2048×2048) float32 products by NumPy's BLAS and by TensorFlow's own matmul
(oneDNN off and on), each in a process of its own and at its fastest of several tries. A machine may set
OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) to pin older OpenBLAS builds to a safe kernel, which on a CPU with
AVX-512 halves NumPy's speed: the measuring process alone runs without them, and says which kernel NumPy
used (threadpoolctl). A busy machine measures low, never high: what is kept beside the data cache (peak.json),
for this machine (its CPU and core count), is the best ever measured here, with its date. Set-up measures until
two measurements agree; `python -m tf1_ae peak --again` and `make bench` measure again, and raise it only.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tf1_ae.data import cache_dir
from tf1_ae.runs import UsageError, write_json

SIZE = 2048
TRIES = 12
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# GFLOP/s a float32 GEMM peak of any CPU lies within: a peak.json beyond them is damaged, not a machine
PLAUSIBLE = (0.1, 1e6)
AGREEING = 0.10  # set-up's measurements agree when within 10% of each other
SETUP_TRIES = 4


def cpuinfo(field):
    """The first value of `field` in /proc/cpuinfo ("model name", "flags"), or "" where there is none."""
    try:
        return next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith(field)), "")
    except OSError:
        return ""


def machine():
    """`2 cores of an AMD EPYC`: this machine's core count and CPU, as /proc/cpuinfo names it."""
    model = cpuinfo("model name") or "CPU"
    article = "an" if model[:1].upper() in "AEIOU" else "a"
    return f"{os.cpu_count()} cores of {article} {model}"


def kernels():
    """The widest vector instructions oneDNN's GEMM takes here (`AVX-512`, `AVX2`…), which decide how its sums
    round: the same run prints other last digits with AVX2's kernels than with AVX-512's. ONEDNN_MAX_CPU_ISA,
    where set, holds it lower, and is named."""
    flags = cpuinfo("flags").split()
    widest = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"))
                   if flag in flags), "SSE")
    held = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return f"{widest}, oneDNN held to {held}" if held else widest


def described_machine():
    """`2 cores of an AMD EPYC with AVX-512`: where a record's numbers were made, the kernels included."""
    return f"{machine()} with {kernels()}"


def peak_file():
    return cache_dir() / "peak.json"


def plausible(gflops):
    """A number of GFLOP/s a peak may be (not a string, a bool, NaN, negative or astronomical)."""
    return isinstance(gflops, (int, float)) and not isinstance(gflops, bool) and PLAUSIBLE[0] <= gflops <= PLAUSIBLE[1]


def kept():
    """The peak kept for this machine ({"gflops", "date", "ways", …}, its ways those that measured a plausible
    speed), or None when it has not been measured here or its record is damaged: a run then goes on without a
    share of the peak, never dies on it."""
    try:
        record = json.loads(peak_file().read_text())
    except (OSError, ValueError, RecursionError):
        return None
    if (not isinstance(record, dict) or record.get("machine") != machine() or not plausible(record.get("gflops"))
            or not re.fullmatch(r"\d{4}-\d\d-\d\d", str(record.get("date")))):
        return None
    ways = record.get("ways") if isinstance(record.get("ways"), dict) else {}
    return {**record, "ways": {name: way for name, way in ways.items()
                               if isinstance(way, dict) and plausible(way.get("gflops"))}}


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


def measure_once(log=print):
    """Measure the peak, each way in a process of its own: this measurement's record, not kept."""
    log(f"measuring this machine's float32 GEMM peak ({SIZE}×{SIZE} products by NumPy and TensorFlow, about 15 s)")
    plain = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    ways = {}
    for name, what, environment in (
            ("numpy", "numpy", plain),
            ("tensorflow_onednn_off", "tensorflow", {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}),
            ("tensorflow_onednn_on", "tensorflow", {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"})):
        ways[name] = _measure_in_child(what, environment)
        if plausible(ways[name].get("gflops")):  # a line per way: set-up is never silent for long
            log(f"  {name.replace('_', ' ')}: {ways[name]['gflops']:.1f} GFLOP/s")
    best = max((way for way in ways.values() if plausible(way.get("gflops"))), key=lambda way: way["gflops"],
               default=None)
    return {"machine": machine(), "date": time.strftime("%Y-%m-%d"),
            "gflops": round(best["gflops"], 1) if best else None,
            "ways": {name: {k: (round(v, 1) if isinstance(v, float) else v) for k, v in way.items()}
                     for name, way in ways.items()},
            "openblas_overrides_in_environment": {k: os.environ[k] for k in OPENBLAS_OVERRIDES if k in os.environ}}


def keep_best(record):
    """Keep `record` where it beats the peak kept here (a busy minute must not lower it); return the best."""
    best = kept()
    if record["gflops"] and (best is None or record["gflops"] > best["gflops"]):
        write_json(peak_file(), record, indent=1)
        return kept()
    return best


def measure(log=print):
    """Measure the peak once and keep it where it is the best yet; return this measurement's record (`make
    bench` compares its loops with the peak measured beside them)."""
    record = measure_once(log)
    keep_best(record)
    return record


def measure_until_agreed(log=print):
    """Set-up's measurement: repeated until two agree within 10% (at most SETUP_TRIES), the best kept; a busy
    machine measures low and unevenly, so where no two agree one line says the peak may be low. Returns the
    best of the measurements."""
    records = []
    while len(records) < SETUP_TRIES:
        speeds = [r["gflops"] for r in records if r["gflops"]]
        if records:
            log(f"measuring again, until two measurements agree within 10% (so far: "
                f"{', '.join(f'{g:.0f}' for g in speeds) or 'none'} GFLOP/s)")
        records.append(measure(log))
        latest = records[-1]["gflops"]
        if latest and any(abs(latest - g) <= AGREEING * max(latest, g) for g in speeds):
            break
    else:
        speeds = [r["gflops"] for r in records if r["gflops"]]
        if speeds:
            log(f"this machine looks busy: no two of {len(records)} measurements of its peak agree within 10% "
                f"({', '.join(f'{g:.0f}' for g in speeds)} GFLOP/s), so the {max(speeds):.0f} kept may be low; "
                f"`make peak` raises it on a quiet machine")
    return max(records, key=lambda r: r["gflops"] or 0)


def ways_text(ways):
    """`numpy 392.0 (openblas Haswell), tensorflow onednn on 300.0`: each way that measured a speed."""
    return ", ".join(f"{name.replace('_', ' ')} {way['gflops']:.1f}"
                     + (f" ({way['kernel']})" if isinstance(way.get("kernel"), str) and way["kernel"] else "")
                     for name, way in ways.items() if isinstance(way, dict) and plausible(way.get("gflops")))


def command(again=False, if_missing=False, log=print):
    """`python -m tf1_ae peak`: show the peak kept here, measuring it where there is none (until two
    measurements agree) or `again` (once, raising it only); `if_missing`: silent where one is kept (set-up)."""
    best = kept()
    if best is not None and if_missing:
        return 0
    if best is None or again:
        record = measure_until_agreed(log) if best is None else measure(log)
        if not record["gflops"]:
            raise UsageError(f"the peak could not be measured: {record['ways']}")
        if best is not None and record["gflops"] <= best["gflops"]:
            below = 1 - record["gflops"] / best["gflops"]
            why = "the machine may be busy" if below > AGREEING else "the same, within measuring's noise"
            log(f"measured {record['gflops']:.1f} GFLOP/s now ({ways_text(record['ways'])}), {below:.0%} below "
                f"the best measured here ({why}); the best is kept")
        best = kept() or record
    ways = ways_text(best["ways"])
    log(f"this machine ({best['machine']}): float32 GEMM peak {best['gflops']:.1f} GFLOP/s, measured "
        f"{best['date']}{f' ({ways})' if ways else ''}; `python -m tf1_ae peak --again` measures it again "
        f"and keeps the best")
    return 0


if __name__ == "__main__":  # one way of measuring, in the process measure() started for it
    print(json.dumps(_numpy() if sys.argv[1] == "numpy" else _tensorflow()))
