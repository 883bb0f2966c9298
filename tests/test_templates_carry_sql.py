"""The SQL keywords of the generated migrations are written by the templates, never by Python strings
(issue 11): tools/sql_keywords.py marks every value a template prints and counts the keywords inside
values that are not the spec's own fragments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_no_sql_keyword_of_a_migration_comes_from_python():
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "sql_keywords.py"), "--show", "20", "--tables", "10"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    rows = [line.split("|")[1:-1] for line in run.stdout.splitlines() if line.startswith("| ") and "%" in line]
    assert len(rows) == 4, run.stdout  # from scratch, 0025 up and down, the benchmark spec (10 tables)
    for output, total, _templates, _spec, python, _share in rows:
        assert int(total) > 0, output
        assert int(python) == 0, f"{output.strip()}: {python.strip()} keyword(s) written by Python\n{run.stdout}"
