import io
import json

from app import measure as measure_module
from app.measure import Variant, in_process, measure, serve, table


class FakeClock:
    """time.perf_counter for app.measure: each step a variant runs advances it by that variant's duration."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now

    def step(self, seconds):
        return lambda i: setattr(self, "now", self.now + seconds())


def test_measure_interleaves_groups_round_by_round_and_takes_medians(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(measure_module, "time", clock)
    calls = []
    warm_up = [9] * measure_module.WARMUP  # each step's seconds: the warm-up's, then 3 rounds of 2 steps
    durations = {"a": iter(warm_up + [1, 1, 5, 5, 2, 2]), "b": iter(warm_up + [4, 4, 4, 4, 4, 4]),
                 "c": iter(warm_up + [1, 1, 1, 1, 3, 3])}

    def step(key):
        timed = clock.step(lambda: next(durations[key]))
        return lambda i: (calls.append(key), timed(i))

    first = [Variant(k, k.upper(), step(k), 10) for k in ("a", "b")]
    second = [Variant("c", "C", step("c"), 10)]
    groups = [in_process(first, steps=2), in_process(second, steps=2)]
    calls.clear()  # drop the warm-up
    speeds = measure(groups, rounds=3, progress=False)
    assert calls == ["a", "a", "b", "b", "c", "c"] * 3
    # 10 samples per step: a's rounds ran at 10, 2 and 5 samples/s, b's at 2.5 each, c's at 10, 10 and 3.33
    assert speeds == {"a": 5.0, "b": 2.5, "c": 10.0}
    report = table([("a", "A"), ("b", "B")], {"a": 200.0, "b": 100.0}, [("a", "b", "a vs b")])
    assert "a vs b: 2.00×" in report


def test_a_worker_announces_its_variants_then_answers_each_round(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(measure_module, "time", clock)
    variants = [Variant("x", "the x loop", clock.step(lambda: 0.5), 5)]
    out = io.StringIO()
    serve(variants, io.StringIO("round\nround\n"), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [{"x": "the x loop"}, {"x": 10.0}, {"x": 10.0}]  # 5 samples a step, a step each 0.5 s


def test_a_variant_of_whole_epochs_is_called_its_own_number_of_times_per_round(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(measure_module, "time", clock)
    calls = []
    epoch = Variant("loop_run", "one epoch per call", lambda i: (calls.append(i), clock.step(lambda: 2.0)(i)),
                    54900, calls=1)
    speeds = measure([in_process([epoch], steps=60)], rounds=2, progress=False)
    assert calls == [0, 0, 0]  # one warm-up call, then one per round
    assert speeds["loop_run"] == 54900 / 2.0  # samples per call over the call's time, not per step


def test_the_blas_reference_runs_the_products_the_graph_counts():
    from app.roofline import GemmStep
    from graphs import stacked_all
    from tf1_ae.compat import reset_graph
    from tf1_ae.flops import step_flops

    reset_graph()
    ae = stacked_all.build()
    counted = step_flops([ae.training_op, ae.loss], [ae.X], 150)
    assert GemmStep([784, 300, 150, 300, 784], 150).flops == counted == 433_800_000


def test_the_pytorch_peer_says_in_one_json_line_that_it_is_not_installed():
    """The PyTorch row's model is torch code from end to end and torch is an optional extra that `make test`
    never installs, so what is tested is the line `make bench` reads without it: torch is hidden from the
    peer's process (a None in sys.modules fails its import), whether or not this .venv has the extra."""
    import subprocess
    import sys

    without_torch = ("import runpy, sys; sys.modules['torch'] = None; "
                     "runpy.run_module('app.bench_torch', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", without_torch, "mnist5k", "5"], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip().splitlines() == ['{"not_installed": true}']
