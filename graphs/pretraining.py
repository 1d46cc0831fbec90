"""Book §"Unsupervised Pretraining Using Stacked Autoencoders".

A 784-300-150-10 classifier whose two hidden layers have the layer-wise autoencoder's names and shapes,
trained once from scratch and once starting from the autoencoder's weights1, biases1, weights2, biases2,
restored by name through a Saver limited to those four variables. Few labels, many unlabelled images:
the autoencoder has seen all the images; the classifier sees only the labelled ones.
"""
from dataclasses import dataclass

from tf1_ae.budget import make_budget
from tf1_ae.checkpoints import restore
from tf1_ae.compat import tf
from tf1_ae.config import switch
from tf1_ae.data import PermutationSampler
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.model import Metric, TrainPlan

IDEA = "A classifier trained on few labels, from scratch and from the layer-wise autoencoder's weights."
LOSS = ("loss = xent(softmax(logits), y)  (per example, unreduced as in the book: Adam minimizes its sum)"
        " + l2_reg · Σ_{k=1..3} ½‖weights_k‖²")

FREEZE_HELP = "train only the new output layer on top of the restored autoencoder layers"
BOOK_LABELED_FRACTION = 20000 / 55000  # the book labels the first 20,000 of 55,000 training images


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden1: int = 300  # = the autoencoder's hidden1 (book)
    n_hidden2: int = 150  # = its codings
    n_outputs: int = 10  # digits
    learning_rate: float = 0.01  # book
    l2_reg: float = 0.0005  # book, on all three weight matrices
    n_epochs: int = 4  # book
    batch_size: int = 150  # book
    n_labeled_instances: int = 20000  # book (on other data: the same fraction of the training set)
    source: str = "layerwise_cached"  # book restores ./my_model_cache_frozen.ckpt
    # book: `#training_op = optimizer.minimize(loss, var_list=[weights3, biases3])`, commented out
    freeze_pretrained: bool = switch(False, FREEZE_HELP)
    # TF 1.x seeded each random op by the ops its graph held then: X and y are ops 1 and 2, and each
    # initializer call makes 3 constants, draws, then 2 ops: op seeds 5, 11, 17
    op_seeds: tuple = (5, 11, 17)


@dataclass(frozen=True)
class Classifier:
    X: object
    y: object
    logits: object
    loss: object
    accuracy: object
    training_op: object
    pretrain_saver: object  # restores weights1, weights2, biases1, biases2 only
    pretrained: list
    top: list  # weights3, biases3


def build(config=Config()):
    activation = tf.nn.elu
    regularizer = l2_regularizer(config.l2_reg)
    initializer = he_init

    X = tf.placeholder(tf.float32, shape=[None, config.n_inputs], name="X")
    y = tf.placeholder(tf.int32, shape=[None], name="y")
    seed1, seed2, seed3 = config.op_seeds  # the book's graph's
    weights1_init = initializer([config.n_inputs, config.n_hidden1], seed=seed1)
    weights2_init = initializer([config.n_hidden1, config.n_hidden2], seed=seed2)
    weights3_init = initializer([config.n_hidden2, config.n_outputs], seed=seed3)

    weights1 = tf.Variable(weights1_init, dtype=tf.float32, name="weights1")
    weights2 = tf.Variable(weights2_init, dtype=tf.float32, name="weights2")
    weights3 = tf.Variable(weights3_init, dtype=tf.float32, name="weights3")

    biases1 = tf.Variable(tf.zeros(config.n_hidden1), name="biases1")
    biases2 = tf.Variable(tf.zeros(config.n_hidden2), name="biases2")
    biases3 = tf.Variable(tf.zeros(config.n_outputs), name="biases3")

    hidden1 = activation(tf.matmul(X, weights1) + biases1, name="hidden1")
    hidden2 = activation(tf.matmul(hidden1, weights2) + biases2, name="hidden2")
    logits = tf.add(tf.matmul(hidden2, weights3), biases3, name="logits")

    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    reg_loss = regularizer(weights1) + regularizer(weights2) + regularizer(weights3)
    loss = tf.add(cross_entropy, reg_loss, name="loss")  # a vector, as in the book
    optimizer = tf.train.AdamOptimizer(config.learning_rate)
    trained = [weights3, biases3] if config.freeze_pretrained else None  # None: every trainable variable
    training_op = optimizer.minimize(loss, var_list=trained, name="training_op")

    correct = tf.nn.in_top_k(logits, y, 1)  # compat.v1 keeps the book's (predictions, targets, k)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name="accuracy")

    pretrain_saver = tf.train.Saver([weights1, weights2, biases1, biases2])
    return Classifier(X, y, logits, loss, accuracy, training_op, pretrain_saver,
                      pretrained=[weights1, weights2, biases1, biases2], top=[weights3, biases3])


