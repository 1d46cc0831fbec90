from tf1_ae.bench import Variant, measure, table


def test_measure_interleaves_variants_round_by_round():
    calls = []
    variants = [Variant(k, k.upper(), lambda i, k=k: calls.append(k), 10) for k in ("a", "b")]
    speeds = measure(variants, rounds=3, steps_per_round=2, warmup=1, progress=False)
    assert calls == ["a", "b"] + ["a", "a", "b", "b"] * 3
    assert set(speeds) == {"a", "b"} and all(v > 0 for v in speeds.values())
    report = table(variants, {"a": 200.0, "b": 100.0}, [("a", "b", "a vs b")])
    assert "a vs b: 2.00×" in report
