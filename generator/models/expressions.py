"""Python expressions for the generated validators, laid out as `ruff format` lays them out.

The build runs no formatter (the issue forbids it), so a condition too long for
one line has to come out already split the way ruff splits it: wrapped in
parentheses, broken before each operator of the loosest chain, a parenthesized
group broken inside its own brackets. Only the shapes checks.py builds are
covered: boolean chains, comparisons, arithmetic, `not`, `-`, tuples.
`condition()` gives the text the templates put after `if `; `fits()` is the
line-length test behind the view-model's `one_line` flags.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE = 88  # ruff's default line length

# Binding strength, loosest first (the Python grammar's order).
OR, AND, NOT, COMPARE, ADD, MUL, UNARY, ATOM = range(8)


@dataclass(frozen=True)
class Expr:
    prec: int

    @property
    def flat(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Atom(Expr):
    text: str

    @property
    def flat(self) -> str:
        return self.text


@dataclass(frozen=True)
class Chain(Expr):
    """Operands joined by operators of one binding strength: `a and b`, `a + b - c`, `a < b`."""

    operands: tuple[Expr, ...]
    ops: tuple[str, ...]

    @property
    def flat(self) -> str:
        parts = [self.operands[0].flat]
        for op, operand in zip(self.ops, self.operands[1:]):
            parts.append(f"{op} {operand.flat}")
        return " ".join(parts)


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "not " or "-"
    operand: Expr

    @property
    def flat(self) -> str:
        return self.op + self.operand.flat


@dataclass(frozen=True)
class Paren(Expr):
    inner: Expr

    @property
    def flat(self) -> str:
        return f"({self.inner.flat})"


@dataclass(frozen=True)
class Tuple(Expr):
    items: tuple[Expr, ...]

    @property
    def flat(self) -> str:
        if len(self.items) == 1:
            return f"({self.items[0].flat},)"
        return "(" + ", ".join(i.flat for i in self.items) + ")"


def atom(text: str) -> Atom:
    return Atom(ATOM, text)


def tuple_of(items: list[Expr]) -> Tuple:
    return Tuple(ATOM, tuple(items))


def wrap(e: Expr, at_least: int) -> Expr:
    """`e` as an operand that must bind at least this tightly."""
    return e if e.prec >= at_least else Paren(ATOM, e)


def chain(prec: int, operands: list[Expr], ops: list[str]) -> Expr:
    """Join operands. Nested chains of the same strength are flattened where
    Python reads them the same: any position for `and`/`or`, the left operand
    for arithmetic (`a + b - c`); comparisons never chain (`a < b < c` means
    something else), so they get parentheses."""
    if len(operands) == 1:
        return operands[0]
    flat_operands: list[Expr] = []
    flat_ops: list[str] = []
    for i, operand in enumerate(operands):
        if i:
            flat_ops.append(ops[i - 1])
        same = (
            isinstance(operand, Chain)
            and operand.prec == prec
            and (prec in (OR, AND) or (i == 0 and prec in (ADD, MUL)))
        )
        if same:
            assert isinstance(operand, Chain)
            flat_operands.append(operand.operands[0])
            for op, o in zip(operand.ops, operand.operands[1:]):
                flat_ops.append(op)
                flat_operands.append(o)
        else:
            flat_operands.append(wrap(operand, prec + 1))
    return Chain(prec, tuple(flat_operands), tuple(flat_ops))


def boolean(op: str, operands: list[Expr]) -> Expr:
    """`and` / `or` of operands; an `and` inside an `or` keeps its parentheses, for the reader."""
    prec = AND if op == "and" else OR
    parts = [Paren(ATOM, o) if isinstance(o, Chain) and o.prec in (OR, AND) and o.prec != prec else o for o in operands]
    return chain(prec, parts, [op] * (len(parts) - 1))


# -- layout ---------------------------------------------------------------


def fits(indent: int, *parts: str) -> bool:
    """Whether a line of these parts, at `indent`, stays within ruff's line length."""
    return indent + sum(map(len, parts)) <= LINE


def condition(e: Expr, indent: int) -> str:
    """`e` as it follows `if ` on a line at `indent`, up to the colon, as ruff lays it out: on the
    line when it fits, else broken inside brackets (each line after the first carries its indentation)."""
    flat = e.flat
    if fits(indent, "if ", flat, ":"):
        return flat
    pad = " " * indent
    hugged = _hug(e, indent)
    if hugged is not None:
        return hugged
    return "(\n" + "\n".join(_block(e, indent + 4, "")) + f"\n{pad})"


def _hug(e: Expr, indent: int) -> str | None:
    # ruff omits the parentheses it would add when the expression has a single
    # loosest operator and ends in a bracket: only that bracket breaks,
    # `if x is not None and x not in (` ... `):`. (An expression that starts with
    # a bracket has a mirror rule; checks.py never builds one.)
    last = _last_leaf(e)
    if last is None or _loosest_count(e)[1] != 1:
        return None
    head = e.flat[: len(e.flat) - len(last.flat)] + "("
    if not fits(indent, "if ", head):
        return None
    return head + "\n" + "\n".join(_inside(last, indent + 4)) + "\n" + " " * indent + ")"


def _last_leaf(e: Expr) -> Expr | None:
    """The bracket `e` ends with, if it ends with one."""
    while isinstance(e, Chain):
        e = e.operands[-1]
    return e if isinstance(e, (Paren, Tuple)) else None


def _loosest_count(e: Expr) -> tuple[int, int]:
    """(strength, count) of the loosest operators outside brackets; a comparison counts once per operator."""
    if isinstance(e, Chain):
        best, count = e.prec, len(e.ops)
        for operand in e.operands:
            p, n = _loosest_count(operand)
            if p < best:
                best, count = p, n
            elif p == best:
                count += n
        return best, count
    if isinstance(e, Unary):
        p, n = _loosest_count(e.operand)
        return (e.prec, 1) if e.prec < p else (p, n + (1 if p == e.prec else 0))
    return ATOM, 0


def _inside(bracketed: Expr, indent: int) -> list[str]:
    """The lines between a bracket pair that had to break."""
    pad = " " * indent
    if isinstance(bracketed, Tuple):
        return [f"{pad}{item.flat}," for item in bracketed.items]
    assert isinstance(bracketed, Paren)
    return _block(bracketed.inner, indent, "")


def _block(e: Expr, indent: int, prefix: str) -> list[str]:
    """`prefix` + `e` inside broken parentheses, at `indent`."""
    pad = " " * indent
    one = f"{pad}{prefix}{e.flat}"
    if len(one) <= LINE:
        return [one]
    if isinstance(e, Chain):
        lines = _block(e.operands[0], indent, prefix)
        for op, operand in zip(e.ops, e.operands[1:]):
            lines += _block(operand, indent, f"{op} ")
        return lines
    if isinstance(e, (Paren, Tuple)):
        return [f"{pad}{prefix}("] + _inside(e, indent + 4) + [f"{pad})"]
    if isinstance(e, Unary) and isinstance(e.operand, (Paren, Tuple)):
        return _block(e.operand, indent, prefix + e.op)
    return [one]  # an atom longer than a line: nothing to break
