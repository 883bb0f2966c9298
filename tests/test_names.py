"""Names schemagen derives for unnamed constraints are the ones PostgreSQL itself chooses.

schemagen always writes constraint names out (so docs, lint and later
migrations can refer to them); they must be the names PostgreSQL would have
given the unnamed constraints, shortened to 63 bytes the way it shortens them.
PostgreSQL is the judge: the same table is created from hand-written SQL with
no constraint names, and its catalog is compared with the IR.
"""

from __future__ import annotations

from pathlib import Path

import pg
from schemagen import resolve
from schemagen.spec import loader

LONG = "customer_account_registry_with_a_rather_long_descriptive_name"  # 61 bytes

SPEC = f"""
migration: {{version: 1, name: demo}}
tables:
  parent_table_with_long_name:
    columns:
      id: {{type: integer, primary_key: true}}
  {LONG}:
    columns:
      id: {{type: integer, primary_key: true}}
      primary_contact_email_address_for_billing: {{type: text, unique: true}}
      reference_to_the_parent_table_with_long_name_id:
        type: integer
        references: parent_table_with_long_name(id)
      quantity_of_items_ordered_by_the_customer: {{type: integer, check: quantity_of_items_ordered_by_the_customer > 0}}
      region: {{type: text}}
    constraints:
      - unique: [region, primary_contact_email_address_for_billing]
      - check: quantity_of_items_ordered_by_the_customer < 1000
      - check: region <> primary_contact_email_address_for_billing
"""

SQL = f"""
CREATE TABLE parent_table_with_long_name (id integer PRIMARY KEY);
CREATE TABLE {LONG} (
    id integer PRIMARY KEY,
    primary_contact_email_address_for_billing text UNIQUE,
    reference_to_the_parent_table_with_long_name_id integer REFERENCES parent_table_with_long_name(id),
    quantity_of_items_ordered_by_the_customer integer CHECK (quantity_of_items_ordered_by_the_customer > 0),
    region text,
    UNIQUE (region, primary_contact_email_address_for_billing),
    CHECK (quantity_of_items_ordered_by_the_customer < 1000),
    CHECK (region <> primary_contact_email_address_for_billing)
);
"""


def test_derived_constraint_names_are_postgresqls(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "demo.yaml").write_text(SPEC, encoding="utf-8")
    schema = resolve.resolve(loader.load_dir(tmp_path / "spec", tmp_path))
    (table,) = [t for t in schema.tables if t.name.name == LONG]
    ours = {(c.name, c.kind) for c in table.constraints}

    pg.apply_sql(db_url, SQL)
    kinds = {"p": "primary_key", "u": "unique", "f": "foreign_key", "c": "check"}
    with pg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass AND contype <> 'n'", (LONG,)
        ).fetchall()
    theirs = {(name, kinds[kind]) for name, kind in rows}

    assert ours == theirs
    assert all(len(name.encode()) <= 63 for name, _ in ours)
