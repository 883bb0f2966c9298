"""The Jinja environment: templates ship inside the package as `schemagen.templates`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2  # imported here: `schemagen --help` should not pay for it

    root = resources.files("schemagen.templates")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
