"""`strikedesk analytics match|athlete|tournament|history`: the analytics views as text or JSON.

The same AnalyticsService the window uses, run once in this process (its caches start empty).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import (
    UsageError,
    add_json_flag,
    emit_json,
    emit_table,
    help_handler,
    store_handler,
)

if TYPE_CHECKING:
    from app.analytics.athlete import AthleteAnalytics
    from app.analytics.figures import TechniqueCounts
    from app.analytics.match import MatchAnalytics
    from app.analytics.service import AnalyticsService
    from app.analytics.tournament import TournamentAnalytics
    from app.store.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "analytics",
        help="match, athlete and tournament analytics, and their history",
        description=(
            "Points by technique, penalties, hit levels, video reviews, durations, decision "
            "methods and more, computed from the recorded events."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    match = actions.add_parser(
        "match",
        help="one match: points per side and round, timeline, hits, reviews",
        description="Every recorded match with this number (a number may recur across "
        "tournaments; --tournament picks one).",
    )
    match.add_argument("match_number", metavar="MATCH_NUMBER")
    match.add_argument("--tournament", type=int, metavar="ID")
    add_json_flag(match)
    match.set_defaults(handler=store_handler("analytics match", _match))

    athlete = actions.add_parser(
        "athlete",
        help="one athlete: results, points scored and conceded, hits, penalties",
        description="An athlete by long or short name (any case), within a tournament or over "
        "all recorded data.",
    )
    athlete.add_argument("name", metavar="NAME")
    athlete.add_argument("--noc", help="the athlete's NOC, when several share the name")
    athlete.add_argument("--tournament", type=int, metavar="ID", help="default: all data")
    add_json_flag(athlete)
    athlete.set_defaults(handler=store_handler("analytics athlete", _athlete))

    tournament = actions.add_parser(
        "tournament",
        help="a tournament or one of its days: matches, events, points, decisions, NOCs",
    )
    tournament.add_argument("tournament_id", metavar="ID", type=int)
    tournament.add_argument("--day", type=int, metavar="N", help="one day of it")
    add_json_flag(tournament)
    tournament.set_defaults(handler=store_handler("analytics tournament", _tournament))

    history = actions.add_parser(
        "history",
        help="the stored snapshots of a tournament's analytics",
        description="Tournament and day analytics as they stood at each snapshot (taken every "
        "few minutes while the window records, and when a day ends).",
    )
    history.add_argument("tournament_id", metavar="TOURNAMENT_ID", type=int)
    add_json_flag(history)
    history.set_defaults(handler=store_handler("analytics history", _history))


# --- actions --------------------------------------------------------------------------------------
def _service(db: Database) -> AnalyticsService:
    from app.analytics.service import AnalyticsService

    return AnalyticsService(db)


def _match(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.serialize import to_json

    service = _service(db)
    matches = service.find_matches(args.match_number, args.tournament)
    if not matches:
        where = f" in tournament {args.tournament}" if args.tournament is not None else ""
        raise UsageError(f"no recorded match {args.match_number!r}{where}")
    results = [service.match(match.id).value for match in matches]
    if args.json:
        return emit_json([to_json(result) for result in results])
    print("\n\n".join(format_match(result) for result in results))
    return EXIT_OK


def _athlete(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.serialize import to_json

    service = _service(db)
    found = service.find_athletes(args.name, args.noc)
    if not found:
        raise UsageError(f"no athlete named {args.name!r}" + (f" ({args.noc})" if args.noc else ""))
    if len(found) > 1:
        names = ", ".join(athlete.label for athlete in found)
        raise UsageError(f"several athletes are named {args.name!r}: {names}; add --noc")
    if args.tournament is not None:
        _tournament_name(db, args.tournament)  # refuses an unknown tournament with exit 2
    result = service.athlete(found[0].id, args.tournament).value
    if args.json:
        return emit_json(to_json(result))
    print(format_athlete(result, _scope_label(db, args.tournament)))
    return EXIT_OK


def _tournament(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.serialize import to_json

    service = _service(db)
    _tournament_name(db, args.tournament_id)
    if args.day is None:
        result = service.tournament(args.tournament_id).value
    else:
        result = service.day(service.day_id(args.tournament_id, args.day)).value
    if args.json:
        return emit_json(to_json(result))
    print(format_tournament(result))
    return EXIT_OK


def _history(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.serialize import to_json

    records = _service(db).history(args.tournament_id)
    if args.json:
        return emit_json(
            [
                {
                    "id": record.id,
                    "kind": record.kind.value,
                    "key": record.key,
                    "taken_at": record.taken_at,
                    "reason": record.reason,
                    "analytics": to_json(record.analytics),
                }
                for record in records
            ]
        )
    rows = [
        (
            record.taken_at,
            record.analytics.scope.day_number or "all",
            record.reason,
            record.analytics.matches,
            record.analytics.events,
            record.analytics.points.points,
            _duration(record.analytics.average_match_seconds),
        )
        for record in records
    ]
    headers = ("TAKEN (UTC)", "DAY", "REASON", "MATCHES", "EVENTS", "POINTS", "AVG MATCH")
    return emit_table(headers, rows, f"no analytics snapshots of tournament {args.tournament_id}")


def _tournament_name(db: Database, tournament_id: int) -> str:
    from app.store.repositories import Tournaments

    with db.session() as session:
        return Tournaments(session).get(tournament_id).name


def _scope_label(db: Database, tournament_id: int | None) -> str:
    if tournament_id is None:
        return "all recorded data"
    return f"tournament {tournament_id} ({_tournament_name(db, tournament_id)})"


# --- text forms -----------------------------------------------------------------------------------
def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _techniques(counts: TechniqueCounts) -> str:
    from app.analytics.figures import TECHNIQUES

    parts = [
        f"{t.label.replace('_', ' ')} {counts.count(t)}" for t in TECHNIQUES if counts.count(t)
    ]
    return f"{counts.points} points" + (f" ({', '.join(parts)})" if parts else "")


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]  # fmt: skip


def format_match(analytics: MatchAnalytics) -> str:
    from app.analytics.figures import TECHNIQUES

    result = analytics.winner or analytics.status.value
    head = [
        f"match {analytics.match_number or '-'} (id {analytics.match_id})  "
        f"{analytics.category or '-'}  {analytics.phase or '-'}  {analytics.status.value}  "
        f"winner {result}  {analytics.decision or '-'}",
        f"duration {_duration(analytics.duration_seconds)}  fight time "
        f"{_duration(analytics.fight_seconds)}  events {analytics.events}",
        "",
    ]
    blue, red = analytics.blue, analytics.red
    rows = [
        ("", "BLUE", "RED"),
        ("athlete", *(s.athlete.label if s.athlete else "-" for s in (blue, red))),
        ("score", str(blue.stated), str(red.stated)),
        *(
            (t.label.replace("_", " "), *(str(s.techniques.count(t)) for s in (blue, red)))
            for t in TECHNIQUES
        ),
        ("technique points", str(blue.techniques.points), str(red.techniques.points)),
        ("gam-jeoms", str(blue.penalties), str(red.penalties)),
        ("penalty points", str(blue.penalty_points), str(red.penalty_points)),
        ("rounds won", str(blue.rounds_won), str(red.rounds_won)),
        ("hits", str(blue.hits.count), str(red.hits.count)),
        ("mean hit level", _number(blue.hits.mean), _number(red.hits.mean)),
        *(
            (label, *(str(getattr(s.reviews, field)) for s in (blue, red)))
            for label, field in (("reviews asked", "requested"), ("reviews won", "won"))
        ),
    ]
    rounds = [("round", "score", "fight time")]
    rounds += [
        (
            str(r.number),
            f"{r.blue.stated if r.blue.stated is not None else '-'}-"
            f"{r.red.stated if r.red.stated is not None else '-'}",
            _duration(r.fight_seconds),
        )
        for r in analytics.rounds
    ]
    tail = [
        "",
        *_columns(rounds),
        "",
        f"timeline: {len(analytics.timeline)} changes (--json lists them)",
    ]
    tail += [f"warning: {text}" for text in analytics.warnings]
    return "\n".join([*head, *_columns(rows), *tail])


def format_athlete(analytics: AthleteAnalytics, scope: str) -> str:
    return "\n".join(
        [
            f"{analytics.athlete.label}, {scope}",
            f"matches {analytics.matches}: {analytics.wins} won, {analytics.losses} lost, "
            f"{analytics.ties} tied, {analytics.undecided} without result",
            f"scored    {_techniques(analytics.scored)}",
            f"conceded  {_techniques(analytics.conceded)}",
            f"head-kick share {_share(analytics.head_kick_share)}  hits {analytics.hits} "
            f"(mean level {_number(analytics.average_hit_level)})  gam-jeoms "
            f"{analytics.penalties} ({_number(analytics.penalties_per_match)} per match)",
        ]
    )


def format_tournament(analytics: TournamentAnalytics) -> str:
    from app.analytics.figures import TECHNIQUES

    def listing(pairs: tuple[tuple[str, int], ...]) -> str:
        return ", ".join(f"{name} {count}" for name, count in pairs) or "-"

    points = analytics.points
    lines = [
        f"{analytics.scope.label} (tournament {analytics.scope.tournament_id})",
        f"matches {analytics.matches} ({analytics.finished} finished, {analytics.abandoned} "
        f"abandoned, {analytics.running} running), {analytics.not_started} loaded, not started",
        f"events {analytics.events}  average match {_duration(analytics.average_match_seconds)}",
        f"points {points.points} from {points.actions} scoring actions:",
        *(
            f"  {t.label.replace('_', ' '):<13} {points.count(t):>6} x{t.value} = "
            f"{points.points_of(t)}"
            for t in TECHNIQUES
        ),
        f"decision methods  {listing(analytics.decision_methods)}",
        f"wins per NOC      {listing(analytics.wins_per_noc)}",
        f"events per court  {listing(analytics.events_per_court)}",
    ]
    return "\n".join(lines)
