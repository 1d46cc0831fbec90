"""Throughput measured side by side: every variant runs in each round, in turn, so a machine that slows
down for a minute slows all of them alike; the median over rounds is reported, and ratios are taken
between medians of the same run. Never a pass/fail timing: `make bench` prints, tests do not time."""
import statistics
import time
from dataclasses import dataclass

from tqdm import tqdm


@dataclass
class Variant:
    key: str  # metrics.json: <key>_samples_per_second
    description: str
    step: object  # callable running one training step on one batch (index i)
    batch_size: int


def measure(variants, rounds=7, steps_per_round=60, warmup=15, progress=None):
    """Median samples/second of each variant over interleaved rounds (a tqdm bar when progress is None
    and stderr is a terminal)."""
    for variant in variants:
        for i in range(warmup):
            variant.step(i)
    speeds = {v.key: [] for v in variants}
    for _ in tqdm(range(rounds), desc="rounds", leave=False, disable=None if progress is None else not progress):
        for variant in variants:
            start = time.perf_counter()
            for i in range(steps_per_round):
                variant.step(i)
            speeds[variant.key].append(steps_per_round * variant.batch_size / (time.perf_counter() - start))
    return {key: statistics.median(values) for key, values in speeds.items()}


def table(variants, speeds, ratios):
    """The printed report: one row per variant, then the ratios (numerator key, denominator key, label)."""
    width = max(len(v.description) for v in variants)
    rows = [f"{'variant':<{width}}  samples/s", f"{'-' * width}  ---------"]
    rows += [f"{v.description:<{width}}  {speeds[v.key]:9,.0f}" for v in variants]
    rows.append("")
    rows += [f"{label}: {speeds[a] / speeds[b]:.2f}×" for a, b, label in ratios]
    return "\n".join(rows)
