"""`lint: ignore: {RULE: reason}` entries that silence nothing are findings themselves."""

from __future__ import annotations

from collections.abc import Iterator

from ..spec.origins import Key, Origin
from .context import Context
from .findings import RULES, WARNING, Finding
from .registry import rule

# Keys of whole objects (the others are SQL fragments of one), for naming the holder of a suppression.
OBJECT_KINDS = ("table", "column", "constraint", "index", "partition", "policy", "function", "trigger", "grant")


@rule(
    "L001",
    "unused-suppression",
    WARNING,
    why="A `lint: ignore:` entry that silences nothing names a rule that does not exist or no longer applies, "
    "and would hide the next real finding of that rule on the object.",
    hint="remove the entry from `lint: ignore:`",
)
def unused(ctx: Context) -> Iterator[Finding]:
    """Runs after every other rule (lint() orders it last), when ctx.used is complete."""
    holders: dict[tuple[str, object], tuple[Key, Origin]] = {}
    for key, origin in ctx.origins.by_key.items():
        if origin.ignore and key[0] in OBJECT_KINDS:
            holders.setdefault((origin.file, origin.holder), (key, origin))
    for (file, holder), (key, origin) in holders.items():
        for rule_id in origin.ignore:
            if rule_id == "L001" or (file, holder, rule_id) in ctx.used:
                continue
            known = RULES.get(rule_id)
            if known is not None and known.id not in ctx.ran:
                continue  # a date-dependent rule that did not run (`schemagen build`)
            why = "no rule has that id" if known is None else f"{rule_id} reports nothing on it"
            line, column = origin.pos.at(tuple(origin.holder) + ("lint", "ignore", rule_id), key=True)
            obj = _describe(ctx, key)
            reason = origin.ignore.get("L001")
            if reason is not None:
                ctx.used.add((file, holder, "L001"))
            yield Finding(
                file,
                line,
                column,
                "L001",
                obj,
                WARNING,
                f"suppression of {rule_id} silences nothing: {why}",
                RULES["L001"].hint,
                reason,
            )


def _describe(ctx: Context, key: Key) -> str:
    kind, *rest = key
    if kind == "function":
        f = next((f for f in ctx.schema.functions if f.key == rest[0]), None)
        return ctx.function_label(f) if f is not None else str(rest[0])
    if kind == "grant":
        return str(rest[1])
    return ".".join(str(part) for part in rest)
