"""Throughput measured side by side: every variant runs in each round, in turn, so a machine that slows
down for a minute slows all of them alike; the median over rounds is reported, and ratios are taken
between medians of the same run. Never a pass/fail timing: `make bench` prints, tests do not time.

Variants that need their own process (TensorFlow fixes its thread pools per process) run in a
`Worker`: a child process that measures one round of its variants each time it is asked."""
import json
import statistics
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass

from tqdm import tqdm

STEPS_PER_ROUND = 60
WARMUP = 15


@dataclass
class Variant:
    key: str  # metrics.json: <key>_samples_per_second
    description: str
    step: object  # callable running one training step on one batch (index i)
    batch_size: float  # samples one call of `step` goes through
    calls: int = None  # calls per round (default STEPS_PER_ROUND); a call may be a whole epoch


def warm_up(variants, steps=WARMUP):
    for variant in variants:
        for i in range(min(steps, variant.calls or steps)):
            variant.step(i)


def one_round(variants, steps=STEPS_PER_ROUND):
    """{key: samples/second} for one round, the variants one after another."""
    speeds = {}
    for variant in variants:
        calls = variant.calls or steps
        start = time.perf_counter()
        for i in range(calls):
            variant.step(i)
        speeds[variant.key] = calls * variant.batch_size / (time.perf_counter() - start)
    return speeds


def measure(groups, rounds=7, progress=None):
    """Median samples/second per key over interleaved rounds; each group is a callable that measures
    one round of its variants (in this process, or in a Worker) and returns {key: samples/second}."""
    speeds = defaultdict(list)
    for _ in tqdm(range(rounds), desc="rounds", leave=False, disable=None if progress is None else not progress):
        for group in groups:
            for key, value in group().items():
                speeds[key].append(value)
    return {key: statistics.median(values) for key, values in speeds.items()}


def in_process(variants, steps=STEPS_PER_ROUND):
    warm_up(variants)
    return lambda: one_round(variants, steps)


class Worker:
    """A child process (`command`) that prints one JSON line when ready, then answers each "round" line
    on its stdin with one JSON line of {key: samples/second}."""

    def __init__(self, command, env=None):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.descriptions = self._read()

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"bench worker {self.process.args} exited with code {self.process.wait()}")
        return json.loads(line)

    def __call__(self):
        self.process.stdin.write("round\n")
        self.process.stdin.flush()
        return self._read()

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


def serve(variants, stdin, stdout):
    """The worker's side: announce the variants, warm up, then measure a round per request."""
    stdout.write(json.dumps({v.key: v.description for v in variants}) + "\n")
    stdout.flush()
    warm_up(variants)
    for line in stdin:
        if line.strip() != "round":
            break
        stdout.write(json.dumps(one_round(variants)) + "\n")
        stdout.flush()


def table(rows, speeds, ratios):
    """The printed report: one row per (key, description), then the ratios (numerator, denominator, label)."""
    width = max(len(description) for _, description in rows)
    lines = [f"{'variant':<{width}}  samples/s", f"{'-' * width}  ---------"]
    lines += [f"{description:<{width}}  {speeds[key]:9,.0f}" for key, description in rows]
    lines.append("")
    lines += [f"{label}: {speeds[a] / speeds[b]:.2f}×" for a, b, label in ratios]
    return "\n".join(lines)
