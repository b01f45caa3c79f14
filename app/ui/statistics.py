"""The statistics panel: titled sections of label/value rows, refreshed every second.

Other parts of the window add their own sections (`add_section`) with a reader function:
cheap in-memory readers run on the GUI thread, readers that touch the database run through
BackgroundCalls (`blocking=True`) and skip a tick while the previous read is still running.
A section whose figures cost a table scan refreshes less often (`every` seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.ingest.stats import IngestStats
from app.ui.background import BackgroundCalls
from app.ui.desk import DatabaseStats

log = logging.getLogger(__name__)

Rows = Sequence[tuple[str, str]]
Reader = Callable[[], Rows]


def human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def ingest_rows(stats: IngestStats, court_names: dict[int, str]) -> list[tuple[str, str]]:
    rows = [("Events/s (all courts)", f"{stats.rate:,.0f}")]
    for court in stats.per_court:
        name = court_names.get(court.court_id, f"court {court.court_id}")
        rows.append((f"  {name}", f"{court.rate:,.0f}/s · {court.events:,} events"))
    rows += [
        ("Received datagrams", f"{stats.received:,}"),
        ("Stored events", f"{stats.stored:,}"),
        ("Unknown / malformed", f"{stats.unknown:,} / {stats.malformed:,}"),
        ("Queue depth", f"{stats.queue_depth:,} of {stats.queue_capacity:,}"),
        ("Batch size", f"{stats.batch_size:,}"),
        ("Commit p50 / p99", f"{stats.commit_ms_p50:.1f} / {stats.commit_ms_p99:.1f} ms"),
        ("Receive → stored p99", f"{stats.latency_ms_p99:.0f} ms"),
        ("Journal", human_bytes(stats.journal_bytes)),
        ("Writer", stats.error or "ok"),
    ]
    return rows


def database_rows(stats: DatabaseStats) -> list[tuple[str, str]]:
    pool = stats.pool
    return [
        ("Database file", human_bytes(stats.file_bytes)),
        ("Write-ahead log", human_bytes(stats.wal_bytes)),
        ("Events", f"{stats.events:,}"),
        ("Matches", f"{stats.matches:,}"),
        ("Tournaments", f"{stats.tournaments:,}"),
        ("Pool", f"size {pool.size} · idle {pool.checked_in} · in use {pool.checked_out}"),
        # QueuePool counts overflow from -size (room left) up; only real overflow is news.
        ("Pool overflow", f"{max(0, pool.overflow)}"),
        ("Pool connects", f"{pool.connects:,} · invalidated {pool.invalidations:,}"),
    ]


class StatsSection(QGroupBox):
    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self._values: dict[str, QLabel] = {}
        self._order: list[str] = []

    def set_rows(self, rows: Rows) -> None:
        keys = [key for key, _ in rows]
        if keys != self._order:  # the set of rows changed (a court came or went): rebuild
            while self.form.rowCount():
                self.form.removeRow(0)
            self._values = {}
            for key in keys:
                value = QLabel()
                value.setWordWrap(True)  # a narrow dock wraps values instead of cutting them
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._values[key] = value
                self.form.addRow(key, value)
            self._order = keys
        for key, text in rows:
            label = self._values[key]
            if label.text() != text:
                label.setText(text)

    def value(self, key: str) -> str | None:
        label = self._values.get(key)
        return None if label is None else label.text()


class StatisticsPanel(QScrollArea):
    def __init__(self, calls: BackgroundCalls) -> None:
        super().__init__()
        self.calls = calls
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(inner)
        self.sections: dict[str, StatsSection] = {}
        self._readers: list[tuple[StatsSection, Reader, bool, float]] = []
        self._in_flight: set[str] = set()
        self._due: dict[str, float] = {}  # section title -> time.monotonic() of its next read

    def add_section(
        self, title: str, read: Reader, *, blocking: bool = False, every: float = 0.0
    ) -> StatsSection:
        """`every`: at most one read per that many seconds (0: at every refresh)."""
        section = StatsSection(title)
        self._layout.addWidget(section)
        self.sections[title] = section
        self._readers.append((section, read, blocking, every))
        return section

    def refresh_soon(self, title: str) -> None:
        """Read this section at the next refresh, whatever its `every` (its data changed)."""
        self._due.pop(title, None)

    def add_widget(self, title: str, widget: QWidget) -> QGroupBox:
        """A section that draws itself (charts); the owner refreshes it."""
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(widget)
        self._layout.addWidget(box)
        return box

    def refresh(self) -> None:
        now = time.monotonic()
        for section, read, blocking, every in self._readers:
            title = section.title()
            if now < self._due.get(title, 0.0) or title in self._in_flight:
                continue
            self._due[title] = now + every
            if not blocking:
                try:
                    section.set_rows(read())
                except Exception:
                    log.exception("statistics section %s failed", section.title())
            else:
                self._in_flight.add(title)
                self.calls.spawn(self._read_off_thread(section, read))

    async def _read_off_thread(self, section: StatsSection, read: Reader) -> None:
        try:
            rows = await self.calls(read, name=f"statistics: {section.title()}")
        except Exception as exc:  # shown in place: a panel refreshed every second must not nag
            log.warning("statistics section %s: %s", section.title(), exc)
            rows = [("Unavailable", str(exc))]
        finally:
            self._in_flight.discard(section.title())
        section.set_rows(rows)
