"""Names as PostgreSQL allows them (issue 12): upper case, spaces, non-ASCII letters, quotes, reserved words,
for every kind of object.

A spec that uses such names everywhere builds; its from-scratch SQL applies and gives the catalog that
the same schema written by hand gives (pg_dump); `schemagen drift` reads it back; the models (with
`alias=` the real names) pass ruff and mypy and validate the rows read back; the docs give every object
an anchor without spaces, once, and every link lands on one. And the quoting rule, case by case, against
PostgreSQL's own quote_ident().
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pg
import pytest
from catalog_check import assert_reads_back
from click.testing import CliRunner
from psycopg.rows import dict_row
from schemagen import resolve
from schemagen.cli import main
from schemagen.pg import quoting
from schemagen.spec import loader
from schemagen.sql import from_scratch

SPEC = """\
module: names
migration: {version: 1, name: names}
external:
  roles: [authenticated]
enums:
  Statut:
    values: [en cours, Terminé, "it's done"]
    comment: Where a « commande » is.
tables:
  Users:
    comment: People who sign in.
    columns:
      id: {type: integer, primary_key: true, identity: always}
      Email: {type: text, not_null: true, unique: true}
      Prénom: {type: varchar(50), check: length("Prénom") > 0}
      first name: {type: text}
      select: {type: text}
      updated at: {type: timestamptz}
    indexes:
      Users by first name: {columns: ['"first name"', 'lower("Email") DESC'], where: '"select" IS NOT NULL'}
    row_level_security: true
    policies:
      Allow logged-in read access: {command: select, roles: [authenticated], using: "true"}
    triggers:
      Set "updated at":
        {timing: before, events: [update], update_of: [Email, first name], function: Touch Row, sets: [updated at]}
  café crème:
    row_level_security: true
    policies: {Everyone reads: {command: select, roles: [authenticated], using: "true"}}
    columns:
      Order ID: {type: bigint, primary_key: true}
      User: {type: integer, not_null: true, references: '"Users"(id)', on_delete: cascade}
      Statut: {type: '"Statut"', not_null: true, default: "'en cours'"}
      Prix €: {type: "numeric(8,2)"}
    constraints:
      - {name: Prix positif, check: '"Prix €" >= 0'}
      - {unique: [User, Statut]}
  public."v1.2 log":
    row_level_security: true
    policies: {Everyone reads: {command: select, roles: [authenticated], using: "true"}}
    columns:
      id: {type: integer, primary_key: true}
      Order: {type: bigint, references: 'public."café crème"("Order ID")'}
functions:
  Touch Row:
    returns: trigger
    search_path: [pg_catalog]
    body: BEGIN NEW."updated at" := now(); RETURN NEW; END;
grants:
  - {privileges: [select], tables: [Users, café crème, 'public."v1.2 log"'], to: [authenticated]}
tenancy: null
"""

BY_HAND = """\
CREATE TYPE "Statut" AS ENUM ('en cours', 'Terminé', 'it''s done');
COMMENT ON TYPE "Statut" IS 'Where a « commande » is.';
CREATE TABLE "Users" (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "Email" text NOT NULL UNIQUE,
    "Prénom" varchar(50) CHECK (length("Prénom") > 0),
    "first name" text,
    "select" text,
    "updated at" timestamptz
);
COMMENT ON TABLE "Users" IS 'People who sign in.';
CREATE INDEX "Users by first name" ON "Users" ("first name", lower("Email") DESC) WHERE "select" IS NOT NULL;
CREATE TABLE "café crème" (
    "Order ID" bigint PRIMARY KEY,
    "User" integer NOT NULL REFERENCES "Users" (id) ON DELETE CASCADE,
    "Statut" "Statut" NOT NULL DEFAULT 'en cours',
    "Prix €" numeric(8, 2),
    CONSTRAINT "Prix positif" CHECK ("Prix €" >= 0),
    UNIQUE ("User", "Statut")
);
CREATE TABLE "v1.2 log" (id integer PRIMARY KEY, "Order" bigint REFERENCES "café crème" ("Order ID"));
CREATE FUNCTION "Touch Row"() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN NEW."updated at" := now(); RETURN NEW; END;
$$;
CREATE TRIGGER "Set ""updated at""\" BEFORE UPDATE OF "Email", "first name" ON "Users"
    FOR EACH ROW EXECUTE FUNCTION "Touch Row"();
ALTER TABLE "Users" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Allow logged-in read access" ON "Users" FOR SELECT TO authenticated USING (true);
ALTER TABLE "café crème" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Everyone reads" ON "café crème" FOR SELECT TO authenticated USING (true);
ALTER TABLE "v1.2 log" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Everyone reads" ON "v1.2 log" FOR SELECT TO authenticated USING (true);
GRANT SELECT ON "Users", "café crème", "v1.2 log" TO authenticated;
"""

ROWS = """\
INSERT INTO "Users" ("Email", "Prénom", "first name", "select") VALUES ('ada@example.com', 'Ada', 'Ada', 'x'),
    ('bob@example.com', NULL, NULL, NULL);
