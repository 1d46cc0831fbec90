"""A listing's Config as a run uses it: the book's values changed by the command line, every value checked
before any work (and before TensorFlow loads: a Config loads without it).

A field says what it may hold in its metadata, written with the helpers below (`rate(0.3)`,
`choice("kl", ("kl", "mse"))`...): a range, or a list of choices. A number without one is a count or a size
(an integer from 1 to MAX_COUNT, a tuple of them) or a weight of a loss term, a penalty or a noise level (a
number ≥ 0); `learning_rate`, which --learning-rate sets in every listing, is a positive number. The toolkit
knows no other field by name.
"""
import math
from dataclasses import field, fields, replace

from tf1_ae.runs import UsageError

MAX_COUNT = 100_000  # past any layer, batch or epoch count of the chapter; a larger one would exhaust the machine
# (lowest, highest, whether the lowest may be reached, whether the highest may, the words)
POSITIVE = (0, math.inf, False, False, "a positive number")
OPEN_UNIT = (0, 1, False, False, "a number between 0 and 1, both excluded")
RATE = (0, 1, True, False, "a number from 0 up to, not including, 1")
FRACTION = (0, 1, False, True, "a fraction above 0, at most 1")
PROBABILITY = (0, 1, True, True, "a probability from 0 to 1")
UNIT_INTERVAL = (0, 1, True, True, "a number from 0 to 1")
FINITE = (-math.inf, math.inf, False, False, "a finite number")
SEED = (0, 2 ** 32 - 1, True, True, "an integer from 0 to 4,294,967,295")
COUNTS_FROM_ZERO = (0, MAX_COUNT, True, True, f"an integer from 0 to {MAX_COUNT:,}")
COUNT = (1, MAX_COUNT, True, True, f"an integer from 1 to {MAX_COUNT:,}")
WEIGHT = (0, math.inf, True, False, "a number ≥ 0")
DEFAULT_RANGES = {"learning_rate": POSITIVE}  # the run options' own field (--learning-rate)


def ranged(default, allowed, any_length=False):
    """A Config field whose value must lie in `allowed` (one of the ranges above); a tuple keeps its default's
    length unless `any_length`."""
    return field(default=default, metadata={"range": allowed, **({"any_length": True} if any_length else {})})


def positive(default):
    return ranged(default, POSITIVE)


def rate(default):
    return ranged(default, RATE)


def choice(default, choices, flag=None):
    """A text (or on/off) field that takes one of `choices`; `flag`: the help of its shorthand flag
    (`--penalty mse` for `--set penalty=mse`)."""
    return field(default=default, metadata={"choices": tuple(choices), **({"flag": flag} if flag else {})})


def switch(default, flag):
    """An on/off field with a shorthand flag that turns it on (`--freeze-pretrained`)."""
    return field(default=default, metadata={"flag": flag})


def flag_fields(config_class):
    """{field name: (its choices or None for an on/off flag, the flag's help)} of the fields with a shorthand flag."""
    return {f.name: (f.metadata.get("choices"), f.metadata["flag"]) for f in fields(config_class)
            if "flag" in f.metadata}


def in_range(value, lowest, highest, low_included, high_included):
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return (lowest < value or low_included and value == lowest) and (value < highest or high_included and
                                                                     value == highest)


def range_of(item, value):
    """The range a number field's value must lie in: its metadata's, or a count's or a weight's."""
    return item.metadata.get("range", DEFAULT_RANGES.get(item.name, COUNT if isinstance(value, (int, tuple))
                                                         else WEIGHT))


def allowed(item, value):
    """What a field may hold, in words (`run SECTION --help`)."""
    choices = item.metadata.get("choices")
    if choices is not None:
        return f"one of {', '.join(map(str, choices))}"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "text"
    words = range_of(item, value)[-1]
    if not isinstance(value, tuple):
        return words
    return f"each {words}" + ("" if item.metadata.get("any_length") else f", {len(item.default)} of them")


def check_ranges(config):
    """UsageError naming the first field whose value is out of its range or not one of its choices."""
    for item in fields(config):
        value = getattr(config, item.name)
        choices = item.metadata.get("choices")
        if choices is not None:
            if value not in choices:
                raise UsageError(f"--set {item.name}={value}: expected one of {', '.join(map(str, choices))}")
            continue
        if isinstance(value, (bool, str)):
            continue
        lowest, highest, low_included, high_included, words = range_of(item, value)
        values = value if isinstance(value, tuple) else (value,)
        if (isinstance(value, tuple) and isinstance(item.default, tuple) and len(value) != len(item.default)
                and not item.metadata.get("any_length")):  # one per layer, seed or map: the listing unpacks them
            raise UsageError(f"--set {item.name}={','.join(map(str, values))}: expected {len(item.default)} values, "
                             f"as {','.join(map(str, item.default))}")
        if not values or not all(in_range(v, lowest, highest, low_included, high_included) for v in values):
            shown = ",".join(map(str, values)) if isinstance(value, tuple) else value
            raise UsageError(f"--set {item.name}={shown}: expected {words}")
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
        if kind is tuple:  # 4,21 or (4, 21), as --help shows it
            return tuple(int(part) for part in value.strip().strip("()").split(",") if part.strip())
        return kind(value)
    except (KeyError, ValueError):
        example = getattr(config, name)
        shown = ",".join(map(str, example)) if kind is tuple else repr(example)
        raise UsageError(f"--set {name}={value}: expected {'an' if kind.__name__[0] in 'aeiou' else 'a'} "
                         f"{kind.__name__} like {shown}") from None


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
