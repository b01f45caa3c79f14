"""Settings of the analytics caches and history, one typed object passed to AnalyticsService.

Tiers by volatility (how soon a value may change without StrikeDesk seeing the commit, e.g.
when another program writes to a shared database): live data 5 s, recent data 5 minutes,
finished matches 1 hour, finished days 24 hours. Committed batches of this process invalidate
the touched keys at once, whatever the tier. The eviction policy decides which entry leaves a
full tier: least recently used (LRU), least frequently used (LFU), or TTL — cachetools'
TTLCache, which also drops expired entries eagerly to make room (then least recently used).
Whatever the policy, an entry is never served after its tier's time to live.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Tier(enum.StrEnum):
    LIVE = "live"  # a running match, an active day or tournament, recording performance
    RECENT = "recent"  # athletes, days not started or just ended, matches just finished
    FINISHED_MATCH = "finished_match"  # finished or abandoned matches
    FINISHED_DAY = "finished_day"  # completed days and tournaments


class EvictionPolicy(enum.StrEnum):
    LRU = "lru"
    LFU = "lfu"
    TTL = "ttl"


@dataclass(frozen=True, slots=True)
class TierSettings:
    ttl_seconds: float
    max_entries: int

    def __post_init__(self) -> None:
        if self.ttl_seconds <= 0:
            raise ValueError(
                f"a cache tier's time to live must be positive, not {self.ttl_seconds}"
            )
        if self.max_entries < 1:
            raise ValueError(f"a cache tier holds at least one entry, not {self.max_entries}")


def _default_tiers() -> dict[Tier, TierSettings]:
    return {
        Tier.LIVE: TierSettings(5.0, 256),
        Tier.RECENT: TierSettings(300.0, 1024),
        Tier.FINISHED_MATCH: TierSettings(3600.0, 2048),
        Tier.FINISHED_DAY: TierSettings(86400.0, 256),
    }


@dataclass(frozen=True, slots=True)
class AnalyticsSettings:
    policy: EvictionPolicy = EvictionPolicy.TTL
    tiers: dict[Tier, TierSettings] = field(default_factory=_default_tiers)
    #: a finished match counts as recent (corrections to `wmh` still come) this long
    recent_seconds: float = 300.0
    #: a tournament snapshot is due when the last one is older than this (0: never)
    snapshot_minutes: float = 15.0
    #: warm-up computes the tournament, its days, and this many latest matches and their athletes
    warm_matches: int = 20
    #: how often the service looks for `strikedesk cache clear/invalidate` requests
    control_poll_seconds: float = 1.0

    def __post_init__(self) -> None:
        missing = set(Tier) - set(self.tiers)
        if missing:
            raise ValueError(f"no settings for cache tiers {sorted(missing)}")
        if self.snapshot_minutes < 0 or self.warm_matches < 0 or self.recent_seconds < 0:
            raise ValueError("snapshot minutes, warm-up matches and recent seconds are >= 0")

    def tier(self, tier: Tier) -> TierSettings:
        return self.tiers[tier]
