"""The schema SQL of the production reference document, as one runnable script.

The reference (``migration_0024_sync_operations.md``) keeps its schema in
```sql fenced blocks. ``reference_sql()`` joins them in document order, with
two corrections that make the text runnable:

* the block that only shows how to call ``auto_cleanup_preview_cache()`` is
  left out (it is usage, not schema);
* the ``CREATE TYPE ... AS ENUM`` statements are moved to the front: the
  document lists them after the tables that use them, so the text as written
  fails on a fresh database.

Nothing else is changed: in particular the script has no BEGIN/COMMIT of its
own, as in the document.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_NAME = "migration_0024_sync_operations.md"

_SQL_BLOCK = re.compile(r"^```sql[ \t]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_USAGE_MARKER = re.compile(r"SELECT\s+\*\s+FROM\s+auto_cleanup_preview_cache\s*\(\s*\)", re.IGNORECASE)
# CREATE TYPE name AS ENUM ( 'a', 'b''c', ... );  -- labels may hold parentheses or quotes
_CREATE_ENUM = re.compile(
    r"CREATE\s+TYPE\s+[\w.\"]+\s+AS\s+ENUM\s*\((?:[^()']|'(?:[^']|'')*')*\)\s*;[ \t]*\n?",
    re.IGNORECASE,
)


def reference_path() -> Path:
    """Where the reference document is: env SCHEMAGEN_REFERENCE, else ``<repo>/../shared/reference/``."""
    env = os.environ.get("SCHEMAGEN_REFERENCE")
    if env:
        return Path(env)
    return REPO_ROOT.parent / "shared" / "reference" / REFERENCE_NAME


def sql_blocks(markdown: str) -> list[str]:
    """All ```sql blocks of a markdown text, in order."""
    return [m.group(1) for m in _SQL_BLOCK.finditer(markdown)]


def extract_schema_sql(markdown: str) -> str:
    """Schema SQL of a reference-style markdown document (see module doc)."""
    blocks = [b for b in sql_blocks(markdown) if not _USAGE_MARKER.search(b)]
    text = "\n".join(b.strip() + "\n" for b in blocks)
    enums = [m.group(0).strip() for m in _CREATE_ENUM.finditer(text)]
    rest = _CREATE_ENUM.sub("", text)
    rest = re.sub(r"\n{3,}", "\n\n", rest).strip()
    return "\n\n".join(enums + [rest]) + "\n"


def reference_text() -> str:
    """The reference document's text; the calling test is skipped, saying why, when it is absent.

    A clone outside this workspace has no ``../shared/reference/``: the tests that
    compare with the reference cannot run there, and every other test must still pass.
    """
    path = reference_path()
    if not path.is_file():
        pytest.skip(
            f"needs the reference document {REFERENCE_NAME}, not found at {path} (set SCHEMAGEN_REFERENCE to its path)"
        )
    return path.read_text(encoding="utf-8")


def reference_sql() -> str:
    """The reference's schema SQL, runnable on a database that has the stand-ins."""
    return extract_schema_sql(reference_text())
