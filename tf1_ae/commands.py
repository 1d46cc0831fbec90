"""The command that goes on from a run, written as the user typed theirs: `make <target> ARGS='…'` when the
Makefile started it (its recipes set TF1_AE_MAKE), else `<this python> -m tf1_ae …` as it is typed from the
current folder (`.venv/bin/python` in the checkout). It keeps the options the user gave (`--data`, `--steps`,
`--out`…), so that it acts on the same run, with --force and --resume as the line says."""
import os
import shlex
import sys
from pathlib import Path

from tf1_ae.runs import REPO_ROOT

CHOICES = ("--force", "--resume")  # what a line asks the user to choose: never carried over from the last command


def python():
    """This interpreter as typed from the current folder."""
    executable = Path(sys.executable)
    try:
        return str(executable.relative_to(Path.cwd()))
    except ValueError:
        return str(executable)


def without(options, flag):
    """`options` without `flag` and its value (`--out DIR` or `--out=DIR`)."""
    kept, skip = [], False
    for word in options:
        if skip:
            skip = False
        elif word == flag:
            skip = True
        elif not word.startswith(flag + "="):
            kept.append(word)
    return kept


def command(words, options=(), *flags):
    """`words` ("run", section) or ("all",), with the user's `options` and then `flags`, quoted in backticks."""
    options = [word for word in options if word not in CHOICES]
    if "--out" in flags:  # a folder of its own instead of the one given
        options = without(options, "--out")
    args = [*options, *flags]
    if os.environ.get("TF1_AE_MAKE"):
        return f"`make {words[-1]}{' ARGS=' + shlex.quote(shlex.join(args)) if args else ''}`"
    return f"`{shlex.join([python(), '-m', 'tf1_ae', *words, *args])}`"


def out_options(section, folder):
    """("--out", DIR) for a run whose folder is checkpoints/<section>/ (or a part of it) under DIR, or () where
    DIR is the checkout, the default."""
    folder = Path(folder).resolve()
    out = next((p.parent.parent for p in (folder, *folder.parents)
                if p.name == section and p.parent.name == "checkpoints"), REPO_ROOT)
    return () if out == REPO_ROOT else ("--out", str(out))
