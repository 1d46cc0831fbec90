import io
import json

from tf1_ae.bench import Variant, in_process, measure, serve, table


def test_measure_interleaves_groups_round_by_round_and_takes_medians():
    calls = []
    first = [Variant(k, k.upper(), lambda i, k=k: calls.append(k), 10) for k in ("a", "b")]
    second = [Variant("c", "C", lambda i: calls.append("c"), 10)]
    groups = [in_process(first, steps=2), in_process(second, steps=2)]
    calls.clear()  # drop the warm-up
    speeds = measure(groups, rounds=3, progress=False)
    assert calls == ["a", "a", "b", "b", "c", "c"] * 3
    assert set(speeds) == {"a", "b", "c"} and all(v > 0 for v in speeds.values())
    report = table([("a", "A"), ("b", "B")], {"a": 200.0, "b": 100.0}, [("a", "b", "a vs b")])
    assert "a vs b: 2.00×" in report


def test_a_worker_announces_its_variants_then_answers_each_round():
    variants = [Variant("x", "the x loop", lambda i: None, 5)]
    out = io.StringIO()
    serve(variants, io.StringIO("round\nround\n"), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"x": "the x loop"}
    assert len(lines) == 3 and all(set(line) == {"x"} and line["x"] > 0 for line in lines[1:])


def test_a_variant_of_whole_epochs_is_called_its_own_number_of_times_per_round():
    calls = []
    epoch = Variant("loop_run", "one epoch per call", lambda i: calls.append(i), 54900, calls=1)
    speeds = measure([in_process([epoch], steps=60)], rounds=2, progress=False)
    assert calls == [0, 0, 0]  # one warm-up call, then one per round
    assert speeds["loop_run"] > 54900  # samples per call, not per step


def test_the_gemm_peak_counts_the_flops_it_runs():
    from tf1_ae.roofline import GemmPeak, GemmStep

    assert GemmPeak(n=64).flops == 2 * 64 ** 3
    assert GemmStep([784, 300, 150, 300, 784], 150).flops / 150 == 6 * 560_400


def test_the_pytorch_peer_measures_the_same_model_or_says_it_is_not_installed():
    import importlib.util
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "app.bench_torch", "mnist5k", "5"], capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if importlib.util.find_spec("torch") is None:
        assert result == {"not_installed": True}
    else:  # five Adam steps of the 784-300-150-300-784 autoencoder from He init: an MSE in MNIST's range
        assert result["samples_per_second"] > 0 and 0 < result["last_loss"] < 1
