"""The docs as a site: mkdocs --strict over real pages, and pages made from a hostile spec.

The hostile spec puts `|`, line breaks and Markdown syntax in every value a
page shows (CHECK expressions, defaults, comments, enum values, predicates,
function bodies) and splits the schema across two modules, so links have to
cross pages.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import docs_build
import markdown as python_markdown
import markdown_doc
import pytest
from reference_sql import REPO_ROOT
from schemagen import build, config, errors

ODD = textwrap.dedent(
    """\
    module: odd
    description: |
      # Not a heading | nor a table
      - not a list, 1. not a list either
    migration: {version: 7, name: odd_names}
    enums:
      mood:
        comment: "pipes | and <b>tags</b> and *stars*"
        values: ["a|b", "new\\nline", "`tick`", "x_", "[y](z)"]
    tables:
      weird:
        comment: "Line one\\nline two | with pipe"
        columns:
          id: {type: integer, primary_key: true, identity: always}
          flags: {type: integer, not_null: true, default: "(1 | 2)", check: "flags | 4 <> 0"}
          label:
            type: text
            default: "'a|b' || E'\\\\n'"
            comment: "A | pipe,\\nnewline, `code`, *emph*, _under_, [link](x), <b>html</b>, &amp;, \\\\ backslash, ~~strike~~, $math$ # hash"
          moods: {type: "mood[]"}
        constraints:
          - name: multi_line_check
            check: |
              label <> 'x|y'
              OR flags > 1
            comment: "two\\nlines | here"
        indexes:
          weird_label: {columns: [label], where: "label <> '|'", unique: true}
    functions:
      fence_body:
        returns: text
        language: sql
        body: "SELECT '```' || '~~~' || '|'"
    """
)

OTHER = textwrap.dedent(
    """\
    module: other
    description: The module that references the first one.
    tables:
      child:
        columns:
          weird_id: {type: integer, not_null: true, references: weird(id), on_delete: cascade}
          mood: {type: mood, comment: an enum of the other module}
    """
)

CHECK = "label <> 'x|y'\nOR flags > 1"
LABEL_DEFAULT = "'a|b' || E'\\n'"
LABEL_COMMENT = "A | pipe,\nnewline, `code`, *emph*, _under_, [link](x), <b>html</b>, &amp;, \\ backslash, ~~strike~~, $math$ # hash"


def write_spec(root: Path, files: dict[str, str]) -> config.Settings:
    (root / "spec").mkdir(parents=True)
    for name, text in files.items():
        (root / "spec" / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    return config.load(root)


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory) -> dict[str, str]:
    settings = write_spec(tmp_path_factory.mktemp("odd"), {"odd.yaml": ODD, "other.yaml": OTHER})
    return build.generate(settings).outputs


@pytest.fixture(scope="module")
def odd_outputs(odd_build) -> dict[str, str]:
    return {path: text for path, text in odd_build.items() if path.startswith("docs/")}


def mkdocs_build(tmp: Path, docs_dir: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` with the repository's mkdocs.yml, pointed at `docs_dir` (the nav mkdocs derives)."""
    return docs_build.mkdocs(docs_build.config_for(tmp, docs_dir), tmp / "site")


def write_outputs(out_dir: Path, outputs: dict[str, str]) -> None:
    """Files as `schemagen build` lays them out: docs/ beside migrations/, which the pages link to."""
    for path, text in outputs.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


