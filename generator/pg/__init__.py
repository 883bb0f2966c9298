"""PostgreSQL's language, with no IR in it: every other layer may use it.

Quoting (quoting.py), the pglast layer (sqlparse.py parses every SQL fragment,
parsetree.py types pglast's tree), the one type table (datatypes.py) and how
PostgreSQL orders range-partition bounds (bounds.py).
"""
