"""PostgreSQL's language, with no IR in it: every other layer may use it.

Quoting (quoting.py), the pglast layer (sqlparse.py parses every SQL fragment and
says what it uses; parsetree.py has the one walker of a parse tree and types
pglast's nodes), the one type table (datatypes.py) and how
PostgreSQL orders range-partition bounds (bounds.py).
"""
