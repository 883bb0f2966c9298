"""A column's DEFAULT, checked against its column before PostgreSQL sees it.

PostgreSQL refuses a default that reads a column or holds a sub-query, an
aggregate, a window or a set-returning function, and one whose constant its
column's type does not accept (`'zzz'` for an enum without that value, `'abc'`
or 42 for a boolean); a constant out of the column's range (99999 for a
smallint, a string longer than a varchar(n)) is accepted when the table is
created and fails when a row takes it, which is when a migration adds the
column to a table that has rows. Both are found here, at the place in the
fragment they are about.

The value is judged where PostgreSQL's rules are plain: a constant (or a
constant cast to a type) on a column of a built-in type of pg/datatypes.py or a spec
enum, read as PostgreSQL 14 reads it (the oldest version schemagen writes for:
`'0x1F'` and `'1_000'` are integers only since 16): numbers, booleans, text
lengths, uuids, enums, json, an array's elements (`'{1,x}'` on integer[]), dates
and times written the ISO way (`'2026-13-45'`, `'25:00'`), IPv4 addresses
(`'300.1.1.1'`). Anything else is left to PostgreSQL, which refuses it when the
migration runs, in its transaction: a function call, an operator, a date in
another style (`'Jan 5 2026'`), an IPv6 address, `nextval('s')` (whether the
sequence is known is resolve/sequences.py's check). A later `domains:` section would judge a value as its base type,
then its CHECK.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
import json
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pglast import ast

from .. import errors
from ..pg import parsetree, sqlparse
from ..pg.datatypes import BASE_TYPES
from .report import Problem

INT_RANGES = {
    "int2": (-(2**15), 2**15 - 1),
    "int4": (-(2**31), 2**31 - 1),
    "int8": (-(2**63), 2**63 - 1),
    "oid": (0, 2**32 - 1),
}
FLOAT_MAX = {"float4": 3.4028234663852886e38, "float8": 1.7976931348623157e308}
NUMBERS = {*INT_RANGES, "numeric", "float4", "float8"}
TEXTS = {"text", "varchar", "bpchar"}
DATES = {"date", "timestamp", "timestamptz"}
# Words the date and time input functions take in place of digits.
DATE_WORDS = {"epoch", "infinity", "-infinity", "+infinity", "now", "today", "tomorrow", "yesterday"}
# Built-in functions PostgreSQL refuses in a DEFAULT (a spec function of that name is judged by PostgreSQL).
AGGREGATES = {
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "array_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "bit_and",
    "bit_or",
    "stddev",
    "variance",
}
SET_RETURNING = {
    "generate_series",
    "generate_subscripts",
    "unnest",
    "regexp_matches",
    "regexp_split_to_table",
    "json_array_elements",
    "jsonb_array_elements",
    "json_array_elements_text",
    "jsonb_array_elements_text",
    "json_each",
    "jsonb_each",
    "json_each_text",
    "jsonb_each_text",
    "json_object_keys",
    "jsonb_object_keys",
}
# What a few built-in functions return, and where PostgreSQL assigns a value of that type
# (its implicit and assignment casts; any type also goes to a string column).
RESULTS = {
    "now": "timestamptz",
    "transaction_timestamp": "timestamptz",
    "statement_timestamp": "timestamptz",
    "clock_timestamp": "timestamptz",
    "gen_random_uuid": "uuid",
    "random": "float8",
}
SQL_VALUE_RESULTS = {
    "SVFOP_CURRENT_DATE": "date",
    "SVFOP_CURRENT_TIMESTAMP": "timestamptz",
    "SVFOP_CURRENT_TIMESTAMP_N": "timestamptz",
    "SVFOP_LOCALTIMESTAMP": "timestamp",
    "SVFOP_LOCALTIMESTAMP_N": "timestamp",
}
ASSIGNABLE = {
    "timestamptz": {"timestamptz", "timestamp", "date", "time", "timetz"},
    "timestamp": {"timestamp", "timestamptz", "date", "time"},
    "date": {"date", "timestamp", "timestamptz"},
    "uuid": {"uuid"},
    "float8": {"float8", "float4", "numeric", "int2", "int4", "int8"},
}
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_NOT_A_NUMBER = {"nan"}
_INFINITE = {"infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"}
_BOOL_WORDS = ("true", "false", "yes", "no")
TIMES = {"time", "timetz"}
# The ISO forms of dates and times, judged field by field; another form is left to PostgreSQL.
_ISO_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
_ISO_ZONE = r"(?:\s*(?:z|utc|[+-]\d{1,2}(?::?\d{2})?))?"
_ISO_DATE = re.compile(
    rf"\s*(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:[ t]{_ISO_TIME}{_ISO_ZONE})?\s*", re.IGNORECASE
)
_TIME_OF_DAY = re.compile(rf"\s*{_ISO_TIME}{_ISO_ZONE}\s*", re.IGNORECASE)
_IPV4 = re.compile(r"\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,3}))?\s*")
_ADDRESS_CHARACTERS = re.compile(r"\s*[0-9a-fA-F:./]+\s*")


@dataclass(frozen=True)
class Column:
    """What a default is judged against: the column's type as base.column_type gives it."""

    sql: str  # as the column spells it, for messages
    base: str  # pglast's internal name (int4, varchar, ...) or "enum"
    mods: tuple[int, ...] = ()
    array_dims: int = 0
    enum: str = ""  # of an enum column: the type's name as messages show it, and its values
    enum_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Value:
    """A constant as PostgreSQL types it: `unknown` (a quoted literal, read by the column's
    input function), number, bool, text (cast to a string type), named (cast to a type that
    is not built in, such as an enum), other (cast to another built-in type)."""

    kind: str
    text: str
    number: Decimal | None = None
    base: str = ""  # of `named` and `other`: the type cast to


