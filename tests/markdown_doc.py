"""A generated Markdown page as a real Markdown parser (markdown-it-py, GFM tables) reads it.

The page is split into sections by its headings; each section keeps the tables
(cell texts as a reader sees them: entities decoded, `<br>` as a newline, HTML
tags dropped), code blocks, link targets and anchor ids found under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table")
# An anchor with `id` and an equal `name`: GitHub's sanitiser keeps only `name`.
_ANCHOR = re.compile(r'<a id="([^"]+)" name="\1">')


@dataclass
class Cell:
    text: str
    links: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]]
    lines: tuple[int, int]  # source line range [start, end)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i].text for row in self.rows]


@dataclass
class CodeBlock:
    info: str
    text: str


@dataclass
class Section:
    level: int
    title: str
    path: tuple[str, ...]  # titles of the enclosing headings and this one
    tables: list[Table] = field(default_factory=list)
    code: list[CodeBlock] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # paragraphs and list items


@dataclass
class Page:
    source: str
    sections: list[Section]
    links: list[str]
    anchors: set[str]

    def section(self, *path: str) -> Section:
        found = [s for s in self.sections if s.path[-len(path) :] == path]
        assert len(found) == 1, (
            f"expected one section {path}, found {len(found)}: {[s.path for s in self.sections][:50]}"
        )
        return found[0]

    def subsections(self, *path: str) -> list[Section]:
        """The sections directly below the section at `path`."""
        parent = self.section(*path)
        return [s for s in self.sections if s.path[:-1] == parent.path]

    def under(self, *path: str) -> list[Section]:
        """The section at `path` and every section below it."""
        parent = self.section(*path)
        return [s for s in self.sections if s.path[: len(parent.path)] == parent.path]


def inline_text(token: Token) -> tuple[str, list[str]]:
    """What a reader sees of an inline token, and the link targets in it."""
    out: list[str] = []
    links: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "html_inline":
            if re.fullmatch(r"<br\s*/?>", child.content):
                out.append("\n")
        elif child.type == "link_open":
            links.append(str(child.attrs["href"]))
    return "".join(out), links


def parse(source: str) -> Page:
    tokens = _PARSER.parse(source)
    sections = [Section(0, "", ())]
    links: list[str] = []
    anchors: set[str] = set()
    for tok in tokens:
        for t in [tok, *(tok.children or [])]:
            if t.type in ("html_inline", "html_block"):
                anchors.update(_ANCHOR.findall(t.content))
            if t.type == "link_open":
                links.append(str(t.attrs["href"]))
    stack: list[Section] = [sections[0]]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            title, _ = inline_text(tokens[i + 1])
            while stack[-1].level >= level:
                stack.pop()
            section = Section(level, title.strip(), (*stack[-1].path, title.strip()))
            sections.append(section)
            stack.append(section)
            i += 3
            continue
        if tok.type == "table_open":
            table, i = _table(tokens, i)
            stack[-1].tables.append(table)
            continue
        if tok.type == "fence":
            stack[-1].code.append(CodeBlock(tok.info.strip(), tok.content))
        if tok.type == "inline":
            stack[-1].text.append(inline_text(tok)[0])
        i += 1
    return Page(source, sections, links, anchors)


def _table(tokens: list[Token], i: int) -> tuple[Table, int]:
    start = tokens[i]
    assert start.map is not None
    header: list[str] = []
    rows: list[list[Cell]] = []
    row: list[Cell] | None = None
    in_head = False
    while tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and not in_head:
            assert row is not None
            rows.append(row)
        elif tok.type == "inline":
            text, links = inline_text(tok)
            if in_head:
                header.append(text)
            else:
                assert row is not None
                row.append(Cell(text, links))
        i += 1
    return Table(header, rows, (start.map[0], start.map[1])), i + 1


def malformed_rows(source: str, table: Table) -> list[str]:
    """Source lines of `table` whose `|` count does not give exactly one cell per header cell.

    markdown-it pads short rows and drops extra cells, as GFM says, so counting
    cells after parsing would hide a broken row: count the delimiters instead.
    Generated pages escape every `|` inside a value as `&#124;`.
    """
    lines = source.splitlines()[table.lines[0] : table.lines[1]]
    return [line for line in lines if line.count("|") != len(table.header) + 1]
