"""`strikedesk analytics …` and `strikedesk cache …` as real processes on a recorded folder."""

from __future__ import annotations

import json
from pathlib import Path

from app.analytics.serialize import to_json
from app.analytics.service import AnalyticsService
from app.store.database import Database
from tests.analytics.conftest import FakeTimer
from tests.analytics.recording import Recording
from tests.commands.test_store_commands import ok_json, refused, strikedesk


def test_match_analytics_as_json_and_text(data: Path, recorded: Recording) -> None:
    listed = ok_json("analytics", "match", "1945", data_dir=data)
    assert [m["tournament_id"] for m in listed] == [
        recorded.tournaments["Open"],
        recorded.tournaments["Cup"],
    ]
    with Database.open(data) as db:
        expected = AnalyticsService(db).match(listed[0]["match_id"]).value
    assert listed[0] == json.loads(json.dumps(to_json(expected)))
    assert listed[0]["blue"]["techniques"]["head"] == {"count": 11, "points": 33}

    text = strikedesk("analytics", "match", "1945", "--tournament", "2", data_dir=data)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("match 1945 (id ") and "winner blue  2-1 PTF" in lines[0]
    assert ["score", "35", "17"] in [line.split() for line in lines]


def test_athlete_and_tournament_analytics(data: Path, recorded: Recording) -> None:
    overall = ok_json("analytics", "athlete", "Mikhail Kalashnikov", data_dir=data)
    assert (overall["matches"], overall["wins"], overall["tournament_id"]) == (2, 2, None)
    within = ok_json(
        "analytics", "athlete", "MIKHAIL KALASHNIKOV", "--noc", "rus", "--tournament", "1",
        data_dir=data,
    )  # fmt: skip
    assert within["matches"] == 1 and within["scored"]["total"]["points"] == 33

    tournament = ok_json("analytics", "tournament", "1", data_dir=data)
    total = sum(len(lines) for key, lines in recorded.lines.items() if key.startswith("Open/"))
    assert (tournament["matches"], tournament["events"]) == (5, total)
    assert tournament["wins_per_noc"] == {"CRO": 2, "RUS": 1, "SLO": 1}
    day = ok_json("analytics", "tournament", "2", "--day", "1", data_dir=data)
    assert day["scope"]["day_number"] == 1 and day["matches"] == 1

    text = strikedesk("analytics", "tournament", "1", data_dir=data).stdout
    assert "decision methods  PTF 4, WDR 1" in text


def test_bad_names_and_ids_are_one_line_with_exit_2(data: Path) -> None:
    assert refused("analytics", "athlete", "Nobody", data_dir=data) == (
        "strikedesk analytics athlete: no athlete named 'Nobody'"
    )
    assert "no day 5" in refused("analytics", "tournament", "1", "--day", "5", data_dir=data)
    assert "no tournament 7" in refused("cache", "invalidate", "--tournament", "7", data_dir=data)


def test_ending_a_day_stores_its_analytics_in_the_history(data: Path) -> None:
    assert strikedesk("analytics", "history", "2", data_dir=data).stdout.strip() == (
        "no analytics snapshots of tournament 2"
    )
    ok_json("day", "end", "2", data_dir=data)
    history = ok_json("analytics", "history", "2", data_dir=data)
    assert [(h["kind"], h["reason"]) for h in history] == [
        ("day", "day_end"),
        ("tournament", "day_end"),
    ]
    assert history[1]["analytics"]["events"] == 308
    table = strikedesk("analytics", "history", "2", data_dir=data).stdout.splitlines()
    assert table[0].split()[:4] == ["TAKEN", "(UTC)", "DAY", "REASON"]
    assert len(table) == 3


def test_cache_stats_measures_a_cache_in_its_own_process(data: Path) -> None:
    stats = ok_json("cache", "stats", "--tournament", "1", "--policy", "lfu", data_dir=data)
    # The tournament, its day, five matches, ten athletes: computed once, then all hits.
    assert (stats["analytics"], stats["misses"], stats["hits"], stats["hit_rate"]) == (
        17,
        17,
        17,
        0.5,
    )
    assert {tier["policy"] for tier in stats["tiers"]} == {"lfu"}
    assert sum(tier["size"] for tier in stats["tiers"]) == 17
    text = strikedesk("cache", "stats", data_dir=data).stdout.splitlines()
    assert "in this process" in text[0]
    assert text[1].split()[:4] == ["TIER", "POLICY", "TTL", "S"]


def test_cache_clear_and_invalidate_reach_a_running_service(
    data: Path, recorded: Recording
) -> None:
    timer = FakeTimer()
    with Database.open(data) as db:
        service = AnalyticsService(db, timer=timer)  # "the window", in this process
        [final, cup_final] = service.find_matches("1945")
        service.match(final.id)
        service.match(cup_final.id)
        service.tournament(recorded.tournaments["Cup"])

        assert strikedesk("cache", "invalidate", "--match", "1945", data_dir=data).returncode == 0
        timer.advance(1.0)
        assert not service.match(final.id).cached and not service.match(cup_final.id).cached
        assert service.tournament(recorded.tournaments["Cup"]).cached

        cleared = strikedesk("cache", "clear", data_dir=data)
        assert cleared.returncode == 0 and "drop its cached analytics" in cleared.stdout
        timer.advance(1.0)
        assert not service.tournament(recorded.tournaments["Cup"]).cached


def test_the_headless_recorder_stores_analytics_snapshots(data: Path) -> None:
    from app.sim.sender import free_udp_port

    court = f"Live={free_udp_port()}"
    recorded = strikedesk(
        "record", "--court", court, "--bind", "127.0.0.1", "--tournament", "1",
        "--seconds", "0.5", "--json", data_dir=data,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    [snapshot] = ok_json("analytics", "history", "1", data_dir=data)
    assert (snapshot["kind"], snapshot["reason"]) == ("tournament", "interval")
    assert snapshot["analytics"]["matches"] == 5
