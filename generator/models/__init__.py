"""Pydantic v2 models out of the IR: one Python module per spec module.

modules.py renders each module: it builds the view-model of templates/models/
(viewmodel.py), with tables.py for a table's row, Insert and Update models and
imports.py for what the module imports; checks.py translates CHECK constraints
into validator conditions (from pglast's tree), expressions.py lays them out as
`ruff format` would, and spelling.py spells class, field and member names,
string literals and docstring text.
"""
