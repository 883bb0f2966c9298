"""Running a diff case on PostgreSQL: old schema + rows + migration must equal the new schema.

A case is a pair of specs: `tests/diff_cases/base.yaml` edited into the old
and the new one. For each case, on a real database:

1. old full SQL, some rows, then the generated up migration (statement by
   statement, as psql runs a file) gives the same schema dump as the new full SQL;
2. the down migration brings that database back to the old schema;
   after each, the live catalog reads back as the state it should have (no drift);
3. the rows are still there after both (each case adds checks of its own);
4. the phases after the main transaction run again, after each, and change nothing
   (a run that stopped there resumes at its marker line).
"""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pg
import yaml
from catalog_check import assert_reads_back
from schemagen import diff, ir, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

BASE = Path(__file__).parent / "diff_cases" / "base.yaml"
# Rules about the design of new objects, not about changing existing tables safely.
SQUAWK_EXCLUDED = [
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamptz",
    "ban-char-field",
]

ACCOUNT_A = "00000000-0000-0000-0000-00000000000a"
ACCOUNT_B = "00000000-0000-0000-0000-00000000000b"
ROWS = f"""
INSERT INTO account (id, name, code) VALUES ('{ACCOUNT_A}', 'Ada', 'A1'), ('{ACCOUNT_B}', 'Bob', 'B2');
INSERT INTO item (account_id, status, label, qty, price, note) VALUES
    ('{ACCOUNT_A}', 'active', 'lamp', 3, 9.99, 'first'),
    ('{ACCOUNT_A}', 'draft', 'desk', 1, 120.00, NULL),
    ('{ACCOUNT_B}', 'archived', 'chair', 0, NULL, 'third');
INSERT INTO event (account_id, channel, created_at) VALUES
    ('{ACCOUNT_A}', 'web', '2026-01-15'), ('{ACCOUNT_A}', 'store', '2026-02-10'),
    ('{ACCOUNT_B}', 'web', '2026-03-20'), ('{ACCOUNT_B}', NULL, '2027-01-01');
"""

Edit = Callable[[dict[str, Any]], None]


def _nothing(spec: dict[str, Any]) -> None:
    pass


@dataclass
class Case:
    name: str
    new: Edit
    old: Edit = _nothing
    rows: str = ROWS
    after_up: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)  # (query, expected rows)
    after_down: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)
    counted: bool = True  # every row of every table that stays is still there (False when the case deletes some)
    # PostgreSQL appends a column it adds: a column that the down migration puts back (or the spec adds
    # between others) ends up last, where a fresh database has it in its place. Compared regardless of order.
    column_order: tuple[str, ...] = ()  # "up", "down"

    def dump_of(self, url: str, direction: str) -> str:
        dump = pg.schema_dump(url)
        return columns_sorted(dump) if direction in self.column_order else dump

    def reference(self, admin_url: str, sql: str, direction: str) -> str:
        dump = reference_dump(admin_url, sql)
        return columns_sorted(dump) if direction in self.column_order else dump

    def __str__(self) -> str:
        return self.name


def base() -> dict[str, Any]:
    return copy.deepcopy(_base())


@functools.cache
def _base() -> dict[str, Any]:
    return yaml.safe_load(BASE.read_text())


