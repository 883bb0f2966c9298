"""The reference docs, read the way a reader's Markdown parser reads them, checked against the spec.

Expected values come from the spec YAML itself (plain yaml.safe_load, no
schemagen code), so a page that drops, invents or garbles an object fails.
"""

from __future__ import annotations

import datetime
import re

import markdown_doc
import pytest
import yaml
from reference_sql import REPO_ROOT
from schemagen import pipeline
from schemagen.spec import config

SPEC = yaml.safe_load((REPO_ROOT / "spec" / "sync_operations.yaml").read_text(encoding="utf-8"))
DOCS = REPO_ROOT / "generated" / "docs"
PAGE_PATH = "sync_operations.md"


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    """A fresh render of the repository's spec (nothing is written)."""
    return pipeline.generate(config.load(REPO_ROOT)).outputs


@pytest.fixture(scope="module")
def page(outputs) -> markdown_doc.Page:
    return markdown_doc.parse(outputs[f"docs/{PAGE_PATH}"])


# -- what the spec says, read straight from the YAML ----------------------------
def spec_tables() -> dict[str, dict]:
    return SPEC["tables"]


def display(ref: str) -> tuple[str, str]:
    """`auth.users_extended(id)` -> ("auth.users_extended", "id")."""
    m = re.fullmatch(r"\s*([\w.$]+)\s*\(([^)]*)\)\s*", ref)
    assert m, ref
    table = m.group(1)
    return table.removeprefix("public."), ", ".join(c.strip() for c in m.group(2).split(","))


def primary_key(table: dict) -> tuple[str, ...]:
    cols = tuple(c for c, col in table["columns"].items() if col.get("primary_key"))
    cons = [tuple(c["primary_key"]) for c in table.get("constraints", []) if "primary_key" in c]
    return cols or (cons[0] if cons else ())


def foreign_keys(name: str, table: dict) -> list[dict]:
    """Every foreign key: (columns, target table, target columns, on_delete, name or None)."""
    fks = []
    for c, col in table["columns"].items():
        if "references" in col:
            fks.append(
                {
                    "columns": c,
                    "ref": display(col["references"]),
                    "on_delete": col.get("on_delete"),
                    "name": f"{name}_{c}_fkey",
                }
            )
    for con in table.get("constraints", []):
        if "foreign_key" in con:
            cols = ", ".join(con["foreign_key"])
            fks.append(
                {
                    "columns": cols,
                    "ref": display(con["references"]),
                    "on_delete": con.get("on_delete"),
                    "name": con.get("name"),
                }
            )
    return fks


def unique_keys(table: dict) -> list[str]:
    keys = [c for c, col in table["columns"].items() if col.get("unique")]
    keys += [", ".join(con["unique"]) for con in table.get("constraints", []) if "unique" in con]
    return keys


def checks(table: dict) -> list[tuple[str | None, str]]:
    return [(con.get("name"), con["check"].strip()) for con in table.get("constraints", []) if "check" in con]


def policies(name: str, table: dict) -> list[str]:
    names = list(table.get("policies", {}))
    for apply in table.get("apply_policies", []):
        tpl = SPEC["policy_templates"][apply["template"]]
        prefix = apply.get("prefix", name)
        names += [tpl["name"].replace("{prefix}", prefix).replace("{command}", cmd) for cmd in tpl["commands"]]
    return names


def set_by() -> dict[tuple[str, str], list[str]]:
    result: dict[tuple[str, str], list[str]] = {}
    for trg, t in SPEC["triggers"].items():
        for col in t.get("sets", []):
            result.setdefault((t["table"], col), []).append(trg)
    return result


def table_section(page, name: str) -> markdown_doc.Section:
    return page.section("Tables", f"Table {name}")


def one_line(sql: str) -> str:
    return " ".join(sql.split())


# -- the site --------------------------------------------------------------------
@pytest.mark.golden
def test_generated_docs_are_the_golden_files(outputs):
    """The committed generated/docs is the golden copy of a fresh render, byte for byte."""
    docs = {path: text for path, text in outputs.items() if path.startswith("docs/")}
    assert sorted(docs) == ["docs/index.md", "docs/lint-rules.md", f"docs/{PAGE_PATH}"]
    committed = {
        f"docs/{p.relative_to(DOCS).as_posix()}": p.read_text(encoding="utf-8") for p in DOCS.rglob("*") if p.is_file()
    }
    assert committed.keys() == docs.keys(), (
        "generated/docs holds files the spec does not give, or misses some: run `schemagen build`"
    )
    for path, text in docs.items():
        assert committed[path] == text, f"generated/{path} is stale: run `schemagen build`"
        assert datetime.date.today().isoformat() not in text, "a page must not change from one day to the next"


