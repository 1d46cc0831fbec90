"""Book §"Unsupervised Pretraining Using Stacked Autoencoders" (seed note 08; the note's method 4).

A 784-300-150-10 classifier whose two hidden layers have the layer-wise autoencoder's names and shapes,
trained once from scratch and once starting from the autoencoder's weights1, biases1, weights2, biases2,
restored by name through a Saver limited to those four variables. Few labels, many unlabelled images:
the autoencoder has seen all the images; the classifier sees only the labelled ones.

    loss = xent(softmax(logits), y)  (per example, unreduced as in the book: Adam minimizes its sum)
           + l2_reg · Σ_{k=1..3} ½‖weights_k‖²
"""
import time
from dataclasses import dataclass

from graphs import SECTIONS
from tf1_ae import data as datasets
from tf1_ae.budget import make_budget
from tf1_ae.compat import reset_graph, session_config, tf
from tf1_ae.data import PermutationSampler
from tf1_ae.layers import he_init, l2_regularizer
from tf1_ae.runs import RunPaths, apply_options, run_identity, write_metrics
from tf1_ae.train import Metric, TrainPlan, Trainer, restore

BOOK_LABELED_FRACTION = 20000 / 55000  # the book labels the first 20,000 of 55,000 training images


@dataclass(frozen=True)
class Config:
    n_inputs: int = 28 * 28
    n_hidden1: int = 300  # = the autoencoder's hidden1 (book §08)
    n_hidden2: int = 150  # = its codings
    n_outputs: int = 10  # digits
    learning_rate: float = 0.01  # book §08
    l2_reg: float = 0.0005  # book §08, on all three weight matrices
    n_epochs: int = 4  # book §08
    batch_size: int = 150  # book §08
    n_labeled_instances: int = 20000  # book §08 (on other data: the same fraction of the training set)
    source: str = "layerwise_cached"  # book §08 restores ./my_model_cache_frozen.ckpt
    freeze_pretrained: bool = False  # book: `#training_op = optimizer.minimize(loss, var_list=[weights3, biases3])`


@dataclass
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

    weights1_init = initializer([config.n_inputs, config.n_hidden1])
    weights2_init = initializer([config.n_hidden1, config.n_hidden2])
    weights3_init = initializer([config.n_hidden2, config.n_outputs])

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
    if config.freeze_pretrained:
        training_op = optimizer.minimize(loss, var_list=[weights3, biases3], name="training_op")
    else:
        training_op = optimizer.minimize(loss, name="training_op")

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


def train_classifier(mnist, config, options, n_labeled, pretrained_from=None, checkpoint_dir=None,
                     separator=" ", log=print):
    """One training run; returns its last epoch's {train_accuracy, test_accuracy}."""
    budget = make_budget(config.n_epochs, config.batch_size, n_labeled, epochs=options.epochs,
                         steps=options.steps, book_train_size=config.n_labeled_instances)
    reset_graph(options.seed)
    clf = build(config)
    plan = TrainPlan(clf.training_op, inputs=clf.X, labels=clf.y, loss=tf.reduce_sum(clf.loss),
                     separator=separator, metrics=[
                         Metric("train_accuracy", "Train accuracy", clf.accuracy),
                         Metric("test_accuracy", "Test accuracy", clf.accuracy,
                                feed={clf.X: mnist.test.images, clf.y: mnist.test.labels})])
    trainer = Trainer(plan, checkpoint_dir, "pretraining classifier", progress=options.progress)
    init = tf.global_variables_initializer()
    labeled = PermutationSampler(mnist.train.images[:n_labeled], mnist.train.labels[:n_labeled])
    with tf.Session(config=session_config()) as sess:
        init.run()
        if pretrained_from is not None:
            log(f"restored weights1, weights2, biases1, biases2 from "
                f"{restore(sess, clf.pretrain_saver, pretrained_from, 'layer-wise autoencoder')}")
        history = trainer.run(sess, labeled, budget, log=log)
    return {k: v for k, v in history[-1].items() if k not in ("epoch", "step")}, budget


RESUMABLE = False  # --resume is refused: both classifiers are short runs, each trained afresh


def run(options, log=print, section="pretraining"):
    config = apply_options(Config(), options)
    paths = RunPaths.under(options.out, section)
    source_dir = SECTIONS[config.source].ensure_checkpoint(options, log)
    mnist = datasets.load(options.data)
    n_labeled = n_labeled_for(config, mnist.train.num_examples)
    log(mnist.summary())
    log(f"labelled: the first {n_labeled:,} training images ({n_labeled / mnist.train.num_examples:.1%}, "
        f"the book's 20,000 of 55,000)")
    start = time.perf_counter()
    log("Without pretraining")
    scratch, budget = train_classifier(mnist, config, options, n_labeled,
                                       checkpoint_dir=paths.phase("supervised").checkpoint_dir, log=log)
    log("With pretraining" + (" (pretrained layers frozen)" if config.freeze_pretrained else ""))
    pretrained, _ = train_classifier(mnist, config, options, n_labeled, pretrained_from=source_dir,
                                     checkpoint_dir=paths.phase("pretrained").checkpoint_dir,
                                     separator="\t", log=log)
    metrics = {f"supervised_{k}": v for k, v in scratch.items()}
    metrics.update({f"pretrained_{k}": v for k, v in pretrained.items()})
    metrics.update({"source": config.source, "n_labeled": n_labeled, "freeze_pretrained": config.freeze_pretrained,
                    **run_identity(section, mnist.name, mnist.train.num_examples, budget.total_steps,
                                   options.seed, time.perf_counter() - start)})
    log(f"wrote {write_metrics(paths.checkpoint_dir, metrics)}")
    return metrics
