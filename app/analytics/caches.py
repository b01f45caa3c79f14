"""The analytics caches: one cachetools cache per volatility tier, tag-based invalidation,
statistics, and the last good value of every key for when the database cannot answer.

Entries carry tags (`("match", 12)`, `("tournament", 3)`, `("athlete", name, noc)`, ...); a
committed batch, an operator's request or a warm-up drops exactly the entries sharing a tag
with it. A value computed while a batch touching it was committed is returned to its caller but
not cached (it may predate the batch): every invalidation gets an epoch, and `put` checks the
invalidations since the epoch its computation started in.

Thread-safe: the GUI's jobs read from worker threads while the writer thread invalidates. The
lock is held only for dictionary work, never while computing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import Cache, LFUCache, LRUCache, TTLCache

from app.analytics.settings import AnalyticsSettings, EvictionPolicy, Tier, TierSettings

Key = tuple[Hashable, ...]
Tag = tuple[Hashable, ...]
Timer = Callable[[], float]

#: Invalidations remembered for `put` to check against; a computation outlasting more
#: commits than this is simply not cached.
EPOCH_LOG = 1024


@dataclass(frozen=True, slots=True)
class Entry:
    value: Any
    tier: Tier
    tags: frozenset[Tag]
    computed_at: datetime  # wall clock, UTC: shown as "as of"
    expires_at: float  # cache timer


@dataclass(frozen=True, slots=True)
class TierStats:
    """One tier's cache: what the statistics panel shows."""

    tier: Tier
    policy: EvictionPolicy
    ttl_seconds: float
    max_entries: int
    size: int
    hits: int
    misses: int
    evictions: int  # dropped to make room
    expirations: int  # dropped because their time to live was over
    invalidations: int  # dropped because a commit or an operator touched them

    @property
    def hit_rate(self) -> float | None:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None


@dataclass(frozen=True, slots=True)
class CacheStats:
    tiers: tuple[TierStats, ...]
    invalidation_requests: int  # batches, operator requests and clears
    discarded: int  # values computed while a commit touched them: returned, not cached
    stale_served: int  # last good values served because the database failed
    fallback_entries: int  # last good values kept for that

    @property
    def hits(self) -> int:
        return sum(tier.hits for tier in self.tiers)

    @property
    def misses(self) -> int:
        return sum(tier.misses for tier in self.tiers)

    @property
    def hit_rate(self) -> float | None:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None

    def tier(self, tier: Tier) -> TierStats:
        return next(stats for stats in self.tiers if stats.tier is tier)


class _Counters:
    __slots__ = ("evictions", "expirations", "hits", "invalidations", "misses")

    def __init__(self) -> None:
        self.hits = self.misses = self.evictions = self.expirations = self.invalidations = 0


Removed = Callable[[Key, Entry], None]


class _Evicting(Cache[Key, Entry]):
    """Tells the tiered cache about each entry dropped to make room (cachetools evicts through
    `popitem`, the documented place to hook in)."""

    evicted: Removed

    def popitem(self) -> tuple[Key, Entry]:
        key, entry = super().popitem()
        self.evicted(key, entry)
        return key, entry


class _LRU(_Evicting, LRUCache[Key, Entry]):
    pass


class _LFU(_Evicting, LFUCache[Key, Entry]):
    pass


class _TTL(_Evicting, TTLCache[Key, Entry, float]):
    expired: Removed

    def expire(self, time: float | None = None) -> list[tuple[Key, Entry]]:
        expired = super().expire(time)
        for key, entry in expired:
            self.expired(key, entry)
        return expired


