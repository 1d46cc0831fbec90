"""The fast path (--towers 2) computes the plain graph's update, up to float round-off."""
import numpy as np

from graphs import stacked_all
from tf1_ae.compat import reset_graph, session_config, tf


def one_run(towers, initial, batches):
    reset_graph()
    ae = stacked_all.build(stacked_all.Config()) if towers == 1 else stacked_all.build_towers(stacked_all.Config(), towers)
    variables = tf.trainable_variables()
    with tf.Session(config=session_config(towers)) as sess:
        sess.run(tf.global_variables_initializer())
        if initial is not None:
            for var, value in zip(variables, initial):
                var.load(value, sess)
        start = sess.run(variables)
        full_batch_loss = next(m.tensor for m in ae.metrics if m.key == "loss")
        losses = []
        for batch in batches:
            losses.append(sess.run([full_batch_loss, ae.loss], {ae.X: batch}))  # the graph's, the loop's
            sess.run(ae.training_op, {ae.X: batch})
        return start, sess.run(variables), np.array(losses), [v.op.name for v in variables]


def test_two_towers_make_the_same_adam_steps_as_the_plain_graph(mnist5k):
    batches = [mnist5k.train.images[i * 150:(i + 1) * 150] for i in range(10)]
    start, plain, plain_losses, names = one_run(1, None, batches)
    _, towers, tower_losses, tower_names = one_run(2, start, batches)
    assert tower_names == names  # the towers share the plain graph's variables, nothing more
    assert tower_losses[0, 0] == plain_losses[0, 0]  # same weights, same batch: the same loss
    np.testing.assert_allclose(tower_losses, plain_losses, rtol=1e-5)
    # The loss the loop fetches every step is the towers' own mean: the batch's loss without a second pass.
    np.testing.assert_allclose(tower_losses[:, 1], tower_losses[:, 0], rtol=1e-6)
    for a, b, s in zip(plain, towers, start):
        assert not np.array_equal(a, s)
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)  # Adam magnifies round-off in tiny gradients
