"""What ends a command, in one line: the cause a user can act on, and the exit code."""
import errno
import sys

PROG = "python -m tf1_ae"


class Terminated(BaseException):
    """SIGTERM, raised where Python next runs (between two training steps; tf1_ae.interrupts)."""


def say(message):
    """One line on stderr; where stderr is gone too (`2>&1 | head`), nothing, and the exit code still says it."""
    try:
        print(f"{PROG}: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # a closed pipe, a closed file
        pass


def tensorflow_cause(exc):
    """A TensorFlow error in one line: its own message (past TensorFlow's framing of where the node was
    defined), without the device, and the node it happened in."""
    from tf1_ae.compat import tensorflow_message

    cause = tensorflow_message(exc) or type(exc).__name__
    cause = cause.split(" on /job:")[0]  # "OOM when allocating tensor with shape[…] and type float on /job:…"
    node = getattr(getattr(exc, "node_def", None), "name", "")
    where = f" in `{node}`" if node and f"{{{{node {node}}}}}" not in cause else ""
    kind = "out of memory: " if type(exc).__name__ == "ResourceExhaustedError" and "OOM" in cause else ""
    return f"{kind}{cause}{where}"[:400]


def failure(exc):
    """(exit code, the one line that names the cause) for what ended a command, or None for a bug."""
    from tf1_ae.data import DataError
    from tf1_ae.runs import TrainingFailed, UsageError

    if isinstance(exc, (UsageError, DataError)):
        return 2, f"error: {exc}"
    if isinstance(exc, TrainingFailed):
        return 1, f"training stopped: {exc}"
    # what the folder keeps, where training was stopped (the trainer says: its last checkpoint, or the one it
    # would have replaced, or none)
    kept = getattr(exc, "kept", "the checkpoint of the last finished epoch is kept")
    if isinstance(exc, KeyboardInterrupt):
        return 130, f"interrupted; {kept}"
    if isinstance(exc, Terminated):
        return 143, f"terminated (SIGTERM); {kept}"
    if isinstance(exc, MemoryError):
        return 2, f"error: out of memory ({exc or 'an allocation failed'})"
    if isinstance(exc, OSError):  # an unwritable, missing or full --out, or a file where a folder should be
        verb = "cannot read" if exc.errno == errno.ENOENT else "cannot write"
        return 2, f"error: {verb} {exc.filename or 'the output'}: {exc.strerror or exc}"
    if type(exc).__module__.startswith("tensorflow"):  # a Saver that cannot write, an allocation that fails
        return 2, f"error: TensorFlow: {tensorflow_cause(exc)}"
    return None
