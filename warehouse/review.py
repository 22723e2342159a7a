"""Human review of deals: a queue by ascending confidence, and decisions (accept, reject, set a field) kept in the
`corrections` table, which the `deals` view applies over what was extracted."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from models.tables import SCHEMA_VERSION, Correction
from warehouse.engine import WarehouseError
from warehouse.held import open_warehouse
from warehouse.identity import short_hash
from warehouse.queries import run_sql
from warehouse.schema import init_warehouse
from warehouse.views import CORRECTABLE

QUEUE_COLUMNS = ("deal_id", "confidence", "review", "announced_date", "deal_type", "seller", "buyer", "asset",
                 "capacity_mw", "price_usd", "country")


def review_queue(path: Path | str, *, include_reviewed: bool = False, limit: int | None = None):
    """Deals least confident first (not yet accepted or rejected, unless include_reviewed). A file older than
    schema v6 has no review column in its views: it is upgraded in place first, as a decision would."""
    _upgraded(path)
    where = "" if include_reviewed else "WHERE review IS NULL OR review = 'corrected'"
    sql = f"SELECT {', '.join(QUEUE_COLUMNS)} FROM deals {where} ORDER BY confidence, announced_date, deal_id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return run_sql(path, sql)


def _upgraded(path: Path | str) -> None:
    """Upgrade the warehouse in place when its schema is older than this minewire's (one read when it is not)."""
    _, found = run_sql(path, "SELECT max(version) FROM minewire_schema")
    if found and found[0][0] is not None and found[0][0] < SCHEMA_VERSION:
        with open_warehouse(path) as engine:
            init_warehouse(engine)


def parse_setting(text: str) -> tuple[str, str | None]:
    """'field=value' -> (field, value); an empty value clears the field. ValueError names the fields allowed."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or name not in CORRECTABLE:
        raise ValueError(f"--set takes field=value with a field among {', '.join(CORRECTABLE)} (got {text!r})")
    value = value.strip()
    kind = CORRECTABLE[name]
    try:
        if value and kind == "DOUBLE":
            float(value.replace(",", "").replace("_", ""))
            value = value.replace(",", "").replace("_", "")
        elif value and kind == "DATE":
            date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--set {name}: {value!r} is not a {'number' if kind == 'DOUBLE' else 'date (YYYY-MM-DD)'}"
                         ) from None
    return name, value


def record_decision(path: Path | str, deal_id: str, action: str, *, settings: list[tuple[str, str]] = (),
                    note: str | None = None, reviewer: str) -> list[dict]:
    """Store a decision on the deal (action: accept, reject or set, one row per field set); returns the rows."""
    if action not in ("accept", "reject", "set"):
        raise ValueError(f"unknown review action {action!r}: use accept, reject or set")
    if action == "set" and not settings:
        raise ValueError("--set needs at least one field=value")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    items = settings if action == "set" else [(None, None)]
    rows = [{"correction_id": short_hash(deal_id, action, name or "", now.isoformat(), str(i)), "deal_id": deal_id,
             "action": action, "field": name, "value": value, "note": note, "reviewer": reviewer,
             "decided_at": now} for i, (name, value) in enumerate(items)]
    with open_warehouse(path) as engine:
        init_warehouse(engine)  # an older file gains the corrections table (schema v6)
        with engine.begin() as conn:
            known = conn.execute(sa.text("SELECT count(*) FROM deals WHERE deal_id = :d"), {"d": deal_id}).scalar()
            if not known:
                raise WarehouseError(f"no deal with id {deal_id!r} in {path}")
            conn.execute(sa.insert(Correction), rows)
    return rows


def corrections_of(path: Path | str, deal_id: str) -> list[dict]:
    """The deal's decisions, oldest first."""
    columns, rows = run_sql(path, "SELECT action, field, value, note, reviewer, decided_at FROM corrections "
                                  "WHERE deal_id = ? ORDER BY decided_at, correction_id", [deal_id])
    return [dict(zip(columns, r)) for r in rows]
