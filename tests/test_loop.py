"""The loop inside the graph (tf1_ae.loop) trains as the book's feed loop does: the same batches, the same
weights bit for bit, the same printed values and TensorBoard scalars, the same stop on a NaN loss."""
import json
from dataclasses import replace

import numpy as np
import pytest

from app.sections import SECTIONS
from graphs import denoising_dropout, layerwise_singlegraph, stacked_all, stacked_tied
from tf1_ae.budget import Budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import DataSet
from tf1_ae.runs import RunOptions, TrainingFailed
from tf1_ae.train import Trainer

BUDGET = Budget(total_steps=24, printed_epochs=2, batch_size=150, origin="a test")  # 10 steps see every image


@pytest.fixture
def small_set(mnist5k):
    return lambda: DataSet(mnist5k.train.images[:1500], mnist5k.train.labels[:1500])


def trained(build, plan_of, data, folder, in_graph, towers=1):
    """Weights, printed epochs and TensorBoard scalars of a training of `plan_of(model)` with either loop."""
    reset_graph(42)
    model = build()
    options = RunOptions(progress=False, towers=towers, loop="graph" if in_graph else "feed")
    trainer = Trainer(plan_of(model), folder, "test", options)
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        history = trainer.run(sess, data, BUDGET, log=lambda line: None)
        weights = {v.op.name: v.eval() for v in tf.global_variables()}
    scalars = {}
    for events in folder.glob("events.out.tfevents.*"):
        for event in tf.train.summary_iterator(str(events)):
            scalars.update({(v.tag, event.step): v.simple_value for v in event.summary.value})
    return weights, history, scalars, trainer


def one_plan(model):
    return model.plan


CASES = {
    "stacked_all": (stacked_all.build, one_plan),  # penalties from the collection
    "stacked_tied": (stacked_tied.build, one_plan),  # tf.Variables, transposes
    "denoising_dropout": (denoising_dropout.build, one_plan),  # noise in a tf.cond, train_feed
    "layerwise_phase2": (layerwise_singlegraph.build, lambda model: model.phases[1].plan),  # var_list freezes hidden1
}


@pytest.mark.parametrize("case", CASES)
def test_the_loop_inside_the_graph_trains_bit_for_bit_as_the_feed_loop(case, small_set, tmp_path, monkeypatch):
    monkeypatch.setattr("tf1_ae.train.STEPS_PER_RUN", 5)  # several chunks per epoch, one cut short by its end
    build, plan_of = CASES[case]
    fed = trained(build, plan_of, small_set(), tmp_path / "feed", in_graph=False)
    looped = trained(build, plan_of, small_set(), tmp_path / "graph", in_graph=True)
    assert looped[3].loop is not None and fed[3].loop is None
    assert looped[3].loop.logged_keys == looped[3].logged  # every logged term comes out of the step itself
    weights_fed, weights_looped = fed[0], looped[0]
    assert weights_fed.keys() == weights_looped.keys()
    assert all(np.array_equal(weights_fed[name], weights_looped[name]) for name in weights_fed)
    assert fed[1] == looped[1]  # the printed epochs, every value
    assert fed[2].keys() == looped[2].keys() and len([step for _, step in fed[2]]) > 4
    assert fed[2] == looped[2]  # TensorBoard's scalars at the same steps


@pytest.mark.parametrize("case", ["stacked_all", "denoising_dropout"])  # the towers' dropout: their own draws
def test_with_towers_the_loop_trains_as_the_towers_feed_loop(case, small_set, tmp_path, monkeypatch):
    monkeypatch.setattr("tf1_ae.train.STEPS_PER_RUN", 5)
    build, plan_of = CASES[case]
    fed = trained(build, plan_of, small_set(), tmp_path / "feed", in_graph=False, towers=2)
    looped = trained(build, plan_of, small_set(), tmp_path / "graph", in_graph=True, towers=2)
    # the terms of the whole batch are a forward pass the towers do not run: measured before a chunk instead
    assert looped[3].loop is not None and looped[3].loop.logged_keys == []
    assert all(np.array_equal(fed[0][name], looped[0][name]) for name in fed[0])
    assert fed[1] == looped[1]
    # The feed loop measured them in the training op's own Session.run, where a term's reading of the weights
    # is not ordered against their update: a value can lag by round-off. The loop measures before the update.
    assert fed[2].keys() == looped[2].keys()
    assert all(abs(fed[2][point] - looped[2][point]) <= 1e-6 * abs(fed[2][point]) for point in fed[2])