@functools.lru_cache(maxsize=4096)
def check(text: str, column: Column, spec_functions: frozenset[str]) -> tuple[Problem, ...]:
    """What PostgreSQL would refuse in the DEFAULT `text` of `column`; `text` parses (sqlparse.expression).


    Cached: the 1,000-table benchmark spec has 6,950 defaults and 24 distinct ones (0.006 s instead of 0.04 s)."""
    start = len(sqlparse.EXPRESSION_PREFIX)
    found = parsetree.walk(sqlparse.expression_json(text))
    shape = [p for kind, node in found if (p := _shape(kind, node, spec_functions, start)) is not None]
    if shape:
        return tuple(shape)
    tree = sqlparse.expression(text)
    lead = len(text) - len(text.lstrip())  # the value is the whole fragment (pglast keeps no location of a constant)
    value, problem = _constant(tree, lead, spec_functions)
    if problem is not None:
        return (problem,)
    if value is None:
        return ()  # not a constant: PostgreSQL judges it
    problem = _assign(value, column, lead)
    return () if problem is None else (problem,)


def _shape(kind: str, node: parsetree.Fields, spec_functions: frozenset[str], start: int) -> Problem | None:
    """What a DEFAULT cannot hold, found in one node of its tree (PostgreSQL's JSON form: parsetree.walk)."""
    location = node.get("location")
    at = None if location is None or location < start else location - start
    if kind == "ColumnRef":
        column = ".".join(parsetree.names(node.get("fields")))
        return Problem(
            at,
            errors.SQL_SHAPE,
            f'a DEFAULT cannot read a column ("{column}"): it is computed before the row exists (a trigger '
            "can compute it from the row)",
        )
    if kind == "SubLink":
        return Problem(at, errors.SQL_SHAPE, "a DEFAULT cannot hold a sub-query (a function can run the query)")
    if kind == "FuncCall":
        name = parsetree.names(node["funcname"])
        qualified = ".".join(name)
        if node.get("over") is not None:
            return Problem(at, errors.SQL_SHAPE, f"a DEFAULT cannot call the window function {qualified}()")
        builtin = name[-1] not in spec_functions and (len(name) == 1 or name[0] == "pg_catalog")
        if (
            node.get("agg_star")
            or node.get("agg_distinct")
            or node.get("agg_order")
            or node.get("agg_filter")
            or (builtin and name[-1] in AGGREGATES)
        ):
            return Problem(
                at, errors.SQL_SHAPE, f"a DEFAULT cannot call the aggregate {qualified}(): it has no rows to aggregate"
            )
        if builtin and name[-1] in SET_RETURNING:
            return Problem(at, errors.SQL_SHAPE, f"a DEFAULT cannot call {qualified}(), which returns a set of rows")
    return None


