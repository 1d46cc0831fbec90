"""`python -m app.heartbeat [--every S] WHAT -- COMMAND...`: run COMMAND, saying `WHAT: 45 s` every S seconds
(default: $HEARTBEAT_SECONDS, else 15) until it ends; its output and errors pass through, its exit code is ours.

Set-up runs its minute of quiet pip under it, so a newcomer never faces a silent minute. It runs before .venv
exists, with the system's Python: the standard library only.
"""
import argparse
import os
import subprocess
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m app.heartbeat")
    parser.add_argument("--every", type=float, default=float(os.environ.get("HEARTBEAT_SECONDS", 15)),
                        help="seconds between two lines (default: $HEARTBEAT_SECONDS, else 15)")
    parser.add_argument("what", help="what the lines say is going on")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or not args.every > 0:
        parser.error("expected --every S > 0, WHAT, then -- COMMAND")
    started = time.monotonic()
    process = subprocess.Popen(command)
    beats = 0
    try:
        while True:
            beats += 1  # each line when it is due, however long the one before took
            try:
                return process.wait(timeout=max(0.0, started + beats * args.every - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{args.what}: {time.monotonic() - started:.0f} s", flush=True)
    except KeyboardInterrupt:  # Ctrl-C reached the command too: wait for it to stop, say nothing more
        process.wait()
        return 130


if __name__ == "__main__":
    sys.exit(main())