def test_every_table_is_well_formed(outputs):
    for path in ("docs/index.md", f"docs/{PAGE_PATH}"):
        doc = markdown_doc.parse(outputs[path])
        tables = [t for s in doc.sections for t in s.tables]
        assert tables
        for table in tables:
            assert markdown_doc.malformed_rows(doc.source, table) == [], path


def test_every_link_reaches_an_anchor_that_exists(outputs):
    pages = {
        path.removeprefix("docs/"): markdown_doc.parse(text)
        for path, text in outputs.items()
        if path.startswith("docs/")
    }
    checked = 0
    for name, doc in pages.items():
        for href in doc.links:
            target, _, anchor = href.partition("#")
            if target.startswith("../"):  # a file beside docs/, e.g. ../migrations/0025_x.sql
                assert target.removeprefix("../") in outputs and not anchor, (
                    f"{name}: link {href} reaches no generated file"
                )
                continue
            target_page = pages[target or name]
            assert anchor in target_page.anchors or (target and not anchor), f"{name}: link {href} has no anchor"
            checked += 1
    assert checked > 50


def test_index_lists_each_module_with_its_tables(outputs):
    index = markdown_doc.parse(outputs["docs/index.md"])
    module = index.section("sync_operations")
    assert module.tables[0].column("Table") == list(spec_tables())
    assert module.tables[0].column("Description") == [t.get("comment", "") for t in spec_tables().values()]
    assert index.sections[1].title == "Schema reference"


def migration_files() -> list[str]:
    """The up migrations on disk, oldest first (read from generated/migrations, not from schemagen)."""
    return sorted(
        p.name for p in (REPO_ROOT / "generated" / "migrations").glob("*.sql") if not p.name.endswith(".down.sql")
    )


def test_index_says_which_migration_the_schema_follows_and_links_every_migration_file(outputs):
    """The reference is the schema after the newest migration (issue 10, item 25), not after the first."""
    index = markdown_doc.parse(outputs["docs/index.md"])
    newest = migration_files()[-1]
    assert (
        index.sections[1]
        .text[0]
        .startswith(f"The schema after migration {newest}, the newest of the {len(migration_files())} migrations")
    )
    table = index.section("Migrations").tables[0]
    assert table.column("Migration") == migration_files()
    for row, name in zip(table.rows, migration_files()):
        assert row[0].links == [f"../migrations/{name}"]
        down = name.removesuffix(".sql") + ".down.sql"
        has_down = (REPO_ROOT / "generated" / "migrations" / down).exists()
        assert row[1].links == ([f"../migrations/{down}"] if has_down else [])
    for link in index.links:
        if link.startswith("../"):
            assert (REPO_ROOT / "generated" / "docs" / link).resolve().is_file(), link
    assert "migrations" in index.anchors


# -- the module page ---------------------------------------------------------------
def test_title_says_what_the_page_is_and_the_description_follows(page):
    title = page.sections[1]
    assert title.level == 1 and title.title == "Module sync_operations"
    assert title.text[0] == SPEC["description"]


def test_intro_names_the_newest_migration_and_what_the_sql_is(page):
    """Not "the SQL below is what migration 0024 runs": the SQL is the whole schema after the newest migration."""
    newest = migration_files()[-1]
    intro = page.sections[1].text[1]
    assert intro.startswith(f"This page shows the schema after migration {newest}, the newest.")
    assert "creates that schema from scratch, as schemagen sql gives it to a new database" in intro
    assert f"../migrations/{newest}" in page.links and "index.md#migrations" in page.links
    assert "0024" not in intro or newest.startswith("0024")