def test_the_loop_stops_at_the_step_whose_loss_is_not_finite(small_set, tmp_path):
    def build():  # a learning rate that overflows within a few steps
        return stacked_all.build(replace(stacked_all.Config(), learning_rate=1e12))

    failures = {}
    for in_graph in (False, True):
        with pytest.raises(TrainingFailed) as failed:
            trained(build, one_plan, small_set(), tmp_path / str(in_graph), in_graph)
        failures[in_graph] = str(failed.value)
        assert not list((tmp_path / str(in_graph)).glob("*.index"))  # nothing saved
    assert "loss became" in failures[True] and failures[True] == failures[False]


def test_the_held_images_stay_out_of_the_checkpoint(small_set, tmp_path):
    weights, _, _, trainer = trained(*CASES["stacked_all"], small_set(), tmp_path, in_graph=True)
    saved = {name for name, _ in tf.train.list_variables(str(tmp_path))}
    assert saved == set(weights) and "graph_loop/held_images" not in saved
    assert saved >= {"hidden1/kernel", "outputs/bias", "global_step", "beta1_power"}


TIMINGS = ("seconds", "samples_per_second", "gflops", "share_of_peak", "flops")


def recorded(folder):
    """Every metrics.json and history.json under a run's folder, timing keys left out."""
    found = {}
    for path in sorted(folder.rglob("*.json")):
        values = json.loads(path.read_text())
        if isinstance(values, dict):
            values = {k: v for k, v in values.items() if not k.endswith(TIMINGS) and k != "loop"}
        found[str(path.relative_to(folder))] = values
    return found


@pytest.mark.parametrize("section, what", [
    ("pretraining", "held labels, a PermutationSampler, and the layer-wise cached phase 2 it restores"),
    ("wta", "a tf.cond on the fed training flag"),
])
def test_a_section_records_the_same_numbers_with_either_loop(section, what, options):
    runs = {}
    for loop in ("feed", "graph"):
        run_options = replace(options, steps=30, loop=loop, out=options.out / loop)
        SECTIONS[section].run(run_options, log=lambda line: None)
        runs[loop] = recorded(run_options.out / "checkpoints")
        loops = {json.loads(path.read_text()).get("loop")
                 for path in (run_options.out / "checkpoints").rglob("metrics.json")}
        assert loops == {loop}, what  # each training ran the loop asked for
    assert len(runs["graph"]) >= 2 and runs["graph"] == runs["feed"], what


@pytest.mark.parametrize("name, loops", [
    ("stacked_all", True), ("wta", True), ("conv", True),  # a tf.cond on the fed training flag (wta)
    ("denoising_dropout", True),  # its dropout draws inside a tf.cond the printed line leaves untaken
    ("denoising_gaussian", False), ("vae_logvar", False), ("gsn", False),  # noise the printed line draws too
    ("adversarial", False),  # three ops, one after another's update
])
def test_the_loop_inside_the_graph_is_read_from_the_listing_s_graph(name, loops):
    from tf1_ae.loop import can_loop

    reset_graph(42)
    assert can_loop(SECTIONS[name].module.build().first_plan) == loops


def test_the_batches_drawn_ahead_leave_numpy_s_rng_where_the_feed_loop_leaves_it_at_each_save(
        small_set, tmp_path, monkeypatch):
    """The loop inside the graph draws a chunk's batches while the chunk before runs, never past an epoch's end:
    at each checkpoint, numpy's RNG (saved for --resume) is where the feed loop leaves it. A cache's batches are
    fresh permutations, a draw of numpy's RNG per step."""
    import tf1_ae.checkpoints as checkpoints
    from tf1_ae.data import PermutationSampler

    monkeypatch.setattr("tf1_ae.train.STEPS_PER_RUN", 5)  # several chunks per epoch
    write_state = checkpoints._write_state
    saved = []

    def noting(path, step, data, history, record):
        saved.append((step, np.random.get_state()[2], np.random.get_state()[1].tobytes()))
        write_state(path, step, data, history, record)

    monkeypatch.setattr(checkpoints, "_write_state", noting)
    states = {}
    for in_graph in (False, True):
        saved.clear()
        np.random.seed(3)
        cache = PermutationSampler(small_set().images)
        trained(stacked_all.build, one_plan, cache, tmp_path / str(in_graph), in_graph)
        states[in_graph] = list(saved)
    assert len(states[True]) == 2 and states[True] == states[False]