def _constant(node: ast.Node, at: int, spec_functions: frozenset[str]) -> tuple[_Value | None, Problem | None]:
    """The value of a constant, of a constant cast to a type, or the type of a call of a known
    built-in function (kind `other`, its text the call); (None, None) for anything else."""
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None, None
        val = node.val
        if isinstance(val, ast.Integer):
            ival = parsetree.present(val.ival)
            return _Value("number", str(ival), Decimal(ival)), None
        if isinstance(val, ast.Float):
            number = Decimal(parsetree.present(val.fval))
            return _Value("number", format(number, "f"), number), None
        if isinstance(val, ast.Boolean):
            return _Value("bool", "true" if val.boolval else "false"), None
        if isinstance(val, ast.String):
            return _Value("unknown", parsetree.present(val.sval)), None
        return None, None
    if isinstance(node, ast.FuncCall) and not node.args and node.funcname is not None:
        name = parsetree.strings(node.funcname)
        if (len(name) == 1 or name[0] == "pg_catalog") and name[-1] in RESULTS and name[-1] not in spec_functions:
            return _Value("other", f"{name[-1]}()", base=RESULTS[name[-1]]), None
        return None, None
    if isinstance(node, ast.SQLValueFunction) and node.op is not None and node.op.name in SQL_VALUE_RESULTS:
        return _Value(
            "other",
            node.op.name.removeprefix("SVFOP_").removesuffix("_N").lower(),
            base=SQL_VALUE_RESULTS[node.op.name],
        ), None
    if isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const) and isinstance(node.arg.val, ast.String):
        target = _cast_target(parsetree.present(node.typeName))
        if target is None:
            return None, None
        literal = parsetree.present(node.arg.val.sval)
        problem = _input(literal, target, at, explicit=True)
        if problem is not None:
            return None, problem
        return _typed(literal, target), None
    if isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const):
        # a number cast to a number or text type (`2147483648::bigint`): the cast, then the assignment
        constant, _problem = _constant(node.arg, at, spec_functions)
        target = _cast_target(parsetree.present(node.typeName))
        if constant is None or constant.number is None or target is None or target.array_dims:
            return None, None
        if target.base in NUMBERS:
            problem = _fits(constant.number, constant.text, target, at)
            if problem is not None:
                return None, problem
            exact = constant.number
            if target.base in INT_RANGES:
                exact = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            return _Value("number", format(exact, "f"), exact), None
        if target.base in TEXTS:
            return _typed(constant.text, target), None
    return None, None


def _cast_target(type_name: ast.TypeName) -> Column | None:
    """The type a constant is cast to: a built-in one of pg/datatypes.py, or a type named otherwise
    (`named:`; a cast to an enum is judged by an enum column of that name, with its values)."""
    names = parsetree.strings(type_name.names)
    mods = []
    for mod in type_name.typmods or ():
        if not (isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer)):
            return None
        mods.append(parsetree.present(mod.val.ival))
    dims = len(type_name.arrayBounds or ())
    if len(names) == 1 or names[0] == "pg_catalog":
        base = BASE_TYPES.get(names[-1])
        if base is not None:
            return Column(base.sql, names[-1], tuple(mods), dims)
    return Column(".".join(names), "named:" + names[-1], (), dims)


def _typed(literal: str, target: Column) -> _Value:
    if target.array_dims:
        return _Value("other", literal, base=target.base + "[]")
    if target.base in NUMBERS:
        return _Value("number", literal.strip(), _number(literal))
    if target.base == "bool":
        return _Value("bool", "true" if _bool(literal) else "false")
    if target.base in TEXTS:
        if target.mods and target.base != "text":  # an explicit cast to varchar(n) cuts, it does not fail
            literal = literal[: target.mods[0]]
        return _Value("text", literal)
    if target.base.startswith("named:"):
        return _Value("named", literal, base=target.base.removeprefix("named:"))
    return _Value("other", literal, base=target.base)


def _number(literal: str) -> Decimal | None:
    try:
        return Decimal(literal.strip())
    except InvalidOperation:
        return None


