"""Where each IR object came from in the spec, for messages about a spec that is valid.

Kept beside the IR, never in it: the IR is saved as JSON with every migration,
and adding a comment line above a table must not change a generated file. The
resolver fills an `Origins` while it builds the IR; `schemagen lint` reads it to
point each finding at a YAML line and to find the object's `lint: ignore:`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from .positions import Path, Positions

Key = tuple[Hashable, ...]  # e.g. ("table", Name), ("policy", table Name, "p"), ("policy_using", table Name, "p")


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
        raw = self.raw or ""
        target = offset + (len(raw) - len(raw.lstrip()) if self.stripped else 0)
        i = j = 0  # the same point in the spec text and in the replaced text
        while True:
            hits = [(at, p, v) for p, v in self.subs if (at := raw.find(p, i)) >= 0]
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
        """Record where `key` came from; `lint` is the spec object's `lint` value (or None)."""
        ignore = getattr(lint, "ignore", None) or {}
        self.by_key.setdefault(key, Origin(pos, path, path if holder is None else holder, ignore, raw, subs, stripped))

    def get(self, key: Key) -> Origin | None:
        return self.by_key.get(key)
