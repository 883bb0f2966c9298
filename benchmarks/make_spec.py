"""Write a synthetic spec of N tables shaped like spec/sync_operations.yaml.

    python benchmarks/make_spec.py --tables 1000 --out /tmp/spec1000
    python benchmarks/make_spec.py --tables 4000 --one-file --out /tmp/spec4000

Each table has about 15 columns (uuid keys, the tenant's org_id, enums,
varchar, jsonb, counters, timestamps), a CHECK or two, indexes (one descending,
two partial, one per foreign key), tenant isolation through one policy
template, a trigger, and foreign keys to the organization, to
auth.users_extended and to an earlier table. One table in 20 is
range-partitioned by month. Tables are split into modules of 50 (one YAML file
each), as a monorepo would split them; the first module declares the
migration, the externals and the policy template. `--one-file` puts every
table in that first module instead (a cost that grows faster than the
number of tables shows most in one large module).

Unlike the reference, the spec follows `schemagen lint`'s advice, as a team
using it would: its only findings are partitions-run-out, which depend on the
day lint runs. A spec with thousands of findings would time their pages.

The output depends only on N: same N, same bytes.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

import yaml

TABLES_PER_MODULE = 50
PARTITION_EVERY = 20
OWN_FUNCTION_EVERY = 5  # one table in five also has its own validation trigger
NOUNS = ["order", "invoice", "customer", "product", "shipment", "payment", "ticket", "contract", "asset", "report"]
ENUM_VALUES = {
    "status": ["pending", "in_progress", "completed", "completed_with_errors", "failed", "cancelled", "paused", "timeout"],
    "source": ["woocommerce", "odoo", "shopify", "custom"],
    "kind": ["customer", "product", "order", "invoice", "supplier", "inventory", "category", "attribute"],
}
TENANT_CHECK = "EXISTS (SELECT 1 FROM auth.users_extended u WHERE u.id = (SELECT auth.uid()) AND u.org_id = {table}.org_id)"
SET_UPDATED_AT = """BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END;
"""


def table_name(i: int) -> str:
    return f"{NOUNS[i % len(NOUNS)]}_{i:04d}"


def module_name(m: int) -> str:
    return f"module_{m:03d}"


def enum_name(m: int, kind: str) -> str:
    return f"m{m:03d}_{kind}"


def is_partitioned(i: int) -> bool:
    return i % PARTITION_EVERY == PARTITION_EVERY - 1


def columns(i: int, m: int, partitioned: bool) -> dict[str, Any]:
    cols: dict[str, Any] = {
        "id": {"type": "uuid", "not_null": True} if partitioned else {"type": "uuid", "primary_key": True, "default": "gen_random_uuid()"},
        "org_id": {"type": "uuid", "not_null": True, "references": "organization(id)", "on_delete": "cascade"},
        "status": {"type": enum_name(m, "status"), "not_null": True, "default": "'pending'", "comment": "Lifecycle status"},
        "source": {"type": enum_name(m, "source"), "comment": "Integration the row came from"},
        "kind": {"type": enum_name(m, "kind"), "not_null": True, "comment": "Business object type"},
        "external_id": {"type": "varchar(255)", "comment": "Identifier in the source system"},
        "payload": {"type": "jsonb", "not_null": True, "default": "'{}'", "comment": "Raw data as received"},
        "item_count": {"type": "integer", "not_null": True, "default": 0, "comment": "Items processed"},
        "failed_count": {"type": "integer", "not_null": True, "default": 0, "comment": "Items failed"},
        "amount": {"type": "numeric(12, 2)", "comment": "Total amount"},
        "created_by": {"type": "uuid", "references": "auth.users_extended(id)", "on_delete": "set null"},
        "created_at": {"type": "timestamptz", "not_null": True, "default": "NOW()", "comment": "Record created"},
        "updated_at": {"type": "timestamptz", "not_null": True, "default": "NOW()", "comment": "Last modified"},
    }
    parent = i - 1
    if parent >= 0 and not is_partitioned(parent):  # a foreign key to an earlier, unpartitioned table
        cols["parent_id"] = {"type": "uuid", "references": f"{table_name(parent)}(id)", "on_delete": "set null", "comment": f"The {table_name(parent)} this row follows"}
    if partitioned:  # a partitioned table's keys must hold the partition key: no single-column UNIQUE
        cols["batch_number"] = {"type": "integer", "comment": "Batch the row was written in"}
    else:
        cols["cache_key"] = {"type": "varchar(255)", "unique": True, "comment": "Unique cache identifier"}
    return cols


def table(i: int, m: int) -> dict[str, Any]:
    name = table_name(i)
    partitioned = is_partitioned(i)
    constraints: list[dict[str, Any]] = [
        {"name": f"{name}_counts_positive", "check": "item_count >= 0 AND failed_count >= 0 AND failed_count <= item_count"},
        {"check": "amount IS NULL OR amount >= 0"},
    ]
    t: dict[str, Any] = {"comment": f"Synthetic table {i} of the benchmark, shaped like sync_progress.", "columns": columns(i, m, partitioned), "constraints": constraints}
    t["indexes"] = {
        f"idx_{name}_org_status": {"columns": ["org_id", "status"]},
        f"idx_{name}_org_created": {"columns": ["org_id", "created_at DESC"]},
        f"idx_{name}_open": {"columns": ["org_id", "updated_at DESC"], "where": "status IN ('pending', 'in_progress')"},
        f"idx_{name}_external": {"columns": ["external_id"], "where": "external_id IS NOT NULL"},
        f"idx_{name}_created_by": {"columns": ["created_by"]},
    }
    if "parent_id" in t["columns"]:
        t["indexes"][f"idx_{name}_parent"] = {"columns": ["parent_id"]}
    if partitioned:
        constraints.append({"name": f"{name}_pkey", "primary_key": ["id", "created_at"]})
        months = [(2025, mo) for mo in range(7, 13)] + [(2026, mo) for mo in range(1, 7)]
        parts = {}
        for (y, mo), (y2, mo2) in itertools.pairwise(months):
            parts[f"{name}_{y}_{mo:02d}"] = {"from": f"{y}-{mo:02d}-01", "to": f"{y2}-{mo2:02d}-01"}
        t["partitioning"] = {"by": "range", "key": ["created_at"], "partitions": parts}
    t["row_level_security"] = True
    t["apply_policies"] = [{"template": "tenant_isolation", "prefix": name}]
    return t


def validation_function(name: str) -> dict[str, Any]:
    body = f"""BEGIN
    IF NEW.failed_count > NEW.item_count THEN
        RAISE EXCEPTION '{name}: failed_count (%) exceeds item_count (%)', NEW.failed_count, NEW.item_count;
    END IF;
    IF NEW.status = 'completed' AND NEW.failed_count > 0 THEN
        NEW.status := 'completed_with_errors';
    END IF;
    RETURN NEW;
