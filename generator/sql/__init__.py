"""SQL out of the IR: the statements of a migration that creates the schema from nothing.

from_scratch.py lists every statement in dependency order and renders each
with its template (templates/sql/); standins.py writes stand-ins for the
spec's external objects, for test databases. The diff (diff/) creates objects
through from_scratch.py, so a new object is written the same way in both.
"""