def _assign(value: _Value, column: Column, at: int | None) -> Problem | None:
    """What assigning `value` to the column does: PostgreSQL's assignment casts, then the column's modifiers."""
    if value.kind == "unknown":
        return _input(value.text, column, at, explicit=False)
    if column.array_dims:
        return None if value.kind == "other" else _mismatch(value, column, at)
    if value.kind == "number":
        if column.base in NUMBERS:
            return _fits(value.number, value.text, column, at)
        return _length(value.text, column, at) if column.base in TEXTS else _mismatch(value, column, at)
    if value.kind == "bool":
        if column.base == "bool":
            return None
        return _length(value.text, column, at) if column.base in TEXTS else _mismatch(value, column, at)
    if value.kind == "text":
        return _length(value.text, column, at) if column.base in TEXTS else _mismatch(value, column, at)
    if value.kind == "named" and column.base == "enum" and column.enum == value.base:
        return _input(value.text, column, at, explicit=False)
    if value.kind == "other" and value.base in ASSIGNABLE and column.base not in ASSIGNABLE[value.base] | TEXTS:
        return _mismatch(value, column, at)
    return None  # another type: PostgreSQL judges the assignment


def _mismatch(value: _Value, column: Column, at: int | None) -> Problem:
    what = {"number": f"the number {value.text}", "bool": f"the boolean {value.text}", "text": "a text value"}.get(
        value.kind, f"a {value.base} value"
    )
    if column.array_dims:
        hint = ""
    elif column.base == "enum":
        hint = f"; write one of its values, quoted: {_values(column)}"
    elif column.base == "bool":
        hint = " (write true or false)"
    else:
        hint = " (write it as a quoted literal of that type)" if value.kind in ("number", "bool") else ""
    return Problem(
        at,
        errors.SQL_VALUE,
        f"the default is {what}, which PostgreSQL does not assign to a column of type {column.sql}{hint}",
    )


def _values(column: Column) -> str:
    return ", ".join(f"'{v}'" for v in column.enum_values)


def _input(literal: str, column: Column, at: int | None, *, explicit: bool) -> Problem | None:
    """Whether the type's input function takes the quoted literal (and, unless cast explicitly, the column's
    modifiers)."""
    base, shown = column.base, f"'{literal}'"
    if column.array_dims:
        return _array(literal, column, at)
    if base in INT_RANGES:
        if not _INTEGER.fullmatch(literal):
            since_16 = (
                " (0x/0o/0b prefixes and _ separators need PostgreSQL 16)"
                if re.search(r"0[xob]|_", literal, re.IGNORECASE)
                else ""
            )
            return Problem(at, errors.SQL_VALUE, f"{shown} is not a valid {column.sql}{since_16}")
        return _fits(Decimal(literal.strip()), shown, column, at)
    if base == "numeric":
        word = literal.strip().lower()
        if word in _NOT_A_NUMBER or word in _INFINITE - {"inf", "+inf", "-inf"}:
            if word in _INFINITE and column.mods:
                return Problem(
                    at,
                    errors.SQL_VALUE,
                    f"{shown} does not fit {column.sql}: a numeric with a precision cannot hold an infinite value",
                )
            return None
        if not _DECIMAL.fullmatch(literal):
            return Problem(at, errors.SQL_VALUE, f"{shown} is not a valid {column.sql}")
        return _fits(Decimal(literal.strip()), shown, column, at)
    if base in FLOAT_MAX:
        word = literal.strip().lower()
        if word in _NOT_A_NUMBER or word in _INFINITE:
            return None
        if not _DECIMAL.fullmatch(literal):
            return Problem(at, errors.SQL_VALUE, f"{shown} is not a valid {column.sql}")
        return _fits(Decimal(literal.strip()), shown, column, at)
    if base == "bool":
        return (
            None
            if _bool(literal) is not None
            else Problem(at, errors.SQL_VALUE, f"{shown} is not a valid boolean (write true or false)")
        )
    if base in TEXTS:
        return None if explicit else _length(literal, column, at)
    if base == "uuid":
        return None if _uuid(literal) else Problem(at, errors.SQL_VALUE, f"{shown} is not a valid uuid")
    if base == "enum":
        if literal in column.enum_values:
            return None
        return Problem(
            at, errors.SQL_VALUE, f"{shown} is not a value of enum {column.enum}; its values are {_values(column)}"
        )
    if base in ("json", "jsonb"):
        return None if _json(literal, base) else Problem(at, errors.SQL_VALUE, f"{shown} is not valid {base}")
    if base in DATES and re.fullmatch(r"\s*[A-Za-z]+\s*", literal) and literal.strip().lower() not in DATE_WORDS:
        # one word, not a date: no digits, not `today`
        return Problem(at, errors.SQL_VALUE, f"{shown} is not a valid {column.sql}")
    why = None
    if base in DATES and (match := _ISO_DATE.fullmatch(literal)) is not None:
        why = _no_date(match) or _no_time(match)
    elif base in TIMES and (match := _TIME_OF_DAY.fullmatch(literal)) is not None:
        why = _no_time(match)
    elif base in ("inet", "cidr"):
        why = _no_address(literal, base)
    return None if why is None else Problem(at, errors.SQL_VALUE, f"{shown} is not a valid {column.sql}: {why}")