class TieredCache:
    """Four caches (one per Tier) behind one lock, with a tag index over all of them."""

    def __init__(self, settings: AnalyticsSettings, timer: Timer = time.monotonic) -> None:
        self.settings = settings
        self._timer = timer
        self._lock = threading.Lock()
        self._counters = {tier: _Counters() for tier in Tier}
        self._caches: dict[Tier, Cache[Key, Entry]] = {
            tier: self._build(tier, settings.tier(tier)) for tier in Tier
        }
        self._index: dict[Tag, set[Key]] = {}
        total = sum(settings.tier(tier).max_entries for tier in Tier)
        self._fallback: LRUCache[Key, Entry] = LRUCache(total)
        self._epoch = 0
        self._log: deque[tuple[int, frozenset[Tag] | None]] = deque(maxlen=EPOCH_LOG)
        self._requests = 0
        self._discarded = 0
        self._stale_served = 0

    def _build(self, tier: Tier, tier_settings: TierSettings) -> Cache[Key, Entry]:
        counters = self._counters[tier]

        def evicted(key: Key, entry: Entry) -> None:
            counters.evictions += 1
            self._unindex(key, entry)

        def expired(key: Key, entry: Entry) -> None:
            counters.expirations += 1
            self._unindex(key, entry)

        size = tier_settings.max_entries
        policy = self.settings.policy
        cache: _Evicting
        if policy is EvictionPolicy.TTL:
            timed = _TTL(size, tier_settings.ttl_seconds, self._timer)
            timed.expired = expired
            cache = timed
        elif policy is EvictionPolicy.LFU:
            cache = _LFU(size)
        else:
            cache = _LRU(size)
        cache.evicted = evicted
        return cache

    # --- reading and writing -----------------------------------------------------------------
    def get(self, key: Key) -> Entry | None:
        """The fresh cached entry for `key` (a hit), or None."""
        with self._lock:
            now = self._timer()
            for tier, cache in self._caches.items():
                entry = cache.get(key)
                if entry is None:
                    continue
                if now >= entry.expires_at:  # LRU/LFU keep entries until asked
                    del cache[key]
                    self._counters[tier].expirations += 1
                    self._unindex(key, entry)
                    return None
                self._counters[tier].hits += 1
                return entry
            return None

    def epoch(self) -> int:
        """Take before reading the database for a value, hand to `put` with it."""
        with self._lock:
            return self._epoch

    def put(
        self,
        key: Key,
        value: Any,
        tier: Tier,
        tags: Iterable[Tag],
        since: int,
        computed_at: datetime,
    ) -> Entry:
        """Count a miss in `tier` and cache the value, unless something it depends on was
        invalidated since epoch `since`. Returns the entry (cached or not)."""
        entry = Entry(
            value,
            tier,
            frozenset(tags),
            computed_at,
            self._timer() + self.settings.tier(tier).ttl_seconds,
        )
        with self._lock:
            self._counters[tier].misses += 1
            self._fallback[key] = entry
            if self._touched_since(since, entry.tags):
                self._discarded += 1
                return entry
            self._remove(key)
            self._caches[tier][key] = entry
            for tag in entry.tags:
                self._index.setdefault(tag, set()).add(key)
        return entry

    def fallback(self, key: Key) -> Entry | None:
        """The last value computed for `key`, however old (for a failing database); counts
        as a stale value served."""
        with self._lock:
            entry = self._fallback.get(key)
            if entry is not None:
                self._stale_served += 1
            return entry

    # --- invalidation --------------------------------------------------------------------------
    def invalidate(self, tags: Collection[Tag]) -> int:
        """Drop every entry sharing a tag with `tags`; returns how many were dropped."""
        wanted = frozenset(tags)
        with self._lock:
            self._epoch += 1
            self._log.append((self._epoch, wanted))
            self._requests += 1
            keys: set[Key] = set()
            for tag in wanted:
                keys |= self._index.get(tag, set())
            for key in keys:
                self._remove(key, invalidated=True)
            return len(keys)

    def clear(self) -> int:
        with self._lock:
            self._epoch += 1
            self._log.append((self._epoch, None))  # None: everything
            self._requests += 1
            dropped = 0
            for tier, cache in self._caches.items():
                count = len(cache)
                self._counters[tier].invalidations += count
                dropped += count
                cache.clear()
            self._index.clear()
            return dropped

    # --- statistics ----------------------------------------------------------------------------
    def stats(self) -> CacheStats:
        with self._lock:
            tiers = []
            for tier, cache in self._caches.items():
                counters = self._counters[tier]
                settings = self.settings.tier(tier)
                tiers.append(
                    TierStats(
                        tier=tier,
                        policy=self.settings.policy,
                        ttl_seconds=settings.ttl_seconds,
                        max_entries=settings.max_entries,
                        size=len(cache),
                        hits=counters.hits,
                        misses=counters.misses,
                        evictions=counters.evictions,
                        expirations=counters.expirations,
                        invalidations=counters.invalidations,
                    )
                )
            return CacheStats(
                tiers=tuple(tiers),
                invalidation_requests=self._requests,
                discarded=self._discarded,
                stale_served=self._stale_served,
                fallback_entries=len(self._fallback),
            )

    # --- internals (lock held) ---------------------------------------------------------------
    def _touched_since(self, since: int, tags: frozenset[Tag]) -> bool:
        if since >= self._epoch:
            return False
        if not self._log or self._log[0][0] > since + 1:
            return True  # the log no longer reaches back that far: assume the worst
        for epoch, touched in self._log:
            if epoch > since and (touched is None or not touched.isdisjoint(tags)):
                return True
        return False

    def _remove(self, key: Key, *, invalidated: bool = False) -> None:
        for tier, cache in self._caches.items():
            entry = cache.pop(key, None)  # an expired TTLCache entry stays for its expire()
            if entry is None:
                continue
            if invalidated:
                self._counters[tier].invalidations += 1
            self._unindex(key, entry)

    def _unindex(self, key: Key, entry: Entry) -> None:
        for tag in entry.tags:
            keys = self._index.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._index[tag]
