"""IR -> the reference docs: `docs/<module>.md` per spec module and `docs/index.md`.

Rendering is pure, like sql/from_scratch.py: templates/docs/*.md.j2 hold each
page (headings, sentences, tables with their headers), and builder.py computes
what fills them, every cell, link and anchor of the view-model (viewmodel.py).
The top-level mkdocs.yml publishes them (`docs_dir: generated/docs`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import ir
from ..lint.report import rules_markdown
from ..templating import environment
from . import builder, links, viewmodel

DOCS_DIR = "docs"


def docs_outputs(
    schema: ir.Schema, migration_files: Sequence[str], findings: Sequence[viewmodel.DocFinding] | None = None
) -> dict[str, str]:
    """`{path: text}` of every page, paths relative to the output directory.

    `migration_files` are the chain's files (paths relative to the output
    directory), oldest first: the schema shown is the one after the newest.
    `findings` are the lint findings to show (a page per module lists its own);
    None leaves the section out, for a build where lint did not run.
    """
    env = environment()
    index = links.SchemaIndex.of(schema)
    chain = links.Migrations.of(migration_files, DOCS_DIR)
    module_template = env.get_template("docs/module.md.j2")
    outputs = {
        f"{DOCS_DIR}/{page.path}": module_template.render(page=page)
        for page in builder.module_pages(schema, index, chain, findings)
    }
    outputs[f"{DOCS_DIR}/index.md"] = env.get_template("docs/index.md.j2").render(
        page=builder.index_page(schema, index, chain)
    )
    outputs[f"{DOCS_DIR}/lint-rules.md"] = rules_markdown()  # the pages findings link to
    return outputs