def test_column_tables_match_the_spec_cell_by_cell(page):
    sets = set_by()
    seen = {"comment": 0, "primary key": 0, "unique": 0, "foreign key": 0, "enum": 0}  # each check below ran
    for name, table in spec_tables().items():
        columns = table_section(page, name).tables[0]
        assert columns.header == ["Column", "Type", "Nullable", "Default", "Notes"]
        assert columns.column("Column") == list(table["columns"]), f"{name}: columns, in table order"
        pk = primary_key(table)
        fks = {fk["columns"]: fk for fk in foreign_keys(name, table)}
        for (col, spec_col), row in zip(table["columns"].items(), columns.rows):
            cells = {h: c for h, c in zip(columns.header, row)}
            assert cells["Type"].text.replace(" ", "") == spec_col["type"].replace(" ", "")
            not_null = spec_col.get("not_null", False) or col in pk
            assert cells["Nullable"].text == ("No" if not_null else "Yes"), (name, col)
            assert cells["Default"].text == str(spec_col.get("default", "")).strip(), (name, col)
            notes = cells["Notes"].text.split("\n")
            if "comment" in spec_col:
                assert notes[-1] == spec_col["comment"], (name, col)
                seen["comment"] += 1
            if col in pk:
                assert ("Primary key" if len(pk) == 1 else f"Part of primary key ({', '.join(pk)})") in notes
                seen["primary key"] += 1
            if spec_col.get("unique"):
                assert "Unique" in notes
                seen["unique"] += 1
            if col in fks:
                target, ref_cols = fks[col]["ref"]
                action = (fks[col]["on_delete"] or "no action").upper()
                assert f"Foreign key → {target} ({ref_cols}), ON DELETE {action}" in notes, (name, col)
                seen["foreign key"] += 1
            for trigger in sets.get((name, col), []):
                assert any(n.startswith("Set by trigger") and trigger in n for n in notes), (name, col)
            if spec_col["type"] in SPEC["enums"]:
                assert cells["Type"].links == [f"#enum-public.{spec_col['type']}"]
                seen["enum"] += 1
            facts = [n for n in notes if n != spec_col.get("comment")]
            known = (
                "Primary key",
                "Part of primary key",
                "Unique",
                "Part of unique key",
                "Foreign key",
                "Set by trigger",
                "Checked by",
                "Partition key",
            )
            assert all(f.startswith(known) for f in facts), (name, col, facts)
    assert all(seen.values()), seen


def test_each_table_shows_its_ddl_indexes_partitions_and_policies(page):
    for name, table in spec_tables().items():
        section = table_section(page, name)
        sql = "\n".join(block.text for block in section.code if block.info == "sql")
        assert f"CREATE TABLE public.{name} (" in sql
        for col in table["columns"]:
            assert re.search(rf"^    {col} ", sql, re.MULTILINE), (name, col)
        for fk in foreign_keys(name, table):
            assert f"ADD CONSTRAINT {fk['name'] or ''}" in sql
        for index, spec_index in table.get("indexes", {}).items():
            assert f"CREATE INDEX {index} ON public.{name} ({', '.join(spec_index['columns'])})" in sql
        creates = re.findall(r"CREATE POLICY (\w+) ON public\.(\w+)", sql)
        assert creates == [(p, name) for p in policies(name, table)], "exactly the table's policies, nothing else"
        assert sorted(re.findall(r"CREATE INDEX (\w+)", sql)) == sorted(table.get("indexes", {}))
        if "partitioning" in table:
            part = table["partitioning"]
            assert f"PARTITION BY {part['by'].upper()} ({', '.join(part['key'])})" in sql
            partitions = section.tables[1]
            assert partitions.header == ["Partition", "From", "To", "Notes"]
            expected = [
                [p, "DEFAULT", "", b.get("comment", "")]
                if b.get("default")
                else [p, f"'{b['from']}'", b["to"] if b["to"] == "MAXVALUE" else f"'{b['to']}'", ""]
                for p, b in part["partitions"].items()
            ]
            assert partitions.texts() == expected
            if any(b.get("default") for b in part["partitions"].values()):
                assert re.search(r"CREATE TABLE public\.\w+ PARTITION OF public\.\w+\s+DEFAULT;", sql)
            assert re.findall(r"CREATE TABLE public\.(\w+) PARTITION OF", sql) == list(part["partitions"])
            assert any(
                f"Partitioned by {part['by'].upper()} ({', '.join(part['key'])}); {len(part['partitions'])} partitions."
                in t
                for t in section.text
            )
        else:
            assert len(section.tables) == 1 and "PARTITION" not in sql


