"""--onednn and --xla, TensorFlow's own faster settings: the same training step up to float round-off, from the
same weights on the same batch (tests/roundoff.py says why not longer). Each setting is fixed when TensorFlow
loads, so each run is a process of its own."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from graphs import stacked_all
from roundoff import assert_same_first_step
from tf1_ae.compat import XLA_FLAG
from tf1_ae.runs import REPO_ROOT

TESTS = REPO_ROOT / "tests"

PROBE = """
import sys
import numpy as np
from graphs import stacked_all
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import load_mnist5k
from roundoff import first_step

out, start = sys.argv[1], sys.argv[2:]
reset_graph()
ae = stacked_all.build()
variables = tf.trainable_variables()
with tf.Session(config=session_config()) as sess:
    sess.run(tf.global_variables_initializer())
    if start:  # the other run's weights: random draws are no part of what is compared
        for var, value in zip(variables, np.load(start[0]).values()):
            var.load(value, sess)
    weights = sess.run(variables)
    loss, gradients, after = first_step(sess, ae.plan, variables, {ae.X: load_mnist5k().train.images[:150]})
np.savez(out, loss=loss, names=[v.op.name for v in variables], **{f"{kind}{i}": value for kind, values in
                            (("start", weights), ("gradient", gradients), ("after", after))
                            for i, value in enumerate(values)})
"""


def trained(out, start=None, **environment):
    """(loss, gradients, weights after) of one step of the stacked autoencoder, the weights it started from (those
    in the file `start` where one is given) and their names, in a process of its own with `environment`."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(out), *([str(start)] if start else [])], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONPATH": str(TESTS), **environment})
    assert done.returncode == 0, done.stderr
    with np.load(out) as saved:
        n = len(saved["names"])
        step = (saved["loss"], *([saved[f"{kind}{i}"] for i in range(n)] for kind in ("gradient", "after")))
        return step, [saved[f"start{i}"] for i in range(n)], list(saved["names"])


@pytest.mark.parametrize("setting", [{"TF_ENABLE_ONEDNN_OPTS": "1"}, {"TF_XLA_FLAGS": XLA_FLAG}],
                         ids=["--onednn on", "--xla"])
def test_a_faster_setting_takes_the_default_step_up_to_round_off(setting, tmp_path):
    default, start, names = trained(tmp_path / "default.npz")
    starts = tmp_path / "start.npz"
    np.savez(starts, *start)
    other, other_start, _ = trained(tmp_path / "other.npz", starts, **setting)
    assert all(np.array_equal(a, b) for a, b in zip(start, other_start))
    assert_same_first_step(default, other, start, stacked_all.Config().learning_rate, names)


def test_the_flags_set_what_tensorflow_reads_as_it_loads_and_the_run_records_them(tmp_path):
    args = [sys.executable, "-m", "tf1_ae", "run", "stacked_all", "--data", "mnist5k", "--steps", "4", "--no-progress",
            "--quiet-compare", "--out", str(tmp_path), "--onednn", "on", "--xla"]
    probe = ("import os, sys\nfrom app.cli import main\ncode = main(sys.argv[1:])\n"
             "print('ONEDNN', os.environ.get('TF_ENABLE_ONEDNN_OPTS'), 'XLA', os.environ.get('TF_XLA_FLAGS'))\n"
             "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", probe, *args[3:]], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"ONEDNN 1 XLA {XLA_FLAG}" in done.stdout, done.stdout + done.stderr
    metrics = json.loads((tmp_path / "checkpoints/stacked_all/metrics.json").read_text())
    assert metrics["tensorflow_settings"] == ["onednn on", "xla"]
