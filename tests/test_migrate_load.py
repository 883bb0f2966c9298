"""benchmarks/migrate_load.py, short: `schemagen migrate` applies an index and changed policies while
8 clients write as `authenticated` and a report holds the table; its first attempt meets the
report, gives up at its lock_timeout and runs again. No row is lost, and no client waits longer
than the lock_timeout plus one retry (with a second of slack for this shared machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import migrate_load
import pytest

# Judges durations and waits: in one xdist group, so that no other timing test runs beside it (pyproject's addopts).
pytestmark = pytest.mark.xdist_group("timing")


def test_migrate_under_load_keeps_every_row_and_no_client_waits_past_the_lock_timeout(pg_admin_url):
    result = migrate_load.run(pg_admin_url, rows=3000, clients_n=8, pause=1.0, hold=2.5, every=3.5)
    assert result["unexpected_errors"] == {}, result
    assert all(result["rows_kept"]["seed rows, count and checksum per table"].values()), result["rows_kept"]
    kept = result["rows_kept"]
    for key in ("activity rows the clients wrote", "syncs the clients started"):
        found, total = kept[key].split(" of ")
        assert found == total and int(total) > 0, kept
    assert result["applied"], result["output"]
    assert result["migrate"]["retries"] >= 1, result["output"]  # the report made the main phase give up at least once
    assert result["migrate"]["max_wait_s"] <= 2 * migrate_load.LOCK_TIMEOUT_S + 1.0, result["migrate"]