def n_labeled_for(config, n_train, requested=None):
    if requested is not None:
        return min(requested, n_train)
    if n_train >= config.n_labeled_instances / BOOK_LABELED_FRACTION:  # full MNIST: the book's 20,000
        return config.n_labeled_instances
    return round(n_train * BOOK_LABELED_FRACTION)


def train_classifier(run, mnist, config, n_labeled, pretrained_from=None, separator=" "):
    """One training run in `run`'s folder; returns its last epoch's {train_accuracy, test_accuracy} and its
    budget."""
    options = run.options
    budget = make_budget(config.n_epochs, config.batch_size, n_labeled, epochs=options.epochs,
                         steps=options.steps, book_train_size=config.n_labeled_instances)
    run.reset_graph()  # the book's cells: without pretraining reseeds; with pretraining goes on from it
    clf = build(config)
    plan = TrainPlan(clf.training_op, inputs=clf.X, labels=clf.y, loss=tf.reduce_sum(clf.loss), separator=separator,
                     metrics=[Metric("train_accuracy", "Train accuracy", clf.accuracy),
                              Metric("test_accuracy", "Test accuracy", clf.accuracy,
                                     feed={clf.X: mnist.test.images, clf.y: mnist.test.labels})])
    trainer = run.trainer(plan)
    init = tf.global_variables_initializer()
    labeled = PermutationSampler(mnist.train.images[:n_labeled], mnist.train.labels[:n_labeled])
    with run.session() as sess:
        init.run()
        if pretrained_from is not None:
            run.log(f"restored weights1, weights2, biases1, biases2 from "
                    f"{restore(sess, clf.pretrain_saver, pretrained_from, config.source)}")
        history = run.train(sess, trainer, labeled, budget, resume=False)
    return {k: v for k, v in history[-1].items() if k not in ("epoch", "step")}, budget


def train_both(run):
    config = run.config
    source_dir = run.checkpoint_of(config.source)
    mnist = run.load_data()
    n_labeled = n_labeled_for(config, mnist.train.num_examples)
    run.log(f"labelled: the first {n_labeled:,} training images ({n_labeled / mnist.train.num_examples:.1%}, "
            f"the book's 20,000 of 55,000)")
    run.log("Without pretraining")
    scratch, budget = train_classifier(run.sub_run("supervised"), mnist, config, n_labeled)
    run.log("With pretraining" + (" (pretrained layers frozen)" if config.freeze_pretrained else ""))
    pretrained, _ = train_classifier(run.sub_run("pretrained"), mnist, config, n_labeled, pretrained_from=source_dir,
                                     separator="\t")
    metrics = {f"{who}_{k}": v for who, result in (("supervised", scratch), ("pretrained", pretrained))
               for k, v in result.items()}
    metrics.update({"source": config.source, "n_labeled": n_labeled, "freeze_pretrained": config.freeze_pretrained})
    return run.finish(metrics, steps=budget.total_steps)  # each classifier's
