"""A training step's arithmetic, counted from the graph, against the products written out by hand."""
from graphs import conv, layerwise_cached, layerwise_singlegraph, stacked_all
from tf1_ae.compat import reset_graph
from tf1_ae.derive import in_towers
from tf1_ae.flops import step_flops

STACK = [784, 300, 150, 300, 784]


def by_hand(batch, layers, input_gradient_of_first=False):
    """Forward and weight gradient of every layer, input gradient of every layer a layer below needs."""
    forward_and_weights = sum(4 * batch * n * m for n, m in layers)
    inputs = sum(2 * batch * n * m for n, m in (layers if input_gradient_of_first else layers[1:]))
    return forward_and_weights + inputs


def test_the_stacked_step_counts_each_product_once_whatever_the_towers():
    layers = list(zip(STACK[:-1], STACK[1:]))
    for towers in (1, 2, 3):
        reset_graph()
        ae = stacked_all.build(stacked_all.Config(batch_size=150))
        training_op, loss = (ae.training_op, ae.loss) if towers == 1 else in_towers(ae.training_op, ae.loss, ae.X, towers)
        assert step_flops([training_op, loss], [ae.X], 150) == by_hand(150, layers)


def test_a_fed_cache_spares_the_frozen_layer():
    reset_graph()
    ae = layerwise_cached.build()
    phase2 = ae.phases[1].plan
    inner = [(300, 150), (150, 300)]
    fetches = [phase2.training_op, phase2.loss]
    assert step_flops(fetches, [ae.tensors["hidden1"]], 150) == by_hand(150, inner)  # hidden1 fed: not computed
    assert step_flops(fetches, [ae.X], 150) == by_hand(150, inner) + 2 * 150 * 784 * 300  # hidden1 recomputed


def test_convolutions_and_their_transposes_count_their_multiply_adds():
    reset_graph()
    ae = conv.build()
    f1, f2, f3 = conv.Config().filters
    k, b = conv.Config().kernel_size, 150

    def conv_flops(h, w, c_in, c_out):  # an output map of h×w×c_out, each value a k×k×c_in dot product
        return 2 * b * h * w * c_out * k * k * c_in
    encoder = [conv_flops(28, 28, 1, f1), conv_flops(14, 14, f1, f2), conv_flops(7, 7, f2, f3)]
    decoder = [conv_flops(3, 3, f2, f3), conv_flops(7, 7, f1, f2), conv_flops(14, 14, 1, f1)]  # by their inputs
    # forward, weight gradients, and input gradients but for the first convolution's
    expected = 2 * sum(encoder + decoder) + sum(encoder[1:] + decoder)
    assert step_flops([ae.training_op, ae.loss], [ae.X], b) == expected


def test_a_second_training_s_towers_count_as_its_plain_step():
    """Phase 2's towers are built after phase 1's (their scopes are tower0_1/, tower1_1/): each counts its half."""
    reset_graph()
    g = layerwise_singlegraph.build()
    for phase in g.phases:
        plan = phase.plan
        plain = step_flops([plan.training_op, plan.loss], [plan.inputs], 150)
        assert step_flops(list(in_towers(plan.training_op, plan.loss, plan.inputs, 2)), [plan.inputs], 150) == plain
