"""--onednn and --xla, TensorFlow's own faster settings: the same training up to float round-off. Each is
fixed when TensorFlow loads, so each run is a process of its own."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tf1_ae.compat import XLA_FLAG
from tf1_ae.runs import REPO_ROOT

PROBE = """
import json, sys
import numpy as np
from graphs import stacked_all
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import load_mnist5k

images = load_mnist5k().train.images
reset_graph()
ae = stacked_all.build()
with tf.Session(config=session_config()) as sess:
    sess.run(tf.global_variables_initializer())
    losses = [float(sess.run([ae.training_op, ae.loss], {ae.X: images[150 * i:150 * (i + 1)]})[1]) for i in range(10)]
    weights = [w.tolist() for w in sess.run(tf.trainable_variables()[::2])]
print(json.dumps({"losses": losses, "weights": weights}))
"""


def trained(**environment):
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0", **environment})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("setting", [{"TF_ENABLE_ONEDNN_OPTS": "1"}, {"TF_XLA_FLAGS": XLA_FLAG}],
                         ids=["--onednn on", "--xla"])
def test_a_faster_setting_takes_the_default_runs_steps_up_to_round_off(setting):
    default, other = trained(), trained(**setting)
    np.testing.assert_allclose(other["losses"], default["losses"], rtol=1e-5)
    for a, b in zip(default["weights"], other["weights"]):
        a, b = np.asarray(a), np.asarray(b)
        # Adam divides by the gradient's own size, so where a gradient is near zero round-off can move a single
        # weight by a visible step; the layer as a whole must still agree to round-off, which one step more,
        # less or different (a relative change of about 1e-1) would not.
        assert np.linalg.norm(b - a) / np.linalg.norm(a) < 1e-4


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
