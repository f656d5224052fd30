"""Who is asked, and in what campaign: the `bodies` imported from WDTK's list, and the
`campaigns` (slug, ref prefix, templates and launch time)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from bot.bodies import Body
from bot.store.connection import StoreConnection, marks, utcnow

IMPORT_BATCH = 1000  # bodies compared and written at a time


class Bodies(StoreConnection):
    # -- bodies ------------------------------------------------------------------------

    def upsert_bodies(self, bodies: Iterable[Body], source: str) -> int:
        """Store these bodies (only those that changed are written); how many were given."""
        counts = self.import_bodies(bodies, source)
        return counts["new"] + counts["changed"] + counts["unchanged"]

    def import_bodies(self, bodies: Iterable[Body], source: str) -> dict[str, int]:
        """Upsert, telling what was new, changed or unchanged; unchanged rows are not
        written, so their updated_at still says when they last changed.

        Works through `bodies` a batch at a time, comparing each batch with what is stored
        for the same url_names, so a file of any size takes the memory of one batch (and
        of the set of names seen, which counts a body named twice once; the last row wins).
        """
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        seen: set[str] = set()
        now = utcnow()
        for batch in _batches(bodies, IMPORT_BATCH):
            incoming = {body.url_name: body.as_row(source) for body in batch}
            keys = list(next(iter(incoming.values())))
            names = list(incoming)
            stored = {
                r["url_name"]: {k: r.get(k) for k in keys}
                for r in self.db.query(
                    f"SELECT * FROM bodies WHERE url_name IN ({marks(names)})", names
                )
            }
            writes = []
            for name, row in incoming.items():
                kind = (
                    "new"
                    if name not in stored
                    else "changed"
                    if stored[name] != row
                    else "unchanged"
                )
                if kind != "unchanged":
                    writes.append({**row, "updated_at": now})
                if name not in seen:
                    seen.add(name)
                    counts[kind] += 1
            if writes:
                self.db["bodies"].upsert_all(writes, pk="url_name", batch_size=500)
        return counts

    def bodies(self, tag: str | None = None) -> list[Body]:
        rows = self.db.query("SELECT * FROM bodies ORDER BY url_name")
        bodies = [Body.from_row(row) for row in rows]
        if tag:
            bodies = [b for b in bodies if tag in b.tags or tag in b.tag_names]
        return bodies

    def bodies_matching(self, names: Iterable[str], tags: Iterable[str]) -> dict[str, Body]:
        """Bodies named, or carrying any of the tags (plain or machine-tag name), by url_name."""
        names, tags = list(names), list(tags)
        clauses, params = [], []
        if names:
            clauses.append(f"url_name IN ({marks(names)})")
            params += names
        for tag in tags:
            # tags is space-separated; match a whole tag, or a machine tag's name part.
            clauses.append("(' ' || tags || ' ') LIKE ? OR (' ' || tags) LIKE ?")
            params += [f"% {tag} %", f"% {tag}:%"]
        if not clauses:
            return {}
        rows = self.db.query(f"SELECT * FROM bodies WHERE {' OR '.join(clauses)}", params)
        return {row["url_name"]: Body.from_row(row) for row in rows}

    def body(self, url_name: str) -> Body | None:
        rows = list(self.db.query("SELECT * FROM bodies WHERE url_name = ?", [url_name]))
        return Body.from_row(rows[0]) if rows else None

    def body_with_wdtk_id(self, wdtk_id: int) -> Body | None:
        """The stored body WDTK numbers `wdtk_id` (the first by url_name if a rename left
        two)."""
        rows = list(
            self.db.query(
                "SELECT * FROM bodies WHERE wdtk_id = ? ORDER BY url_name LIMIT 1", [wdtk_id]
            )
        )
        return Body.from_row(rows[0]) if rows else None

    def body_names(self) -> set[str]:
        """Every stored body's url_name."""
        return {row["url_name"] for row in self.db.query("SELECT url_name FROM bodies")}

    def body_display_names(self, campaign: str | None = None) -> dict[str, str]:
        """url_name -> name, of every body (or those one campaign asked)."""
        sql, params = "SELECT url_name, name FROM bodies", []
        if campaign:
            sql += " WHERE url_name IN (SELECT body FROM requests WHERE campaign = ?)"
            params = [campaign]
        return dict(self.db.conn.execute(sql, params).fetchall())

    # -- campaigns ---------------------------------------------------------------------

    def campaign_row(self, slug: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM campaigns WHERE slug = ?", [slug]))
        return rows[0] if rows else None

    def campaign_exists(self, slug: str) -> bool:
        return bool(list(self.db.query("SELECT 1 FROM campaigns WHERE slug = ?", [slug])))

    def campaign_slugs(self) -> list[str]:
        return [
            slug for (slug,) in self.db.conn.execute("SELECT slug FROM campaigns ORDER BY slug")
        ]

    def ref_prefixes(self) -> set[str]:
        return {r["ref_prefix"] for r in self.db.query("SELECT ref_prefix FROM campaigns")}

    def add_campaign(self, slug: str, ref_prefix: str) -> None:
        self.db["campaigns"].insert(
            {"slug": slug, "ref_prefix": ref_prefix, "created_at": utcnow()}, ignore=True
        )

    def save_campaign(self, slug: str, values: dict[str, Any], ref_prefix: str | None) -> None:
        """Refresh a campaign's templates and launch time; a new one gets `ref_prefix`."""
        if ref_prefix is None:
            self.db["campaigns"].update(slug, values)
        else:
            self.db["campaigns"].insert(
                {"slug": slug, "ref_prefix": ref_prefix, "created_at": utcnow(), **values}
            )


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
