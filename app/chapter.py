"""`make all`: every section of the chapter, each after the sections it needs.

With --jobs N (2 by default on 2 or more cores) in N processes side by side, a section starting as soon as a
process is free and what it needs has finished, each section's lines printed together when it ends; or with
--jobs 1 one after another in this process (TensorFlow's start-up paid once). A section that fails is one
line and a row of the closing table; the sections that need it are skipped, the others run. The run ends
with its arithmetic (the FLOPs of every section it trained, over its wall time) as a share of this
machine's GEMM peak, and writes checkpoints/all.json, the record the README's table quotes.

However `all` ends (a closed pipe, Ctrl-C, SIGTERM, a second one while it stops, an exception), it stops every
process it started and waits for each before it exits: none goes on training into --out on its own.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.failures import PROG, failure, say
from app.admission import finished, unfinished
from app.sections import SECTIONS
from app.supervisor import ended, run_to_its_end, signals_held, stop
from tf1_ae import peak
from tf1_ae.runs import REPO_ROOT, RunOptions, RunPaths, finished_run, is_of, read_metrics, write_json

FAILED = ("failed", "skipped", "refused")


def run_chapter(args):
    from tf1_ae.data import resolved_name

    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # this process runs the dense sections
    out = args.out or REPO_ROOT
    data_name = resolved_name(args.data)
    chosen = with_what_they_need(args.only, out, data_name, args.batches, args.graph_seed)
    start = time.perf_counter()
    if args.jobs > 1:
        results, memory = side_by_side(chosen, args, out, data_name)
    else:
        results, memory = one_after_another(chosen, args, out, data_name), {}
    seconds = time.perf_counter() - start
    print(f"\n{'section':<24}{'seconds':>8}  status")
    for name, (status, taken) in results.items():
        print(f"{name:<24}{taken:8.1f}  {status}")
    arithmetic = whole_run_arithmetic(results, out, seconds)
    print(f"total: {seconds / 60:.1f} minutes on {data_name} with {args.jobs} "
          f"{'process' if args.jobs == 1 else 'processes side by side'}; {arithmetic['text']}")
    if args.only is None:  # the record of a whole chapter's run, under the README's table (`make results`)
        record(out, args, data_name, seconds, results, arithmetic, memory)
    return 1 if any(status.startswith(FAILED) for status, _ in results.values()) else 0


def with_what_they_need(only, out, data_name, batches="notebook", graph_seed=None):
    """The chosen sections (all without --only), and those they need that have no finished run here: each
    trained once, before the sections that need it, not by each of them at once."""
    names = set(SECTIONS) if only is None else set(only)
    added = True
    while added:
        needed = {need for name in names for need in SECTIONS[name].needs
                  if need not in names and not finished(SECTIONS[need], out, data_name, batches, graph_seed)}
        names |= needed
        added = bool(needed)
    return [section for name, section in SECTIONS.items() if name in names]


def settled(section, results, args, out, data_name):
    """The status of a section that is not to run, or None: what it needs has failed; it has finished before;
    or its folder holds a finished run on other data, of another seed or of other batches, which only --force
    replaces."""
    from app.notebook import batches_drawn
    from tf1_ae.runs import batches_of

    blocked = next((need for need in section.needs if results.get(need, ("",))[0].startswith(FAILED)), None)
    if blocked:
        return f"skipped: needs {blocked}"
    if args.force:
        return None
    done = finished_run(RunPaths.under(out, section.name).checkpoint_dir, section=section.name)  # read once
    if done is None:
        return None
    if not section.uses_data or is_of(done, data_name, args.seed, batches_drawn(section.name, args.batches),
                                      args.graph_seed):
        return "finished before"
    if section.trains:
        return (f"refused: it holds a finished run on {done.get('data')}, seed {done.get('seed')}, "
                f"{batches_of(done)} batches (--force replaces it, --out DIR keeps both)")
    return None


def one_after_another(chosen, args, out, data_name):
    results = {}  # section → (status, seconds)
    for section in chosen:
        if section.name in results:
            continue
        status = settled(section, results, args, out, data_name)
        if status:
            results[section.name] = (status, 0.0)
        else:
            results.update(run_here(section, chosen, args, out, data_name))
    return results


def run_here(section, chosen, args, out, data_name):
    """{section: (status, seconds)} for `section`, run in this process or, where its thread pools or oneDNN
    setting differ from this process's (fixed when TensorFlow loads), in one of its own; with --towers, every
    towers section left runs in one such process, paying TensorFlow's start-up once."""
    towers_here = args.towers > 1 and all(s.towers for s in chosen)  # this is the towers process
    towers = args.towers if args.towers > 1 and section.towers else 1
    began = time.perf_counter()
    if towers > 1 and not towers_here:
        group = [s.name for s in chosen
                 if s.towers and (args.force or not finished(s, out, data_name, args.batches, args.graph_seed))]
        print(f"\n=== {len(group)} sections with {towers} towers, in a process of their own", flush=True)
        command = ["all", "--only", ",".join(group), "--towers", str(towers), "--jobs", "1"]
        run_to_its_end(child(command, args, out), env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"})
        seconds = time.perf_counter() - began
        done = {name: finished(SECTIONS[name], out, data_name, args.batches, args.graph_seed) for name in group}
        return {name: ("done" if done[name] else "failed (see above)", seconds) for name in group}
    print(f"\n=== {section.name}: {section.book}", flush=True)
    resume = continues(section, args, out)
    if section.onednn != (os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"):
        command = ["run", section.name, *(["--resume"] if resume else [])]
        code = run_to_its_end(child(command, args, out), env=section.environment())
        status = "done" if code == 0 else f"failed (exit {code}, see above)"
    else:
        options = RunOptions(data=args.data, seed=args.seed, out=out, progress=args.progress, towers=towers,
                             force=args.force, batches=args.batches, graph_seed=args.graph_seed, resume=resume,
                             typed=tuple(child([], args, out)[3:]))  # as a process of its own would be given them
        try:
            section.run(options)
            status = "done"
        except Exception as exc:  # any failure of one section: said in one line, and `all` goes on
            ended = failure(exc)
            if ended is None:
                raise
            say(f"{section.name}: {ended[1]}")
            status = "failed: " + ended[1].removeprefix("error: ")
    return {section.name: (status, time.perf_counter() - began)}


def side_by_side(chosen, args, out, data_name):
    """Each section in a process of its own, `args.jobs` at a time, each as soon as what it needs is done.
    Returns ({section: (status, seconds)}, {section: its process's peak memory in kB}). Stopped (Ctrl-C,
    SIGTERM), it stops the sections' processes too."""
    results, memory, waiting, running = {}, {}, list(chosen), {}  # running: name → (process, log file, start)
    try:
        while waiting or running:
            for section in list(waiting):
                if len(running) >= args.jobs:
                    break
                status = settled(section, results, args, out, data_name)
                if status:
                    results[section.name] = (status, 0.0)
                elif any(other in running or other in [s.name for s in waiting]
                         for other in section.needs + section.after):
                    continue  # what it needs, or reuses, is still to run: later
                else:
                    with signals_held():  # started and noted at once, so that the `finally` stops it
                        running[section.name] = start_process(section, args, out)
                    print(f"=== {section.name} started", flush=True)  # may find the pipe closed: it is noted
                waiting.remove(section)
            for name, (process, log, began) in list(running.items()):
                usage = ended(process)
                if usage is not None:
                    results[name] = ended_process(name, process, log, began)
                    memory[name] = usage
                    del running[name]
            time.sleep(0.2)
    finally:
        stop([process for process, _, _ in running.values()])  # left running only when `all` is being stopped
        for _, log, _ in running.values():
            log.close()
    return {s.name: results[s.name] for s in chosen}, memory


def continues(section, args, out):
    """Whether `all` continues the section's unfinished run of the book's budget (an interrupted `make all`,
    run again) with --resume: a run never starts over trained epochs without --force."""
    return not args.force and unfinished(section, RunPaths.under(out, section.name).checkpoint_dir) is not None


def start_process(section, args, out):
    towers = ["--towers", str(args.towers)] if args.towers > 1 and section.towers else []
    resume = ["--resume"] if continues(section, args, out) else []
    log = tempfile.TemporaryFile(mode="w+")
    command = child(["run", section.name, *towers, *resume], args, out)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=section.environment(), text=True)
    return process, log, time.perf_counter()


def ended_process(name, process, log, began):
    """(status, seconds) of a section's process that has ended, its lines printed together."""
    log.seek(0)
    lines = log.read().rstrip().splitlines()
    log.close()
    print(f"\n=== {name}: {SECTIONS[name].book}", flush=True)
    print("\n".join(lines), flush=True)
    if process.returncode == 0:
        return "done", time.perf_counter() - began
    cause = next((line.split(": ", 1)[1] for line in reversed(lines) if line.startswith(f"{PROG}: ")),
                 f"exit code {process.returncode}")
    return f"failed: {cause.removeprefix('error: ')}", time.perf_counter() - began


def child(command, args, out):
    """The command line of a `python -m tf1_ae` process that runs part of `all` with its options."""
    line = [sys.executable, "-m", "tf1_ae", *command, "--data", args.data, "--seed", str(args.seed), "--out", str(out),
            "--batches", args.batches, *(["--graph-seed", str(args.graph_seed)] if args.graph_seed is not None else [])]
    quiet = args.progress is False or command[0] == "run" and args.jobs > 1  # a captured log has no bar
    return line + (["--force"] if args.force else []) + (["--no-progress"] if quiet else [])


def whole_run_arithmetic(results, out, seconds):
    """The FLOPs of every section this run trained, over its wall time, and as a share of the peak."""
    flops = sum((read_metrics(RunPaths.under(out, name).checkpoint_dir, warn=False) or {}).get("flops") or 0
                for name, (status, _) in results.items() if status == "done")
    arithmetic = peak.arithmetic(flops, seconds)
    return {**arithmetic, "text": f"{flops / 1e12:.1f} TFLOP of products in all, {peak.share_text(arithmetic)}"}


def record(out, args, data_name, seconds, results, arithmetic, memory):
    """checkpoints/all.json: what the run was (data, seed, TensorFlow, machine, date, processes), how long it
    took, its arithmetic, each section's status (and peak memory, where it ran in a process of its own)."""
    from importlib import metadata

    versions = []
    for package in ("tensorflow-cpu", "tensorflow"):
        try:
            versions.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            pass
    trained = [read_metrics(RunPaths.under(out, name).checkpoint_dir, warn=False) or {} for name in results]
    write_json(Path(out) / "checkpoints" / "all.json", {
        "data": data_name, "seed": args.seed, "batches": args.batches,
        "n_train": next((m["n_train"] for m in trained if m.get("data") == data_name and m.get("n_train")), None),
        "tensorflow": versions[0] if versions else None, "machine": peak.described_machine(), "date": time.strftime("%Y-%m-%d"),
        "jobs": args.jobs, "towers": args.towers, "seconds": round(seconds, 1),
        **{k: v for k, v in arithmetic.items() if k != "text"},
        "sections": {name: {"status": status, "seconds": round(taken, 1),
                            **({"peak_memory_mb": round(memory[name] / 1024)} if memory.get(name) else {})}
                     for name, (status, taken) in results.items()}})
