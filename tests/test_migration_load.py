"""benchmarks/migration_load.py on a few thousand rows: 0025 and its down under load keep every row.

The benchmark itself (1,000,000 rows, minutes) is not part of the suite; its
figures are in the README. Here it runs end to end, small: no client error
other than the one PostgreSQL raises by design for a statement prepared
before a column changed type, no row lost. Waits are not judged (the machine
is shared).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import migration_load
import pytest

# Judges durations and waits: in one xdist group, so that no other timing test runs beside it (pyproject's addopts).
pytestmark = pytest.mark.xdist_group("timing")


def test_0025_and_its_down_under_load_keep_every_row(pg_admin_url):
    result = migration_load.run(pg_admin_url, migration_load.psql_binary(None), rows=3000, clients_n=2, pause=0.3)
    assert result["unexpected_errors"] == {}
    assert all(result["rows_kept"]["seed rows, count and checksum per table"].values()), result["rows_kept"]
    assert result["ok"], result
    assert result["up"]["statements"] > 0 and result["down"]["statements"] > 0
