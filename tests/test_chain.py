"""`schemagen build` over time: the first migration, the next ones, and their integrity."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from diff_harness import base, write_spec
from schemagen import diff, ir, resolve
from schemagen.chain import state
from schemagen.cli import main
from schemagen.spec import loader
from schemagen.sql import clauses

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
    write_spec(tmp_path / "spec", base())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args])
    return result.exit_code, result.output


def edit_spec(project: Path, change) -> None:
    spec = yaml.safe_load((project / "spec" / "shop.yaml").read_text())
    change(spec)
    write_spec(project / "spec", spec)


def migrations(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "generated" / "migrations").iterdir())


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()
    }


def add_color(spec):
    spec["tables"]["item"]["columns"]["color"] = {"type": "text"}


def test_first_build_writes_the_full_migration_then_nothing_changes(project):
    assert build()[0] == 0
    assert migrations(project) == ["0001_shop.sql", "0001_shop.state.json"]
    before = snapshot(project)
    code, out = build()
    assert code == 0 and "up to date" in out
    assert snapshot(project) == before


def test_a_spec_edit_becomes_the_next_migration_and_the_first_never_changes(project):
    build()
    first = (project / "generated/migrations/0001_shop.sql").read_bytes()
    edit_spec(project, add_color)
    assert build("--name", "add_color")[0] == 0
    assert migrations(project) == [
        "0001_shop.sql",
        "0001_shop.state.json",
        "0002_add_color.down.sql",
        "0002_add_color.sql",
        "0002_add_color.state.json",
    ]
    assert (project / "generated/migrations/0001_shop.sql").read_bytes() == first
    up = (project / "generated/migrations/0002_add_color.sql").read_text()
    assert "ALTER TABLE public.item ADD COLUMN color text;" in up
    assert "CREATE TABLE" not in up
    down = (project / "generated/migrations/0002_add_color.down.sql").read_text()
    assert "DROP COLUMN color" in down
    state = json.loads((project / "generated/migrations/0002_add_color.state.json").read_text())
    assert (state["version"], state["name"]) == (2, "add_color")
    manifest = json.loads((project / "generated/manifest.json").read_text())["files"]
    assert {
        "migrations/0002_add_color.sql",
        "migrations/0002_add_color.down.sql",
        "migrations/0002_add_color.state.json",
    } <= set(manifest)
    # the spec now equals the last state: nothing more to write
    assert build("--check")[0] == 0
    assert build()[0] == 0 and len(migrations(project)) == 5


def test_a_migration_name_is_derived_from_the_change(project):
    build()
    edit_spec(project, add_color)
    build()
    assert "0002_add_column_item_color.sql" in migrations(project)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        (lambda s: s["enums"]["item_status"].update(comment="Life cycle."), "0002_comment_on_enum_item_status"),
        (
            lambda s: s["functions"]["item_count"].update(comment="Items of one account."),
            "0002_comment_on_function_item_count",
        ),
        (
            lambda s: s["triggers"]["item_touch"].update(comment="Keeps updated_at current."),
            "0002_comment_on_trigger_item_touch_on_item",
        ),
    ],
)
def test_a_comment_alone_is_a_migration_named_after_it(project, change, name):
    """Issue 10, item 15: a change of only a comment crashed (IndexError naming the migration)."""
    build()
    edit_spec(project, change)
    code, output = build()
    assert code == 0, output
    assert [f"{name}{suffix}" for suffix in (".down.sql", ".sql", ".state.json")] == [
        m for m in migrations(project) if m.startswith("0002_")
    ]
    assert "COMMENT ON" in (project / "generated" / "migrations" / f"{name}.sql").read_text()
    assert build("--check")[0] == 0


def test_check_fails_when_a_new_migration_is_needed(project):
    build()
    edit_spec(project, add_color)
    before = snapshot(project)
    code, out = build("--check")
    assert code == 1
    assert "stale: generated/migrations/0002_add_column_item_color.sql" in out
    assert snapshot(project) == before


def test_a_hand_edited_migration_is_refused_when_the_manifest_is_gone(project):
    build()
    path = project / "generated/migrations/0001_shop.sql"
    path.write_text(path.read_text() + "DROP TABLE item;\n")
    (project / "generated/manifest.json").unlink()
    before = snapshot(project)
    for args in (("--check",), ()):
        code, out = build(*args)
        assert code == 1
        assert "generated/manifest.json:1:1: E061 manifest.json is missing or unreadable" in out
        assert "git checkout -- generated/manifest.json" in out
        assert snapshot(project) == before


def test_a_hand_edited_migration_is_refused(project):
    build()
    path = project / "generated/migrations/0001_shop.sql"
    path.write_text(path.read_text().replace("CREATE INDEX", "CREATE  INDEX"))
    before = snapshot(project)
    for args in (("--check",), ()):
        code, out = build(*args)
        assert code == 1
        assert "generated/migrations/0001_shop.sql:1:1: E061 migration was edited by hand" in out
        assert snapshot(project) == before


def test_a_missing_migration_is_refused(project):
    build()
    edit_spec(project, add_color)
    build()
    (project / "generated/migrations/0002_add_column_item_color.down.sql").unlink()
    code, out = build("--check")
    assert code == 1
    assert "generated/migrations/0002_add_column_item_color.down.sql:1:1: E062 migration file is missing" in out


def test_an_unconfirmed_drop_is_refused_at_its_place_in_the_spec(project):
    build()
    edit_spec(project, lambda s: s["tables"]["item"]["columns"].pop("note"))
    before = snapshot(project)
    code, out = build()
    assert code == 1
    line = next(
        i
        for i, text in enumerate((project / "spec/shop.yaml").read_text().splitlines(), 1)
        if text.strip() == "columns:" and i > 25
    )
    assert f"spec/shop.yaml:{line}:" in out
    assert (
        "E063 column item.note is removed from the spec: dropping it deletes its data; if that is "
        "intended, add `drop column public.item.note` to allow_destructive" in out
    )
    assert snapshot(project) == before
    edit_spec(project, lambda s: s.update(allow_destructive=["drop column item.note"]))
    assert build()[0] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.update(allow_destructive=["drop everything"]),
            'E060 "drop everything" is not a confirmable change',
        ),
        (
            lambda s: s["tables"]["item"]["columns"].update(colour={"type": "text", "renamed_from": "hue"}),
            (
                'E065 column item.colour is renamed from column "hue" in table item, which the last migration '
                "does not have"
            ),
        ),
        (
            lambda s: s["tables"]["item"]["columns"].update(extra={"type": "text", "not_null": True}),
            "E064 new column item.extra is NOT NULL without a default:",
        ),
    ],
)
def test_mistakes_about_the_change_are_positioned_errors(project, change, message):
    build()
    edit_spec(project, change)
    code, out = build()
    assert code == 1
    assert "spec/shop.yaml:" in out and message in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["tables"]["item"]["columns"].update(memo={"type": "text", "renamed_from": "note"}),
            (
                'E065 column item.memo is renamed from column "note" in table item, which the spec still has: '
                "a name is either renamed or kept"
            ),
        ),
        (
            lambda s: s["tables"].update(
                goods={"renamed_from": "item", "columns": {"id": {"type": "integer", "primary_key": True}}}
            ),
            'E065 table goods is renamed from table "item", which the spec still has',
        ),
        (
            lambda s: s["enums"]["item_status"].update(
                values=["draft", "active", "archived", "live"], renamed_values={"live": "active"}
            ),
            (
                'E065 value live of enum item_status is renamed from value "active" in enum item_status, which '
                "the spec still has"
            ),
        ),
    ],
)
def test_a_rename_that_keeps_the_old_name_is_refused(project, change, message):
    build()
    edit_spec(project, change)
    code, out = build()
    assert code == 1
    assert message in out


def test_a_renamed_from_left_in_the_spec_stays_harmless_when_the_old_name_comes_back(project):
    """After the rename's migration, the old name may name a new object: the rename is done, not redone."""
    build()

    def rename(s):
        s["tables"]["goods"] = s["tables"].pop("item") | {"renamed_from": "item"}
        s["tables"]["goods"]["columns"]["memo"] = s["tables"]["goods"]["columns"].pop("note") | {"renamed_from": "note"}
        s["enums"]["item_status"].update(values=["draft", "live", "archived"], renamed_values={"live": "active"})
        for trigger in s["triggers"].values():
            trigger["table"] = "goods"
        s["grants"][0]["tables"] = ["goods", "account"]
        s["functions"]["item_count"]["body"] = "SELECT count(*)::integer FROM goods WHERE account_id = p_account"
        s["tables"]["goods"]["indexes"]["idx_item_active"]["where"] = "status = 'live'"

    edit_spec(project, rename)
    code, out = build("--name", "rename")
    assert code == 0, out
    up = (project / "generated/migrations/0002_rename.sql").read_text()
    assert "ALTER TABLE public.item RENAME TO goods;" in up
    edit_spec(
        project,
        lambda s: (
            s["tables"].update(item={"columns": {"id": {"type": "integer", "primary_key": True}}}),
            s["tables"]["goods"]["columns"].update(note={"type": "text"}),
            s["enums"]["item_status"].update(values=["draft", "live", "archived", "active"]),
        ),
    )
    code, out = build("--name", "old_names_again")
    assert code == 0, out
    up = (project / "generated/migrations/0003_old_names_again.sql").read_text()
    assert "CREATE TABLE public.item (" in up
    assert "ALTER TABLE public.goods ADD COLUMN note text;" in up
    assert "ALTER TYPE public.item_status ADD VALUE IF NOT EXISTS 'active'" in up
    assert "RENAME" not in up
    assert build("--check")[0] == 0


