"""What the speed work must not break: errors still reported everywhere, output unchanged, nothing rewritten."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen import errors, pipeline, resolve
from schemagen.cli import main
from schemagen.spec import config

REPO = Path(__file__).resolve().parent.parent

SPEC = textwrap.dedent(
    """\
    migration: {version: 1, name: speed}
    tables:
      a:
        columns:
          id: {type: integer, primary_key: true}
          n: {type: integer, default: "1 +"}
      b:
        columns:
          id: {type: integer, primary_key: true}
          n: {type: integer, default: "1 +"}
    """
)


def _project(tmp_path: Path, spec: str) -> config.Settings:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "s.yaml").write_text(spec, encoding="utf-8")
    return config.load(tmp_path, spec_dir=str(tmp_path / "spec"), out_dir=str(tmp_path / "out"))


def test_a_repeated_bad_fragment_is_reported_at_each_place(tmp_path):
    # fragments are parsed once per distinct text; a failure must not be remembered as a success
    settings = _project(tmp_path, SPEC)
    for _ in range(2):
        with pytest.raises(errors.SpecError) as exc:
            resolve.load_schema(settings)
        found = [(d.line, d.code) for d in exc.value.diagnostics]
        assert found == [(6, errors.SQL_SYNTAX), (10, errors.SQL_SYNTAX)]


@pytest.mark.golden  # judged by the committed generated/
def test_project_build_is_up_to_date(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["build", "--check"])
    assert result.exit_code == 0, result.output


def test_unchanged_build_rewrites_no_file(tmp_path, monkeypatch):
    _project(tmp_path, SPEC.replace('"1 +"', '"1 + 1"'))
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["build", "--spec", "spec", "--out", "out"])
    assert first.exit_code == 0, first.output
    files = sorted(p for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert len(files) >= 3
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in files}
    second = CliRunner().invoke(main, ["build", "--spec", "spec", "--out", "out"])
    assert second.exit_code == 0 and "is up to date" in second.output, second.output
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in files} == before


def test_state_json_is_the_text_json_dumps_gives(monkeypatch):
    import dataclasses
    import json
    from dataclasses import dataclass

    from schemagen.chain import state
    from schemagen.ir import codec

    monkeypatch.chdir(REPO)
    schema, _ = resolve.load_schema(config.load(REPO))
    data = dataclasses.asdict(schema)
    data.pop("intent")
    data.pop("tenancy")  # the database tests read it; a migration does not produce it
    if not data["confirmed"]:  # saved only by a migration that used a confirmation
        data.pop("confirmed")
    data["format"] = state.FORMAT
    assert state.text(schema) == json.dumps(data, indent=1, sort_keys=True) + "\n"

    @dataclass(frozen=True)
    class Odd:
        text: str = 'quote " backslash \\ tab \t newline \n nul \x00 é 😀'
        empty_tuple: tuple[int, ...] = ()
        empty_dict: dict[str, int] = dataclasses.field(default_factory=dict)
        nested: tuple[object, ...] = ((1, -2), {"b": None, "a": [True, False]}, 1.5, 10**20)

    for indent in (1, 2):
        assert codec.dumps(Odd(), indent) == json.dumps(dataclasses.asdict(Odd()), indent=indent, sort_keys=True)
    with pytest.raises(TypeError):
        codec.dumps({"x": object()}, 1)


def test_commands_pause_the_cyclic_collector_only_while_they_run(tmp_path, monkeypatch):
    import gc

    seen = []
    real = pipeline.generate
    monkeypatch.setattr(
        pipeline, "generate", lambda *args, **kwargs: seen.append(gc.isenabled()) or real(*args, **kwargs)
    )
    _project(tmp_path, SPEC.replace('"1 +"', '"1 + 1"'))
    monkeypatch.chdir(tmp_path)
    assert gc.isenabled()
    assert CliRunner().invoke(main, ["build", "--spec", "spec", "--out", "out"]).exit_code == 0
    assert seen == [False] and gc.isenabled()
    (tmp_path / "spec" / "s.yaml").write_text(SPEC, encoding="utf-8")  # a spec error exits 1
    assert CliRunner().invoke(main, ["build", "--spec", "spec", "--out", "out"]).exit_code == 1
    assert gc.isenabled()


CALLS_SPEC = textwrap.dedent(
    """\
    migration: {version: 1, name: calls}
    functions:
      next_code:
        returns: text
        language: sql
        body: SELECT md5(random()::text)
      unused:
        returns: text
        language: sql
        body: SELECT 'x'
    tables:
      a:
        columns:
          id: {type: integer, primary_key: true}
          code: {type: text, default: public.next_code()}
          label: {type: text, default: "'unused()'"}
    """
)


def test_a_default_calling_a_spec_function_moves_the_function_first(tmp_path, db_url):
    import pg
    from schemagen.sql import from_scratch

    schema, sources = resolve.load_schema(_project(tmp_path, CALLS_SPEC))
    sql = from_scratch.migration_sql(schema, sources)
    # found from the parse tree: a qualified call counts, a string that looks like a call does not
    assert (
        sql.index("CREATE FUNCTION public.next_code()")
        < sql.index("CREATE TABLE public.a")
        < sql.index("CREATE FUNCTION public.unused()")
    )
    pg.apply_sql(db_url, sql)


def test_yaml_values_and_positions_survive_the_fast_path():
    from schemagen.spec import positions

    text = textwrap.dedent(
        """\
        a: yes
        b: 0x1F
        c: ~
        d: 2025-11-01
        e: "true"
        1: one
        f: 1.5
        g: [x, 'y', 10]
        h: |
          SELECT 1 +
        a: again
        """
    )
    with pytest.raises(errors.SpecError) as exc:
        positions.load(text, "s.yaml")
    assert [str(d) for d in exc.value.diagnostics] == [
        's.yaml:11:1: E002 duplicate key "a" (first defined at line 1)'.replace("E002", errors.YAML_DUPLICATE_KEY)
    ]
    data, pos = positions.load(text.rsplit("a: again", 1)[0], "s.yaml")
    assert data == {
        "a": True,
        "b": 31,
        "c": None,
        "d": "2025-11-01",
        "e": "true",
        "1": "one",
        "f": 1.5,
        "g": ["x", "y", 10],
        "h": "SELECT 1 +\n",
    }
    pos.lines = text.splitlines()
    assert pos.at(("g", 1)) == (8, 8) and pos.at(("1",), key=True) == (6, 1)
    assert pos.fragment(("h",), 9) == (10, 12)  # block scalar: offset 9 is on the line after `h: |`
    assert pos.fragment(("e",), 1) == (5, 6)  # quoted: counted from after the opening quote


def test_rendered_statements_follow_the_schema_they_are_asked_for(tmp_path, monkeypatch):
    # sql/from_scratch.py remembers the last schema's statements, for the docs; a new schema must not get old SQL
    from schemagen.sql import from_scratch

    monkeypatch.chdir(REPO)
    project, sources = resolve.load_schema(config.load(REPO))
    other, other_sources = resolve.load_schema(_project(tmp_path, CALLS_SPEC))
    first = from_scratch.migration_sql(project, sources)
    assert "CREATE TABLE public.a " not in first
    assert "CREATE TABLE public.a " in from_scratch.migration_sql(other, other_sources)
    assert from_scratch.migration_sql(project, sources) == first
    assert from_scratch.rendered_statements(other) is from_scratch.rendered_statements(other)


def test_positions_are_found_when_a_mistake_needs_them(tmp_path):
    # the position index is built lazily, from the text, only on the error path
    settings = _project(tmp_path, SPEC.replace('"1 +"', '"1 + 1"').replace("  b:\n", "  b:\n    colums: {}\n", 1))
    with pytest.raises(errors.SpecError) as exc:
        resolve.load_schema(settings)
    assert [(d.line, d.column, d.code) for d in exc.value.diagnostics] == [(8, 5, errors.SPEC_UNKNOWN_KEY)]


IRREVERSIBLE = (
    "DO $schemagen$ BEGIN RAISE EXCEPTION 'migration 0002_x cannot be undone automatically (see the comments of "
    "this file)'; END $schemagen$;"
)


def test_compiled_templates_are_reused_and_a_damaged_cache_is_a_miss(tmp_path, monkeypatch):
    import jinja2
    from schemagen import templating

    def render(cache):
        env = templating.environment().overlay(bytecode_cache=cache)
        return (
            env.get_template("sql/diff/irreversible.sql.j2")
            .render(number="0002", name="x", previous="0001_x", reasons=[], sources="spec")
            .splitlines()[-1]
        )

    assert render(templating.template_cache(str(tmp_path))) == IRREVERSIBLE
    entries = sorted(tmp_path.iterdir())
    assert len(entries) == 1 and f"jinja{jinja2.__version__}" in entries[0].name
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a) or real(self, *a, **k))
    assert render(templating.template_cache(str(tmp_path))) == IRREVERSIBLE
    assert compiled == []  # loaded, not compiled
    entries[0].write_bytes(entries[0].read_bytes()[:20])  # a truncated entry
    assert render(templating.template_cache(str(tmp_path))) == IRREVERSIBLE
    assert len(compiled) == 1
    (tmp_path / "not-a-directory").write_text("")
    # cannot write: no error
    assert render(templating.template_cache(str(tmp_path / "not-a-directory"))) == IRREVERSIBLE


LITERAL_TEXTS = [
    "org_id",
    "",
    "it's",
    'say "hi"',
    "both ' and \"",
    "back\\slash",
    "tab\tnew\nline\rcr",
    "nul\x00 bell\x07",
    "é 😀 \u2028",
    '"""',
]


