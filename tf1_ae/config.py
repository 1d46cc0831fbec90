"""A listing's Config as a run uses it: the book's values changed by the command line, every value checked
before any work (and before TensorFlow loads: a Config loads without it).

What a field may hold follows from its name: the few below are rates, probabilities or free numbers; every
other field is a count or a size (an integer from 1 to MAX_COUNT, a tuple of them) or a weight of a loss
term, a penalty or a noise level (a number ≥ 0). Text fields are checked by their Config's own __post_init__.
"""
import math
from dataclasses import fields, replace

from tf1_ae.runs import UsageError

MAX_COUNT = 100_000  # past any layer, batch or epoch count of the chapter; a larger one would exhaust the machine
RANGES = {  # field: (lowest, highest, whether the lowest may be reached, whether the highest may, the words)
    "learning_rate": (0, math.inf, False, False, "a positive number"),
    "eps": (0, math.inf, False, False, "a positive number"),
    "prior_stddev": (0, math.inf, False, False, "a positive number"),
    "ascent_step": (0, math.inf, False, False, "a positive number"),
    "sparsity_target": (0, 1, False, False, "a number between 0 and 1, both excluded"),
    "p": (0, 1, False, False, "a number between 0 and 1, both excluded"),
    "dropout_rate": (0, 1, True, False, "a number from 0 up to, not including, 1"),
    "sparsity": (0, 1, False, True, "a fraction above 0, at most 1"),
    "wta_sparsity": (0, 1, False, True, "a fraction above 0, at most 1"),
    "salt_and_pepper": (0, 1, True, True, "a probability from 0 to 1"),
    "ascent_start_noise": (0, 1, True, True, "a number from 0 to 1"),
    "w1": (-math.inf, math.inf, False, False, "a finite number"),
    "w2": (-math.inf, math.inf, False, False, "a finite number"),
    "data_seed": (0, 2 ** 32 - 1, True, True, "an integer from 0 to 4,294,967,295"),
    "ascent_record": (0, MAX_COUNT, True, True, f"integers from 0 to {MAX_COUNT:,}"),
}
COUNT = (1, MAX_COUNT, True, True, f"an integer from 1 to {MAX_COUNT:,}")
WEIGHT = (0, math.inf, True, False, "a number ≥ 0")


def in_range(value, lowest, highest, low_included, high_included):
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return (lowest < value or low_included and value == lowest) and (value < highest or high_included and
                                                                     value == highest)


def check_ranges(config):
    """UsageError naming the first field whose value is out of its range."""
    for field in fields(config):
        value = getattr(config, field.name)
        if isinstance(value, (bool, str)):
            continue
        default = COUNT if isinstance(value, (int, tuple)) else WEIGHT
        lowest, highest, low_included, high_included, words = RANGES.get(field.name, default)
        values = value if isinstance(value, tuple) else (value,)
        if not values or not all(in_range(v, lowest, highest, low_included, high_included) for v in values):
            shown = ",".join(map(str, values)) if isinstance(value, tuple) else value
            raise UsageError(f"--set {field.name}={shown}: expected {words}")
    return config


def parse_field(config, name, value):
    """`value` for the config field `name`; text from `--set name=text` is read as that field's type."""
    known = {f.name: f for f in fields(config)}
    if name not in known:
        raise UsageError(f"{name}: this section's config has no such field (it has: {', '.join(known)})")
    kind = type(getattr(config, name))
    if not isinstance(value, str) or kind is str:
        return value
    try:
        if kind is bool:
            return {"true": True, "false": False, "1": True, "0": False}[value.lower()]
        if kind is tuple:
            return tuple(int(part) for part in value.split(","))
        return kind(value)
    except (KeyError, ValueError):
        raise UsageError(f"--set {name}={value}: expected a {kind.__name__} "
                         f"like {getattr(config, name)!r}") from None


def is_full_budget(options):
    """A run of the section's own defaults: the book's steps and the listing's Config as it stands."""
    return (options.steps is None and options.epochs is None and options.learning_rate is None
            and options.batch_size is None and not options.overrides)


def apply_options(config, options):
    """The section's frozen config with the command line's changes (learning rate and batch size where the
    config has them, and each --set field=value or section flag such as --penalty), every value checked."""
    changes = {}
    if options.learning_rate is not None and hasattr(config, "learning_rate"):
        changes["learning_rate"] = options.learning_rate
    if options.batch_size is not None and hasattr(config, "batch_size"):
        changes["batch_size"] = options.batch_size
    for name, value in options.overrides:
        changes[name] = parse_field(config, name, value)
    try:
        return check_ranges(replace(config, **changes))
    except ValueError as exc:  # a Config's own check of its values
        raise UsageError(str(exc)) from None