def test_state_round_trips_through_json():
    for spec_dir in (REPO / "spec", REPO / "tests" / "diff_cases"):
        schema = resolve.resolve(loader.load_dir(spec_dir))
        text = state.text(schema)
        back = state.decode(json.loads(text))
        assert back == ir.Schema(**{**schema.__dict__, "intent": ir.Intent(), "tenancy": None})  # neither is saved
        assert state.text(back) == text


def test_a_state_saved_before_default_partitions_loads_as_range_partitions():
    """0024's state never changes and has no `is_default`: its partitions load as range partitions."""
    text = (REPO / "generated" / "migrations" / "0024_sync_operations.state.json").read_text()
    assert "is_default" not in text
    (log,) = [t for t in state.decode(json.loads(text)).tables if t.name.name == "sync_activity_log"]
    assert log.partitions and not any(p.is_default for p in log.partitions)
    assert clauses.partition_bound(log.partitions[-1]) == "FOR VALUES FROM ('2026-03-01') TO (MAXVALUE)"


def test_output_is_the_same_under_any_hash_seed(project):
    build()
    edit_spec(
        project,
        lambda s: (
            add_color(s),
            s["enums"]["channel"].update(values=["phone", "web", "store"]),
            s["grants"].append({"privileges": ["delete"], "tables": ["item"], "to": ["app_user"]}),
        ),
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        text = subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "from schemagen import pipeline; from schemagen.spec import config; "
                    "r = pipeline.generate(config.load()); "
                    "print(sorted((k, v) for k, v in r.outputs.items() if k.startswith('migrations/0002')))"
                ),
            ],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        outputs.add(text)
    assert len(outputs) == 1
    assert "0002_" in outputs.pop()


