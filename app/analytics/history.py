"""Analytics history: tournament (and day) analytics stored in `analytics_snapshots` every few
minutes and at the end of each day, so their evolution can be read later — also after the
events themselves were archived out of the live database.

A snapshot row holds `{"reason": ..., "analytics": <TournamentAnalytics as JSON>}`; kind
"tournament" is keyed by the tournament id, kind "day" by "<tournament id>:<day id>".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from app.analytics.serialize import to_json, tournament_from_json
from app.analytics.tournament import TournamentAnalytics
from app.store.models import AnalyticsSnapshot


class SnapshotKind(enum.StrEnum):
    TOURNAMENT = "tournament"
    DAY = "day"


class SnapshotReason(enum.StrEnum):
    INTERVAL = "interval"  # the periodic snapshot
    DAY_END = "day_end"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    id: int
    kind: SnapshotKind
    key: str
    taken_at: datetime
    reason: str
    analytics: TournamentAnalytics


def snapshot_key(analytics: TournamentAnalytics) -> tuple[SnapshotKind, str]:
    scope = analytics.scope
    if scope.day_id is None:
        return SnapshotKind.TOURNAMENT, str(scope.tournament_id)
    return SnapshotKind.DAY, f"{scope.tournament_id}:{scope.day_id}"


def save_snapshot(
    session: Session, analytics: TournamentAnalytics, reason: SnapshotReason, taken_at: datetime
) -> SnapshotRecord:
    kind, key = snapshot_key(analytics)
    row = AnalyticsSnapshot(
        kind=kind.value,
        key=key,
        taken_at=taken_at,
        data={"reason": reason.value, "analytics": to_json(analytics)},
    )
    session.add(row)
    session.flush()
    return SnapshotRecord(row.id, kind, key, taken_at, reason.value, analytics)


def load_history(conn: Connection, tournament_id: int) -> list[SnapshotRecord]:
    """Every snapshot of the tournament and of its days, oldest first."""
    prefix = f"{tournament_id}:"
    query = (
        select(
            AnalyticsSnapshot.id,
            AnalyticsSnapshot.kind,
            AnalyticsSnapshot.key,
            AnalyticsSnapshot.taken_at,
            AnalyticsSnapshot.data,
        )
        .where(
            or_(
                (AnalyticsSnapshot.kind == SnapshotKind.TOURNAMENT.value)
                & (AnalyticsSnapshot.key == str(tournament_id)),
                # A key range instead of LIKE, so the (kind, key, taken_at) index is used.
                (AnalyticsSnapshot.kind == SnapshotKind.DAY.value)
                & (AnalyticsSnapshot.key >= prefix)
                & (AnalyticsSnapshot.key < f"{tournament_id};"),
            )
        )
        .order_by(AnalyticsSnapshot.taken_at, AnalyticsSnapshot.id)
    )
    records = []
    for row in conn.execute(query):
        data = row.data if isinstance(row.data, dict) else {}
        if "analytics" not in data:
            continue  # not written by this module
        records.append(
            SnapshotRecord(
                row.id,
                SnapshotKind(row.kind),
                row.key,
                row.taken_at,
                str(data.get("reason", "")),
                tournament_from_json(data["analytics"]),
            )
        )
    return records
