"""JSON forms of the analytics results: for `--json` output and the stored history snapshots.

`to_json` turns any result into JSON-ready data: dataclasses become objects (a class may shape
its own with a `to_json()` method), enums their values, tuples lists, and fields holding ranked
`(name, count)` pairs (annotated `RANKING`) objects in rank order. `tournament_from_json` reads
a stored snapshot back.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from app.analytics.figures import HitLevels, TechniqueCounts
from app.analytics.tournament import Scope, TournamentAnalytics

#: The annotation of a ranked list of (name, count) pairs; written as a JSON object in order.
RANKING = "tuple[tuple[str, int], ...]"


def to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    shaped = getattr(value, "to_json", None)
    if shaped is not None and dataclasses.is_dataclass(value):
        return shaped()
    if isinstance(value, HitLevels):
        return {**_fields(value), "mean": value.mean}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return value


def _fields(value: Any) -> dict[str, Any]:
    data = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        data[field.name] = dict(item) if field.type == RANKING else to_json(item)
    return data


def _ranking(data: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((str(name), int(count)) for name, count in data.items())


def tournament_from_json(data: dict[str, Any]) -> TournamentAnalytics:
    """The inverse of `to_json` for a TournamentAnalytics (a stored snapshot)."""
    scope = data["scope"]
    return TournamentAnalytics(
        scope=Scope(
            tournament_id=int(scope["tournament_id"]),
            tournament_name=str(scope["tournament_name"]),
            day_id=scope.get("day_id"),
            day_number=scope.get("day_number"),
        ),
        matches=int(data["matches"]),
        finished=int(data["finished"]),
        abandoned=int(data["abandoned"]),
        running=int(data["running"]),
        not_started=int(data["not_started"]),
        events=int(data["events"]),
        points=TechniqueCounts.from_json(data["points"]),
        points_blue=TechniqueCounts.from_json(data["points_blue"]),
        points_red=TechniqueCounts.from_json(data["points_red"]),
        average_match_seconds=data.get("average_match_seconds"),
        decision_methods=_ranking(data.get("decision_methods") or {}),
        wins_per_noc=_ranking(data.get("wins_per_noc") or {}),
        events_per_court=_ranking(data.get("events_per_court") or {}),
    )
