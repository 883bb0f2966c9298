"""Column type changes: which keep every value (widen), and which rewrite the table."""

from __future__ import annotations

from .. import ir, pgtypes


def widens(old: ir.Column, new: ir.Column) -> bool:
    """True when every value of the old type fits the new one unchanged."""
    if old.array_dims != new.array_dims:
        return False
    if old.base != new.base:
        return new.base in pgtypes.WIDER.get(old.base, frozenset()) and not new.mods
    if old.base == "enum":
        return old.enum == new.enum
    if not new.mods:
        return True
    if not old.mods:
        return False
    if old.base == "numeric":
        p0, s0 = old.mods[0], old.mods[1] if len(old.mods) > 1 else 0
        p1, s1 = new.mods[0], new.mods[1] if len(new.mods) > 1 else 0
        return s1 >= s0 and p1 - s1 >= p0 - s0
    return new.mods[0] >= old.mods[0]


def rewrites(old: ir.Column, new: ir.Column) -> bool:
    """Whether PostgreSQL rewrites the table (and its indexes) for this change."""
    if (old.base, new.base) not in pgtypes.NO_REWRITE or old.array_dims != new.array_dims:
        return True
    if old.base == "numeric":  # same scale, more precision: no rewrite
        return not (widens(old, new) and (not new.mods or (old.mods[1:] or (0,)) == (new.mods[1:] or (0,))))
    return not widens(old, new)


def implicit(old: ir.Column, new: ir.Column) -> bool:
    """Whether PostgreSQL converts the values without a USING clause (an assignment cast exists)."""
    return new.base in pgtypes.WIDER.get(old.base, frozenset()) or (old.base, new.base) in pgtypes.NO_REWRITE
