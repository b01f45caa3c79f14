"""Alert rules over metric snapshots, with hysteresis, and the AlertCenter that keeps history.

A rule fires when its reading passes `threshold` for `hold_seconds`, and clears only when the
reading is back past `clear_at` (on the safe side of the threshold) for `clear_seconds`: a value
hovering at the limit does not flap. Evaluation is pure (`step`, `evaluate`): snapshots and a
monotonic `now` in, new states and raised/cleared events out. One rule watches several subjects
(each court, each tournament day); each subject has its own state.

Default limits are the reference design's (README): more than 1,000 events/s, commits over
100 ms, memory over 80 %, more than 1 % errors, a tournament day over 5,000 events (archive it),
a court silent during a running match, and too little free disk in the data folder.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.monitor.metrics import MetricsSnapshot

log = logging.getLogger(__name__)

GIB = 1024**3


class AlertKind(enum.StrEnum):
    EVENT_RATE = "event_rate"
    COMMIT_LATENCY = "commit_latency"
    MEMORY = "memory"
    ERROR_RATE = "error_rate"
    DAY_SIZE = "day_size"
    COURT_SILENT = "court_silent"
    DISK_FREE = "disk_free"


class Severity(enum.StrEnum):
    INFO = "info"  # advice (archive a big day)
    WARNING = "warning"
    CRITICAL = "critical"  # data at risk if nobody acts


class AlertAction(enum.StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True)
class AlertRule:
    kind: AlertKind
    threshold: float
    clear_at: float  # the reading must be back past this (safe side) to clear
    below: bool = False  # True: fires when the reading falls below the threshold
    hold_seconds: float = 0.0
    clear_seconds: float = 0.0
    severity: Severity = Severity.WARNING
    enabled: bool = True
    min_events: int = 0  # error rate: judged only over at least this many events

    def __post_init__(self) -> None:
        safe_side = (
            self.clear_at >= self.threshold if self.below else self.clear_at <= self.threshold
        )
        if not safe_side:
            raise ValueError(
                f"{self.kind}: clear_at {self.clear_at} must be on the safe side of "
                f"threshold {self.threshold}"
            )

    def breached(self, value: float) -> bool:
        return value < self.threshold if self.below else value > self.threshold

    def safe(self, value: float) -> bool:
        return value >= self.clear_at if self.below else value <= self.clear_at


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """The limits an operator can change (settings dialog, tests); defaults from README."""

    max_events_per_s: float = 1000.0
    max_commit_ms: float = 100.0
    max_memory_percent: float = 80.0  # the process's RSS as a share of physical memory
    max_error_rate: float = 0.01
    max_day_events: int = 5000
    max_court_silence_s: float = 30.0
    min_free_disk_bytes: int = GIB
    #: the error rate is judged over at least this many events (one bad datagram out of the
    #: first four is not a 25 % error rate)
    min_events_for_error_rate: int = 100
    #: clear once the reading is this share back on the safe side of the threshold
    hysteresis: float = 0.1
    hold_seconds: float = 0.0
    clear_seconds: float = 10.0


def default_rules(limits: AlertThresholds | None = None) -> tuple[AlertRule, ...]:
    t = limits or AlertThresholds()
    down = 1 - t.hysteresis  # clear point of "above" rules
    up = 1 + t.hysteresis  # clear point of "below" rules

    def rule(
        kind: AlertKind,
        threshold: float,
        clear_at: float,
        severity: Severity = Severity.WARNING,
        *,
        below: bool = False,
        clear_seconds: float = t.clear_seconds,
        min_events: int = 0,
    ) -> AlertRule:
        return AlertRule(
            kind,
            threshold,
            clear_at,
            below,
            t.hold_seconds,
            clear_seconds,
            severity,
            min_events=min_events,
        )

    return (
        rule(AlertKind.EVENT_RATE, t.max_events_per_s, t.max_events_per_s * down),
        rule(AlertKind.COMMIT_LATENCY, t.max_commit_ms, t.max_commit_ms * down),
        rule(
            AlertKind.MEMORY,
            t.max_memory_percent,
            t.max_memory_percent * down,
            Severity.CRITICAL,
        ),
        rule(
            AlertKind.ERROR_RATE,
            t.max_error_rate,
            t.max_error_rate * down,
            min_events=t.min_events_for_error_rate,
        ),
        rule(AlertKind.DAY_SIZE, t.max_day_events, t.max_day_events * down, Severity.INFO),
        # Silence clears as soon as data flows again: a datagram resets the reading to ~0.
        rule(
            AlertKind.COURT_SILENT,
            t.max_court_silence_s,
            t.max_court_silence_s * down,
            Severity.CRITICAL,
            clear_seconds=0.0,
        ),
        rule(
            AlertKind.DISK_FREE,
            t.min_free_disk_bytes,
            t.min_free_disk_bytes * up,
            Severity.CRITICAL,
            below=True,
        ),
    )


@dataclass(frozen=True, slots=True)
class Reading:
    value: float
    label: str  # what the reading is about, for messages: "Court 1", "Open 2026, day 2"


def readings(rule: AlertRule, snapshot: MetricsSnapshot) -> dict[str, Reading]:
    """Subject -> reading of one rule's metric in a snapshot. Pipeline rules read nothing when
    nothing is recording (the CLI checks only the database and the disk)."""
    recording = snapshot.recording
    kind = rule.kind
    if kind is AlertKind.EVENT_RATE:
        return {"all courts": Reading(snapshot.events_per_s, "all courts")} if recording else {}
    if kind is AlertKind.COMMIT_LATENCY:
        return {"database": Reading(snapshot.commit_ms_p99, "database")} if recording else {}
    if kind is AlertKind.ERROR_RATE:
        if not recording or snapshot.error_window_events < rule.min_events:
            return {}
        return {"events": Reading(snapshot.error_rate, "events")}
    if kind is AlertKind.MEMORY:
        return {"process": Reading(snapshot.memory.percent, "StrikeDesk")}
    if kind is AlertKind.DAY_SIZE:
        return {f"day {d.day_id}": Reading(d.events, d.label) for d in snapshot.days}
    if kind is AlertKind.COURT_SILENT:
        return {
            f"court {c.court_id}": Reading(c.seconds_since_datagram, c.name)
            for c in snapshot.courts
            if c.listening and c.match_running and c.seconds_since_datagram is not None
        }
    if kind is AlertKind.DISK_FREE:
        return {"data folder": Reading(snapshot.disk_free_bytes, "data folder")}
    raise ValueError(f"no reading for {kind}")


@dataclass(frozen=True, slots=True)
class AlertState:
    kind: AlertKind
    subject: str
    label: str = ""
    active: bool = False
    value: float = 0.0
    breach_since: float | None = None  # monotonic time the reading first passed the threshold
    clear_since: float | None = None  # monotonic time an active alert's reading became safe
    raised_at: datetime | None = None


def step(rule: AlertRule, state: AlertState, reading: Reading | None, now: float) -> AlertState:
    """The state after one reading (None: the subject is gone, which counts as safe)."""
    value = state.value if reading is None else reading.value
    label = state.label if reading is None else reading.label
    current = replace(state, value=value, label=label)
    if not current.active:
        if reading is None or not rule.breached(reading.value):
            return replace(current, breach_since=None)
        since = now if current.breach_since is None else current.breach_since
        if now - since >= rule.hold_seconds:
            return replace(current, active=True, breach_since=None, clear_since=None)
        return replace(current, breach_since=since)
    if reading is not None and not rule.safe(reading.value):
        return replace(current, clear_since=None)
    since = now if current.clear_since is None else current.clear_since
    if now - since >= rule.clear_seconds:
        return replace(current, active=False, clear_since=None, raised_at=None)
    return replace(current, clear_since=since)


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as the window's banner and list show it."""

    kind: AlertKind
    subject: str
    label: str
    severity: Severity
    value: float
    threshold: float
    since: datetime | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "label": self.label,
            "severity": self.severity.value,
            "value": self.value,
            "threshold": self.threshold,
            "since": self.since.isoformat() if self.since else None,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One raise or clear, for the history list and the log."""

    action: AlertAction
    at: datetime
    alert: Alert

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "at": self.at.isoformat(), **self.alert.to_json()}


StateKey = tuple[AlertKind, str]


@dataclass(frozen=True, slots=True)
class Evaluation:
    states: dict[StateKey, AlertState]
    events: tuple[AlertEvent, ...]


def evaluate(
    rules: Iterable[AlertRule],
    states: Mapping[StateKey, AlertState],
    snapshot: MetricsSnapshot,
    now: float,
) -> Evaluation:
    """Every rule over one snapshot at monotonic time `now`: new states and what changed."""
    new_states: dict[StateKey, AlertState] = {}
    events: list[AlertEvent] = []
    for rule in rules:
        if not rule.enabled:
            continue
        found = readings(rule, snapshot)
        subjects = set(found) | {s for k, s in states if k is rule.kind}
        for subject in sorted(subjects):
            previous = states.get((rule.kind, subject), AlertState(rule.kind, subject))
            reading = found.get(subject)
            state = step(rule, previous, reading, now)
            if state.active and not previous.active:
                state = replace(state, raised_at=snapshot.taken_at)
                events.append(
                    AlertEvent(AlertAction.RAISED, snapshot.taken_at, describe(rule, state))
                )
            elif previous.active and not state.active:
                events.append(
                    AlertEvent(
                        AlertAction.CLEARED,
                        snapshot.taken_at,
                        describe(rule, replace(previous, value=state.value)),
                    )
                )
            if state.active or state.breach_since is not None or reading is not None:
                new_states[(rule.kind, subject)] = state
    return Evaluation(new_states, tuple(events))


def describe(rule: AlertRule, state: AlertState) -> Alert:
    return Alert(
        kind=rule.kind,
        subject=state.subject,
        label=state.label,
        severity=rule.severity,
        value=state.value,
        threshold=rule.threshold,
        since=state.raised_at,
        message=message(rule, state.label, state.value),
    )


def _amount(value: float) -> str:
    """1,234 / 12 / 1.5 / 0.25: whole numbers from 10 up, two significant digits below."""
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def message(rule: AlertRule, label: str, value: float) -> str:
    limit = rule.threshold
    kind = rule.kind
    if kind is AlertKind.EVENT_RATE:
        return f"{_amount(value)} events/s across all courts (limit {_amount(limit)})"
    if kind is AlertKind.COMMIT_LATENCY:
        return (
            f"database commits take {_amount(value)} ms (limit {_amount(limit)} ms): the disk "
            "is slow or another program holds the database; events wait safely in the journal"
        )
    if kind is AlertKind.MEMORY:
        return f"StrikeDesk uses {value:.1f} % of the memory (limit {_amount(limit)} %)"
    if kind is AlertKind.ERROR_RATE:
        return f"{value:.1%} of events are malformed or failed to write (limit {limit:.1%})"
    if kind is AlertKind.DAY_SIZE:
        return (
            f"{label} has {value:,.0f} events in the live database (over {limit:,.0f}): "
            "archive it to keep the database fast"
        )
    if kind is AlertKind.COURT_SILENT:
        return (
            f"{label} sent nothing for {_amount(value)} s during a running match (limit "
            f"{_amount(limit)} s): check the PSS computer and the network cable"
        )
    if kind is AlertKind.DISK_FREE:
        return (
            f"only {value / GIB:,.2f} GiB free for the data folder (limit {limit / GIB:,.2f} "
            "GiB): free disk space or archive and move old data"
        )
    raise ValueError(f"no message for {kind}")


AlertListener = Callable[[AlertEvent], None]


class AlertCenter:
    """Evaluates the rules on each snapshot, logs raises and clears, keeps a bounded history
    and the events not yet stored in metrics_history. Thread-safe."""

    def __init__(self, rules: Iterable[AlertRule], history_size: int = 1000) -> None:
        self.rules = tuple(rules)
        self._rules = {rule.kind: rule for rule in self.rules}
        self._states: dict[StateKey, AlertState] = {}
        self._history: deque[AlertEvent] = deque(maxlen=history_size)
        self._unsaved: list[AlertEvent] = []
        self._listeners: list[AlertListener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: AlertListener) -> None:
        """Called (on the monitor thread) for every raise and clear; must be quick."""
        with self._lock:
            self._listeners = [*self._listeners, listener]

    def update(self, snapshot: MetricsSnapshot, now: float) -> tuple[AlertEvent, ...]:
        with self._lock:
            result = evaluate(self.rules, self._states, snapshot, now)
            self._states = result.states
            self._history.extend(result.events)
            self._unsaved.extend(result.events)
            listeners = self._listeners
        for event in result.events:
            if event.action is AlertAction.RAISED:
                log.warning("alert %s: %s", event.alert.kind.value, event.alert.message)
            else:
                log.info("alert %s cleared: %s", event.alert.kind.value, event.alert.label)
            for listener in listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("alert listener %r failed", listener)
        return result.events

    def active(self) -> tuple[Alert, ...]:
        """Active alerts, most severe first."""
        order = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
        with self._lock:
            alerts = [
                describe(self._rules[state.kind], state)
                for state in self._states.values()
                if state.active
            ]
        return tuple(sorted(alerts, key=lambda a: (order[a.severity], a.kind, a.subject)))

    def history(self) -> tuple[AlertEvent, ...]:
        """Raises and clears, oldest first."""
        with self._lock:
            return tuple(self._history)

    def take_unsaved(self) -> list[AlertEvent]:
        """Events not yet written to metrics_history (put back with `return_unsaved`)."""
        with self._lock:
            events, self._unsaved = self._unsaved, []
            return events

    def return_unsaved(self, events: list[AlertEvent]) -> None:
        with self._lock:
            self._unsaved = [*events, *self._unsaved]
