"""The views of a publication for its templates: publication.sql.j2 (CREATE PUBLICATION, or ALTER PUBLICATION ...
ADD TABLE for one made elsewhere) and the diff's alter_publication.sql.j2."""

from __future__ import annotations

from dataclasses import dataclass

from .. import ir
from ..pg import quoting

EVERY_OPERATION = ("insert", "update", "delete", "truncate")


@dataclass(frozen=True)
class TableView:
    """A table as a publication lists it: its name, and its column list and row filter (macro `published`)."""

    name: str  # quoted and qualified
    columns: tuple[str, ...] = ()  # quoted
    where: str | None = None

    @classmethod
    def of(cls, p: ir.Publication, table: ir.Name) -> TableView:
        f = p.filter_of(table)
        if f is None:
            return cls(table.q)
        return cls(table.q, tuple(quoting.ident(c) for c in f.columns), f.where)


@dataclass(frozen=True)
class PublicationView:
    """CREATE PUBLICATION name [FOR ALL TABLES | FOR TABLE ...] [WITH (publish = '...')]; for a publication made
    elsewhere, ALTER PUBLICATION name ADD TABLE ..."""

    publication: ir.Publication

    @property
    def name(self) -> str:
        return self.publication.q

    @property
    def external(self) -> bool:
        return self.publication.external

    @property
    def all_tables(self) -> bool:
        return self.publication.all_tables

    @property
    def tables(self) -> list[TableView]:
        return [TableView.of(self.publication, t) for t in self.publication.tables]

    @property
    def publish(self) -> str | None:
        """The `publish` parameter's literal, None for PostgreSQL's default (every operation)."""
        return publish_literal(self.publication)


def publish_literal(p: ir.Publication) -> str | None:
    return None if p.publish == EVERY_OPERATION else quoting.literal(", ".join(p.publish))


@dataclass(frozen=True)
class MembersView:
    """ALTER PUBLICATION name ADD | DROP TABLE ... (diff/alter_publication.sql.j2)."""

    name: str  # quoted
    tables: tuple[TableView, ...]
    add: bool
    template: str = "diff/alter_publication"


@dataclass(frozen=True)
class PublishView:
    """ALTER PUBLICATION name SET (publish = '...') (diff/publish.sql.j2)."""

    name: str  # quoted
    publish: str  # a literal
    template: str = "diff/publish"