def test_constraint_summary_matches_the_spec(page):
    def rows(title: str) -> list[list[str]]:
        return page.section("Constraints", title).tables[0].texts()

    # The constraint's own name first, then its table: the column a wide table keeps in view is the key.
    for title in ("Primary keys", "Unique constraints", "Check constraints", "Foreign keys"):
        assert page.section("Constraints", title).tables[0].header[:2] == ["Constraint", "Table"]
    assert [(r[1], r[2]) for r in rows("Primary keys")] == [
        (n, ", ".join(primary_key(t))) for n, t in spec_tables().items()
    ]
    assert [(r[1], r[2]) for r in rows("Unique constraints")] == [
        (n, k) for n, t in spec_tables().items() for k in unique_keys(t)
    ]
    expected_checks = [(n, name, expr) for n, t in spec_tables().items() for name, expr in checks(t)]
    assert [(r[1], r[0], r[2]) for r in rows("Check constraints")] == [
        (n, name or r[0], expr) for (n, name, expr), r in zip(expected_checks, rows("Check constraints"))
    ]
    assert len(rows("Check constraints")) == len(expected_checks)
    fk_rows = rows("Foreign keys")
    expected_fks = [
        (n, fk["columns"], f"{fk['ref'][0]} ({fk['ref'][1]})", (fk["on_delete"] or "no action").upper())
        for n, t in spec_tables().items()
        for fk in foreign_keys(n, t)
    ]
    assert [(r[1], r[2], r[3], r[4]) for r in fk_rows] == expected_fks


def test_cache_key_unique_constraint_is_plain_not_partial(page):
    """The hand-written reference calls it partial; the SQL (and the spec) make it a plain UNIQUE."""
    unique = page.section("Constraints", "Unique constraints")
    assert ["sync_preview_cache_cache_key_key", "sync_preview_cache", "cache_key", ""] in unique.tables[0].texts()
    assert not re.search(
        r"partial|where", " ".join(unique.text + [c for row in unique.tables[0].texts() for c in row]), re.IGNORECASE
    )
    ddl = table_section(page, "sync_preview_cache").code[0].text
    assert "CONSTRAINT sync_preview_cache_cache_key_key UNIQUE (cache_key)," in ddl
    index_rows = page.section("Indexes").tables[0].texts()
    # the partial copy of the key, dropped by 0025
    assert not [row for row in index_rows if row[0] == "idx_sync_preview_cache_key"]


def test_index_summary_matches_the_spec(page):
    table = page.section("Indexes").tables[0]
    assert table.header == ["Index", "Table", "Columns", "Method", "Unique", "Partial predicate", "Notes"]
    expected = [
        [
            ix,
            n,
            ", ".join(spec["columns"]),
            spec.get("method", "btree"),
            "Yes" if spec.get("unique") else "No",
            spec.get("where", ""),
            spec.get("comment", ""),
        ]
        for n, t in spec_tables().items()
        for ix, spec in t.get("indexes", {}).items()
    ]
    assert table.texts() == expected


def test_enums_list_their_values_in_order(page):
    sections = page.subsections("Enum types")
    assert [s.title for s in sections] == [f"Enum {e}" for e in SPEC["enums"]]
    for section, (name, enum) in zip(sections, SPEC["enums"].items()):
        assert section.tables[0].texts() == [[str(i), v] for i, v in enumerate(enum["values"], 1)]
        assert section.code[0].text.startswith(f"CREATE TYPE public.{name} AS ENUM (")
        assert re.findall(r"'(\w+)'", section.code[0].text) == enum["values"]
        if "comment" in enum:
            assert section.text[0] == enum["comment"]


def test_functions_show_their_full_bodies(page):
    sections = page.subsections("Functions")
    assert [s.title for s in sections] == [f"Function {f}()" for f in SPEC["functions"]]
    for section, (name, fn) in zip(sections, SPEC["functions"].items()):
        assert fn["body"].rstrip("\n") in section.code[0].text
        assert section.code[0].text.startswith(f"CREATE FUNCTION public.{name}()\nRETURNS {fn['returns']}")
        callers = [t for t, trg in SPEC["triggers"].items() if trg["function"] == name]
        facts = " ".join(section.text)
        for trigger in callers:
            assert trigger in facts


