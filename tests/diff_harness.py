"""Running a diff case on PostgreSQL: old schema + rows + migration must equal the new schema.

A case is a directory `tests/diff_cases/<case>/` of data (see `load`): `base.yaml` edited into the old
and the new spec by `old.yaml` and `new.yaml` (patches, tests/spec_patch.py). For each case, on a real
database:

1. old full SQL, some rows, then the generated up migration (statement by
   statement, as psql runs a file) gives the same schema dump as the new full SQL;
2. the down migration brings that database back to the old schema;
   after each, the live catalog reads back as the state it should have (no drift);
3. the rows are still there after both, and the case's own queries give its
   expected rows (`expect.yaml`);
4. the phases after the main transaction run again, after each, and change nothing
   (a run that stopped there resumes at its marker line);
5. where the case has an `expected.sql`: the end state written by hand, with no help
   from schemagen (`base.sql`, the case's `old.sql`, then `expected.sql`), has the same
   schema dump as the migrated database, and `base.sql` + `old.sql` the same as the old
   one, before the up migration and after the down. Steps 1 and 2 compare schemagen with
   itself (its from-scratch SQL), which a mistake made in both would pass; this one does not.
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
from decimal import Decimal
from pathlib import Path
from typing import Any

import pg
import spec_patch
import yaml
from catalog_check import assert_reads_back
from schemagen import diff, ir, resolve
from schemagen.spec import loader
from schemagen.sql import from_scratch
from schemagen.sql.standins import standin_sql

CASES_DIR = Path(__file__).parent / "diff_cases"
BASE = CASES_DIR / "base.yaml"
BASE_BY_HAND = CASES_DIR / "base.sql"
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
ROWS = (CASES_DIR / "rows.sql").read_text(encoding="utf-8")

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
    by_hand: tuple[str, str] | None = None  # (old.sql, expected.sql): the end states written by hand, on base.sql
    base_spec: Path = BASE  # the spec the patches edit: diff_cases/base.yaml, or the case's own base.yaml
    base_sql: Path = BASE_BY_HAND  # and its hand-written SQL

    def dump_of(self, url: str, direction: str) -> str:
        dump = pg.schema_dump(url)
        return columns_sorted(dump) if direction in self.column_order else dump

    def reference(self, admin_url: str, sql: str, direction: str) -> str:
        dump = reference_dump(admin_url, sql)
        return columns_sorted(dump) if direction in self.column_order else dump

    def __str__(self) -> str:
        return self.name


def load(directory: Path) -> Case:
    """The case in `directory`: `new.yaml` (required) and `old.yaml`, patches of base.yaml (the old spec
    is base.yaml + old.yaml, the new one that + new.yaml); `rows.sql`, the rows put in before the
    migration (default: diff_cases/rows.sql); `expect.yaml`, with `after_up` and `after_down` (lists of
    {query, rows}: a number or decimal column is written as PostgreSQL prints it, "9.99"), `counted` and
    `column_order` (see Case); `expected.sql` and `old.sql`, the new and old schema written by hand as
    statements applied after base.sql (see the module's docstring, step 5). A case may bring its own
    `base.yaml` and `base.sql`, a schema of its own to start from."""

    def read(name: str) -> str | None:
        path = directory / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def patch(name: str) -> Edit:
        steps = yaml.safe_load(read(name) or "[]")
        return lambda spec: spec_patch.apply(spec, steps) and None

    expect = yaml.safe_load(read("expect.yaml") or "{}")
    unknown = set(expect) - {"after_up", "after_down", "counted", "column_order"}
    assert not unknown, f"{directory}/expect.yaml: unknown keys {sorted(unknown)}"
    known = {"new.yaml", "old.yaml", "rows.sql", "expect.yaml", "expected.sql", "old.sql", "base.yaml", "base.sql"}
    strays = {p.name for p in directory.iterdir()} - known
    assert not strays, f"{directory}: files a case does not have: {sorted(strays)}"
    expected_sql, old_sql = read("expected.sql"), read("old.sql")
    if expected_sql is None:
        assert old_sql is None, f"{directory}: old.sql without expected.sql"
    elif (directory / "old.yaml").is_file():
        assert old_sql is not None, f"{directory}: with old.yaml and expected.sql, old.sql gives the old state by hand"
    return Case(
        directory.name,
        patch("new.yaml"),
        patch("old.yaml"),
        read("rows.sql") or ROWS,
        after_up=[(q["query"], [tuple(r) for r in q["rows"]]) for q in expect.get("after_up", [])],
        after_down=[(q["query"], [tuple(r) for r in q["rows"]]) for q in expect.get("after_down", [])],
        counted=expect.get("counted", True),
        column_order=tuple(expect.get("column_order", ())),
        by_hand=None if expected_sql is None else (old_sql or "", expected_sql),
        base_spec=directory / "base.yaml" if (directory / "base.yaml").is_file() else BASE,
        base_sql=directory / "base.sql" if (directory / "base.sql").is_file() else BASE_BY_HAND,
    )


def cases() -> list[Case]:
    """Every case under diff_cases/, in name order."""
    return [load(d) for d in sorted(CASES_DIR.iterdir()) if d.is_dir()]


# Edits in Python, for the tests that build cases of their own (test_migration_safety, test_partition_moves).


def table(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["tables"][name]  # type: ignore[no-any-return]


def columns(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["tables"][name]["columns"]  # type: ignore[no-any-return]


def allow(spec: dict[str, Any], *entries: str) -> None:
    spec.setdefault("allow_destructive", []).extend(entries)


def rename_column(spec: dict[str, Any], tname: str, old: str, new: str) -> None:
    cols = columns(spec, tname)
    table(spec, tname)["columns"] = {
        (new if k == old else k): ({**v, "renamed_from": old} if k == old else v) for k, v in cols.items()
    }


def set_enum(spec: dict[str, Any], name: str, values: list[str], **extra: Any) -> None:
    spec["enums"][name] = {**spec["enums"][name], "values": values, **extra}


def edit(*steps: Any) -> Any:
    def apply(spec: dict[str, Any]) -> None:
        for step in steps:
            step(spec)

    return apply


def base(path: Path = BASE) -> dict[str, Any]:
    return copy.deepcopy(_base(path))


@functools.cache
def _base(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def spec_dicts(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """The old and the new spec of a case, as YAML data."""
    old_spec, new_spec = base(case.base_spec), base(case.base_spec)
    case.old(old_spec)
    case.old(new_spec)
    case.new(new_spec)
    return old_spec, new_spec


def write_spec(directory: Path, spec: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "shop.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return directory


def schema_of(directory: Path) -> tuple[ir.Schema, list[str]]:
    files = loader.load_dir(directory)
    return resolve.resolve(files), [f.source for f in files]


def specs(case: Case, tmp: Path) -> tuple[ir.Schema, ir.Schema, list[str]]:
    old_spec, new_spec = spec_dicts(case)
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


def as_written(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as a case's expect.yaml writes them: a decimal as the text PostgreSQL prints ("120.00")."""
    return [tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows]


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


def assert_dump(actual: str, expected: str, label: str, expected_label: str = "from scratch") -> None:
    diff_text = pg.dump_text_diff(actual, expected, label_a=label, label_b=expected_label)
    assert not diff_text, diff_text


def by_hand(case: Case) -> tuple[str, str] | None:
    """The old and new schema of a case as written by hand (base.sql, old.sql, expected.sql), if it has them."""
    if case.by_hand is None:
        return None
    old_delta, new_delta = case.by_hand
    old = case.base_sql.read_text(encoding="utf-8") + "\n" + old_delta
    return old, old + "\n" + new_delta


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
    hand = by_hand(case)
    if hand:
        assert_dump(reference_dump(admin_url, old_sql), reference_dump(admin_url, hand[0]), "old", "old by hand")
    with pg.fresh_database(admin_url) as url:
        pg.apply_sql(url, old_sql)
        pg.apply_sql(url, case.rows)
        before = row_counts(url, kept)
        pg.apply_sql_per_statement(url, migration.up)
        if hand:
            assert_dump(case.dump_of(url, "up"), case.reference(admin_url, hand[1], "up"), "old + up", "new by hand")
        assert_dump(case.dump_of(url, "up"), case.reference(admin_url, new_sql, "up"), "old + up")
        assert_reads_back(url, new, f"{case.name}: old + up")  # `schemagen drift` finds no drift after the migration
        pg.apply_sql_per_statement(url, after_main(migration.up))
        assert_dump(
            case.dump_of(url, "up"), case.reference(admin_url, new_sql, "up"), "old + up + its later phases again"
        )
        assert row_counts(url, kept) == before or not case.counted
        for sql, expected in case.after_up:
            assert as_written(query(url, sql)) == as_written(expected), sql
        pg.apply_sql_per_statement(url, migration.down)
        if hand:
            assert_dump(
                case.dump_of(url, "down"), case.reference(admin_url, hand[0], "down"), "old + up + down", "old by hand"
            )
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
            assert as_written(query(url, sql)) == as_written(expected), sql
