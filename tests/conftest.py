import pytest

from tf1_ae.runs import RunOptions


@pytest.fixture
def options(tmp_path):
    """Run options for quick runs: the embedded data, no progress bar, outputs in a temp folder."""
    return RunOptions(data="mnist5k", out=tmp_path, progress=False)


@pytest.fixture(scope="session")
def mnist5k():
    from tf1_ae.data import load_mnist5k
    return load_mnist5k()
