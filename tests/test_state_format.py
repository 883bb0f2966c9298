"""The saved state's format (chain/state.py): states written by older versions of schemagen read, upgraded, and
continued.

tests/states/ holds migrations as three versions of schemagen wrote them for the
same spec (spec_v1, then spec_v2 which drops a column with allow_destructive):

- first_release/: schemagen's first release (commit 215c490), format 1, without
  the fields added since (a column's `python_type`, a grant's `module`, a
  partition's `is_default`, `confirmed`);
- before_versioning/: the last version before the format was versioned (commit
  8e81656), format 1 with every field; migrations 0024 and 0025 of generated/ are
  such states too;
- format2/: `"format": 2` (issue 11);
- format3/: `"format": 3` (wave 4: schemas, views, sequences, extensions, ...).

Each is kept as written, never regenerated: a change of the format adds a fixture
and an upgrade step, and these must keep reading.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pg
import pytest
from click.testing import CliRunner
from schemagen import ir, resolve
from schemagen.chain import state, writer
from schemagen.cli import main
from schemagen.ir import codec
from schemagen.spec import loader

STATES = Path(__file__).parent / "states"
REPO = Path(__file__).resolve().parent.parent
WRITERS = ["first_release", "before_versioning", "format2", "format3"]


def resolved(spec: str, tmp_path: Path) -> ir.Schema:
    """The IR of spec `spec`, read from `spec/` as the writers read it."""
    shutil.copytree(STATES / spec, tmp_path / "spec")
    schema = resolve.resolve(loader.load_dir(tmp_path / "spec", tmp_path))
    return dataclasses.replace(schema, intent=ir.Intent())


def newest(writer_dir: str) -> Path:
    return max((STATES / writer_dir / "migrations").glob("*.state.json"))


def test_the_fixtures_are_in_the_format_their_writer_wrote() -> None:
    for writer_dir, expected in (("first_release", 1), ("before_versioning", 1), ("format2", 2), ("format3", 3)):
        for path in (STATES / writer_dir / "migrations").glob("*.state.json"):
            assert state.format_of(json.loads(path.read_text())) == expected, path
    first = json.loads((STATES / "first_release" / "migrations" / "0001_shop.state.json").read_text())
    assert not any("python_type" in c for t in first["tables"] for c in t["columns"])
    assert not any("is_default" in p for t in first["tables"] for p in t["partitions"])
    assert first["grants"] and not any("module" in g for g in first["grants"])
    # 0024 is the reference, never rewritten; 0025 was never deployed and is regenerated when the output changes
    for committed, written in (("0024_sync_operations", 1), ("0025_harden_sync_operations", state.FORMAT)):
        text = (REPO / "generated" / "migrations" / f"{committed}.state.json").read_text()
        assert state.format_of(json.loads(text)) == written


@pytest.mark.parametrize("writer_dir", WRITERS)
def test_a_state_of_every_format_reads_as_the_schema_it_was_written_for(writer_dir: str, tmp_path: Path) -> None:
    data = json.loads(newest(writer_dir).read_text())
    expected = resolved("spec_v1" if writer_dir == "first_release" else "spec_v2", tmp_path)
    expected = dataclasses.replace(expected, version=1 if writer_dir == "first_release" else 2)
    if writer_dir != "first_release":
        expected = dataclasses.replace(expected, name=data["name"], confirmed=("drop column public.item.price",))
    else:
        # what the first release did not record, upgraded to what it meant: no docs page lists the grant
        expected = dataclasses.replace(
            expected, grants=tuple(dataclasses.replace(g, module="") for g in expected.grants)
        )
    assert state.decode(data) == expected


def test_the_upgrade_puts_in_what_an_old_state_lacks_and_nothing_else_does() -> None:
    """No dataclass default stands in for a missing field: without the upgrade, the first release's state
    does not decode; with it, every field is there."""
    data = json.loads((STATES / "first_release" / "migrations" / "0001_shop.state.json").read_text())
    bare = {**data, "intent": {"renames": [], "allow_destructive": []}, "confirmed": [], "tenancy": None}
    with pytest.raises(
        ValueError,
        match=r"missing field\(s\) "
        r"(module|python_type|is_default|schemas|extensions|sequences|types|composite_types|default_privileges"
        r"|event_triggers|aggregates)",
    ):
        codec.schema_from_json(bare)
    upgraded = state.upgrade(data)
    assert upgraded["format"] == state.FORMAT
    assert all(c["python_type"] is None for t in upgraded["tables"] for c in t["columns"])
    assert all(p["is_default"] is False for t in upgraded["tables"] for p in t["partitions"])
    assert [g["module"] for g in upgraded["grants"]] == [""]
    assert upgraded["schemas"] == [] and upgraded["views"] == []  # format 3 (wave 4): the kinds that came with it
    assert upgraded["sequences"] == upgraded["extensions"] == upgraded["external"]["types"] == []  # format 3
    assert state.upgrade(upgraded) == upgraded  # a current state is left as it is


def _project(tmp_path: Path, writer_dir: str, spec: str) -> Path:
    """A project whose output directory holds the migrations `writer_dir`'s schemagen wrote, with their
    manifest, and whose spec is `spec`."""
    root = tmp_path / writer_dir
    shutil.copytree(STATES / spec, root / "spec")
    shutil.copytree(STATES / writer_dir / "migrations", root / "generated" / "migrations")
    (root / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
    files = {
        p.relative_to(root / "generated").as_posix(): writer.digest_bytes(p.read_bytes())
        for p in (root / "generated" / "migrations").iterdir()
    }
    (root / "generated" / writer.MANIFEST).write_text(writer.manifest_text(files))
    return root


def _build(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("writer_dir", WRITERS)
def test_a_chain_of_every_format_continues_and_applies(
    writer_dir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    """The same spec: no new migration, the old ones kept byte for byte. A column added: the next migration
    adds just that column, and the whole chain (old files and new) applies to PostgreSQL."""
    spec = "spec_v1" if writer_dir == "first_release" else "spec_v2"
    root = _project(tmp_path, writer_dir, spec)
    written = {p.name: p.read_bytes() for p in (root / "generated" / "migrations").iterdir()}
    code, output = _build(root, monkeypatch)
    assert code == 0, output
    assert {p.name: p.read_bytes() for p in (root / "generated" / "migrations").iterdir()} == written
    assert _build(root, monkeypatch, "--check")[0] == 0

    text = (root / "spec" / "shop.yaml").read_text()
    text = text.replace("      updated_at:", "      color: {type: text}\n      updated_at:")
    (root / "spec" / "shop.yaml").write_text(text)
    if writer_dir != "first_release":  # the newest state's `confirmed` is read: the entry it used is spent
        code, output = _build(root, monkeypatch)
        assert code == 1 and "E063 `drop column public.item.price` in allow_destructive confirmed" in output
        (root / "spec" / "shop.yaml").write_text(text.replace("allow_destructive: [drop column item.price]\n", ""))
    code, output = _build(root, monkeypatch)
    assert code == 0, output
    (added,) = [
        p for p in (root / "generated" / "migrations").glob("*.sql") if p.name not in written and ".down" not in p.name
    ]
    assert "ALTER TABLE public.item ADD COLUMN color text;" in added.read_text()
    assert json.loads(added.with_name(added.name.replace(".sql", ".state.json")).read_text())["format"] == state.FORMAT

    pg.ensure_roles(db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    with pg.connect(db_url) as conn:
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'item' ORDER BY ordinal_position"
            )
        ]
    assert columns == [
        "id",
        "name",
        "status",
        *(["price"] if writer_dir == "first_release" else []),
        "updated_at",
        "color",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d | {"format": state.FORMAT + 1},
            (
                f"the state is in format {state.FORMAT + 1}, written by a newer schemagen; this version reads "
                f"formats 1 to {state.FORMAT}: upgrade schemagen"
            ),
        ),
        (lambda d: d | {"format": "2"}, "\"format\": '2' is not a state format"),
        (
            lambda d: d | {"tables": [{k: v for k, v in t.items() if k != "comment"} for t in d["tables"]]},
            "Table: missing field(s) comment",
        ),
    ],
    ids=["newer", "not-a-number", "missing-field"],
)
def test_a_state_that_cannot_be_read_is_refused_where_it_is(change, message, tmp_path, monkeypatch) -> None:
    root = _project(tmp_path, "format2", "spec_v2")
    path = root / "generated" / "migrations" / newest("format2").name
    path.write_text(json.dumps(change(json.loads(path.read_text())), indent=1, sort_keys=True) + "\n")
    manifest = json.loads((root / "generated" / writer.MANIFEST).read_text())["files"]
    manifest[f"migrations/{path.name}"] = writer.digest_bytes(path.read_bytes())
    (root / "generated" / writer.MANIFEST).write_text(writer.manifest_text(manifest))
    before = {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()}
    code, output = _build(root, monkeypatch)
    assert code == 1
    assert f"generated/migrations/{path.name}:1:1: E060 cannot read the saved state: {message}" in output
    assert {p: p.read_bytes() for p in (root / "generated").rglob("*") if p.is_file()} == before
