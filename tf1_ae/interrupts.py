"""Ctrl-C and SIGTERM that always stop a run.

Python raises a signal's exception wherever its main thread runs next. When that is inside one of
TensorFlow's own Python callbacks (a `Session.run` converting its results), TensorFlow prints the exception
("KeyboardInterrupt: <EMPTY MESSAGE>") and swallows it, and the run would go on as if the signal never came.
So each signal is also noted, and the training loop raises a noted one after its step.
"""
_noted = []


def handler(exception_class):
    """A signal handler raising exception_class (KeyboardInterrupt for SIGINT), after noting it."""
    def handle(signum, frame):
        _noted.append(exception_class)
        raise exception_class
    return handle


def raise_noted():
    """Raise the exception of a signal that came and was swallowed before it could stop the run."""
    if _noted:
        raise _noted.pop()()


def forget():
    """The signal's exception reached the command's end: nothing is left to raise."""
    _noted.clear()
