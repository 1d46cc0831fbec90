"""Processes that are always stopped: started and noted with Ctrl-C and SIGTERM held (no signal between the two
can leave one behind), stopped with SIGTERM then SIGKILL, each waited for, a second signal held until they
have all ended. `make all` (app/chapter.py) schedules sections on them."""
import os
import signal
import subprocess
import time
from contextlib import contextmanager

GRACE = 5  # seconds a stopped section's process has to end its step and exit before it is killed


def run_to_its_end(command, env):
    """The exit code of a process whose output is this one's; stopped with `all`, however `all` ends."""
    started = []
    try:
        with signals_held():  # started and noted at once, so that the `finally` stops it
            started.append(subprocess.Popen(command, env=env))
        return started[0].wait()
    finally:
        stop(started)


def stop(processes):
    """End these processes and wait for each: SIGTERM (a section ends its step and exits, its checkpoints
    kept), then SIGKILL for any still running GRACE seconds on. A Ctrl-C or SIGTERM meanwhile (a second one,
    `all` already stopping) is held until they have all ended, then raised: it cannot cut this short."""
    with signals_held():
        for process in processes:
            process.terminate()  # does nothing to one that has ended (its exit code is known)
        deadline = time.monotonic() + GRACE
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


STOPPING = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def signals_held():
    """Ctrl-C and SIGTERM held while the block runs, then raised as they would have been (KeyboardInterrupt,
    Terminated). Python runs a signal's handler between any two steps: one between starting a process and
    noting it, or in the middle of stopping them, would leave a process behind."""
    held = []

    def hold(signum, frame):
        held.append(signum)

    # an ignored signal stays ignored (and so for the processes started meanwhile, which inherit it)
    previous = set_handlers({signum: hold for signum in STOPPING if signal.getsignal(signum) != signal.SIG_IGN})
    try:
        yield
    finally:
        set_handlers(previous)
        if held:
            signal.raise_signal(held[0])


def set_handlers(handlers):
    """Set these signal handlers, returning those they replace; the signals blocked meanwhile, so that none
    finds half of them changed (one that came meanwhile is delivered when they are unblocked, to the new)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, handlers)
    try:
        return {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def ended(process):
    """None while a section's process runs; once it has ended, its peak resident memory (kB), its exit code
    set on it."""
    try:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    except ChildProcessError:  # reaped elsewhere: its exit status is lost
        process.returncode = -1
        return 0
    if pid == 0:
        return None
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss
