"""Errors as data: every user mistake is a Diagnostic with a file position.

Loading and resolving collect all diagnostics first and report them together,
so one run shows every mistake, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        # one diagnostic, one line: messages may quote user text that spans lines
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        return f"{self.file}:{self.line}:{self.column}: {self.code} {message}"


class SpecError(Exception):
    """Raised with every diagnostic found; the CLI prints them and exits 1."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


# Codes, grouped by stage. Tests and users match on these, so never renumber.
YAML_SYNTAX = "E001"
YAML_DUPLICATE_KEY = "E002"
YAML_NOT_MAPPING = "E003"
SPEC_INVALID = "E010"
SPEC_UNKNOWN_KEY = "E011"
SPEC_MISSING_KEY = "E012"
SPEC_BAD_IDENTIFIER = "E013"
UNKNOWN_TABLE = "E020"
UNKNOWN_COLUMN = "E021"
UNKNOWN_TYPE = "E022"
UNKNOWN_FUNCTION = "E023"
UNKNOWN_TEMPLATE = "E024"
UNKNOWN_ROLE = "E025"
BAD_REFERENCE = "E026"
UNKNOWN_SCHEMA = "E027"
DUPLICATE_NAME = "E030"
NAME_TOO_LONG = "E031"
SQL_SYNTAX = "E040"
SQL_SHAPE = "E041"
SQL_VALUE = "E042"  # a constant the column's type does not accept (a DEFAULT)
PARTITION = "E050"
MIGRATION = "E060"
MIGRATION_EDITED = "E061"
MIGRATION_MISSING = "E062"
DESTRUCTIVE = "E063"
UNSUPPORTED_CHANGE = "E064"
RENAME = "E065"
CONFIG = "E070"
PYTHON_TYPE = "E080"  # a column the generated models cannot type
PYTHON_NAME = "E081"  # a name the generated models cannot use
VIEW_COLUMN = "E110"  # a view's output column schemagen cannot name or type
VIEW_CYCLE = "E111"  # views that read each other
TYPE_CYCLE = "E140"  # types5: a domain, composite or range type that uses itself
MISSING_EXTENSION = "E150"  # K3: an exclusion constraint that needs an extension the spec does not install
AMBIGUOUS_FUNCTION = "E160"  # a plain function name with several overloads: the signature is needed (funcs5)
FUNCTION_SIGNATURE = "E161"  # a function key's argument types disagree with its args (funcs5)
