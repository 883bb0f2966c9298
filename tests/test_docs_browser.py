"""The docs site as a reader sees it: built, served on loopback, opened in headless Chromium.

A reader behind a firewall, on an air-gapped intranet or on a train must get the
ER diagram drawn (Mermaid from the site itself), no request to any other host,
links that land on ids that exist, no id twice, search that finds an identifier
by its parts and tables that stay readable; and the same from disk (file://)
with the offline build. Chromium is Debian's (`apt-get install -y chromium`,
which .ci/run does when it is missing), driven through the DevTools protocol
over a pipe (tests/browser.py): no browser download, no extra package.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import browser
import docs_build
import markdown_doc
import pytest
from reference_sql import REPO_ROOT

CHROMIUM = browser.find()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed, so the docs site cannot be opened in a browser: `apt-get install -y chromium` "
    "(.ci/run installs it where apt-get is available), or set SCHEMAGEN_CHROMIUM to a Chromium or Chrome binary",
)

PAGE = "sync_operations"
DRAWN = (
    "document.querySelector('div.mermaid') !== null && "
    "document.querySelector('div.mermaid').getBoundingClientRect().height > 100"
)


def diagram_entities() -> list[str]:
    """The entity names of the page's ER diagram, read from the Markdown source."""
    page = markdown_doc.parse((REPO_ROOT / "generated" / "docs" / f"{PAGE}.md").read_text(encoding="utf-8"))
    [diagram] = page.section("Entity-relationship diagram").code
    return re.findall(r'^    "([\w.]+)" \{$', diagram.text, re.MULTILINE)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> Iterator[str]:
    """The site, built strictly and served on loopback, as a static web server would."""
    site = docs_build.build_site(tmp_path_factory.mktemp("served") / "site")

    class Handler(_Quiet):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory) -> Iterator[browser.Browser]:
    assert CHROMIUM is not None
    chrome = browser.Browser(CHROMIUM, tmp_path_factory.mktemp("profile"))
    yield chrome
    chrome.close()


@pytest.fixture(scope="module")
def module_page(chromium, origin) -> browser.Page:
    """The module page, loaded."""
    page = browser.Page(chromium)
    page.goto(f"{origin}/{PAGE}/")
    return page


def wait_for_the_diagram(page: browser.Page) -> None:
    try:
        page.wait_until(DRAWN, timeout=20)
    except TimeoutError:
        pytest.fail(
            "the ER diagram was not drawn within 20 s; requests to other hosts: "
            f"{[u for u in page.requests if urlsplit(u).hostname not in (None, '127.0.0.1')]}; errors: "
            f"{page.errors}"
        )


def search(page: browser.Page, url: str) -> list[str]:
    """The result links of a search that `url` (with `?q=`) opens, once the search has run."""
    page.goto(url)
    done = (
        "(() => { const m = document.querySelector('.md-search-result__meta'); return m !== null && "
        "!/Initializing/.test(m.textContent); })()"
    )
    page.wait_until(done, timeout=20)
    return list(
        json.loads(
            page.evaluate(
                "JSON.stringify([...document.querySelectorAll('.md-search-result__item a')].map(a => a.href))"
            )
        )
    )


def local(url: str, origin: str) -> bool:
    """A request the site makes to itself (or no request at all: inline data)."""
    return url.startswith(origin + "/") or urlsplit(url).scheme in ("data", "blob", "about")


# -- the diagram -------------------------------------------------------------------
def find_nodes(node: dict, predicate) -> list[dict]:
    found = [node] if predicate(node) else []
    for child in [*node.get("children", []), *node.get("shadowRoots", [])]:
        found += find_nodes(child, predicate)
    return found


def texts(node: dict) -> list[str]:
    return [n["nodeValue"].strip() for n in find_nodes(node, lambda n: n.get("nodeType") == 3)]


def test_the_er_diagram_is_drawn_with_mermaid_from_the_site_itself(module_page, origin):
    wait_for_the_diagram(module_page)
    assert (
        module_page.evaluate(
            "[...document.querySelectorAll('pre > code')].filter(c => c.textContent.startsWith('erDiagram')).length"
        )
        == 0
    ), "the diagram's source is still shown as code"
    assert module_page.evaluate("document.querySelectorAll('div.mermaid').length") == 1
    # mkdocs-material draws into a closed shadow root, which no script on the page can open; the protocol can.
    [container] = find_nodes(
        module_page.dom(), lambda n: n.get("localName") == "div" and "mermaid" in n.get("attributes", [])[1::2]
    )
    [shadow] = container["shadowRoots"]
    assert shadow["shadowRootType"] == "closed"
    [svg] = find_nodes(shadow, lambda n: n.get("localName") == "svg")
    drawn = set(texts(svg))
    assert set(diagram_entities()) <= drawn, "every table of the diagram is drawn, by name"
    assert {"PK", "FK", "org_id"} <= drawn
    assert f"{origin}/assets/javascripts/mermaid.min.js" in module_page.requests
    assert module_page.errors == []


