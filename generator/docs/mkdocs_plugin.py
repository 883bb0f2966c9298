"""The mkdocs plugin of the docs site (`plugins: [schemagen]`): a site that needs no other host.

mkdocs-material fetches Mermaid from a CDN when a page has a diagram, and the
offline plugin's file:// shim from one too; behind a firewall or on a train the
diagram is never drawn. This plugin serves both from the site itself, copied at
build time from `node_modules/` (`npm ci` installs the versions package-lock.json
pins), and refuses to build without them. It also:

- gives each heading the generator's stable id: a page writes
  `### Table x <a id="table-public.x" name="table-public.x"></a>` so that GitHub,
  which keeps only `name`, has the anchor; here the heading itself takes the id,
  so its permalink, the table of contents and search use it, and no id is doubled;
- copies the migrations a page links to (`../migrations/*.sql`) into the site;
- adds a stylesheet that keeps tables readable (templates/docs/site.css).

mkdocs is a dependency of the docs site only: nothing else in schemagen imports this.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from importlib import resources
from pathlib import Path

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

MERMAID = "assets/javascripts/mermaid.min.js"
# The name says "iframe-worker": the offline plugin then adds no CDN copy.
SHIM = "assets/javascripts/iframe-worker/shim.js"
STYLESHEET = "assets/stylesheets/schemagen.css"
MIGRATIONS = "migrations"
# Site path -> path inside node_modules (package.json names the packages, package-lock.json their versions).
VENDORED = {MERMAID: "mermaid/dist/mermaid.min.js", SHIM: "iframe-worker/shim/index.js"}

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_OPEN_ANCHOR = re.compile(r'<a id="([^"<>]+)" name="\1">')
# The two stashed tags of `<a ...></a>` at the end of a heading's text (Python-Markdown stashes raw HTML tag by tag).
_TRAILING_ANCHOR = re.compile(r"\s*" + HTML_PLACEHOLDER % r"(\d+)" + HTML_PLACEHOLDER % r"(\d+)" + r"\s*$")


class _StableHeadingIds(Treeprocessor):
    """A heading ending in an empty `<a id=X name=X></a>` gets the id X, and loses the anchor.

    It runs after the inline patterns (which stash the raw `<a>` tags) and before
    the toc extension, which keeps an id a heading already has.
    """

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        for heading in root.iter():
            if heading.tag not in _HEADINGS:
                continue
            last = heading[-1] if len(heading) else None
            text = (heading.text if last is None else last.tail) or ""
            m = _TRAILING_ANCHOR.search(text)
            if m is None:
                continue
            anchor = _OPEN_ANCHOR.fullmatch(str(stash[int(m.group(1))]))
            if anchor is None or stash[int(m.group(2))] != "</a>":
                continue
            heading.set("id", anchor.group(1))
            if last is None:
                heading.text = text[: m.start()]
            else:
                last.tail = text[: m.start()]


class _StableHeadingIdsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_StableHeadingIds(md), "schemagen_heading_ids", 6)  # inline is 20, toc 5


class _Options(Config):  # type: ignore[no-untyped-call]  # mkdocs leaves Config.__init_subclass__ unannotated
    node_modules = config_options.Type(str, default="node_modules")  # relative to mkdocs.yml


class SchemagenPlugin(BasePlugin[_Options]):  # type: ignore[no-untyped-call]  # the same, inherited
    sources: dict[str, Path]  # site path -> the file copied there, set by on_config

    @event_priority(50)  # before mkdocs-material's offline plugin, which adds a CDN's shim unless one is set
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        node_modules = Path(config.config_file_path or ".").parent / self.config.node_modules
        self.sources = {dest: node_modules / src for dest, src in VENDORED.items()}
        missing = [str(path) for path in self.sources.values() if not path.is_file()]
        if missing:
            raise PluginError(
                f"the docs site serves Mermaid itself, from {node_modules}, which lacks {', '.join(missing)}: "
                "run `npm ci` beside mkdocs.yml (package.json and package-lock.json pin what it installs), "
                "then build again"
            )
        self.sources[STYLESHEET] = Path(str(resources.files("schemagen.templates").joinpath("docs/site.css")))
        config.extra["polyfills"] = [*config.extra.get("polyfills", []), SHIM]
        config.extra_css.append(STYLESHEET)
        config.markdown_extensions.append(_StableHeadingIdsExtension())  # type: ignore[arg-type]  # an instance, as Python-Markdown allows
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        for dest, source in self.sources.items():
            files.append(File.generated(config, dest, abs_src_path=str(source)))
        migrations = Path(config.docs_dir).parent / MIGRATIONS
        for path in sorted(migrations.glob("*.sql")):
            files.append(File.generated(config, f"{MIGRATIONS}/{path.name}", abs_src_path=str(path)))
        return files

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Pages sit in generated/docs/ beside generated/migrations/; the site carries the migrations beside the pages.
        return markdown.replace(f"](../{MIGRATIONS}/", f"]({MIGRATIONS}/")

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Mermaid, on the pages that draw a diagram: defined before the theme looks for it (on DOMContentLoaded)."""
        if '<pre class="mermaid">' not in output:
            return output
        script = f'<script src="{get_relative_url(MERMAID, page.url)}"></script>'
        end = output.rindex("</body>")
        return output[:end] + script + output[end:]
