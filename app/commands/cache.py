"""`strikedesk cache stats|clear|invalidate`: the analytics caches, from a terminal.

The caches live inside each StrikeDesk process (the window, a recorder), so a command cannot
read or empty them directly. What it can honestly do:
- `stats` measures a cache in this process: it warms the analytics of a tournament (what the
  window computes when the tournament is selected), reads them again, and reports per tier;
- `clear` and `invalidate` leave a request in the data folder that every running StrikeDesk on
  that folder applies within about a second (see app/analytics/control.py).
"""

from __future__ import annotations

import argparse
import time
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
    from app.analytics.caches import CacheStats
    from app.store.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cache",
        help="analytics cache statistics, and clearing the caches of running StrikeDesks",
        description=(
            "Analytics caches live inside each running StrikeDesk. 'stats' measures one in "
            "this process; 'clear' and 'invalidate' ask the running window or recorder on the "
            "same data folder to drop cached analytics (applied within about a second)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    stats = actions.add_parser(
        "stats",
        help="warm a cache in this process and report hits, misses, sizes per tier",
        description=(
            "This command cannot see the window's cache (it lives in the window's process). "
            "It builds the same cache here, warms it with the analytics the window computes "
            "when a tournament is selected (the tournament, its days, its latest matches and "
            "their athletes), reads them all again, and prints each tier's statistics and "
            "both timings: what the cache saves on this database."
        ),
    )
    stats.add_argument(
        "--tournament",
        type=int,
        metavar="ID",
        help="tournament to warm (default: those with an active day, else the latest)",
    )
    stats.add_argument(
        "--policy", choices=("lru", "lfu", "ttl"), default="ttl", help="eviction policy"
    )
    add_json_flag(stats)
    stats.set_defaults(handler=store_handler("cache stats", _stats))

    clear = actions.add_parser(
        "clear",
        help="ask running StrikeDesks to drop all cached analytics",
        description="Leaves a request in the data folder; every StrikeDesk running on it drops "
        "its cached analytics within about a second. Nothing recorded is touched.",
    )
    clear.set_defaults(handler=store_handler("cache clear", _clear))

    invalidate = actions.add_parser(
        "invalidate",
        help="ask running StrikeDesks to drop the analytics of a tournament or match",
        description="Leaves a request in the data folder; every StrikeDesk running on it drops "
        "the cached analytics of that tournament (everything in it) or of every match with "
        "that number, within about a second.",
    )
    which = invalidate.add_mutually_exclusive_group(required=True)
    which.add_argument("--tournament", type=int, metavar="ID")
    which.add_argument("--match", metavar="MATCH_NUMBER")
    invalidate.set_defaults(handler=store_handler("cache invalidate", _invalidate))


def _tournaments_to_warm(db: Database, chosen: int | None) -> list[int]:
    from app.store.repositories import Days, Tournaments

    with db.session() as session:
        tournaments = Tournaments(session)
        if chosen is not None:
            return [tournaments.get(chosen).id]
        every = tournaments.all()
        days = Days(session)
        active = [t.id for t in every if days.active(t.id) is not None]
    if active:
        return active
    if not every:
        raise UsageError("there is no tournament to warm the cache with")
    return [max(t.id for t in every)]


def _stats(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.service import AnalyticsService
    from app.analytics.settings import AnalyticsSettings, EvictionPolicy

    tournaments = _tournaments_to_warm(db, args.tournament)
    service = AnalyticsService(db, AnalyticsSettings(policy=EvictionPolicy(args.policy)))
    cold = warm = 0.0
    computed = 0
    for tournament_id in tournaments:
        started = time.perf_counter()
        report = service.warm_up(tournament_id)
        cold += time.perf_counter() - started
        computed += report.computed + report.cached
        started = time.perf_counter()
        service.warm_up(tournament_id)
        warm += time.perf_counter() - started
    stats = service.stats()
    if args.json:
        return emit_json(
            {
                "process": "this command (the window's cache lives in the window)",
                "tournaments": tournaments,
                "analytics": computed,
                "cold_ms": round(cold * 1000, 2),
                "cached_ms": round(warm * 1000, 2),
                **_stats_json(stats),
            }
        )
    print(
        f"warmed {computed} analytics of tournament(s) {', '.join(map(str, tournaments))} "
        f"in this process: {cold * 1000:.1f} ms from the database, {warm * 1000:.2f} ms "
        "again from the cache"
    )
    return emit_table(
        ("TIER", "POLICY", "TTL S", "SIZE", "MAX", "HITS", "MISSES", "HIT RATE", "EVICTED",
         "EXPIRED", "INVALIDATED"),
        [
            (
                tier.tier.value,
                tier.policy.value,
                f"{tier.ttl_seconds:g}",
                tier.size,
                tier.max_entries,
                tier.hits,
                tier.misses,
                "-" if tier.hit_rate is None else f"{tier.hit_rate:.0%}",
                tier.evictions,
                tier.expirations,
                tier.invalidations,
            )
            for tier in stats.tiers
        ],
        "no caches",
    )  # fmt: skip


def _stats_json(stats: CacheStats) -> dict[str, Any]:
    return {
        "hits": stats.hits,
        "misses": stats.misses,
        "hit_rate": stats.hit_rate,
        "invalidation_requests": stats.invalidation_requests,
        "discarded": stats.discarded,
        "stale_served": stats.stale_served,
        "tiers": [
            {
                "tier": tier.tier.value,
                "policy": tier.policy.value,
                "ttl_seconds": tier.ttl_seconds,
                "size": tier.size,
                "max_entries": tier.max_entries,
                "hits": tier.hits,
                "misses": tier.misses,
                "hit_rate": tier.hit_rate,
                "evictions": tier.evictions,
                "expirations": tier.expirations,
                "invalidations": tier.invalidations,
            }
            for tier in stats.tiers
        ],
    }


def _clear(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.service import request_clear

    request_clear(db.paths.root)
    print(
        f"asked every StrikeDesk running on {db.paths.root} to drop its cached analytics "
        "(applied within about a second)"
    )
    return EXIT_OK


def _invalidate(db: Database, args: argparse.Namespace) -> int:
    from app.analytics.service import request_invalidate
    from app.store.repositories import Tournaments
    from app.store.summaries import recorded_matches

    with db.session() as session:
        if args.tournament is not None:
            name = Tournaments(session).get(args.tournament).name
            request_invalidate(db.paths.root, tournament_ids=[args.tournament])
            what = f"tournament {args.tournament} ({name})"
        else:
            ids = [m.id for m in recorded_matches(session, match_number=args.match)]
            if not ids:
                raise UsageError(f"no recorded match {args.match!r}")
            request_invalidate(db.paths.root, match_ids=ids)
            what = f"match {args.match}" + (f" ({len(ids)} recordings)" if len(ids) > 1 else "")
    print(
        f"asked every StrikeDesk running on {db.paths.root} to drop the cached analytics of "
        f"{what} (applied within about a second)"
    )
    return EXIT_OK
