"""The Jinja environment: templates ship inside the package as `schemagen.templates`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jinja2
from jinja2.bccache import Bucket


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    root = resources.files("schemagen.templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # templates do not change during a run: no stat of the file per get_template
        bytecode_cache=template_cache(),
    )
    # Templates are logic-free: none calls range(), dict(), namespace() and the
    # like. Without them, a render no longer copies Jinja's globals into its
    # context, which was half the cost of rendering a small statement (and a
    # migration renders one per object).
    env.globals.clear()
    return env


def template_cache(directory: str | None = None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs, or None when no cache directory can be used.

    Compiling the ~20 templates is a tenth of a small build's time. Jinja keys
    each entry by the template's path and checks its source's checksum and the
    Python version; the Jinja version goes into the file name. The default
    directory is Jinja's private per-user one in the system's temp directory.
    A cache that cannot be read or written only costs the compile.
    """

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - any damage (truncated, garbage, unpickling, marshal) only costs a compile
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # read-only or full: run without
                pass

    try:
        return Cache(directory, pattern=f"schemagen-jinja{jinja2.__version__}-%s.cache")
    except (OSError, RuntimeError):  # no safe private directory
        return None
