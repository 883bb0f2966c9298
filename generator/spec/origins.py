"""Where each IR object is written in the spec: the one way a problem found after resolving is placed.

Reading and resolving place what they find by the YAML path they are at
(`Positions.diag`). Every later stage sees only the IR, which keeps no
positions: it is saved as JSON with each migration, and a comment line added
above a table must not change a generated file. So the resolver records, beside
the IR, where each object it builds is written, keyed by the object's IR
identity, and a later stage names the object to place its problem:
`schemagen lint`'s findings (and their `lint: ignore:`), the models' problems,
the diff's refusals and the spent `allow_destructive` entries all go through
`Origins.diagnostic` or `Origins.get`.

Keys, by kind (the resolver records each): ("table", Name), ("column", Name, column),
("constraint", Name, name), ("constraint_check", Name, name), ("index", Name),
("index_element", Name, i), ("index_where", Name), ("partitioning", Name),
("partition", Name), ("policy" | "policy_using" | "policy_check", Name, name),
("function", Name), ("function_body", Name), ("trigger", Name, name),
("grant", kind, target), ("enum", Name), ("module", name), ("allow_destructive", entry),
and ("section", "tables" | "enums"): the first file holding that section, where a
problem about an object no longer in the spec goes when nothing closer is left.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from .. import errors
from .positions import Path, Positions

Key = tuple[Hashable, ...]  # e.g. ("table", Name), ("policy", table Name, "p"), ("policy_using", table Name, "p")
Place = tuple[Key, Path]  # an object, and a path below where it is written (`()`: the object itself)


@dataclass(frozen=True)
class Origin:
    pos: Positions
    path: Path  # the YAML node the object (or SQL fragment) was written at
    holder: Path  # the YAML mapping that may hold its `lint:` key
    ignore: Mapping[str, str]  # rule id -> reason, from that `lint: ignore:`
    raw: str | None = None  # for a SQL fragment: its text as written in the spec
    subs: tuple[tuple[str, str], ...] = ()  # template placeholders replaced in that text
    stripped: bool = True  # the IR keeps the fragment stripped (a function body is kept as written)

    @property
    def file(self) -> str:
        return self.pos.file

    def at(self, offset: int | None = None) -> tuple[int, int]:
        """Line and column of the object, or of character `offset` of the fragment's IR text."""
        if offset is None or self.raw is None:
            return self.pos.at(self.path, key=True)
        return self.pos.fragment(self.path, self.raw_offset(offset))

    def raw_offset(self, offset: int) -> int:
        """Map an offset in the IR text (placeholders replaced, then stripped) back to the spec text."""
        return raw_offset(self.raw or "", self.subs, offset, stripped=self.stripped)


@dataclass
class Origins:
    by_key: dict[Key, Origin] = field(default_factory=dict)

    def add(
        self,
        key: Key,
        pos: Positions,
        path: Path,
        lint: object = None,
        holder: Path | None = None,
        *,
        raw: str | None = None,
        subs: tuple[tuple[str, str], ...] = (),
        stripped: bool = True,
    ) -> None:
        """Record where `key` came from (the first place wins); `lint` is the spec object's `lint` value (or None)."""
        ignore = getattr(lint, "ignore", None) or {}
        self.by_key.setdefault(key, Origin(pos, path, path if holder is None else holder, ignore, raw, subs, stripped))

    def get(self, key: Key) -> Origin | None:
        return self.by_key.get(key)

    def diagnostic(self, code: str, message: str, *places: Place, at_key: bool = True) -> errors.Diagnostic:
        """`message` at the first of `places` that is recorded, most precise first.

        A path below an object that is not in the spec (a column removed from its
        table) is placed at the nearest part of it that is (the table's `columns:`).
        `at_key`: at the key of a mapping entry (`name:`), else at its value.
        """
        for key, below in places:
            origin = self.by_key.get(key)
            if origin is not None:
                return origin.pos.diag(origin.path + below, code, message, key=at_key)
        return errors.Diagnostic("", 1, 1, code, message)  # pragma: no cover - places end with a ("section", ...)


def raw_offset(raw: str, subs: tuple[tuple[str, str], ...], offset: int, *, stripped: bool = True) -> int:
    """Map `offset` in the text `raw` becomes (its placeholders `subs` replaced in order, then stripped when
    `stripped`) back to `raw`."""
    target = offset + (len(raw) - len(raw.lstrip()) if stripped else 0)
    i = j = 0  # the same point in the spec text and in the replaced text
    while True:
        hits = [(at, p, v) for p, v in subs if (at := raw.find(p, i)) >= 0]
        if not hits:
            return min(len(raw), i + target - j)
        at, placeholder, value = min(hits)
        if target < j + at - i:  # before the next placeholder: same distance in both
            return i + target - j
        j += at - i
        i = at
        if target < j + len(value):  # inside a replaced placeholder: point at it
            return i
        i += len(placeholder)
        j += len(value)