INSERT INTO "café crème" VALUES (1, 1, 'Terminé', 3.50), (2, 2, 'it''s done', NULL);
INSERT INTO "v1.2 log" VALUES (1, 1);
UPDATE "Users" SET "Email" = 'ada@example.org' WHERE id = 1;
"""


@pytest.mark.parametrize(
    "name",
    ["users", "Users", "first name", "café", "2fa", "select", "user", "a$b", 'say "hi"', "x-y", "_ok", "limit1"],
)
def test_a_name_is_quoted_exactly_where_postgresql_needs_it(name: str, db_url: str) -> None:
    """quote_ident()'s verdict, with one difference PostgreSQL allows: `$` after the first character stays bare."""
    with pg.connect(db_url) as conn:
        (theirs,) = conn.execute("SELECT quote_ident(%s)", (name,)).fetchone()
        ours = quoting.ident(name)
        if name == "a$b":
            assert ours == "a$b" and theirs == '"a$b"'
        else:
            assert ours == theirs
        # either way it names the same column
        conn.execute(f"CREATE TEMP TABLE t ({ours} integer)")
        assert conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum = 1"
        ).fetchone() == (name,)


def build(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "spec").mkdir(parents=True)
    (root / "spec" / "names.yaml").write_text(SPEC.replace("tenancy: null\n", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--spec", str(root / "spec"), "--out", str(root / "generated")])
    assert result.exit_code == 0, result.output
    return root / "generated"


def test_names_postgresql_allows_build_apply_and_read_back(pg_admin_url: str, tmp_path: Path) -> None:
    generated = build(tmp_path)
    schema = resolve.resolve(loader.load_dir(tmp_path / "project" / "spec", tmp_path / "project"))
    sql = from_scratch.migration_sql(schema, ["names.yaml"])
    with pg.fresh_database(pg_admin_url) as ours, pg.fresh_database(pg_admin_url) as theirs:
        pg.apply_sql(ours, sql)
        pg.apply_sql(theirs, BY_HAND)
        assert pg.schema_dump(ours) == pg.schema_dump(theirs)
        assert_reads_back(ours, schema, "names")  # `schemagen drift` finds nothing
        pg.apply_sql(ours, ROWS)
        models = _import(generated / "models" / "names.py")
        with pg.connect(ours) as conn, conn.cursor(row_factory=dict_row) as cur:
            users = [models.Users.model_validate(r) for r in cur.execute('SELECT * FROM "Users" ORDER BY id')]
            orders = [models.CafeCreme.model_validate(r) for r in cur.execute('SELECT * FROM "café crème" ORDER BY 1')]
            logs = [models.V12Log.model_validate(r) for r in cur.execute('SELECT * FROM "v1.2 log"')]
    assert [(u.email, u.prenom, u.first_name, u.select) for u in users] == [
        ("ada@example.org", "Ada", "Ada", "x"),
        ("bob@example.com", None, None, None),
    ]
    assert users[0].updated_at is not None and users[1].updated_at is None  # UPDATE OF "Email" fired the trigger
    assert [(o.order_id, o.statut, o.model_dump()["Prix €"]) for o in orders] == [
        (1, models.Statut.TERMINE, orders[0].prix),
        (2, models.Statut.IT_S_DONE, None),
    ]
    assert logs[0].order == 1
    # `schemagen test` finds every object under its name (the columns' names compared as PostgreSQL has them)
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, sql)
        result = CliRunner().invoke(main, ["test", "--spec", str(tmp_path / "project" / "spec"), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "not ok" not in result.output
    # an Insert model dumps the real names, ready for SQL
    assert models.CafeCremeInsert(order_id=3, user=1).model_dump() == {"Order ID": 3, "User": 1}


def test_the_models_of_such_names_pass_ruff_and_mypy(tmp_path: Path) -> None:
    path = build(tmp_path) / "models" / "names.py"
    for command in (
        [sys.executable, "-m", "ruff", "check", "--isolated", str(path)],
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", str(path)],
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_object_of_such_names_has_one_anchor_and_every_link_lands(tmp_path: Path) -> None:
    page = (build(tmp_path) / "docs" / "names.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="([^"]*)"', page)
    assert len(anchors) == len(set(anchors)) >= 12
    assert not [a for a in anchors if re.search(r"\s", a)]
    for target in re.findall(r"\]\(#([^)]*)\)", page):
        assert target in anchors, target
    for name in ("Users", "café crème", "v1.2 log", "Allow logged-in read access", 'Set "updated at"', "Prix positif"):
        assert name in page


def _import(path: Path):
    spec = importlib.util.spec_from_file_location(f"names_models_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_drop_of_such_a_name_is_confirmed_in_postgresql_quotes(tmp_path: Path) -> None:
    generated = build(tmp_path)
    spec = tmp_path / "project" / "spec" / "names.yaml"
    text = spec.read_text(encoding="utf-8").replace('      Prix €: {type: "numeric(8,2)"}\n', "")
    text = text.replace("      - {name: Prix positif, check: '\"Prix €\" >= 0'}\n", "")
    spec.write_text(text, encoding="utf-8")
    args = ["build", "--spec", str(spec.parent), "--out", str(generated)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "E063" in refused.output and "Prix €" in refused.output, refused.output
    spec.write_text(text + 'allow_destructive: [\'drop column "café crème"."Prix €"\']\n', encoding="utf-8")
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    (migration,) = (generated / "migrations").glob("0002_*[!n].sql")
    assert 'ALTER TABLE public."café crème" DROP COLUMN "Prix €";' in migration.read_text(encoding="utf-8")
