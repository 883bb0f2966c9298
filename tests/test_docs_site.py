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
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import docs_build
import markdown as python_markdown
import markdown_doc
import pytest
from reference_sql import REPO_ROOT
from schemagen import errors, pipeline
from schemagen.spec import config

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
            comment: "A | pipe,\\nnewline, `code`, *emph*, _under_, [link](x), <b>html</b>, \\
              &amp;, \\\\ backslash, ~~strike~~, $math$ # hash"
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
LABEL_COMMENT = (
    "A | pipe,\nnewline, `code`, *emph*, _under_, [link](x), <b>html</b>, &amp;, \\ backslash, ~~strike~~, "
    "$math$ # hash"
)


def write_spec(root: Path, files: dict[str, str]) -> config.Settings:
    (root / "spec").mkdir(parents=True)
    for name, text in files.items():
        (root / "spec" / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    return config.load(root)


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory) -> dict[str, str]:
    settings = write_spec(tmp_path_factory.mktemp("odd"), {"odd.yaml": ODD, "other.yaml": OTHER})
    return pipeline.generate(settings).outputs


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


class _IdsAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


def test_every_page_of_the_site_has_unique_ids_and_links_that_land(tmp_path):
    """Across the whole built site: no id twice on a page (the lint-rules page had 24), and every
    link to a page of the site names a file that exists and an id that exists in it."""
    site = docs_build.build_site(tmp_path / "site")
    pages = {}
    for path in site.rglob("*.html"):
        parser = _IdsAndLinks()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path] = parser
    checked = 0
    for path, page in pages.items():
        assert [i for i, n in Counter(page.ids).items() if n > 1] == [], path.relative_to(site)
        if path.name == "404.html":
            continue  # served for any missing path, so its links start at the site's root (site_url)
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # another site: no request, and not ours to check
            target = (path.parent / parts.path).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site)}: {href} reaches no file"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in pages[target].ids, f"{path.relative_to(site)}: {href} reaches no id"
            checked += 1
    assert checked > 300
    module = pages[site / "sync_operations" / "index.html"]
    assert "table-public.sync_progress" in module.ids and "table-sync_progress" not in module.ids, (
        "the heading carries the generator's id"
    )