def _wide_schema(n: int) -> ir.Schema:
    spec = base()
    for i in range(n):
        spec["tables"][f"t{i}"] = {
            "columns": {
                "id": {"type": "integer", "primary_key": True},
                "v": {"type": "text"},
                "s": {"type": "item_status"},
            },
            "indexes": {f"idx_t{i}_v": {"columns": ["v"]}},
        }
    return spec


@pytest.mark.xdist_group("timing")  # CPU-time ratios: beside no other timing test
def test_diff_time_grows_linearly_with_schema_size(tmp_path):
    def timed(n: int) -> float:
        old = resolve.resolve(loader.load_dir(write_spec(tmp_path / f"old{n}", _wide_schema(n))))
        new_spec = _wide_schema(n)
        for i in range(0, n, 2):
            new_spec["tables"][f"t{i}"]["columns"]["w"] = {"type": "integer"}
        new = resolve.resolve(loader.load_dir(write_spec(tmp_path / f"new{n}", new_spec)))
        # CPU time of this process (other work on the machine does not count), without collector pauses, best of 3.
        runs = []
        gc.disable()
        try:
            for _ in range(3):
                start = time.process_time()
                migration = diff.migration(old, new, number=2, name="x", previous="0001_x", sources=["spec"])
                runs.append(time.process_time() - start)
        finally:
            gc.enable()
        assert migration.up.count("ADD COLUMN w integer") == (n + 1) // 2
        return min(runs)

    timed(50)  # warm caches
    small, large = timed(400), timed(1600)
    assert large < small * 4 * 2, (small, large)  # 4x the schema: well under the 16x a quadratic diff would take


