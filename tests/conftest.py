"""Fixtures for tests against a real PostgreSQL (see tests/pg.py)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pg
import pytest


@pytest.fixture(scope="session")
def pg_server():
    """One server per test session (env URL, testcontainers or embedded).

    Its data directory is not under pytest's basetemp: pytest prunes old
    basetemps, which would pull the data from under a server of a concurrent run.
    """
    workdir = Path(tempfile.mkdtemp(prefix="schemagen-pg-"))
    try:
        with pg.postgres_server(workdir) as server:
            pg.ensure_roles(server.url)
            yield server
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url(pg_server) -> str:
    """Superuser URL of the session's server; the cluster roles exist."""
    return pg_server.url


@pytest.fixture
def db_url(pg_admin_url):
    """URL of a fresh, empty database of its own, dropped afterwards."""
    with pg.fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def standin_db(db_url) -> str:
    """A fresh database with only the stand-ins for the earlier migrations."""
    pg.apply_sql(db_url, pg.standin_sql())
    return db_url


@pytest.fixture(scope="session")
def chain_template(pg_admin_url):
    """A database with the stand-ins and every migration of generated/migrations/ (0024, 0025, ...), built once
    per session (per worker) and copied for each test."""
    with pg.fresh_database(pg_admin_url) as url:
        pg.apply_sql(url, pg.standin_sql())
        pg.apply_chain(url)
        yield url


@pytest.fixture
def migrated_db(pg_admin_url, chain_template) -> Iterator[str]:
    """A database of its own with the stand-ins and the whole chain: the schema the project deploys today, which
    the models (generated from the spec as it is now) and the behaviour tests are judged on."""
    with pg.copy_of(pg_admin_url, chain_template) as url:
        yield url


@pytest.fixture
def db_0024(standin_db) -> str:
    """A fresh database with the stand-ins and the generated 0024 alone (what the reference document describes)."""
    pg.apply_sql(standin_db, pg.schema_under_test_sql())
    return standin_db


@dataclass(frozen=True)
class Tenant:
    org_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class Tenants:
    a: Tenant
    b: Tenant


@pytest.fixture
def tenants(migrated_db) -> Tenants:
    """Two organisations, each with one user (rows in auth.users_extended)."""
    made = []
    with pg.connect(migrated_db) as conn:
        for _ in range(2):
            t = Tenant(uuid.uuid4(), uuid.uuid4())
            conn.execute("INSERT INTO organization (id) VALUES (%s)", (t.org_id,))
            conn.execute("INSERT INTO auth.users_extended (id, org_id) VALUES (%s, %s)", (t.user_id, t.org_id))
            made.append(t)
    return Tenants(*made)