def test_triggers_table_links_each_trigger_to_its_function(page):
    section = page.section("Triggers")
    table = section.tables[0]
    assert table.header[:6] == ["Trigger", "Table", "Timing", "Events", "For each", "Function"]
    expected = [
        [
            name,
            t["table"],
            t["timing"].upper(),
            " OR ".join(e.upper() for e in t["events"]),
            "ROW",
            f"{t['function']}()",
            ", ".join(t.get("sets", [])),
        ]
        for name, t in SPEC["triggers"].items()
    ]
    assert [row[:7] for row in table.texts()] == expected
    for row, t in zip(table.rows, SPEC["triggers"].values()):
        assert row[5].links == [f"#function-public.{t['function']}"]
        assert row[1].links == [f"#table-public.{t['table']}"]
    assert re.findall(r"CREATE TRIGGER (\w+)", section.code[0].text) == list(SPEC["triggers"])


def test_grants_are_all_there(page):
    sql = page.section("Grants").code[0].text
    expected = []
    for g in SPEC["grants"]:
        privileges = ", ".join(p.upper() for p in g["privileges"])
        to = ", ".join(g["to"])
        expected += [f"GRANT {privileges} ON public.{t} TO {to};" for t in g.get("tables", [])]
        expected += [f"GRANT {privileges} ON FUNCTION public.{f}() TO {to};" for f in g.get("functions", [])]
        if "all_sequences_in_schema" in g:
            expected.append(f"GRANT {privileges} ON ALL SEQUENCES IN SCHEMA {g['all_sequences_in_schema']} TO {to};")
    assert sql.splitlines() == expected


def test_rls_summary_counts_policies(page):
    section = page.section("Row level security")
    expected = [
        [n, "Enabled" if t.get("row_level_security") else "Disabled", "No", str(len(policies(n, t)))]
        for n, t in spec_tables().items()
    ]
    assert section.tables[0].texts() == expected
    total = sum(len(policies(n, t)) for n, t in spec_tables().items())
    assert f"Row level security is enabled on 3 of 3 tables; {total} policies in all." in section.text


def test_external_tables_have_sections_with_their_keys(page):
    sections = page.subsections("External tables")
    assert [s.title for s in sections] == [f"External table {t}" for t in SPEC["external"]["tables"]]
    for section, (name, t) in zip(sections, SPEC["external"]["tables"].items()):
        assert section.tables[0].column("Column") == list(t["columns"])


def test_nothing_on_the_page_is_missing_from_the_spec(page):
    """Section headings and object names are exactly the spec's: no invented table, enum, function, trigger."""
    assert [s.title for s in page.subsections("Tables")] == [f"Table {t}" for t in spec_tables()]
    named = set(re.findall(r"CREATE (?:TABLE|TYPE|FUNCTION|TRIGGER|INDEX|POLICY) (?:public\.)?(\w+)", page.source))
    spec_names = set(spec_tables()) | set(SPEC["enums"]) | set(SPEC["functions"]) | set(SPEC["triggers"])
    for n, t in spec_tables().items():
        spec_names |= (
            set(t.get("indexes", {})) | set(policies(n, t)) | set(t.get("partitioning", {}).get("partitions", {}))
        )
    assert named == spec_names


def test_er_diagram_draws_tables_keys_and_foreign_keys(page):
    section = page.section("Entity-relationship diagram")
    [diagram] = section.code
    assert diagram.info == "mermaid"
    lines = diagram.text.splitlines()
    assert lines[0] == "erDiagram"
    entities = re.findall(r'^    "([\w.]+)" \{$', diagram.text, re.MULTILINE)
    assert entities == [*spec_tables(), *SPEC["external"]["tables"]]
    relations = re.findall(r'^    "([\w.]+)" (\|\||\|o)(--|\.\.)o\{ "([\w.]+)" : "(\w+)"$', diagram.text, re.MULTILINE)
    expected = []
    for n, t in spec_tables().items():
        for fk in foreign_keys(n, t):
            nullable = not t["columns"][fk["columns"]].get("not_null", False)
            expected.append((fk["ref"][0], "|o" if nullable else "||", "..", n, fk["columns"]))
    expected.append(("organization", "|o", "..", "auth.users_extended", "org_id"))
    assert relations == expected
    # Every line is one Mermaid accepts: an attribute is `type name KEYS`, words as old Mermaid allows.
    word = r"[A-Za-z_][A-Za-z0-9_\-\[\]()]*"
    for line in lines[1:]:
        assert re.fullmatch(
            rf'    "[\w.]+" \{{|    \}}|        {word} {word}( (PK|FK|UK)(, (PK|FK|UK))*)?|    "[\w.]+" '
            r'\S+ "[\w.]+" : "[\w, ]+"',
            line,
        ), line
    assert "        uuid id PK" in lines and "        timestamptz created_at PK" in lines