@pytest.mark.parametrize("text", LITERAL_TEXTS)
def test_python_literals_read_back_as_the_text(text):
    # models/spelling.py skips escaping when nothing needs it; what it writes must still be the same string in Python
    import ast

    from schemagen.models import spelling

    assert ast.literal_eval(spelling.literal(text)) == text


@pytest.mark.parametrize("text", [t for t in LITERAL_TEXTS if t.strip() and len(t.splitlines()) == 1])
def test_python_docstrings_read_back_as_the_one_line_text(text):
    import ast

    from schemagen.models import spelling

    # the templates close a docstring on a line of its own
    docstring = '"""' + spelling.docstring_text(text, first=True) + '\n"""'
    assert ast.literal_eval(docstring).rstrip() == text.expandtabs(4).strip()


def test_console_command_exits_fast_with_its_output_and_status(tmp_path):
    # `schemagen` (cli.run) skips the interpreter's teardown: what it prints must still arrive, with the right status
    import subprocess
    import sys

    script = Path(sys.executable).parent / "schemagen"
    _project(tmp_path, SPEC.replace('"1 +"', '"1 + 1"'))
    run = lambda *args: subprocess.run(
        [str(script), *args, "--spec", "spec", "--out", "out"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    stale = run("build", "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr and "stale: out/manifest.json" in stale.stderr
    built = run("build")
    assert (
        built.returncode == 0 and built.stdout.startswith("wrote ") and (tmp_path / "out" / "manifest.json").is_file()
    )
    fresh = run("build", "--check")
    assert fresh.returncode == 0 and "is up to date" in fresh.stdout
    (tmp_path / "spec" / "s.yaml").write_text(SPEC, encoding="utf-8")
    broken = run("build")
    assert broken.returncode == 1 and errors.SQL_SYNTAX in broken.stderr and "nothing was written" in broken.stderr


YAML_READS = [
    ("", {}),
    ("# only a comment\n", {}),
    ("a: {b: [1, {c: d}]}\n", {"a": {"b": [1, {"c": "d"}]}}),
    ("1: x\ntrue: y\nnull: z\n3.5: w\n", {"1": "x", "true": "y", "null": "z", "3.5": "w"}),
    # anchors, aliases (a key too) and the standard tags
    ("a: &x {b: 1}\nc: *x\n", {"a": {"b": 1}, "c": {"b": 1}}),
    ("a: &k name\n*k : 1\n", {"a": "name", "name": 1}),
    ("a: !!str 1\nb: !!int '2'\nc: !!map {d: !!seq [1]}\n", {"a": "1", "b": 2, "c": {"d": [1]}}),
    # mistakes
    ("---\n", "2:1: E003"),
    ("- 1\n- 2\n", "1:1: E003"),
    ("a: 1\na: 2\n", '2:1: E002 duplicate key "a" (first defined at line 1)'),
    ("a: 1\n---\nb: 2\n", "2:1: E001 YAML syntax error: but found another document"),
    # issue 10, items 17, 22 and 23: refused where they are, no longer read as something else
    ("? [a, b]\n: 1\n", "1:3: E001 YAML error: a mapping key must be a name, not a list or mapping"),
    ("a: !mytag x\n", '1:4: E001 YAML error: unknown YAML tag "!mytag"'),
    ("a: !!binary aGk=\n", '1:4: E001 YAML error: unknown YAML tag "tag:yaml.org,2002:binary"'),
    (
        "a: !!python/object:os.system {}\n",
        '1:4: E001 YAML error: unknown YAML tag "tag:yaml.org,2002:python/object:os.system"',
    ),
    ("a: *x\n", "1:4: E001 YAML error: alias *x names no anchor before it"),
    ("a: 1\n\tb: 2\n", "2:1: E001 YAML syntax error: a tab indents this line; YAML indents with spaces only"),
    ("a:\n  b: 1\n  \tc: 2\n", "3:3: E001 YAML syntax error: a tab indents this line"),
    (
        "a: \"x\"\nb: 'caf\u00e9 \x00'\n",
        "2:10: E001 YAML error: a NUL character (U+0000) is not allowed in a YAML file",
    ),
    ("a: b\x07\n", "1:5: E001 YAML error: the control character U+0007 is not allowed in a YAML file"),
    ("a: [\n", "2:1: E001 YAML syntax error: did not find expected node content"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e in YAML_READS if isinstance(e, dict)], ids=lambda v: repr(v)[:30]
)
def test_yaml_read_from_events_gives_the_values(text, expected):
    from schemagen.spec import positions

    assert positions.load(text, "s.yaml")[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for t, e in YAML_READS if isinstance(e, str)], ids=lambda v: repr(v)[:30]
)
def test_yaml_read_from_events_gives_one_error_at_its_place(text, expected):
    from schemagen.spec import positions

    with pytest.raises(errors.SpecError) as exc:
        positions.load(text, "s.yaml")
    assert len(exc.value.diagnostics) == 1 and str(exc.value.diagnostics[0]).startswith(f"s.yaml:{expected}")


def test_an_unchanged_spec_is_recognised_without_planning(monkeypatch):
    # diff.migration answers "nothing to do" by one comparison; it must agree with the plan
    import dataclasses
    import json

    from schemagen import diff
    from schemagen.chain import state

    monkeypatch.chdir(REPO)
    schema, _ = resolve.load_schema(config.load(REPO))
    states = sorted((REPO / "generated" / "migrations").glob("*.state.json"))
    last = state.decode(json.loads(states[-1].read_text(encoding="utf-8")))
    assert diff.unchanged(last, schema)
    assert (
        diff.plan(last, schema).changes == []
        and diff.migration(last, schema, number=99, name=None, previous="x", sources=[]).empty
    )
    table = schema.tables[0]
    edited = dataclasses.replace(
        schema, tables=(dataclasses.replace(table, comment=(table.comment or "") + " (edited)"), *schema.tables[1:])
    )
    assert not diff.unchanged(last, edited)
    assert not diff.migration(last, edited, number=99, name=None, previous="x", sources=[]).empty


def test_the_saved_state_is_compared_without_decoding_and_agrees_with_decoding(monkeypatch):
    # chain.Written.describes answers diff.unchanged from the saved JSON; it must agree with decoding
    import dataclasses
    import json

    from schemagen import diff
    from schemagen.chain import history, state
    from schemagen.ir import codec

    monkeypatch.chdir(REPO)
    settings = config.load(REPO)
    schema, _ = resolve.load_schema(settings)
    last = history.read(settings)[-1]
    assert last.describes(schema) and diff.unchanged(last.state, schema)
    table = schema.tables[0]
    column = dataclasses.replace(table.columns[0], comment=(table.columns[0].comment or "") + " (edited)")
    for edited in (
        dataclasses.replace(
            schema, tables=(dataclasses.replace(table, columns=(column, *table.columns[1:])), *schema.tables[1:])
        ),
        dataclasses.replace(schema, tables=schema.tables[1:]),
        dataclasses.replace(schema, grants=(*schema.grants, schema.grants[0])),
    ):
        assert not last.describes(edited) and not diff.unchanged(last.state, edited)
    assert not codec.matches_json(schema, {**last.saved, "unknown": 1}, skip=frozenset({"version", "name", "intent"}))
    # a state saved before a field existed (0024 has no `is_default`): compared once upgraded (chain/state.py)
    old = state.schema_fields(
        json.loads((REPO / "generated" / "migrations" / "0024_sync_operations.state.json").read_text(encoding="utf-8"))
    )
    decoded = codec.schema_from_json(old)
    assert codec.matches_json(decoded, old)
    (log,) = [t for t in decoded.tables if t.partitions]
    flipped = dataclasses.replace(
        log, partitions=(dataclasses.replace(log.partitions[0], is_default=True), *log.partitions[1:])
    )
    assert not codec.matches_json(
        dataclasses.replace(decoded, tables=tuple(flipped if t is log else t for t in decoded.tables)), old
    )


def _one_file_spec(n: int) -> str:
    """`n` small tables in ONE spec file, each with an index, a policy, a trigger that `sets:` a column and a foreign
    key."""
    lines = [
        "migration: {version: 1, name: wide}",
        "external: {roles: [authenticated]}",
        "enums: {st: {values: [a, b]}}",
        "functions:",
        "  touch: {returns: trigger, body: 'BEGIN NEW.u := now(); RETURN NEW; END;'}",
        "tables:",
    ]
    for i in range(n):
        ref = f", p: {{type: integer, references: t{i - 1}(id)}}" if i else ""
        lines += [
            f"  t{i}:",
            (
                f"    columns: {{id: {{type: integer, primary_key: true}}, u: {{type: timestamptz}}, s: "
                f"{{type: st}}{ref}}}"
            ),
            f"    indexes: {{ix_t{i}: {{columns: [u]}}}}",
            "    row_level_security: true",
            f"    policies: {{t{i}_read: {{command: select, using: 'true', roles: [authenticated]}}}}",
        ]
    lines.append("triggers:")
    lines += [
        f"  t{i}_touch: {{table: t{i}, timing: before, events: [update], function: touch, sets: [u]}}" for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def _stage_seconds(tmp_path: Path, n: int) -> dict[str, float]:
    """CPU seconds of each stage of a build of `n` tables in one file (best of 2, collector paused as in the CLI)."""
    import gc
    import time

    from schemagen import lint
    from schemagen.chain import state
    from schemagen.docs import pages
    from schemagen.models import modules
    from schemagen.spec import loader
    from schemagen.sql import from_scratch

    spec = tmp_path / f"spec{n}"
    spec.mkdir()
    (spec / "wide.yaml").write_text(_one_file_spec(n), encoding="utf-8")
    best: dict[str, float] = {}
    gc.disable()
    try:
        for _ in range(2):
            laps = [("start", time.process_time())]
            files = loader.load_dir(spec)
            laps.append(("load", time.process_time()))
            schema, origins = resolve.resolve_with_origins(files)
            laps.append(("resolve", time.process_time()))
            from_scratch.migration_sql(schema, ["spec/wide.yaml"])  # first: docs and lint reuse its statements
            laps.append(("sql", time.process_time()))
            modules.render(schema)
            laps.append(("models", time.process_time()))
            pages.docs_outputs(schema, ["migrations/0001_wide.sql"])
            laps.append(("docs", time.process_time()))
            lint.lint(schema, origins)
            laps.append(("lint", time.process_time()))
            state.text(schema)
            laps.append(("state", time.process_time()))
            seen = {stage: at - laps[i][1] for i, (stage, at) in enumerate(laps[1:])}
            best = {k: min(v, best.get(k, v)) for k, v in seen.items()}
    finally:
        gc.enable()
    return best


@pytest.mark.xdist_group("timing")  # CPU-time ratios: beside no other timing test
def test_build_time_grows_linearly_with_the_tables_of_one_file(tmp_path):
    """Issue 10, item 21: a per-table scan of the module's classes (models) and triggers (docs) made
    one large file quadratic (4,000 tables 16 s, 20,000 tables 544 s). 4x the tables must stay well
    under the 16x a quadratic stage takes; each stage is timed on its own, so a slow stage cannot
    hide behind fast ones."""
    (tmp_path / "warm").mkdir()
    _stage_seconds(tmp_path / "warm", 20)  # imports, compiled templates
    small, large = _stage_seconds(tmp_path, 400), _stage_seconds(tmp_path, 1600)
    ratios = {stage: large[stage] / max(small[stage], 1e-3) for stage in small}
    assert all(r < 6.5 for r in ratios.values()), {
        stage: f"{small[stage]:.3f}s -> {large[stage]:.3f}s ({r:.1f}x)" for stage, r in ratios.items()
    }
