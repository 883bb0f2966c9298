"""Security rules: search_path, row level security, policies and grants."""

from __future__ import annotations

from collections.abc import Iterator

from .. import ir
from ..pg.quoting import ident
from . import sqlfacts
from .context import RLS_COMMANDS, Context
from .findings import ERROR, INFO, WARNING, Finding
from .registry import rule

SEARCH_PATH_HINT = "add `search_path: [public]` (or `[]` with schema-qualified names in the body) to the function"


def _without_search_path(ctx: Context, definer: bool) -> Iterator[ir.Function]:
    return (f for f in ctx.schema.functions if f.search_path is None and (f.security == "definer") == definer)


@rule(
    "S101",
    "function-search-path-mutable",
    WARNING,
    why="A function without a fixed search_path resolves the tables and functions it names through the "
    "caller's search_path, which the caller can point at objects of their own (splinter 0011).",
    hint=SEARCH_PATH_HINT,
)
def search_path_mutable(ctx: Context) -> Iterator[Finding]:
    for f in _without_search_path(ctx, definer=False):
        yield ctx.finding("S101", ("function", f.key), ctx.function_label(f), "function has no fixed search_path")


@rule(
    "S102",
    "security-definer-search-path",
    ERROR,
    why="A SECURITY DEFINER function runs with its owner's rights; without a fixed search_path any caller can "
    "make it run their own objects with those rights.",
    hint=SEARCH_PATH_HINT,
)
def definer_search_path(ctx: Context) -> Iterator[Finding]:
    for f in _without_search_path(ctx, definer=True):
        yield ctx.finding(
            "S102", ("function", f.key), ctx.function_label(f), "SECURITY DEFINER function has no fixed search_path"
        )


