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