def test_the_diagram_box_is_not_blank(module_page):
    """Pixels, as a reader sees them: the diagram's box against the same box with the diagram hidden."""
    wait_for_the_diagram(module_page)
    box = json.loads(
        module_page.evaluate(
            "(() => { const el = document.querySelector('div.mermaid'); window.scrollTo(0, "
            "el.getBoundingClientRect().top + scrollY - 120);"
            " const r = el.getBoundingClientRect(); return JSON.stringify({x: r.x, y: r.y + scrollY, "
            "width: r.width, height: r.height}); })()"
        )
    )
    assert box["width"] > 300 and box["height"] > 200, box
    drawn = browser.png_pixels(module_page.screenshot(box))
    module_page.evaluate("document.querySelector('div.mermaid').style.visibility = 'hidden'")
    try:
        blank = browser.png_pixels(module_page.screenshot(box))
    finally:
        module_page.evaluate("document.querySelector('div.mermaid').style.visibility = ''")
    width, height, pixels = drawn
    assert blank[:2] == (width, height)
    assert len(set(blank[2])) <= 2, "the box without the diagram is blank"
    differing = sum(a != b for a, b in zip(pixels, blank[2]))
    assert differing > 0.03 * width * height, f"only {differing} of {width * height} pixels differ from a blank box"
    assert len(set(pixels)) > 50, "lines, boxes and text, not a flat fill"


# -- requests ------------------------------------------------------------------------
def test_no_page_requests_anything_from_another_host(chromium, origin):
    """Every page of the navigation, the diagram and a search: fonts, scripts, styles, the search worker and its index,
    all from the site."""
    page = browser.Page(chromium)
    page.goto(f"{origin}/")
    nav = json.loads(
        page.evaluate(
            "JSON.stringify([...document.querySelectorAll('.md-nav--primary a.md-nav__link[href]')].map(a => a.href))"
        )
    )
    pages = sorted({urldefrag(u)[0] for u in nav})
    assert pages == [f"{origin}/", f"{origin}/lint-rules/", f"{origin}/{PAGE}/"], (
        "the navigation: overview, the module, lint rules"
    )
    for url in pages:
        page.goto(url)
    try:  # the diagram's and the search's own tests judge them: here, what they requested
        search(page, f"{origin}/{PAGE}/?q=status_type")
        page.wait_until(DRAWN, timeout=20)
    except TimeoutError:
        pass
    requests = page.requests
    assert [u for u in requests if not local(u, origin)] == []
    assert f"{origin}/search/search_index.json" in requests, "the search worker's requests are watched too"
    assert page.errors == []


# -- ids and links -------------------------------------------------------------------
class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [v for k, v in attrs if k == "id" and v is not None]


def ids_of(url: str) -> list[str]:
    parser = _Ids()
    parser.feed(urllib.request.urlopen(url, timeout=10).read().decode())
    return parser.ids


@pytest.mark.parametrize("path", ["", f"{PAGE}/", "lint-rules/"])
def test_no_id_is_used_twice(chromium, origin, path):
    page = browser.Page(chromium)
    page.goto(f"{origin}/{path}")
    ids = page.evaluate("JSON.stringify([...document.querySelectorAll('[id]')].map(e => e.id))")
    duplicates = [i for i, n in Counter(json.loads(ids)).items() if n > 1]
    assert duplicates == []


def test_every_internal_link_on_the_module_page_lands_on_an_id_that_exists(module_page, origin):
    hrefs = json.loads(
        module_page.evaluate("JSON.stringify([...document.querySelectorAll('a[href]')].map(a => a.href))")
    )
    here = json.loads(module_page.evaluate("JSON.stringify([...document.querySelectorAll('[id]')].map(e => e.id))"))
    page_url = f"{origin}/{PAGE}/"
    pages: dict[str, list[str]] = {page_url: here}
    checked = 0
    for href in hrefs:
        if not href.startswith(origin):
            continue  # a link to another site (the theme's credit) is no request
        target, fragment = urldefrag(href)
        if target not in pages:
            pages[target] = ids_of(target) if target.endswith(("/", ".html")) else []
            if not pages[target]:
                urllib.request.urlopen(target, timeout=10).close()
        if fragment:
            assert fragment in pages[target], f"{href}: no element with that id"
        checked += 1
    assert checked > 100