def _no_date(match: re.Match[str]) -> str | None:
    """Why the date of an ISO date (or timestamp) does not exist (None when it does)."""
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if year == 0:
        return "there is no year 0 (1 BC is followed by 1 AD)"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    return None if 1 <= day <= days else f"{year}-{month:02d} has {days} days"


def _no_time(match: re.Match[str]) -> str | None:
    """Why the time of day of an ISO time (or timestamp) does not exist (None when it does, or there is none): an hour
    up to 24:00:00, a second up to 60 (a leap second), as PostgreSQL's input reads them."""
    if match["hour"] is None:
        return None
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    fraction = float(match["fraction"] or 0)
    if minute > 59 or second > 60 or hour > 24 or (hour == 24 and (minute or second or fraction)):
        return (
            f"{match['hour']}:{match['minute']}{':' + match['second'] if match['second'] else ''} is not a time of day"
        )
    return None


def _no_address(literal: str, base: str) -> str | None:
    """Why a literal is not an IP address (None when it is, or is not judged here: IPv6 is left to PostgreSQL)."""
    if not _ADDRESS_CHARACTERS.fullmatch(literal):
        return "an address is written with digits, dots (IPv4) or colons (IPv6), and an optional /mask"
    match = _IPV4.fullmatch(literal)
    if match is None:
        return None
    octets = [int(g) for g in match.groups()[:4]]
    if any(o > 255 for o in octets):
        return "each part of an IPv4 address is 0 to 255"
    if match[5] is None:
        return None
    mask = int(match[5])
    if mask > 32:
        return "an IPv4 mask is at most /32"
    address = int.from_bytes(bytes(octets), "big")
    if base == "cidr" and address & ((1 << (32 - mask)) - 1):
        return f"a cidr value has no bits set to the right of its mask /{mask} (write the network address)"
    return None


class _Malformed(Exception):
    """An array literal PostgreSQL's array input refuses, with why."""


class _Unsure(Exception):
    """An array literal whose reading is left to PostgreSQL."""


def _array(literal: str, column: Column, at: int | None) -> Problem | None:
    """Whether PostgreSQL's array input takes the literal: its braces, then each element as the element type's
    input reads it."""
    shown = f"'{literal}'"
    try:
        elements = _array_elements(literal)
    except _Unsure:
        return None
    except _Malformed as exc:
        return Problem(at, errors.SQL_VALUE, f"{shown} is not a valid array ({exc}): write it as '{{1,2}}'")
    element = dataclasses.replace(column, sql=column.sql.removesuffix("[]" * column.array_dims), array_dims=0)
    for text in elements:
        problem = None if text is None else _input(text, element, at, explicit=False)
        if problem is not None:
            return Problem(at, errors.SQL_VALUE, f"{shown}: its element {problem.message}")
    return None


