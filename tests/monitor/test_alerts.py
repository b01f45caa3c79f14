"""Alert rules as pure functions over hand-built snapshots, with an injected clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from app.monitor.alerts import (
    AlertAction,
    AlertCenter,
    AlertEvent,
    AlertKind,
    AlertRule,
    AlertState,
    AlertThresholds,
    Reading,
    Severity,
    StateKey,
    default_rules,
    evaluate,
    step,
)
from app.monitor.metrics import MetricsSnapshot
from tests.monitor.snapshots import GIB, court, day, memory_percent, snapshot

Making = Callable[[float], dict[str, Any]]

#: For each kind: snapshot changes that breach the default limit, that sit inside the
#: hysteresis band (past clear_at but not past the threshold), and that are safe.
CASES: dict[AlertKind, tuple[Making, Making, Making]] = {
    AlertKind.EVENT_RATE: (
        lambda _: {"events_per_s": 1500.0},
        lambda _: {"events_per_s": 950.0},
        lambda _: {"events_per_s": 100.0},
    ),
    AlertKind.COMMIT_LATENCY: (
        lambda _: {"commit_ms_p99": 250.0},
        lambda _: {"commit_ms_p99": 95.0},
        lambda _: {"commit_ms_p99": 4.0},
    ),
    AlertKind.MEMORY: (
        lambda _: {"memory": memory_percent(85.0)},
        lambda _: {"memory": memory_percent(75.0)},
        lambda _: {"memory": memory_percent(20.0)},
    ),
    AlertKind.ERROR_RATE: (
        lambda _: {"error_rate": 0.05},
        lambda _: {"error_rate": 0.0095},
        lambda _: {"error_rate": 0.0},
    ),
    AlertKind.DAY_SIZE: (
        lambda _: {"days": (day(7, 5200),)},
        lambda _: {"days": (day(7, 4800),)},
        lambda _: {"days": (day(7, 120),)},
    ),
    AlertKind.COURT_SILENT: (
        lambda _: {"courts": (court(silent=45.0),)},
        lambda _: {"courts": (court(silent=28.0),)},
        lambda _: {"courts": (court(silent=0.2),)},
    ),
    AlertKind.DISK_FREE: (
        lambda _: {"disk_free_bytes": GIB // 2},
        lambda _: {"disk_free_bytes": int(GIB * 1.05)},
        lambda _: {"disk_free_bytes": 20 * GIB},
    ),
}


class Rules:
    """Evaluates rules over a sequence of snapshots, keeping states like AlertCenter does."""

    def __init__(self, rules: Iterable[AlertRule]) -> None:
        self.rules = tuple(rules)
        self.states: dict[StateKey, AlertState] = {}
        self.events: list[AlertEvent] = []

    def at(self, now: float, **changes: Any) -> list[AlertEvent]:
        result = evaluate(self.rules, self.states, snapshot(now, **changes), now)
        self.states = result.states
        self.events.extend(result.events)
        return list(result.events)

    def active(self) -> set[AlertKind]:
        return {state.kind for state in self.states.values() if state.active}


def only(kind: AlertKind, limits: AlertThresholds | None = None) -> list[AlertRule]:
    return [rule for rule in default_rules(limits) if rule.kind is kind]


@pytest.mark.parametrize("kind", list(AlertKind))
def test_each_rule_fires_holds_in_the_band_and_clears_past_it(kind: AlertKind) -> None:
    breach, band, safe = CASES[kind]
    rules = Rules(only(kind, AlertThresholds(clear_seconds=0)))
    assert rules.at(0, **band(0)) == []  # inside the band but never breached: quiet
    assert rules.at(1, **safe(1)) == []
    raised = rules.at(2, **breach(2))
    assert [(e.action, e.alert.kind) for e in raised] == [(AlertAction.RAISED, kind)]
    assert rules.active() == {kind}
    # Hysteresis: back under the threshold but not past clear_at keeps it raised.
    for now in (3, 4, 5):
        assert rules.at(now, **band(now)) == []
        assert rules.active() == {kind}
    assert rules.at(6, **breach(6)) == []  # still the same alert, not a second one
    cleared = rules.at(7, **safe(7))
    assert [(e.action, e.alert.kind) for e in cleared] == [(AlertAction.CLEARED, kind)]
    assert rules.active() == set()


def test_default_limits_are_the_reference_designs() -> None:
    rules = {rule.kind: rule for rule in default_rules()}
    assert rules[AlertKind.EVENT_RATE].threshold == 1000
    assert rules[AlertKind.COMMIT_LATENCY].threshold == 100
    assert rules[AlertKind.MEMORY].threshold == 80
    assert rules[AlertKind.ERROR_RATE].threshold == 0.01
    assert rules[AlertKind.DAY_SIZE].threshold == 5000
    assert rules[AlertKind.DISK_FREE].below
    assert all(rule.clear_at != rule.threshold for rule in rules.values())


def test_hold_seconds_need_a_lasting_breach() -> None:
    rules = Rules(only(AlertKind.EVENT_RATE, AlertThresholds(hold_seconds=3, clear_seconds=0)))
    assert rules.at(0, events_per_s=2000.0) == []
    assert rules.at(2, events_per_s=2000.0) == []
    assert rules.at(2.5, events_per_s=10.0) == []  # the spike ended: the hold starts over
    assert rules.at(3.5, events_per_s=2000.0) == []
    assert rules.at(6, events_per_s=2000.0) == []
    assert [e.action for e in rules.at(6.5, events_per_s=2000.0)] == [AlertAction.RAISED]


def test_clear_seconds_need_a_lasting_recovery() -> None:
    rules = Rules(only(AlertKind.COMMIT_LATENCY, AlertThresholds(clear_seconds=10)))
    assert [e.action for e in rules.at(0, commit_ms_p99=500.0)] == [AlertAction.RAISED]
    assert rules.at(1, commit_ms_p99=2.0) == []
    assert rules.at(9, commit_ms_p99=2.0) == []
    assert rules.at(9.5, commit_ms_p99=400.0) == []  # slow again: the recovery starts over
    assert rules.at(12, commit_ms_p99=2.0) == []
    assert rules.at(21, commit_ms_p99=2.0) == []
    assert [e.action for e in rules.at(22, commit_ms_p99=2.0)] == [AlertAction.CLEARED]


def test_silence_counts_only_for_listening_courts_in_a_running_match() -> None:
    rules = Rules(only(AlertKind.COURT_SILENT))
    quiet = (court(1, 300.0, running=False), court(2, 300.0, listening=False), court(3, None))
    assert rules.at(0, courts=quiet) == []
    raised = rules.at(1, courts=(court(1, 300.0), court(2, 31.0)))
    assert sorted(e.alert.subject for e in raised) == ["court 1", "court 2"]
    assert "Court 1 sent nothing for 300 s" in raised[0].alert.message
    # Court 1 speaks again (clears at once); court 2's match ends (its reading disappears).
    cleared = rules.at(2, courts=(court(1, 0.1), court(2, 40.0, running=False)))
    assert sorted(e.alert.subject for e in cleared) == ["court 1", "court 2"]
    assert rules.states == {
        (AlertKind.COURT_SILENT, "court 1"): rules.states[(AlertKind.COURT_SILENT, "court 1")]
    }  # nothing is kept for subjects that are gone


def test_each_day_is_its_own_subject() -> None:
    rules = Rules(only(AlertKind.DAY_SIZE, AlertThresholds(clear_seconds=0)))
    raised = rules.at(0, days=(day(1, 6000), day(2, 10)))
    assert [e.alert.label for e in raised] == ["Open 2026, day 1"]
    assert "archive it" in raised[0].alert.message and raised[0].alert.severity is Severity.INFO
    raised = rules.at(1, days=(day(1, 6000), day(2, 5001)))
    assert [e.alert.label for e in raised] == ["Open 2026, day 2"]
    cleared = rules.at(2, days=(day(2, 5001),))  # day 1 archived: gone from the live table
    assert [e.alert.label for e in cleared] == ["Open 2026, day 1"]


def test_the_error_rate_needs_enough_events_to_count() -> None:
    rules = Rules(only(AlertKind.ERROR_RATE, AlertThresholds(clear_seconds=0)))
    assert rules.at(0, error_rate=0.25, error_window_events=4) == []  # 1 bad out of 4
    assert rules.at(1, error_rate=0.25, error_window_events=99) == []
    assert [e.action for e in rules.at(2, error_rate=0.02, error_window_events=100)] == [
        AlertAction.RAISED
    ]
    # The stream stopped: nothing to judge, so the alert clears.
    assert [e.action for e in rules.at(3, error_rate=0.0, error_window_events=0)] == [
        AlertAction.CLEARED
    ]


def test_pipeline_rules_read_nothing_when_not_recording() -> None:
    rules = Rules(default_rules(AlertThresholds(clear_seconds=0)))
    events = rules.at(
        0,
        recording=False,
        events_per_s=5000.0,
        commit_ms_p99=900.0,
        error_rate=0.5,
        disk_free_bytes=1,
    )
    assert {e.alert.kind for e in events} == {AlertKind.DISK_FREE}


def test_a_rule_with_clear_at_on_the_wrong_side_is_refused() -> None:
    with pytest.raises(ValueError, match="safe side"):
        AlertRule(AlertKind.EVENT_RATE, threshold=1000, clear_at=1200)
    with pytest.raises(ValueError, match="safe side"):
        AlertRule(AlertKind.DISK_FREE, threshold=100, clear_at=50, below=True)


def test_step_is_pure_and_a_missing_reading_counts_as_safe() -> None:
    rule = AlertRule(AlertKind.COMMIT_LATENCY, 100, 90, clear_seconds=5)
    state = AlertState(AlertKind.COMMIT_LATENCY, "database")
    raised = step(rule, state, Reading(150, "database"), now=10)
    assert raised.active and not state.active  # the old state is untouched
    pending = step(rule, raised, None, now=11)
    assert pending.active and pending.clear_since == 11 and pending.value == 150
    assert not step(rule, pending, None, now=16).active


def test_disabled_rules_never_fire() -> None:
    rule = AlertRule(AlertKind.EVENT_RATE, 10, 9, enabled=False)
    assert evaluate([rule], {}, snapshot(events_per_s=1e6), 0).events == ()


def test_alert_center_keeps_history_and_unsaved_events() -> None:
    center = AlertCenter(default_rules(AlertThresholds(clear_seconds=0)))
    heard: list[AlertEvent] = []
    center.subscribe(heard.append)
    center.subscribe(lambda _event: 1 / 0)  # a broken listener is logged, not fatal

    def feed(now: float, **changes: Any) -> MetricsSnapshot:
        sample = snapshot(now, **changes)
        center.update(sample, now)
        return sample

    feed(0, disk_free_bytes=10, events_per_s=5000.0)
    active = center.active()
    assert [a.kind for a in active] == [AlertKind.DISK_FREE, AlertKind.EVENT_RATE]  # critical first
    assert active[0].since == snapshot(0).taken_at
    feed(1, events_per_s=5.0)
    assert [(e.action, e.alert.kind) for e in center.history()] == [  # in rule order
        (AlertAction.RAISED, AlertKind.EVENT_RATE),
        (AlertAction.RAISED, AlertKind.DISK_FREE),
        (AlertAction.CLEARED, AlertKind.EVENT_RATE),
        (AlertAction.CLEARED, AlertKind.DISK_FREE),
    ]
    assert heard == list(center.history())
    unsaved = center.take_unsaved()
    assert len(unsaved) == 4 and center.take_unsaved() == []
    center.return_unsaved(unsaved)
    assert center.take_unsaved() == unsaved
    json = center.history()[1].to_json()
    assert json["action"] == "raised" and json["kind"] == "disk_free"
    assert json["severity"] == "critical" and "GiB free" in json["message"]