def test_lint_findings_section_is_fed_by_the_list_given():
    from schemagen.docs import pages, viewmodel

    schema = pipeline.generate(config.load(REPO_ROOT)).schema
    without = markdown_doc.parse(pages.docs_outputs(schema, ["migrations/m.sql"])[f"docs/{PAGE_PATH}"])
    assert "Lint findings" not in [s.title for s in without.sections]
    findings = [
        viewmodel.DocFinding("sync_operations", "warning", "L001", "sync_progress", "a | b\nc"),
        viewmodel.DocFinding("other_module", "error", "L002", "elsewhere", "not this page"),
    ]
    with_findings = markdown_doc.parse(pages.docs_outputs(schema, ["migrations/m.sql"], findings)[f"docs/{PAGE_PATH}"])
    table = with_findings.section("Lint findings").tables[0]
    assert table.texts() == [["warning", "L001", "sync_progress", "a | b\nc"]]
    empty = markdown_doc.parse(pages.docs_outputs(schema, ["migrations/m.sql"], [])[f"docs/{PAGE_PATH}"])
    assert empty.section("Lint findings").text == ["None."]


def test_pages_follow_the_chain_to_its_newest_migration(tmp_path, monkeypatch):
    """A spec edit makes migration 0002: the pages then show the schema after 0002 and link both files and 0002's
    down."""
    from click.testing import CliRunner
    from diff_harness import base, write_spec
    from schemagen.cli import main

    (tmp_path / "pyproject.toml").write_text('[tool.schemagen]\nspec_dir = "spec"\nout_dir = "generated"\n')
    spec = base()
    write_spec(tmp_path / "spec", spec)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    first = markdown_doc.parse((tmp_path / "generated" / "docs" / "index.md").read_text(encoding="utf-8"))
    assert first.section("Migrations").tables[0].texts() == [["0001_shop.sql", ""]]
    spec["tables"]["item"]["columns"]["color"] = {"type": "text"}
    write_spec(tmp_path / "spec", spec)
    assert CliRunner().invoke(main, ["build", "--name", "color"]).exit_code == 0
    docs = tmp_path / "generated" / "docs"
    index = markdown_doc.parse((docs / "index.md").read_text(encoding="utf-8"))
    assert index.section("Migrations").tables[0].texts() == [
        ["0001_shop.sql", ""],
        ["0002_color.sql", "0002_color.down.sql"],
    ]
    assert (
        index.sections[1]
        .text[0]
        .startswith("The schema after migration 0002_color.sql, the newest of the 2 migrations")
    )
    module = markdown_doc.parse((docs / "shop.md").read_text(encoding="utf-8"))
    assert module.sections[1].title == "Module shop"
    assert (
        module.sections[1].text[0].startswith("This page shows the schema after migration 0002_color.sql, the newest.")
    ), "(shop has no description)"
    for doc in (index, module):
        for link in doc.links:
            if link.startswith("../"):
                assert (docs / link).resolve().is_file(), link


def test_a_partitioned_table_without_partitions_yet_is_documented(tmp_path):
    """A table whose `partitioning:` lists no partitions crashed the build (exit 2: the docs had no SQL of its
    partitions to show)."""
    from click.testing import CliRunner
    from schemagen.cli import main

    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "log.yaml").write_text(
        "migration: {version: 1, name: log}\n"
        "tables:\n"
        "  log:\n"
        "    columns:\n"
        "      id: {type: integer}\n"
        "      at: {type: timestamptz, not_null: true}\n"
        "    partitioning: {key: [at]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--spec", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page = markdown_doc.parse((tmp_path / "out" / "docs" / "log.md").read_text(encoding="utf-8"))
    section = page.section("Tables", "Table log")
    assert any("Partitioned by RANGE (at); 0 partitions." in t for t in section.text), section.text
    assert len(section.tables) == 1  # the columns; no empty table of partitions
    assert "CREATE TABLE public.log" in section.code[0].text