def test_a_down_migration_that_cannot_restore_says_so_and_refuses_to_run(project):
    build()
    edit_spec(
        project,
        lambda s: (
            s["tables"]["account"]["columns"].pop("name"),
            s.update(allow_destructive=["drop column account.name"]),
        ),
    )
    assert build("--name", "drop_name")[0] == 0
    down = (project / "generated/migrations/0002_drop_name.down.sql").read_text()
    assert "cannot be undone automatically" in down
    assert "new column account.name is NOT NULL without a default" in down
    assert "RAISE EXCEPTION" in down and "DROP" not in down


def _allow(*entries):
    return lambda s: s.update(allow_destructive=list(entries))


def test_a_confirmation_applies_to_the_one_migration_that_used_it(project):
    """Drop item.note (confirmed), add it again, remove it again: the old entry must not confirm the second drop."""
    build()
    edit_spec(project, lambda s: (s["tables"]["item"]["columns"].pop("note"), _allow("drop column item.note")(s)))
    code, out = build("--name", "drop_note")
    assert code == 0, out
    state = json.loads((project / "generated/migrations/0002_drop_note.state.json").read_text())
    assert state["confirmed"] == ["drop column public.item.note"]

    def entry_line():
        return next(
            i
            for i, text in enumerate((project / "spec/shop.yaml").read_text().splitlines(), 1)
            if "drop column item.note" in text
        )

    assert (
        f"spec/shop.yaml:{entry_line()}:3: note: `drop column public.item.note` in allow_destructive "
        "confirmed a change of migration 0002_drop_note and is spent: remove it" in out
    )
    code, out = build("--check")
    assert code == 0 and "is spent" in out  # said, but the output is up to date
    lint = CliRunner().invoke(main, ["lint", "--today", "2026-01-15"])
    assert (
        f"spec/shop.yaml:{entry_line()}:3: warning C311 spent-confirmation: `drop column public.item.note` "
        "confirmed a change of migration 0002_drop_note and is spent" in lint.output
    )

    # The entry left behind: the next migration (adding the column back) is refused until it is removed.
    edit_spec(project, lambda s: s["tables"]["item"]["columns"].update(note={"type": "text"}))
    before = snapshot(project)
    code, out = build("--name", "note_again")
    assert code == 1
    assert (
        f"spec/shop.yaml:{entry_line()}:3: E063 `drop column public.item.note` in allow_destructive "
        "confirmed a change of migration 0002_drop_note and is spent: remove it" in out
    )
    assert snapshot(project) == before
    edit_spec(project, _allow())
    assert build("--name", "note_again")[0] == 0
    assert "confirmed" not in json.loads((project / "generated/migrations/0003_note_again.state.json").read_text())

    # Removed again: a drop needs a confirmation of its own.
    edit_spec(project, lambda s: s["tables"]["item"]["columns"].pop("note"))
    code, out = build()
    assert code == 1 and "E063 column item.note is removed from the spec" in out
    edit_spec(project, _allow("drop column item.note"))
    assert build("--name", "drop_note_again")[0] == 0
    assert "DROP COLUMN note" in (project / "generated/migrations/0004_drop_note_again.sql").read_text()


def test_a_spent_entry_left_in_the_spec_never_confirms_a_later_drop(project):
    """The defect as reported: the entry stays through the re-add, then confirms the second drop."""
    build()
    edit_spec(project, lambda s: (s["tables"]["item"]["columns"].pop("note"), _allow("drop column item.note")(s)))
    assert build()[0] == 0
    edit_spec(project, lambda s: s["tables"]["item"]["columns"].update(note={"type": "text"}))
    build()  # refused now (the entry is spent); before the fix it wrote the re-add
    edit_spec(project, lambda s: s["tables"]["item"]["columns"].pop("note"))
    build()
    written = "".join(
        p.read_text()
        for p in sorted((project / "generated/migrations").glob("*.sql"))
        if not p.name.endswith(".down.sql")
    )
    assert written.count("DROP COLUMN note") == 1


