"""Shared fixtures. Tests never touch the network: data comes from data/ or is made here."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "data"


@pytest.fixture
def spam_zip() -> Path:
    return DATA_DIR / "smsspamcollection.zip"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Keep every test's cache folder private, never the user's ~/.cache."""
    monkeypatch.setenv("RNN_EXAMPLES_CACHE", str(tmp_path_factory.mktemp("cache")))


def run_main_expecting_error(main, argv, capsys):
    """Run `main(argv)`, assert exit status 2, and return the single stderr line."""
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]