class _Cells(HTMLParser):
    """Text of every table cell in some HTML, `<br>` as a newline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self.cells.append("")
            self._open = True
        elif tag == "br" and self._open:
            self.cells[-1] += "\n"

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.cells[-1] += data


def cells_of(html: str) -> list[str]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


# -- the real site ------------------------------------------------------------------
def test_mkdocs_builds_the_committed_docs_strictly(tmp_path):
    site = docs_build.build_site(tmp_path / "site")
    html = (site / "sync_operations" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid"><code>erDiagram' in html, "the diagram is handed to Mermaid, not shown as code"
    assert '<h3 id="table-public.sync_progress">' in html


def test_mkdocs_strict_rejects_a_link_to_a_missing_anchor(tmp_path):
    """The guard behind 'every link resolves': a dangling anchor must fail the site build."""
    generated = REPO_ROOT / "generated"
    write_outputs(tmp_path, {p.relative_to(generated).as_posix(): p.read_text(encoding="utf-8") for d in ("docs", "migrations") for p in (generated / d).glob("*.*")})
    docs = tmp_path / "docs"
    with (docs / "sync_operations.md").open("a", encoding="utf-8") as f:
        f.write("\n[dangling](#table-public.no_such_table)\n")
    result = mkdocs_build(tmp_path, docs)
    assert result.returncode != 0
    assert "#table-public.no_such_table" in result.stderr


# -- a hostile spec -------------------------------------------------------------------
def test_hostile_values_keep_every_table_well_formed(odd_outputs):
    assert sorted(odd_outputs) == ["docs/index.md", "docs/lint-rules.md", "docs/odd.md", "docs/other.md"]
    for path, text in odd_outputs.items():
        page = markdown_doc.parse(text)
        tables = [t for s in page.sections for t in s.tables]
        assert tables, path
        for table in tables:
            assert markdown_doc.malformed_rows(text, table) == [], path
            assert all(len(row) == len(table.header) for row in table.rows)


def test_hostile_values_read_back_exactly(odd_outputs):
    page = markdown_doc.parse(odd_outputs["docs/odd.md"])
    columns = page.section("Tables", "Table weird").tables[0]
    rows = {row[0]: row for row in columns.texts()}
    assert rows["flags"][3] == "(1 | 2)"
    assert rows["label"][3] == LABEL_DEFAULT
    assert rows["label"][4].endswith(LABEL_COMMENT)
    assert rows["label"][4] == "Checked by multi_line_check\nUnique where label <> '|' (index weird_label)\n" + LABEL_COMMENT
    assert rows["id"][4] == "Primary key\nIdentity (GENERATED ALWAYS)"
    assert rows["moods"][1] == "mood[]"
    assert rows["flags"][4] == "Checked by weird_flags_check\nChecked by multi_line_check"
    checks = page.section("Constraints", "Check constraints").tables[0].texts()
    assert ["multi_line_check", "weird", CHECK, "two\nlines | here"] in checks
    assert ["weird_flags_check", "weird", "flags | 4 <> 0", ""] in checks
    enum = page.section("Enum types", "Enum mood")
    assert enum.tables[0].texts() == [["1", "a|b"], ["2", "new\nline"], ["3", "`tick`"], ["4", "x_"], ["5", "[y](z)"]]
    assert enum.text[0] == "pipes | and <b>tags</b> and *stars*"
    indexes = page.section("Indexes").tables[0].texts()
    assert indexes == [["weird_label", "weird", "label", "btree", "Yes", "label <> '|'", ""]]
    function = page.section("Functions", "Function fence_body()")
    assert "SELECT '```' || '~~~' || '|'" in function.code[0].text, "the body's backticks must not close the fence"
    table = page.section("Tables", "Table weird")
    assert table.text[0] == "Line one\nline two | with pipe"
    title = page.sections[1]
    assert title.text[0] == "# Not a heading | nor a table\n- not a list, 1. not a list either"
    assert [s.level for s in page.sections[1:3]] == [1, 2], "the description opened no heading"


def test_python_markdown_reads_the_tables_as_markdown_it_does(odd_outputs):
    """mkdocs (Python-Markdown) and GFM-style parsers must see the same cells: the escaping is chosen for that."""
    from markdown_it import MarkdownIt

    gfm = MarkdownIt("commonmark").enable("table")
    for path, text in odd_outputs.items():
        mkdocs_cells = cells_of(python_markdown.markdown(text, extensions=["tables", "pymdownx.superfences"]))
        gfm_cells = cells_of(gfm.render(text))
        assert mkdocs_cells == gfm_cells, path
        assert LABEL_COMMENT in "".join(gfm_cells) or path != "docs/odd.md"


def test_links_cross_module_pages(odd_outputs):
    other = markdown_doc.parse(odd_outputs["docs/other.md"])
    row = other.section("Tables", "Table child").tables[0].rows
    assert row[0][4].links == ["odd.md#table-public.weird"]
    assert row[1][1].links == ["odd.md#enum-public.mood"]
    diagram = other.section("Entity-relationship diagram").code[0].text
    assert '"weird" ||..o{ "child" : "weird_id"' in diagram
    assert "External tables" not in [s.title for s in other.sections], "a table of another module is linked, not repeated"
    odd = markdown_doc.parse(odd_outputs["docs/odd.md"])
    assert "child" in " ".join(odd.section("Enum types", "Enum mood").text)


def test_mkdocs_builds_the_hostile_site_strictly(tmp_path, odd_build):
    write_outputs(tmp_path, odd_build)
    result = mkdocs_build(tmp_path, tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    cells = cells_of((tmp_path / "site" / "odd" / "index.html").read_text(encoding="utf-8"))
    assert CHECK in cells and LABEL_DEFAULT in cells


def test_a_module_called_index_is_refused(tmp_path):
    settings = write_spec(tmp_path, {"index.yaml": "migration: {version: 1, name: x}\n"})
    with pytest.raises(errors.SpecError) as exc:
        build.generate(settings)
    assert [d.code for d in exc.value.diagnostics] == [errors.SPEC_INVALID]
    assert "index" in exc.value.diagnostics[0].message


def test_pages_are_identical_whatever_the_hash_seed():
    script = (
        "import hashlib; from schemagen import build, config; "
        f"o = build.generate(config.load(__import__('pathlib').Path({str(REPO_ROOT)!r}))).outputs; "
        "print(hashlib.sha256(repr(sorted((k, v) for k, v in o.items() if k.startswith('docs/'))).encode()).hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("0", "4242")
    }
    outputs = build.generate(config.load(REPO_ROOT)).outputs
    local = hashlib.sha256(repr(sorted((k, v) for k, v in outputs.items() if k.startswith("docs/"))).encode()).hexdigest()
    assert digests == {local + "\n"}
