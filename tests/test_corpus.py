"""The corpus (tests/corpus/, see tests/corpus_harness.py): realistic schemas judged against PostgreSQL.

Per schema and check (all run in one worker, which builds each schema once and shares its databases):

- builds: `schemagen build` of the spec exits 0 and writes the migration, models, docs and database tests;
- handwritten: its from-scratch SQL (`schemagen sql`) applies on the stand-ins, and the catalog equals the one the
  hand-written SQL gives (`pg_dump --schema-only` of both, normalised only for SET lines and comments);
- models: `ruff check --isolated`, `ruff format --isolated --check` and `mypy --strict` pass (one run of each over
  every schema's models);
- rows: rows.sql's rows, read back, validate as the models of every table and view (in a transaction rolled back);
- docs: `mkdocs build --strict` over every schema's pages (one build) warns of nothing on this schema's pages;
- drift: `schemagen drift --against newest` on the built database finds nothing;
- dbtests: `schemagen test` passes there (tenants isolated where the spec declares tenancy), and
  generated/tests/<module>.sql was written;
- chain: the spec built up kind by kind (chain.yaml: a migration per step), applied by `schemagen migrate`, gives
  the same catalog, and `schemagen drift` finds nothing on it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import corpus_harness as corpus
import docs_build
import pg
import pytest
from psycopg.rows import dict_row
from schemagen import ir, resolve
from schemagen.models import spelling
from schemagen.spec import config

pytestmark = pytest.mark.xdist_group("corpus")  # one worker builds each schema once and groups ruff, mypy, mkdocs

SCHEMAS = corpus.schemas()
HISTORY = "schemagen"  # migrate's history schema: in the chain's database only


def _params() -> list[object]:
    out = []
    for s in SCHEMAS:
        for check in corpus.CHECKS:
            kinds = s.needs.get(check, ())
            marks = [pytest.mark.xfail(strict=True, reason=f"needs {', '.join(kinds)}")] if kinds else []
            out.append(pytest.param(s, check, id=f"{s.name}-{check}", marks=marks))
    return out


@dataclass
class Built:
    schema: corpus.CorpusSchema
    project: Path
    ir: ir.Schema
    environment: str
    scratch_url: str  # the environment + the from-scratch SQL
    handwritten_url: str  # the environment + handwritten.sql

    @property
    def generated(self) -> Path:
        return self.project / "generated"


class Corpus:
    """Each schema built once per session, its databases kept until the session ends."""

    def __init__(self, admin_url: str, tmp: Path) -> None:
        self.admin_url = admin_url
        self.tmp = tmp
        self.databases: list[str] = []
        self.built: dict[str, Built | BaseException] = {}

    def database(self) -> str:
        url = pg.create_database(self.admin_url, prefix="schemagen_corpus")
        self.databases.append(url)
        return url

    def get(self, schema: corpus.CorpusSchema) -> Built:
        if schema.name not in self.built:
            try:
                self.built[schema.name] = self._build(schema)
            except BaseException as exc:  # noqa: BLE001 - kept, and raised again for each check of this schema
                self.built[schema.name] = exc
        done = self.built[schema.name]
        if isinstance(done, BaseException):
            raise AssertionError(f"{schema.name} does not build: {done}") from done  # noqa: TRY004 - a failed check
        return done

    def all_built(self) -> list[Built]:
        out = []
        for s in SCHEMAS:
            try:
                out.append(self.get(s))
            except AssertionError:
                pass  # that schema's own checks say why
        return out

    def _build(self, schema: corpus.CorpusSchema) -> Built:
        root = corpus.project(schema, self.tmp / schema.name)
        done = corpus.cli("build", "--spec", str(root / "spec"), "--out", str(root / "generated"))
        assert done.exit_code == 0, done.output
        schema_ir, _ = resolve.load_schema(config.load(spec_dir=str(root / "spec")))
        environment = corpus.environment_sql(schema, root / "spec")
        sql = corpus.cli("sql", "--spec", str(root / "spec"))
        assert sql.exit_code == 0, sql.output
        scratch, handwritten = self.database(), self.database()
        pg.apply_sql(scratch, environment)
        pg.apply_sql(scratch, sql.output)
        pg.apply_sql(handwritten, environment)
        pg.apply_sql(handwritten, schema.handwritten)
        return Built(schema, root, schema_ir, environment, scratch, handwritten)

    def close(self) -> None:
        for url in self.databases:
            pg.drop_database(self.admin_url, url)

    @functools.cached_property
    def models_report(self) -> str:
        """ruff check, ruff format --check and mypy --strict over every built schema's models, each model package
        copied to <tmp>/models/<schema>/ so that their modules do not collide."""
        top = self.tmp / "models"
        for b in self.all_built():
            (top / b.schema.name).mkdir(parents=True)
            for path in (b.generated / "models").glob("*.py"):
                (top / b.schema.name / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        packages = sorted(str(p) for p in top.iterdir())
        out = []
        for command in (
            [sys.executable, "-m", "ruff", "check", "--isolated", "--output-format", "concise", *packages],
            [sys.executable, "-m", "ruff", "format", "--isolated", "--check", *packages],
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                str(self.tmp / "mypy"),
                *packages,
            ],
        ):
            done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=top)
            if done.returncode:
                out.append(done.stdout + done.stderr)
        return "\n".join(out)

    @functools.cached_property
    def docs_report(self) -> tuple[int, str]:
        """`mkdocs build --strict` of every built schema's pages, each schema in a directory of its own (one build:
        mkdocs takes seconds to start)."""
        docs = self.tmp / "docs"
        for b in self.all_built():
            (docs / b.schema.name).mkdir(parents=True)
            for path in (b.generated / "docs").iterdir():
                (docs / b.schema.name / path.name).write_bytes(path.read_bytes())
            # the pages link their migrations (the plugin copies them from beside docs_dir: here, beside each page)
            shutil.copytree(b.generated / "migrations", docs / b.schema.name / "migrations")
        (docs / "index.md").write_text(
            "# Corpus\n\n" + "".join(f"- [{p.name}]({p.name}/index.md)\n" for p in sorted(docs.iterdir()) if p.is_dir())
        )
        done = docs_build.mkdocs(docs_build.config_for(self.tmp, docs), self.tmp / "site")
        return done.returncode, done.stderr


@pytest.fixture(scope="module")
def the_corpus(pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory):
    c = Corpus(pg_admin_url, tmp_path_factory.mktemp("corpus"))
    yield c
    c.close()


def _own_lines(report: str, name: str) -> list[str]:
    return [line for line in report.splitlines() if re.search(rf"(^|[\s/]){re.escape(name)}/", line)]


@pytest.mark.parametrize(("schema", "check"), _params())
def test_corpus(the_corpus: Corpus, schema: corpus.CorpusSchema, check: str) -> None:
    built = the_corpus.get(schema)
    globals()[f"_{check}"](the_corpus, built)


def _builds(c: Corpus, b: Built) -> None:
    modules = {t.module for t in b.ir.tables}
    for module in modules:
        for path in (f"models/{module}.py", f"docs/{module}.md", f"tests/{module}.sql"):
            assert (b.generated / path).is_file(), path
    assert list((b.generated / "migrations").glob("0*.sql"))


def _handwritten(c: Corpus, b: Built) -> None:
    pg_diff = pg.dump_text_diff(
        pg.schema_dump(b.scratch_url), pg.schema_dump(b.handwritten_url), label_a="spec", label_b="handwritten.sql"
    )
    assert not pg_diff, pg_diff


def _models(c: Corpus, b: Built) -> None:
    own = _own_lines(c.models_report, b.schema.name)
    assert not own, "\n".join(own)


def _rows(c: Corpus, b: Built) -> None:
    package = _models_package(b.generated / "models")
    with pg.connect(b.scratch_url, autocommit=False) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(b.schema.rows)
        relations = [(t.name, t.module) for t in b.ir.tables] + [(v.name, v.module) for v in b.ir.views]
        for name, module in relations:
            model = getattr(importlib.import_module(f"{package}.{module}"), spelling.class_name(name.name))
            rows = cur.execute(f"SELECT * FROM {name.q}").fetchall()
            assert rows, f"rows.sql puts no row in {name}"
            for row in rows:
                model.model_validate(row)
        conn.rollback()


def _models_package(models: Path) -> str:
    """The generated models imported as a package of a name of its own (a module imports its neighbours' enums)."""
    name = f"corpus_models_{uuid.uuid4().hex}"
    found = importlib.util.spec_from_file_location(
        name, models / "__init__.py", submodule_search_locations=[str(models)]
    )
    assert found is not None and found.loader is not None
    package = importlib.util.module_from_spec(found)
    sys.modules[name] = package
    found.loader.exec_module(package)
    return name


def _docs(c: Corpus, b: Built) -> None:
    code, stderr = c.docs_report
    own = [line for line in _own_lines(stderr, b.schema.name) if "WARNING" in line or "ERROR" in line]
    assert not own, "\n".join(own)
    assert code == 0 or any(_own_lines(stderr, other.schema.name) for other in c.all_built()), stderr


def _drift(c: Corpus, b: Built) -> None:
    done = corpus.cli("drift", "--database-url", b.scratch_url, "--against", "newest", "--out", str(b.generated))
    assert done.exit_code == 0, done.output


def _dbtests(c: Corpus, b: Built) -> None:
    done = corpus.cli("test", "--database-url", b.scratch_url, "--spec", str(b.project / "spec"))
    assert done.exit_code == 0, done.output
    assert "not ok" not in done.output
    if b.ir.tenancy is not None:
        assert "tenant" in done.output.lower(), done.output
    with pg.connect(b.scratch_url) as conn:
        for t in b.ir.tables:
            assert conn.execute(f"SELECT count(*) FROM {t.name.q}").fetchone() == (0,), f"rows left in {t.name}"


def _chain(c: Corpus, b: Built) -> None:
    root = c.tmp / f"{b.schema.name}-chain"
    root.mkdir()
    (root / "spec").mkdir()
    if (b.project / "pyproject.toml").is_file():
        (root / "pyproject.toml").write_bytes((b.project / "pyproject.toml").read_bytes())
    steps = corpus.step_specs(b.schema)
    assert len(steps) >= 3, "chain.yaml: at least two steps after the first migration"
    for k, files in enumerate(steps, start=1):
        corpus.write_step(root / "spec", files)
        done = corpus.cli(
            "build", "--spec", str(root / "spec"), "--out", str(root / "generated"), "--name", f"step_{k}"
        )
        assert done.exit_code == 0, f"step {k}:\n{done.output}"
    written = sorted(p.name for p in (root / "generated" / "migrations").glob("0*[!n].sql"))
    assert len(written) == len(steps), f"a migration per step: {written}"
    url = c.database()
    pg.apply_sql(url, corpus.environment_sql(b.schema, root / "spec"))
    done = corpus.cli("migrate", "--database-url", url, "--out", str(root / "generated"))
    assert done.exit_code == 0, done.output
    chain_diff = pg.dump_text_diff(
        pg.schema_dump(url, exclude_schemas=(HISTORY,)),
        pg.schema_dump(b.scratch_url),
        label_a="chain",
        label_b="from scratch",
    )
    assert not chain_diff, chain_diff
    done = corpus.cli("drift", "--database-url", url, "--out", str(root / "generated"))
    assert done.exit_code == 0, done.output