def _array_elements(text: str) -> list[str | None]:
    """The elements of an array literal (None: NULL), read as PostgreSQL's array_in reads them: braces around
    elements separated by commas, nested for more dimensions (each sub-array the same length), an element
    double-quoted or not, a backslash escaping the next character, unquoted NULL the null value."""
    elements: list[str | None] = []
    pos = 0

    def space() -> None:
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\n\r\v\f":
            pos += 1

    def element() -> None:
        nonlocal pos
        value, quoted, escaped = [], text[pos] == '"', False
        pos += quoted
        while pos < len(text):
            char = text[pos]
            if char == "\\" and pos + 1 < len(text):
                value.append(text[pos + 1])
                pos, escaped = pos + 2, True
                continue
            if quoted and char == '"':
                pos += 1
                break
            if not quoted and char in ",}":
                break
            if not quoted and char in '{"':
                raise _Malformed(f"unexpected {char} in an element")
            value.append(char)
            pos += 1
        else:
            raise _Malformed("it does not end with }")
        written = "".join(value) if quoted else "".join(value).rstrip(" \t\n\r\v\f")
        if not quoted and not written:
            raise _Malformed("an element is missing")
        elements.append(None if not quoted and not escaped and written.upper() == "NULL" else written)

    def level() -> tuple[int, ...]:
        """Reads `{...}` at pos; its shape (the length of each dimension)."""
        nonlocal pos
        pos += 1
        space()
        if pos < len(text) and text[pos] == "}":
            raise _Unsure  # an empty array, or an empty sub-array: PostgreSQL's rules differ by version
        shapes = []
        while True:
            space()
            if pos >= len(text):
                raise _Malformed("it does not end with }")
            if text[pos] == "{":
                shapes.append(level())
            else:
                element()
                shapes.append(())
            space()
            if pos < len(text) and text[pos] == ",":
                pos += 1
            elif pos < len(text) and text[pos] == "}":
                pos += 1
                break
            else:
                raise _Malformed("elements are separated by commas")
        if len(set(shapes)) != 1:
            raise _Malformed("sub-arrays must all have the same length, and hold no element beside them")
        return (len(shapes), *shapes[0])

    space()
    if pos < len(text) and text[pos] == "[":
        raise _Unsure  # dimensions written out ('[1:2]={1,2}')
    if pos >= len(text) or text[pos] != "{":
        raise _Malformed("an array is written between { and }")
    level()
    space()
    if pos != len(text):
        raise _Malformed("nothing may follow the closing }")
    return elements


def _fits(number: Decimal | None, shown: str, column: Column, at: int | None) -> Problem | None:
    """Whether a number fits the column (an integer column rounds it, half away from zero, as PostgreSQL does)."""
    if number is None:
        return None
    base = column.base
    if base in INT_RANGES:
        lo, hi = INT_RANGES[base]
        rounded = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if not lo <= rounded <= hi:
            return Problem(at, errors.SQL_VALUE, f"{shown} is out of range for {column.sql} ({lo} to {hi})")
    elif base == "numeric" and column.mods:
        precision, scale = column.mods[0], column.mods[1] if len(column.mods) > 1 else 0
        rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP) if scale >= 0 else number
        digits = len(format(abs(rounded).to_integral_value(rounding="ROUND_DOWN"), "f").lstrip("0"))
        if digits > precision - scale:
            return Problem(
                at,
                errors.SQL_VALUE,
                f"{shown} does not fit {column.sql}: at most {precision - scale} digit(s) before the decimal point",
            )
    elif base in FLOAT_MAX:
        value = float(number)
        if (
            math.isinf(value)
            or abs(value) > FLOAT_MAX[base]
            or (number != 0 and value == 0)
            or (base == "float4" and number != 0 and abs(value) < 1.401298464324817e-45)
        ):
            return Problem(at, errors.SQL_VALUE, f"{shown} is out of range for {column.sql}")
    return None


def _length(text: str, column: Column, at: int | None) -> Problem | None:
    """A string for a varchar(n) or char(n) column: longer is an error, unless what is over is spaces."""
    if column.base in ("varchar", "bpchar") and column.mods and len(text.rstrip(" ")) > column.mods[0]:
        return Problem(
            at, errors.SQL_VALUE, f"'{text}' is longer than {column.sql} allows ({len(text.rstrip(' '))} characters)"
        )
    return None


def _bool(literal: str) -> bool | None:
    """PostgreSQL's boolean input (parse_bool): a prefix of true/false/yes/no, on/off, 1/0, any case, trimmed."""
    word = literal.strip().lower()
    if word in ("1", "on"):
        return True
    if word in ("0", "of", "off"):
        return False
    for w in _BOOL_WORDS:
        if word and w.startswith(word):
            return w in ("true", "yes")
    return None


def _uuid(literal: str) -> bool:
    """PostgreSQL's uuid input: 32 hex digits, a hyphen allowed after any group of four, optionally in braces."""
    text = literal[1:-1] if literal.startswith("{") and literal.endswith("}") else literal
    if text.startswith("-") or text.endswith("-") or "--" in text:
        return False
    groups = text.split("-")
    return all(re.fullmatch(r"[0-9a-fA-F]+", g) and len(g) % 4 == 0 for g in groups) and sum(map(len, groups)) == 32


def _json(literal: str, base: str) -> bool:
    def refuse(word: str) -> None:
        raise ValueError(word)  # NaN and Infinity: JSON has no such numbers

    try:
        json.loads(literal, parse_constant=refuse)
    except ValueError:
        return False
    return not (base == "jsonb" and "\\u0000" in literal)  # jsonb cannot hold a NUL