def write_spec(directory: Path, spec: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "shop.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return directory


def schema_of(directory: Path) -> tuple[ir.Schema, list[str]]:
    files = loader.load_dir(directory)
    return resolve.resolve(files), [f.source for f in files]


def specs(case: Case, tmp: Path) -> tuple[ir.Schema, ir.Schema, list[str]]:
    old_spec, new_spec = base(), base()
    case.old(old_spec)
    case.old(new_spec)
    case.new(new_spec)
    old, _ = schema_of(write_spec(tmp / "old", old_spec))
    new, sources = schema_of(write_spec(tmp / "new", new_spec))
    return old, new, sources


def full_sql(schema: ir.Schema) -> str:
    return standin_sql(schema) + from_scratch.migration_sql(schema, ["spec"])


@functools.cache
def reference_dump(admin_url: str, sql: str) -> str:
    """The schema dump of a fresh database built from `sql` (cached: many cases share a side)."""
    with pg.fresh_database(admin_url) as url:
        pg.apply_sql(url, sql)
        return pg.schema_dump(url)


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with pg.connect(url) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def row_counts(url: str, tables: list[str]) -> dict[str, int]:
    return {t: query(url, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def columns_sorted(dump: str) -> str:
    """The dump with the column lines of each CREATE TABLE in name order."""
    blocks = re.split(r"(?m)^(CREATE TABLE [^\n]*\($\n|^\)[^\n]*$)", dump)
    out = []
    inside = False
    for block in blocks:
        if inside:
            out.append("".join(sorted(line.rstrip(",") + "\n" for line in block.splitlines())))
        else:
            out.append(block)
        inside = block.startswith("CREATE TABLE")
    return "".join(out)


def assert_dump(actual: str, expected: str, label: str) -> None:
    diff_text = pg.dump_text_diff(actual, expected, label_a=label, label_b="from scratch")
    assert not diff_text, diff_text


def squawk(sql: str, tmp: Path, name: str) -> list[str]:
    path = tmp / f"{name}.sql"
    path.write_text(sql)
    binary = Path(sys.executable).parent / "squawk"
    proc = subprocess.run(
        [str(binary), "--reporter", "json", "--exclude", ",".join(SQUAWK_EXCLUDED), str(path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [f"{v['line']}: {v['rule_name']}: {v['message']}" for v in json.loads(proc.stdout or "[]")]


PHASE_MARKER = re.compile(r"^-- schemagen:phase (\w+) (transaction|no-transaction)$", re.MULTILINE)


def phases(sql: str) -> dict[str, str]:
    """The text of each phase of a migration, from its marker line to the next (or to the end)."""
    marks = list(PHASE_MARKER.finditer(sql))
    return {
        m.group(1): sql[m.start() : (marks[i + 1].start() if i + 1 < len(marks) else len(sql))]
        for i, m in enumerate(marks)
    }


def from_phase(sql: str, phase: str) -> str:
    """The migration from `phase`'s marker line on: what a run that stopped in that phase runs again."""
    start = next(m.start() for m in PHASE_MARKER.finditer(sql) if m.group(1) == phase)
    return sql[start:]


def after_main(sql: str) -> str:
    """The phases after the main transaction ('' when there are none)."""
    names = list(phases(sql))
    later = names[names.index("main") + 1 :] if "main" in names else []
    return from_phase(sql, later[0]) if later else ""


def run(case: Case, admin_url: str, tmp: Path) -> None:
    old, new, sources = specs(case, tmp)
    migration = diff.migration(old, new, number=2, name=case.name, previous="0001_shop", sources=sources)
    assert not migration.refusals, migration.refusals
    assert migration.changes, "the case changes nothing"
    assert "cannot be undone automatically" not in migration.down, migration.down
    for label, sql in (("up", migration.up), ("down", migration.down)):
        problems = squawk(sql, tmp, label)
        assert not problems, f"squawk on the {label} migration:\n" + "\n".join(problems) + "\n\n" + sql
    old_sql, new_sql = full_sql(old), full_sql(new)
    kept = sorted({t.name.q for t in old.tables} & {t.name.q for t in new.tables})
    with pg.fresh_database(admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, case.rows)
        before = row_counts(url, kept)
        pg.apply_sql_per_statement(url, migration.up)
        assert_dump(case.dump_of(url, "up"), case.reference(admin_url, new_sql, "up"), "old + up")
        assert_reads_back(url, new, f"{case.name}: old + up")  # `schemagen drift` finds no drift after the migration
        pg.apply_sql_per_statement(url, after_main(migration.up))
        assert_dump(
            case.dump_of(url, "up"), case.reference(admin_url, new_sql, "up"), "old + up + its later phases again"
        )
        assert row_counts(url, kept) == before or not case.counted
        for sql, expected in case.after_up:
            assert query(url, sql) == expected, sql
        pg.apply_sql_per_statement(url, migration.down)
        assert_dump(case.dump_of(url, "down"), case.reference(admin_url, old_sql, "down"), "old + up + down")
        assert_reads_back(url, old, f"{case.name}: old + up + down")
        pg.apply_sql_per_statement(url, after_main(migration.down))
        assert_dump(
            case.dump_of(url, "down"),
            case.reference(admin_url, old_sql, "down"),
            "old + up + down + its later phases again",
        )
        assert row_counts(url, kept) == before or not case.counted
        for sql, expected in case.after_down:
            assert query(url, sql) == expected, sql