END;
"""
    return {"returns": "trigger", "language": "plpgsql", "search_path": [], "body": body, "comment": f"Keeps the counters of {name} consistent."}


def head() -> dict[str, Any]:
    """What the first module declares once for every module."""
    return {
        "migration": {"version": 1, "name": "benchmark"},
        "external": {
            "roles": ["authenticated"],
            "schemas": ["auth"],
            "tables": {
                "organization": {"columns": {"id": {"type": "uuid", "primary_key": True}}},
                "auth.users_extended": {"columns": {"id": {"type": "uuid", "primary_key": True}, "org_id": {"type": "uuid", "references": "organization(id)"}}},
            },
            "functions": {"auth.uid": {"returns": "uuid", "stand_in": "SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid"}},
        },
        "policy_templates": {
            "tenant_isolation": {
                "description": "A user sees and writes only the rows of their own organization.",
                "commands": ["select", "insert", "update", "delete"],
                "name": "{prefix}_{command}",
                "using": TENANT_CHECK,
                "check": TENANT_CHECK,
            }
        },
        "functions": {"set_updated_at": {"returns": "trigger", "language": "plpgsql", "search_path": [], "body": SET_UPDATED_AT, "comment": "Stamps updated_at on every update."}},
    }


def module(m: int, indices: range) -> dict[str, Any]:
    doc: dict[str, Any] = {"module": module_name(m), "description": f"Benchmark module {m}: tables {indices.start} to {indices.stop - 1}."}
    if m == 0:
        doc.update(head())
    doc["enums"] = {enum_name(m, kind): {"values": values} for kind, values in ENUM_VALUES.items()}
    tables: dict[str, Any] = {}
    functions: dict[str, Any] = dict(doc.get("functions", {}))
    triggers: dict[str, Any] = {}
    for i in indices:
        name = table_name(i)
        tables[name] = table(i, m)
        triggers[f"{name}_set_updated_at"] = {"table": name, "timing": "before", "events": ["update"], "function": "set_updated_at", "sets": ["updated_at"]}
        if i % OWN_FUNCTION_EVERY == 0:
            functions[f"validate_{name}"] = validation_function(name)
            triggers[f"{name}_validate"] = {"table": name, "timing": "before", "events": ["insert", "update"], "function": f"validate_{name}", "sets": ["status"]}
    doc["tables"] = tables
    doc["functions"] = functions
    doc["triggers"] = triggers
    # no EXECUTE grants: the functions are trigger functions, which need none
    doc["grants"] = [{"privileges": ["select", "insert", "update", "delete"], "tables": list(tables), "to": ["authenticated"]}]
    return doc


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write(tables: int, out: Path, one_file: bool = False) -> list[Path]:
    """Write the spec of `tables` tables into `out` (created; stale *.yaml removed); return the files.

    `one_file`: every table in one module, rather than modules of TABLES_PER_MODULE.
    """
    if tables < 1:
        raise ValueError("--tables must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    paths = []
    per_module = tables if one_file else TABLES_PER_MODULE
    for m, start in enumerate(range(0, tables, per_module)):
        doc = module(m, range(start, min(start + per_module, tables)))
        path = out / f"{module_name(m)}.yaml"
        path.write_text(yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=200, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, required=True, help="number of tables")
    parser.add_argument("--out", type=Path, required=True, help="spec directory to write (its *.yaml files are replaced)")
    parser.add_argument("--one-file", action="store_true", help=f"every table in one module (default: modules of {TABLES_PER_MODULE})")
    args = parser.parse_args(argv)
    paths = write(args.tables, args.out, one_file=args.one_file)
    print(f"wrote {args.tables} tables in {len(paths)} file(s) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
