"""Whether a run may start in a section's folder: a finished full run is kept (reused, or refused a
replacement unless --force), an unfinished run of the full budget is resumed or refused, never replaced, a
folder holding another section's run is refused; and whether `make all` may skip a section."""
from functools import partial


def kept_run(section, folder, options, full, log):
    """A finished full run stays unless --force: its metrics where this run would change nothing (a
    --resume, or the same run again), a refusal where it would replace it. So does a run that cannot be
    told finished or not (an unreadable metrics.json beside a checkpoint), an unfinished run of the full
    budget (`keep_unfinished`), and another section's run. None: go on."""
    from tf1_ae.checkpoints import has_checkpoint_files, saved_record
    from tf1_ae.commands import command
    from tf1_ae.data import resolved_name
    from app.notebook import batches_drawn
    from tf1_ae.runs import UsageError, batches_of, read_metrics

    if options.force or not section.trains:  # a drawing is made again whenever asked
        return None
    metrics = read_metrics(folder, warn=False)  # a refusal below says what is wrong with it
    again = partial(command, ("run", section.name), options.typed)
    keep_apart = f"{again('--force')} replaces it, {again('--out', 'DIR')} keeps this run apart"
    # whose run this is: its metrics.json says, or the record saved with its checkpoint (a copied folder,
    # a mistyped --out: never taken for this section's, resumed or replaced)
    other = (metrics or {}).get("section") or (saved_record(folder) or {}).get("section")
    if other not in (None, section.name):
        raise UsageError(f"{folder} holds a run of {other}, not {section.name}: {again('--force')} replaces it, "
                         f"{again('--out', 'DIR')} keeps both")
    if metrics is None and (folder / "metrics.json").exists() and has_checkpoint_files(folder):
        if options.resume:
            return None
        raise UsageError(f"{folder} holds a run whose metrics.json cannot be read, so it may be a finished one: "
                         f"{again('--resume')} continues it, {keep_apart}")
    if not (metrics or {}).get("complete"):
        if metrics is None and not options.resume:
            keep_unfinished(section, folder, again)
        return None
    if options.resume:
        log(f"{section.name} has finished its full run in {folder}: nothing to resume, nothing changed")
        return metrics
    ran = {"data": metrics.get("data"), "seed": metrics.get("seed"), "batches": batches_of(metrics),
           "graph_seed": metrics.get("graph_seed")}
    asked = {"data": resolved_name(options.data) if section.uses_data else ran["data"], "seed": options.seed,
             "batches": batches_drawn(section.name, options.batches), "graph_seed": options.graph_seed}
    described = f"data {ran['data']}, seed {ran['seed']}, {ran['batches']} batches"
    if full and asked == ran:
        log(f"{section.name} has finished this full run in {folder} ({described}): nothing to do; "
            f"{again('--force')} trains it again")
        return metrics
    changed = [f"{'--' + key.replace('_', '-') if key in ('batches', 'graph_seed') else key} {asked[key]}"
               for key in ("data", "seed", "batches", "graph_seed") if asked[key] != ran[key]]
    changed += [] if full else ["a shorter or changed budget or config"]
    raise UsageError(f"{folder} holds a finished full run of {section.name} ({described}) that this run "
                     f"({', '.join(changed)}) would replace: {keep_apart}")

def unfinished(section, folder):
    """(the folder, what saved its checkpoint) of a run of the full budget that stopped before its end
    (interrupted, killed, on a NaN), in folder or one of its parts' (phases, the models it compares), or
    None. It is trained work: --resume continues it (`all` does). A quick look's (--steps 10...) is not."""
    from tf1_ae.checkpoints import saved_record

    if not section.resumable or not folder.is_dir():
        return None
    variants = {f"{field}_{value}" for field, value, _ in section.variants}  # runs of their own
    for part in [folder, *sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in variants)]:
        record = saved_record(part)
        if record is not None and record.get("full") is not False:
            return part, record
    return None

def keep_unfinished(section, folder, again):
    """An unfinished run of the full budget is refused, never replaced: its trainer replaces a quick look's,
    saying so. `again(*flags)`: the command that runs it again with flags."""
    from tf1_ae.runs import UsageError

    found = unfinished(section, folder)
    if found is None:
        return
    part, record = found
    budget = (f"{section.name}'s full budget (step {record['step']:,} of {record['steps']:,})" if record.get("full")
              else f"{section.name} whose budget was not recorded (an older version's), so it may be the full one")
    raise UsageError(f"{part} holds an unfinished run of {budget}: {again('--resume')} continues it, "
                     f"{again('--force')} starts over")


def finished(section, out, data_name, batches="notebook", graph_seed=None):
    """Whether `make all` may skip the section: a finished full run, on the same data where it uses data, of
    the same batches."""
    from app.notebook import batches_drawn
    from tf1_ae.runs import RunPaths, finished_run

    return finished_run(RunPaths.under(out, section.name).checkpoint_dir, data_name if section.uses_data else None,
                        batches=batches_drawn(section.name, batches), graph_seed=graph_seed,
                        section=section.name) is not None
