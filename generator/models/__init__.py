"""Pydantic v2 models out of the IR: one Python module per spec module.

modules.py builds the view-model of templates/models/ and renders it;
checks.py translates CHECK constraints into validator conditions (from
pglast's tree), expressions.py lays them out as `ruff format` would, and
spelling.py spells class, field and member names and string literals.
"""