# -- GitHub: what can be checked offline of how it renders the Markdown ----------------
# The HTML GitHub keeps in rendered Markdown: the elements and attributes of the allow-list
# of html-pipeline's SanitizationFilter, which GitHub published; `id` is not on it, `name` is.
GITHUB_ELEMENTS = frozenset(
    {
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "h7",
        "h8",
        "br",
        "b",
        "i",
        "strong",
        "em",
        "a",
        "pre",
        "code",
        "img",
        "tt",
        "div",
        "ins",
        "del",
        "sup",
        "sub",
        "p",
        "ol",
        "ul",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "blockquote",
        "dl",
        "dt",
        "dd",
        "kbd",
        "q",
        "samp",
        "var",
        "hr",
        "ruby",
        "rt",
        "rp",
        "li",
        "tr",
        "td",
        "th",
        "s",
        "strike",
        "summary",
        "details",
    }
)
GITHUB_ATTRIBUTES = {"a": {"href"}, "img": {"src", "longdesc"}, "div": {"itemscope", "itemtype"}}
GITHUB_ANY_ELEMENT = frozenset(
    {
        "abbr",
        "accept",
        "accept-charset",
        "accesskey",
        "action",
        "align",
        "alt",
        "axis",
        "border",
        "cellpadding",
        "cellspacing",
        "char",
        "charoff",
        "charset",
        "checked",
        "clear",
        "cols",
        "colspan",
        "color",
        "compact",
        "coords",
        "datetime",
        "dir",
        "disabled",
        "enctype",
        "for",
        "frame",
        "headers",
        "height",
        "hreflang",
        "hspace",
        "ismap",
        "label",
        "lang",
        "maxlength",
        "media",
        "method",
        "multiple",
        "name",
        "nohref",
        "noshade",
        "nowrap",
        "open",
        "prompt",
        "readonly",
        "rel",
        "rev",
        "rows",
        "rowspan",
        "rules",
        "scope",
        "selected",
        "shape",
        "size",
        "span",
        "start",
        "summary",
        "tabindex",
        "target",
        "title",
        "type",
        "usemap",
        "valign",
        "value",
        "vspace",
        "width",
        "itemprop",
    }
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def raw_html_tags(source: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every HTML tag a Markdown page writes as HTML (not inside code), as markdown-it finds them."""
    from markdown_it import MarkdownIt

    parser = _Tags()
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        for t in [token, *(token.children or [])]:
            if t.type in ("html_inline", "html_block"):
                parser.feed(t.content)
    return parser.tags


@pytest.mark.parametrize("page", ["index.md", "sync_operations.md", "lint-rules.md", "odd.md"])
def test_github_keeps_every_tag_and_anchor_the_pages_use(page, odd_outputs):
    source = (
        odd_outputs["docs/odd.md"]
        if page == "odd.md"
        else (REPO_ROOT / "generated" / "docs" / page).read_text(encoding="utf-8")
    )
    tags = raw_html_tags(source)
    assert tags or page == "index.md"
    for tag, attrs in tags:
        assert tag in GITHUB_ELEMENTS, f"{page}: GitHub drops <{tag}>"
        dropped = set(attrs) - GITHUB_ATTRIBUTES.get(tag, set()) - GITHUB_ANY_ELEMENT
        if tag == "a" and "id" in attrs:
            assert attrs.get("name") == attrs["id"], (
                f"{page}: <a id={attrs['id']}> needs an equal name, the attribute GitHub keeps"
            )
            dropped.discard("id")
        assert dropped == set(), f"{page}: GitHub drops {dropped} of <{tag}>"


def test_the_mermaid_fence_is_the_plain_one_github_draws():
    """```` ```mermaid ```` alone on its line, closed by ```` ``` ````: no attributes, no title, no other fence."""
    for path in (REPO_ROOT / "generated" / "docs").glob("*.md"):
        lines = path.read_text(encoding="utf-8").splitlines()
        opening = [i for i, line in enumerate(lines) if "mermaid" in line and line.lstrip().startswith(("```", "~~~"))]
        for i in opening:
            assert lines[i] == "```mermaid", f"{path.name}:{i + 1}: {lines[i]!r}"
            assert lines[i + 1] == "erDiagram"
            end = lines.index("```", i + 1)
            assert all("```" not in line for line in lines[i + 1 : end])
        assert len(opening) == (1 if path.name == "sync_operations.md" else 0), path.name


def test_mkdocs_strict_rejects_a_link_to_a_missing_anchor(tmp_path):
    """The guard behind 'every link resolves': a dangling anchor must fail the site build."""
    generated = REPO_ROOT / "generated"
    write_outputs(
        tmp_path,
        {
            p.relative_to(generated).as_posix(): p.read_text(encoding="utf-8")
            for d in ("docs", "migrations")
            for p in (generated / d).glob("*.*")
        },
    )
    docs = tmp_path / "docs"
    with (docs / "sync_operations.md").open("a", encoding="utf-8") as f:
        f.write("\n[dangling](#table-public.no_such_table)\n")
    result = mkdocs_build(tmp_path, docs)
    assert result.returncode == 1  # mkdocs --strict aborts the build
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
    assert (
        rows["label"][4]
        == "Checked by multi_line_check\nUnique where label <> '|' (index weird_label)\n" + LABEL_COMMENT
    )
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
    assert "External tables" not in [s.title for s in other.sections], (
        "a table of another module is linked, not repeated"
    )
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
        pipeline.generate(settings)
    assert [d.code for d in exc.value.diagnostics] == [errors.SPEC_INVALID]
    assert "index" in exc.value.diagnostics[0].message


def test_pages_are_identical_whatever_the_hash_seed():
    script = (
        "import hashlib; from schemagen import pipeline; from schemagen.spec import config; "
        f"o = pipeline.generate(config.load(__import__('pathlib').Path({str(REPO_ROOT)!r}))).outputs; "
        "print(hashlib.sha256(repr(sorted((k, v) for k, v in o.items() if "
        "k.startswith('docs/'))).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "4242")
    }
    outputs = pipeline.generate(config.load(REPO_ROOT)).outputs
    local = hashlib.sha256(
        repr(sorted((k, v) for k, v in outputs.items() if k.startswith("docs/"))).encode()
    ).hexdigest()
    assert digests == {local + "\n"}


# -- the site's mkdocs plugin (generator/docs/mkdocs_plugin.py) -----------------------------------
def test_the_site_is_refused_without_its_local_mermaid(tmp_path):
    """No node_modules/: the build stops and says to run `npm ci`, rather than publish a site whose diagram never
    draws."""
    generated = REPO_ROOT / "generated"
    write_outputs(
        tmp_path,
        {
            p.relative_to(generated).as_posix(): p.read_text(encoding="utf-8")
            for d in ("docs", "migrations")
            for p in (generated / d).glob("*.*")
        },
    )
    conf = docs_build.config_for(tmp_path, tmp_path / "docs")
    (tmp_path / "node_modules").unlink()
    result = docs_build.mkdocs(conf, tmp_path / "site")
    assert result.returncode == 1  # the plugin's error aborts the build, as a user's mistake (no traceback below)
    assert "the docs site serves Mermaid itself, from " in result.stderr
    assert "mermaid/dist/mermaid.min.js" in result.stderr and "run `npm ci` beside mkdocs.yml" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ('### Table x <a id="table-public.x" name="table-public.x"></a>', '<h3 id="table-public.x">Table x</h3>'),
        ('## [Link](a.md) tail <a id="k" name="k"></a>', '<h2 id="k"><a href="a.md">Link</a> tail</h2>'),
        # Not the generator's anchor: left as written, with toc's own id.
        ('### Table x <a id="table-public.x"></a>', '<h3 id="table-x">Table x <a id="table-public.x"></a></h3>'),
        ('### <a id="a" name="a"></a> first', '<h3 id="first"><a id="a" name="a"></a> first</h3>'),
    ],
)
def test_a_heading_takes_the_id_of_the_anchor_it_ends_with(source, html):
    from schemagen.docs.mkdocs_plugin import _StableHeadingIdsExtension

    assert python_markdown.markdown(source, extensions=[_StableHeadingIdsExtension(), "toc"]) == html
