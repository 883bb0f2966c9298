"""Every refusal the README promises, judged without schemagen's help: code, place and nothing written.

The cases are the broken specs about a change (tests/broken/change_*/, built after their
`previous/` specs, see test_broken_specs.py). Each says in a comment what a person expects:

    # refused: E063 at tables.item.columns.price: "changes type from numeric(8,2) to numeric(12,1)"

the code, the key the error must point at (a dotted path, found in the YAML by PyYAML's own
composer, not by schemagen's position tracking) and words its message must hold. The golden
expected.txt of each case is not read here.

Which type changes are refused is judged by PostgreSQL itself: a change of one kind of value
(text, numbers, times) is refused exactly when PostgreSQL, converting the old type's extreme
values, fails or changes one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pg
import psycopg
import pytest
import yaml
from diff_harness import schema_of, write_spec
from schemagen import diff, errors, ir
from schemagen.diff import types
from test_broken_specs import BROKEN, DIAGNOSTIC, diagnostics_of

REFUSED = re.compile(r'^# refused: (?P<code>E\d{3}) at (?P<path>\S+): "(?P<says>.+)"$', re.MULTILINE)
CASES = sorted(p for p in BROKEN.glob("change_*") if REFUSED.search((p / "spec.yaml").read_text("utf-8")))


def position(text: str, path: str) -> tuple[int, int]:
    """Line and column (from 1) of the key at `path` (of the item, for a list index), as PyYAML composes the text."""
    node = yaml.compose(text)
    *steps, last = path.split(".")
    for step in steps:
        node = _child(node, step)[1]
    key, value = _child(node, last)
    mark = (key if key is not None else value).start_mark
    return mark.line + 1, mark.column + 1


def _child(node: yaml.Node, step: str) -> tuple[yaml.Node | None, yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return None, node.value[int(step)]
    assert isinstance(node, yaml.MappingNode), f"no mapping at {step!r}"
    return next((k, v) for k, v in node.value if k.value == step)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_refused_change_has_its_code_at_its_key_and_writes_nothing(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (case / "spec.yaml").read_text(encoding="utf-8")
    expected = [(m["code"], *position(text, m["path"]), m["says"]) for m in REFUSED.finditer(text)]
    diagnostics = diagnostics_of(case, tmp_path, monkeypatch)  # exit 1, output directory untouched
    found = [DIAGNOSTIC.match(line) for line in diagnostics]
    assert all(found), diagnostics
    assert sorted((m["code"], int(m["line"]), int(m["col"])) for m in found if m) == sorted(e[:3] for e in expected), (
        diagnostics
    )
    for code, line, col, says in expected:
        message = next(
            m["message"] for m in found if m and (m["code"], int(m["line"]), int(m["col"])) == (code, line, col)
        )
        assert says in message, message


def test_every_refusal_the_readme_promises_has_a_case() -> None:
    says = " | ".join(m["says"] for case in CASES for m in REFUSED.finditer((case / "spec.yaml").read_text("utf-8")))
    for promised in (
        "table legacy_log is removed",  # drop table
        "column account.note is removed",  # drop column
        "changes type from varchar(100) to varchar(20)",  # fewer characters
        "changes type from numeric(8,2) to numeric(12,1)",  # fewer decimals, though more digits
        "changes type from text to integer",  # another kind of value
        "drop enum value",
        "partition event_2026_02 is removed",  # rows no partition would take
        "partition event_2026_02 is narrowed",
        "is the partition key of event",  # a key column's type
        "the partitioning of table event changes",
        "is spent",  # an allow_destructive entry used by the last migration
        "NOT NULL without a default",
    ):
        assert promised in says, promised


# -- which type changes are refused: PostgreSQL's verdict -------------------------------------------------------------

# The old type's values that a narrower type would fail on or change: its extremes.
EXTREMES = {
    "varchar(50)": ["repeat('x', 50)", "''"],
    "varchar": ["repeat('x', 5000)"],
    "text": ["repeat('x', 5000)"],
    "char(5)": ["'abcde'"],
    "smallint": ["-32768", "32767"],
    "integer": ["-2147483648", "2147483647"],
    "bigint": ["-9223372036854775808", "9223372036854775807"],
    "numeric(8, 2)": ["999999.99", "-999999.99", "0.01"],
    "numeric(5, 0)": ["99999", "-99999"],
    "numeric": ["123456789012345678901234567890.123456789", "0.000000000001"],
    "timestamp(6)": ["'2026-01-01 00:00:00.123456'"],
    "timestamp(3)": ["'2026-01-01 00:00:00.123'"],
    "timestamptz(6)": ["'2026-01-01 00:00:00.123456+00'"],
    "time(6)": ["'23:59:59.999999'"],
}
SAME_KIND = [
    ("varchar(50)", "varchar(60)"),
    ("varchar(50)", "varchar(50)"),
    ("varchar(50)", "varchar(49)"),
    ("varchar(50)", "varchar"),
    ("varchar(50)", "text"),
    ("varchar", "varchar(100)"),
    ("text", "varchar(100)"),
    ("text", "varchar"),
    ("char(5)", "char(6)"),
    ("char(5)", "char(4)"),
    ("smallint", "integer"),
    ("integer", "bigint"),
    ("integer", "smallint"),
    ("bigint", "integer"),
    ("integer", "numeric"),
    ("bigint", "numeric"),
    ("numeric(8, 2)", "numeric(12, 2)"),
    ("numeric(8, 2)", "numeric(9, 3)"),
    ("numeric(8, 2)", "numeric(12, 1)"),
    ("numeric(8, 2)", "numeric(7, 2)"),
    ("numeric(8, 2)", "numeric(8, 3)"),
    ("numeric(8, 2)", "numeric"),
    ("numeric(5, 0)", "numeric(5, 0)"),
    ("numeric(5, 0)", "numeric(6, 1)"),
    ("integer", "numeric(12, 2)"),
    ("numeric", "numeric(30, 10)"),
    ("timestamp(3)", "timestamp(6)"),
    ("timestamp(6)", "timestamp(3)"),
    ("timestamp(6)", "timestamp"),
    ("timestamptz(6)", "timestamptz(0)"),
    ("time(6)", "time(2)"),
]
# Another kind of value: refused whatever PostgreSQL makes of the extremes (README: "narrowing or converting").
CONVERTING = [("integer", "text"), ("text", "integer"), ("timestamp(6)", "date"), ("varchar(50)", "uuid")]


def postgresql_keeps_every_value(url: str, old: str, new: str) -> bool:
    """Whether ALTER COLUMN ... TYPE `new` keeps the old type's extreme values, equal and without an error."""
    with pg.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"CREATE TABLE t (v {old}, was {old})")
        for value in EXTREMES[old]:
            conn.execute(f"INSERT INTO t VALUES ({value}, {value})")
        try:
            conn.execute(f"ALTER TABLE t ALTER COLUMN v TYPE {new}")
        except psycopg.errors.DataError:
            return False
        # numbers compared as numbers (numeric(9,3) prints 1.5 as 1.500), the rest as the text PostgreSQL prints
        as_number = old in ("smallint", "integer", "bigint") or old.startswith("numeric")
        compared = "v::numeric = was::numeric" if as_number else "v::text = was::text"
        same = conn.execute(f"SELECT bool_and({compared}) FROM t").fetchone()
        return bool(same and same[0])


