"""The numbers the book's notebook printed, read from the JSON files beside this module, in one place for
every reader (the comparison at the end of a run, the report, vae_compare's figure, the tests)."""
import functools
import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BookData:
    numbers: dict  # book_numbers.json: per section, the data, the run and its final values
    logs: dict  # book_logs.json: <section>_<metric> → the value printed at each epoch
    reruns: dict  # book_reruns.json: <section>_<metric> → {run: the same values in an earlier run}


@functools.lru_cache(maxsize=1)
def our_spread():
    """our_spread.json (`make spread`): each printed value over several TensorFlow graph seeds, or {}."""
    path = HERE / "our_spread.json"
    try:
        spread = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return spread if isinstance(spread, dict) and isinstance(spread.get("values"), dict) else {}


@functools.lru_cache(maxsize=1)  # read once per process: the report asks for every section
def book_data():
    return BookData(*(json.loads((HERE / f"book_{name}.json").read_text()) for name in ("numbers", "logs", "reruns")))
