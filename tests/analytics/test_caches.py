"""The analytics caches with cachetools' timer injected: hits and misses, invalidation by
committed batches, expiry per tier, eviction per policy, statistics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.analytics.caches import TieredCache
from app.analytics.service import AnalyticsService
from app.analytics.settings import AnalyticsSettings, EvictionPolicy, Tier, TierSettings
from app.ingest.feed import CommittedBatch
from app.store.database import Database
from tests.analytics.conftest import FakeTimer
from tests.analytics.recording import Recording, SampleRecorder

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def batch(match_ids: tuple[int, ...], days: tuple[tuple[int, int], ...]) -> CommittedBatch:
    return CommittedBatch((), len(match_ids), {}, match_ids, days, 0.001)


def ids(service: AnalyticsService, recording: Recording) -> tuple[int, int, int]:
    """(match id of the 1945 final in Open, of the 7894 semifinal, the tournament Open)."""
    open_id = recording.tournaments["Open"]
    [final] = service.find_matches("1945", open_id)
    [semifinal] = service.find_matches("7894", open_id)
    return final.id, semifinal.id, open_id


def test_a_miss_then_a_hit(service: AnalyticsService, recorded: Recording) -> None:
    final, _, _ = ids(service, recorded)
    first = service.match(final)
    second = service.match(final)
    assert (first.cached, second.cached) == (False, True)
    assert second.value is first.value and second.computed_at == first.computed_at
    stats = service.stats()
    tier = stats.tier(first.tier)
    assert (tier.misses, tier.hits, tier.size, tier.hit_rate) == (1, 1, 1, 0.5)
    assert first.tier is Tier.FINISHED_MATCH  # finished long before the wall clock's now
    assert (stats.hits, stats.misses) == (1, 1)


def test_a_commit_in_match_a_drops_a_and_its_scopes_not_b(
    service: AnalyticsService, recorded: Recording
) -> None:
    a, b, tournament = ids(service, recorded)
    [blue_a] = service.find_athletes("Mikhail Kalashnikov")
    [blue_b] = service.find_athletes("Marko Drakulić")
    for call in (
        lambda: service.match(a),
        lambda: service.match(b),
        lambda: service.tournament(tournament),
        lambda: service.athlete(blue_a.id, tournament),
        lambda: service.athlete(blue_b.id, tournament),
    ):
        assert not call().cached
    day = recorded.days["Open"]

    service.on_committed(batch((a,), ((tournament, day),)))

    assert not service.match(a).cached
    assert service.match(b).cached
    assert not service.tournament(tournament).cached
    assert not service.athlete(blue_a.id, tournament).cached
    assert service.athlete(blue_b.id, tournament).cached
    assert sum(t.invalidations for t in service.stats().tiers) == 3


def test_a_live_commit_from_the_writer_invalidates_its_match(
    db: Database, recorded: Recording, timer: FakeTimer
) -> None:
    # The real pipeline: the service subscribed to a writer's distributor; the writer resumes
    # the court's last match (the "Cup" final) and commits one more red head kick.
    service = AnalyticsService(db, timer=timer)
    [current] = service.find_matches("1945", recorded.tournaments["Cup"])
    [other] = service.find_matches("1945", recorded.tournaments["Open"])
    before = service.match(current.id).value
    service.match(other.id)
    recorder = SampleRecorder(db, recorded.court_id, [service.on_committed], resume=True)
    try:
        recorder.context(recorded.tournaments["Cup"], recorded.days["Cup"])
        recorder.send("pt2;3")
    finally:
        recorder.close()
    after = service.match(current.id)
    assert not after.cached
    assert after.value.red.techniques.points == before.red.techniques.points + 3
    assert service.match(other.id).cached


@pytest.mark.parametrize("policy", list(EvictionPolicy))
def test_expiry_after_the_tiers_time_to_live(
    db: Database, recorded: Recording, timer: FakeTimer, policy: EvictionPolicy
) -> None:
    service = AnalyticsService(db, AnalyticsSettings(policy=policy), timer=timer)
    final, _, tournament = ids(service, recorded)
    assert service.match(final).tier is Tier.FINISHED_MATCH  # 1 hour
    assert service.tournament(tournament).tier is Tier.LIVE  # its day is active: 5 s

    timer.advance(4.9)
    assert service.tournament(tournament).cached
    timer.advance(0.2)
    assert not service.tournament(tournament).cached  # 5.1 s after it was computed
    timer.advance(3600 - 5.2)
    assert service.match(final).cached
    timer.advance(0.2)
    assert not service.match(final).cached
    stats = service.stats()
    assert stats.tier(Tier.FINISHED_MATCH).expirations == 1
    # TTLCache also purges the second tournament value (expired, never asked for again).
    assert stats.tier(Tier.LIVE).expirations == (2 if policy is EvictionPolicy.TTL else 1)


def test_tiers_follow_volatility(db: Database, recorded: Recording, timer: FakeTimer) -> None:
    # Seen from the afternoon the final was recorded: a match that ended a minute ago is
    # "recent" (a corrected result may still come); an hour later it is a finished match.
    final_end = max(line.at for line in recorded.lines["Open/real_match_1945_final.tsv"])
    now = [final_end + 60]
    service = AnalyticsService(db, timer=timer, clock=lambda: datetime.fromtimestamp(now[0], UTC))
    final, _, _ = ids(service, recorded)
    assert service.match(final).tier is Tier.RECENT
    service.clear()
    now[0] = final_end + 3600
    assert service.match(final).tier is Tier.FINISHED_MATCH


@pytest.mark.parametrize(("policy", "kept"), [(EvictionPolicy.LRU, "a"), (EvictionPolicy.LFU, "b")])
def test_a_full_tier_evicts_by_its_policy(policy: EvictionPolicy, kept: str) -> None:
    tiers = dict(AnalyticsSettings().tiers)
    tiers[Tier.RECENT] = TierSettings(300, 2)
    timer = FakeTimer()
    cache = TieredCache(AnalyticsSettings(policy=policy, tiers=tiers), timer)
    for name in ("a", "b"):
        cache.put((name,), name, Tier.RECENT, (), cache.epoch(), NOW)
    for _ in range(3):
        assert cache.get(("b",)) is not None  # b: used often, but longest ago
    assert cache.get(("a",)) is not None  # a: used last
    cache.put(("c",), "c", Tier.RECENT, (), cache.epoch(), NOW)
    assert {key for key in ("a", "b", "c") if cache.get((key,)) is not None} == {kept, "c"}
    assert cache.stats().tier(Tier.RECENT).evictions == 1


def test_a_value_computed_across_a_commit_is_returned_but_not_cached() -> None:
    cache = TieredCache(AnalyticsSettings(), FakeTimer())
    started = cache.epoch()
    cache.invalidate({("match", 1)})  # committed while the value was being computed
    cache.put(("m", 1), "old", Tier.LIVE, {("match", 1)}, started, NOW)
    cache.put(("m", 2), "fine", Tier.LIVE, {("match", 2)}, started, NOW)
    assert cache.get(("m", 1)) is None
    assert cache.get(("m", 2)) is not None
    stats = cache.stats()
    assert (stats.discarded, stats.invalidation_requests) == (1, 1)


def test_clear_and_operator_invalidation(service: AnalyticsService, recorded: Recording) -> None:
    final, semifinal, tournament = ids(service, recorded)
    cup_match = service.find_matches("1945", recorded.tournaments["Cup"])[0].id
    for match_id in (final, semifinal, cup_match):
        service.match(match_id)
    service.tournament(tournament)
    assert service.invalidate_tournament(tournament) == 3  # two matches and the tournament
    assert service.match(cup_match).cached
    assert service.invalidate_match(cup_match) == 1
    service.match(final)
    assert service.clear() == 1
    assert all(tier.size == 0 for tier in service.stats().tiers)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        TierSettings(0, 10)
    with pytest.raises(ValueError, match="no settings"):
        AnalyticsSettings(tiers={Tier.LIVE: TierSettings(5, 10)})
    assert replace(AnalyticsSettings(), policy=EvictionPolicy.LFU).policy is EvictionPolicy.LFU


def test_malformed_scoring_lines_count_for_nothing(db: Database, recorded: Recording) -> None:
    # A garbled `pt1;9` is stored under its wire code (so the operator can find it) but has no
    # side or value: the aggregates must skip it, not fail on it, and score exactly as before.
    service = AnalyticsService(db)
    cup = recorded.tournaments["Cup"]
    [current] = service.find_matches("1945", cup)
    before_match, before_cup = service.match(current.id).value, service.tournament(cup).value
    recorder = SampleRecorder(db, recorded.court_id, resume=True)
    try:
        recorder.context(cup, recorded.days["Cup"])
        for line in ("pt1;9", "pt2;x", "hl1;abc", "hl2;", "rnd;x", "wg1;x", "wg2;1;2;3"):
            recorder.send(line)
    finally:
        recorder.close()
    with db.engine.connect() as conn:
        garbled = conn.exec_driver_sql(
            "SELECT count(*) FROM events WHERE tournament_id = ? AND parse_status = 'malformed'",
            (cup,),
        ).scalar()
    assert garbled == 7
    service.clear()
    after_cup = service.tournament(cup).value
    # Stored and counted as events, nothing else: same points, hits, penalties and rounds.
    after_match = service.match(current.id).value
    assert after_match == replace(
        before_match, events=before_match.events + 7, malformed=before_match.malformed + 7
    )
    assert after_cup == replace(
        before_cup,
        events=before_cup.events + 7,
        events_per_court=(("Samples", before_cup.events + 7),),
    )