def test_a_second_type_change_of_a_column_is_confirmed_with_its_type(project):
    """`change type t.c` is spent by the first narrowing; `change type t.c to TYPE` confirms the next one."""
    build()
    edit_spec(
        project,
        lambda s: (
            s["tables"]["item"]["columns"]["label"].update(type="varchar(40)"),
            _allow("change type item.label")(s),
        ),
    )
    assert build("--name", "label_40")[0] == 0
    edit_spec(project, lambda s: s["tables"]["item"]["columns"]["label"].update(type="varchar(30)"))
    code, out = build()
    assert code == 1
    assert (
        "E063 column item.label changes type from varchar(40) to varchar(30), which can lose data or fail "
        "on existing rows; if that is intended, `change type public.item.label` in allow_destructive "
        "confirmed a change of the last migration and is spent (remove it); to confirm this change as "
        "well, add `change type public.item.label to varchar(30)`" in out
    )
    assert out.count("E063") == 1, out
    edit_spec(project, _allow("change type item.label to VARCHAR( 30 )"))
    code, out = build("--name", "label_30")
    assert code == 0, out
    state = json.loads((project / "generated/migrations/0003_label_30.state.json").read_text())
    assert state["confirmed"] == ["change type public.item.label to varchar(30)"]
    # a typed entry confirms only its own type
    edit_spec(
        project,
        lambda s: (
            s["tables"]["item"]["columns"]["label"].update(type="varchar(20)"),
            _allow("change type item.label to varchar(25)")(s),
        ),
    )
    code, out = build()
    assert code == 1 and "E063 column item.label changes type from varchar(30) to varchar(20)" in out


def test_a_down_migration_says_what_undoing_loses_and_claims_no_confirmation(project):
    build()
    edit_spec(
        project,
        lambda s: (add_color(s), s["tables"].update(tag={"columns": {"id": {"type": "integer", "primary_key": True}}})),
    )
    assert build("--name", "color_and_tag")[0] == 0
    down = (project / "generated/migrations/0002_color_and_tag.down.sql").read_text()
    assert "allow_destructive" not in down  # nothing was confirmed for it
    assert "-- Undoes the up migration, which added the column: only the values written to it since are lost.\n" in down
    assert "-- Undoes the up migration, which created the table: only the rows written since are lost.\n" in down
    edit_spec(project, lambda s: (s["tables"]["item"]["columns"].pop("color"), _allow("drop column item.color")(s)))
    assert build("--name", "drop_color")[0] == 0
    up = (project / "generated/migrations/0003_drop_color.sql").read_text()
    assert "-- Confirmed in allow_destructive: the column's data is deleted.\n" in up


def test_a_derived_name_keeps_at_most_48_characters_of_the_first_change():
    """File names stay short: the first change's words, cut to 48 characters, without a trailing underscore."""
    change = "add column inventory_reservation_adjustments.quantity_on_hand_before"
    assert diff.derived_name([change]) == "add_column_inventory_reservation_adjustments_qua"
    assert diff.derived_name([change, "drop index x"]) == "add_column_inventory_reservation_adjustments_qua_and_1_more"
    cut_after_a_separator = "add column inventory_reservation_adjustments.ab_cd"
    assert diff.derived_name([cut_after_a_separator]) == "add_column_inventory_reservation_adjustments_ab"


def test_a_migration_without_a_name_is_named_after_its_first_change_and_how_many_more(project):
    build()
    edit_spec(project, add_color)
    assert build()[0] == 0
    edit_spec(
        project, lambda s: s["tables"]["item"]["columns"].update(size={"type": "integer"}, weight={"type": "real"})
    )
    assert build()[0] == 0
    edit_spec(project, lambda s: s["tables"]["item"]["columns"]["size"].update(comment="Centimetres."))
    assert build()[0] == 0
    assert [m.removesuffix(".sql") for m in migrations(project) if m.endswith(".sql") and ".down" not in m] == [
        "0001_shop",
        "0002_add_column_item_color",
        "0003_add_column_item_size_and_1_more",
        "0004_comment_on_column_item_size",
    ]
