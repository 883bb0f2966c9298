"""Markdown text, escaped in one place: the docs' counterpart of pg/quoting.py.

Generated pages are read by Python-Markdown (mkdocs), GitHub's cmark-gfm and
markdown-it. Escaping uses only what all three read alike: HTML entities for
the characters that start Markdown syntax, and `<br>` for line breaks, so a `|`
or a newline inside a value can never split a table row. Backslash escapes are
avoided on purpose: inside a code span Python-Markdown prints `\\|` as written
while GFM prints `|`, which is why code in table cells is `<code>` HTML rather
than backticks.

One cache, on inline(): a page escapes the same names, types and comments in
many cells (at 1,000 tables, 118,561 calls for 18,360 distinct texts). Without
it the docs take 0.57 s of CPU instead of 0.43 s, and `benchmarks/run.py`
shows `schemagen build` of 1,000 tables at 3.60 s of CPU instead of 3.44 s
(4,000 tables in one file: 13.0 s instead of 12.6 s). link() had a cache too:
once inline() is cached it saved 0.02 s at 1,000 tables, less than
`benchmarks/run.py` can tell from noise, so it went; link() skips quote() for
a target that needs no quoting, which is nearly every one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

# Characters that open Markdown (or HTML) syntax anywhere in a line.
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "*": "&#42;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "~": "&#126;",
    "$": "&#36;",
}
_SPECIAL = re.compile(r"[&<>|*`\[\]\\~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# A target quote() would leave as it is (its letters, digits and `_.-~`, and the `/#` kept here):
# nearly every target, which the match tells faster than quote() does.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/#-]*")
# What opens a block (heading, list, quote, setext underline) at the start of a paragraph.
_BLOCK_START = re.compile(r"[#+=-]|\d+(?=[.)])")


def _entity(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _ENTITIES.get(ch) or f"&#{ord(ch[-1])};"


@lru_cache(maxsize=1 << 16)  # see the module docstring
def inline(text: str) -> str:
    """`text` as it should read, on one line: Markdown and HTML characters escaped, line breaks as `<br>`.

    An underscore inside a word stays as it is (no Markdown flavour reads it as
    emphasis), so identifiers remain readable in the page source.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(_SPECIAL.sub(_entity, line) for line in lines)


def paragraph(text: str) -> str:
    """`text` as a paragraph of its own: `inline`, and nothing at its start read as a heading or list."""
    escaped = inline(text.strip())
    m = _BLOCK_START.match(escaped)
    if m is None:
        return escaped
    if m.group(0).isdigit():  # "1. x" would be an ordered list
        end = m.end()
        return escaped[:end] + f"&#{ord(escaped[end])};" + escaped[end + 1 :]
    return f"&#{ord(escaped[0])};" + escaped[1:]


def code(text: str) -> str:
    """Inline code that is safe in a table cell: `<code>` HTML around escaped text."""
    return f"<code>{inline(text)}</code>"


def link(label: str, target: str) -> str:
    """A link whose label is escaped text and whose target is a page and/or an anchor."""
    url = target if _URL_SAFE.fullmatch(target) else quote(target, safe="/#.-_")
    return f"[{inline(label)}]({url})"


def anchor(anchor_id: str) -> str:
    """An empty HTML anchor that links reach the same way in mkdocs and on GitHub.

    Both `id` and `name`: GitHub's sanitiser may drop `id` and keeps `name`. At the
    end of a heading, the docs site gives the heading this id instead (mkdocs_plugin.py).
    """
    return f'<a id="{anchor_id}" name="{anchor_id}"></a>'


def anchor_id(kind: str, *parts: str) -> str:
    """A stable anchor id, e.g. `table-public.sync_progress`, made of the object's own names.

    ASCII letters, digits and `_` stay; `$` becomes `-d`, and any other character
    (a space, `-`, `.`, `é`) `-u<hex code point>-`: an id holds no space, and
    distinct objects keep distinct ids.
    """
    return f"{kind}-" + ".".join(_anchor_part(p) for p in parts)


_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9_]*\Z")


def _anchor_part(part: str) -> str:
    if _ANCHOR_SAFE.match(part):
        return part
    return "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == "_") else "-d" if ch == "$" else f"-u{ord(ch):x}-" for ch in part
    )


def fence(text: str, marker: str = "`") -> str:
    """An opening fence longer than any run of `marker` inside `text`, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(re.escape(marker) + "+", text)), default=0)
    return marker * max(3, longest + 1)
