"""Reference docs out of the IR: a Markdown page per spec module, an index, the lint rules.

pages.py renders every page ({path: text}); builder.py computes the
view-model (viewmodel.py) from the IR, with links from links.py, text escaped
by markdown.py and the ER diagram's entities and relationships from
erdiagram.py; templates/docs/ hold the pages. mkdocs_plugin.py is the mkdocs plugin that publishes them as a site.
"""
