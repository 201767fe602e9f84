"""The store's tables, area by area, and the hook other areas use to add theirs.

Each area of samizdat that keeps state (documents, committee, carry, network...)
owns a module ``store/<area>.py`` that defines::

    SCHEMA = Area("committee", (
        "CREATE TABLE committees (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, ...)",
        "CREATE INDEX ...",
    ))

and adds its module name to :data:`AREA_MODULES` below (one line, append only).
Every step is ONE SQL statement; steps are applied in order, once, and never
edited after they ship: to change a table, append a step (``ALTER TABLE``...).
The store records in ``schema_areas`` how many steps of each area it has applied,
so a store made by an older build is brought up to date when it is opened, in one
transaction per area.

Table advice measured on these machines: keep blobs in ordinary rowid tables with a
UNIQUE index on their hash (``WITHOUT ROWID`` was ~6x slower here); prefix table
names with the area (``committee_*``) so areas never collide.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from samizdat.errors import StoreError

if TYPE_CHECKING:
    from samizdat.store.db import Database

__all__ = ["AREA_MODULES", "Area", "apply_all", "areas"]


@dataclass(frozen=True)
class Area:
    """One area's tables: a name and the ordered list of its schema steps."""

    name: str
    steps: tuple[str, ...]


# Append your area's module here (each must define ``SCHEMA: Area``).
AREA_MODULES: tuple[str, ...] = (
    "samizdat.store.documents",
    "samizdat.store.mail",
    "samizdat.store.committee",
    "samizdat.store.contacts",
    "samizdat.store.envelopes",
    "samizdat.store.comments",
    "samizdat.store.shards",
    "samizdat.store.circles",
    "samizdat.store.reach",
)


def areas() -> list[Area]:
    """Every registered area, in registration order."""
    found: list[Area] = []
    for name in AREA_MODULES:
        module = importlib.import_module(name)
        schema = getattr(module, "SCHEMA", None)
        if not isinstance(schema, Area):
            raise TypeError(f"{name} must define SCHEMA = Area(...)")
        found.append(schema)
    names = [a.name for a in found]
    if len(set(names)) != len(names):
        raise TypeError("two store areas share a name")
    return found


def apply_all(db: Database) -> None:
    """Bring every area's tables up to date, one transaction per area."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_areas ("
        "name TEXT NOT NULL UNIQUE, steps INTEGER NOT NULL)"
    )
    done = {str(r[0]): int(r[1]) for r in db.query("SELECT name, steps FROM schema_areas")}
    for area in areas():
        have = done.get(area.name, 0)
        if have > len(area.steps):
            raise StoreError(
                f"this store was written by a newer samizdat (area {area.name!r})",
                hint="upgrade samizdat",
            )
        if have == len(area.steps):
            continue
        with db.transaction():
            for step in area.steps[have:]:
                db.execute(step)
            db.execute(
                "INSERT INTO schema_areas (name, steps) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET steps = excluded.steps",
                (area.name, len(area.steps)),
            )