def test_permalinks_and_the_table_of_contents_use_the_generators_ids(module_page):
    """`#table-public.sync_progress` is the heading's own id, so the ¶ link and the TOC give that stable id."""
    headings = json.loads(
        module_page.evaluate(
            "JSON.stringify([...document.querySelectorAll('.md-content h3')].map(h => [h.id, "
            "h.querySelector('a.headerlink')?.getAttribute('href')]))"
        )
    )
    by_id = dict(headings)
    for entity in (
        "table-public.sync_progress",
        "enum-public.sync_status_type",
        "table-auth.users_extended",
        "function-public.auto_cleanup_preview_cache",
    ):
        assert by_id[entity] == f"#{entity}"
    assert all(href == f"#{i}" for i, href in headings)
    toc = json.loads(
        module_page.evaluate(
            "JSON.stringify([...document.querySelectorAll('.md-sidebar--secondary a.md-nav__link')].map(a "
            "=> a.getAttribute('href')))"
        )
    )
    assert "#table-public.sync_progress" in toc and "#enum-public.sync_status_type" in toc
    assert (
        module_page.evaluate("document.querySelectorAll('.md-content h3 a[id], .md-content h3 a[name]').length") == 0
    ), "the heading's anchor became its id"


# -- search --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("status_type", "enum-public.sync_status_type"),
        ("users_extended", "table-auth.users_extended"),
        ("sync_status_type", "enum-public.sync_status_type"),
    ],
)
def test_search_finds_an_identifier_by_its_parts(chromium, origin, query, target):
    results = search(browser.Page(chromium), f"{origin}/?q={query}")
    assert f"{origin}/{PAGE}/#{target}" in results


# -- tables --------------------------------------------------------------------------
TABLES = r"""
(() => {
  const broken = [];
  for (const code of document.querySelectorAll('.md-content td code')) {
    for (const node of code.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      for (const m of node.data.matchAll(/\S+/g)) {
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  const wide = [];
  for (const wrap of document.querySelectorAll('.md-content .md-typeset__scrollwrap')) {
    if (wrap.scrollWidth <= wrap.clientWidth + 1) continue;
    wrap.scrollLeft = wrap.scrollWidth;
    const box = wrap.getBoundingClientRect();
    const cells = [...wrap.querySelectorAll('tr > :first-child')].map(c => c.getBoundingClientRect());
    wide.push({
      header: wrap.querySelector('th').textContent,
      hidden: cells.filter(c => c.left < box.left - 1 || c.right > box.right + 1).length,
    });
    wrap.scrollLeft = 0;
  }
  return JSON.stringify({broken, wide});
})()
"""


@pytest.mark.parametrize("width", [1280, 900])
def test_tables_break_no_word_and_keep_their_first_column_in_view(chromium, origin, width):
    page = browser.Page(chromium)
    page.send(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    page.goto(f"{origin}/{PAGE}/")
    result = json.loads(page.evaluate(TABLES))
    assert result["broken"] == [], "code in a cell broke inside a word"
    assert result["wide"], "the triggers table at least is wider than the column: the check has something to check"
    assert [w for w in result["wide"] if w["hidden"]] == [], (
        "scrolled to its end, a wide table still shows its first column"
    )


# -- from disk -----------------------------------------------------------------------
def test_the_offline_build_works_from_disk(chromium, tmp_path):
    """SCHEMAGEN_DOCS_OFFLINE=true: opened as file://, the diagram is drawn, search works, links name .html files."""
    site = docs_build.build_site(tmp_path / "site", offline=True)
    page = browser.Page(chromium)
    url = (site / f"{PAGE}.html").as_uri()
    results = search(page, f"{url}?q=status_type")
    wait_for_the_diagram(page)
    assert f"{url}#enum-public.sync_status_type" in results
    assert [u for u in page.requests if urlsplit(u).scheme not in ("file", "data", "blob", "about")] == []
    assert page.errors == []
    links = json.loads(
        page.evaluate("JSON.stringify([...document.querySelectorAll('.md-nav a[href]')].map(a => a.href))")
    )
    files = {urldefrag(u)[0].split("?")[0] for u in links if u.startswith("file:")}
    assert files and all(f.endswith(".html") and Path(urlsplit(f).path).is_file() for f in files), files