@rule(
    "S103",
    "policies-without-rls",
    ERROR,
    why="PostgreSQL ignores the policies of a table whose row level security is not enabled: every role "
    "granted the table sees and changes every row.",
    hint="set `row_level_security: true` on the table (on an external table: state it, once the table's owner "
    "has enabled it, as Supabase has on storage.objects)",
)
def policies_without_rls(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        if t.policies and not t.row_level_security:
            yield ctx.finding(
                "S103",
                ("table", t.name),
                str(t.name),
                f"table has {len(t.policies)} polic{'y' if len(t.policies) == 1 else 'ies'} but row level "
                "security is not enabled, so none of them applies",
            )
    for ext in ctx.schema.external.tables:  # the spec's policies on a table made elsewhere
        if ext.policies and not ext.row_level_security:
            yield ctx.finding(
                "S103",
                ("external_table", ext.name),
                str(ext.name),
                f"external table has {len(ext.policies)} polic{'y' if len(ext.policies) == 1 else 'ies'} of the "
                "spec but is not stated to have row level security, so none of them may apply",
            )


@rule(
    "S104",
    "granted-command-without-policy",
    WARNING,
    why="Under row level security a command that no permissive policy allows sees or writes no row at all: the "
    "grant does nothing, or the feature behind it silently fails.",
    hint="add a policy for the command (and role), or stop granting the command",
)
def granted_without_policy(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        if not t.row_level_security:
            continue
        for role, privileges in sorted(ctx.table_grants.get(t.name, {}).items()):
            missing = [c for c in RLS_COMMANDS if c in privileges and not _allowed(t, c, role)]
            if missing:
                commands = ", ".join(c.upper() for c in missing)
                yield ctx.finding(
                    "S104",
                    ("table", t.name),
                    str(t.name),
                    f"{_role(role)} is granted {commands} but no permissive policy allows "
                    f"{'it' if len(missing) == 1 else 'them'} for that role",
                )


def _allowed(t: ir.Table, command: str, role: str) -> bool:
    return any(
        not p.restrictive
        and p.command in (command, "all")
        and (role == "public" or role in p.roles or "public" in p.roles)
        for p in t.policies
    )


def _role(role: str) -> str:
    return "PUBLIC" if role == "public" else f"role {role}"


@rule(
    "S105",
    "exposed-table-without-rls",
    ERROR,
    why="A table in a schema an API exposes, granted to a login role, with row level security disabled hands "
    "every row to every user of that role (splinter 0013).",
    hint="set `row_level_security: true` and add policies, or revoke the grant (exposed schemas: "
    "`exposed_schemas` in [tool.schemagen])",
)
def exposed_without_rls(ctx: Context) -> Iterator[Finding]:
    for name, grants in ctx.table_grants.items():
        if name.schema not in ctx.options.exposed_schemas:
            continue
        parent = ctx.partition_parent.get(name)
        table = parent if parent is not None else ctx.tables[name]
        roles = sorted(r for r, privileges in grants.items() if privileges & set(RLS_COMMANDS))
        if roles and not table.row_level_security:
            kind = "partition" if parent is not None else "table"
            yield ctx.finding(
                "S105",
                (kind, name),
                str(name),
                f"{kind} in exposed schema {name.schema} is granted to "
                f"{', '.join(_role(r) for r in roles)} without row level security",
            )


@rule(
    "S106",
    "always-true-write-policy",
    WARNING,
    why="A permissive policy whose USING or WITH CHECK is always true lets every role it applies to write any "
    "row, which is row level security in name only (splinter 0024).",
    hint="write the condition that ties a row to the user, e.g. `org_id = (select auth.jwt() ->> 'org_id')::uuid`",
)
def always_true(ctx: Context) -> Iterator[Finding]:
    for t in ctx.with_policies:  # storage policies too
        for p in t.policies:
            if p.restrictive or p.command == "select":
                continue
            for clause, text in (("using", p.using), ("check", p.check)):
                if text is not None and sqlfacts.always_true(text):
                    sql = "USING" if clause == "using" else "WITH CHECK"
                    yield ctx.finding(
                        "S106",
                        ("policy", t.name, p.name),
                        f"{t.name}.{p.name}",
                        f"policy allows {p.command.upper()} with {sql} ({text}), which is always true",
                        at=(f"policy_{clause}", t.name, p.name),
                        offset=0,
                    )
                    break


@rule(
    "S107",
    "multiple-permissive-policies",
    WARNING,
    why="PostgreSQL runs every permissive policy that applies to a role and command for every row and ORs "
    "them; two of them cost twice, and each one widens access (splinter 0006).",
    hint="merge the policies into one with OR, or make the extra one RESTRICTIVE if it is meant to narrow access",
)
def multiple_permissive(ctx: Context) -> Iterator[Finding]:
    for t in ctx.schema.tables:
        for command in RLS_COMMANDS:
            permissive = [p for p in t.policies if not p.restrictive and p.command in (command, "all")]
            roles = sorted({r for p in permissive for r in p.roles})
            overlaps: dict[tuple[str, ...], list[str]] = {}
            for role in roles:
                applying = tuple(p.name for p in permissive if role in p.roles or "public" in p.roles)
                if len(applying) > 1:
                    overlaps.setdefault(applying, []).append(role)
            for names, for_roles in overlaps.items():
                yield ctx.finding(
                    "S107",
                    ("table", t.name),
                    str(t.name),
                    f"{len(names)} permissive policies apply to {command.upper()} for "
                    f"{', '.join(_role(r) for r in for_roles)}: {', '.join(names)}",
                )


@rule(
    "S108",
    "partition-granted-directly",
    ERROR,
    why="Row level security and policies of a partitioned table apply only to queries through it; a role "
    "granted a partition directly reads and writes it with no policy at all.",
    hint="grant the partitioned table instead of its partitions",
)
def partition_granted(ctx: Context) -> Iterator[Finding]:
    for name, grants in ctx.table_grants.items():
        parent = ctx.partition_parent.get(name)
        roles = sorted(r for r, privileges in grants.items() if privileges & set(RLS_COMMANDS))
        if parent is not None and parent.row_level_security and roles:
            yield ctx.finding(
                "S108",
                ("partition", name),
                str(name),
                f"partition is granted to {', '.join(_role(r) for r in roles)} directly; the row level "
                f"security of {parent.name} does not apply to it",
                at=("grant", "table", name.q),
            )


@rule(
    "S109",
    "grant-on-all-sequences",
    INFO,
    why="GRANT ... ON ALL SEQUENCES IN SCHEMA reaches every sequence that exists in the schema when the "
    "migration runs, including those of other modules, and none created later.",
    hint="grant the spec's own sequences by name (`sequences: [t_id_seq]`)",
)
def all_sequences(ctx: Context) -> Iterator[Finding]:
    own = {t.name.schema for t in ctx.schema.tables if any(c.identity for c in t.columns)}
    for g in ctx.schema.grants:
        if g.kind == "all_sequences":
            schema_has = "" if g.target in {ident(s) for s in own} else "; this spec defines none there"
            yield ctx.finding(
                "S109",
                ("grant", "all_sequences", g.target),
                f"ALL SEQUENCES IN SCHEMA {g.target}",
                f"{', '.join(p.upper() for p in g.privileges)} is granted on every sequence of the schema "
                f"to {', '.join(_role(r) for r in g.roles)}{schema_has}",
            )


API_ROLES = ("anon", "authenticated")  # Supabase's roles of the API, given EXECUTE by its default privileges


@rule(
    "S117",
    "security-definer-executable",
    WARNING,
    why="A SECURITY DEFINER function runs with its owner's rights for whoever may call it. PostgreSQL gives "
    "EXECUTE on a new function to PUBLIC, and Supabase's default privileges give it to anon and authenticated: "
    "unless revoked, anyone reaching the API can call it (splinter 0028/0029).",
    hint="revoke EXECUTE (`revokes: [{privileges: [execute], functions: [NAME], from: [public, anon, "
    "authenticated]}]`), grant it to the roles that must call it, or make the function SECURITY INVOKER",
)
def definer_executable(ctx: Context) -> Iterator[Finding]:
    revoked = {
        (r.target, role)
        for r in ctx.schema.revokes
        if r.kind == "function" and {"execute", "all"} & set(r.privileges)
        for role in r.roles
    }
    granted = {
        (g.target, role)
        for g in ctx.schema.grants
        if g.kind == "function" and {"execute", "all"} & set(g.privileges)
        for role in g.roles
    }
    known = set(ctx.schema.external.roles)
    # default privileges the spec revokes on functions: PUBLIC's built-in EXECUTE only globally (PostgreSQL adds
    # per-schema default privileges to the global ones), a role's in the function's schema too
    by_default = [
        (d.schema, role)
        for d in ctx.schema.default_privileges
        if d.revoke and d.on == "functions" and {"execute", "all"} & set(d.privileges)
        for role in d.roles
    ]
    for f in ctx.schema.functions:
        if f.security != "definer" or f.returns_trigger:  # a trigger function cannot be called directly
            continue
        target = f.signature
        for schema, role in by_default:
            if schema is None or (schema == f.name.schema and role != "public"):
                revoked.add((target, role))
        who: list[str] = []
        public = (target, "public") in granted or (target, "public") not in revoked
        if public:
            who.append("PUBLIC" + ("" if (target, "public") in granted else " (PostgreSQL's default)"))
        for role in API_ROLES:
            if (target, role) in granted:
                who.append(f"{role} (granted)")
            elif role in known and (target, role) not in revoked:
                who.append(f"{role} ({'through PUBLIC' if public else 'default privileges, as Supabase has them'})")
        if who:
            yield ctx.finding(
                "S117",
                ("function", f.key),
                ctx.function_label(f),
                f"SECURITY DEFINER function is executable by {', '.join(who)}",
            )