def refusal(tmp: Path, old: str, new: str) -> list[str]:
    def spec(kind: str) -> dict[str, object]:
        return {
            "migration": {"version": 1, "name": "types"},
            "tables": {"t": {"columns": {"id": {"type": "integer", "primary_key": True}, "v": {"type": kind}}}},
        }

    before, _ = schema_of(write_spec(tmp / "old", spec(old)))
    after, sources = schema_of(write_spec(tmp / "new", spec(new)))
    migration = diff.migration(before, after, number=2, name="retype", previous="0001_types", sources=sources)
    assert migration.refusals or migration.up or old == new, (old, new)
    return [r.code for r in migration.refusals]


@pytest.mark.parametrize(("old", "new"), SAME_KIND, ids=[f"{o}->{n}" for o, n in SAME_KIND])
def test_a_type_change_is_refused_exactly_when_postgresql_would_lose_a_value(
    old: str, new: str, db_url: str, tmp_path: Path
) -> None:
    keeps = postgresql_keeps_every_value(db_url, old, new)
    assert refusal(tmp_path, old, new) == ([] if keeps else [errors.DESTRUCTIVE])


@pytest.mark.parametrize(("old", "new"), CONVERTING, ids=[f"{o}->{n}" for o, n in CONVERTING])
def test_a_type_change_to_another_kind_of_value_is_refused(old: str, new: str, tmp_path: Path) -> None:
    assert refusal(tmp_path, old, new) == [errors.DESTRUCTIVE]


def _column_v(tmp: Path, kind: str) -> ir.Column:
    spec = {
        "migration": {"version": 1, "name": "types"},
        "tables": {"t": {"columns": {"id": {"type": "integer", "primary_key": True}, "v": {"type": kind}}}},
    }
    schema, _ = schema_of(write_spec(tmp, spec))
    column = schema.tables[0].column("v")
    assert column is not None
    return column


def postgresql_rewrites(url: str, old: str, new: str) -> bool:
    """Whether ALTER COLUMN ... TYPE `new` gives the table a new file (a rewrite, its indexes rebuilt)."""
    with pg.connect(url) as conn:
        conn.execute(f"CREATE TABLE t (v {old})")
        before = conn.execute("SELECT pg_relation_filenode('t')").fetchone()
        conn.execute(f"ALTER TABLE t ALTER COLUMN v TYPE {new}")
        return conn.execute("SELECT pg_relation_filenode('t')").fetchone() != before


@pytest.mark.parametrize(("old", "new"), SAME_KIND, ids=[f"{o}->{n}" for o, n in SAME_KIND])
def test_a_type_change_rewrites_the_table_exactly_when_postgresql_does(
    old: str, new: str, db_url: str, tmp_path: Path
) -> None:
    """What the diff believes (it moves the indexes on the column into the transaction, and says "rewrites the table"
    in the migration) is what PostgreSQL does."""
    rewrites = types.rewrites(_column_v(tmp_path / "old", old), _column_v(tmp_path / "new", new))
    assert rewrites == postgresql_rewrites(db_url, old, new)
