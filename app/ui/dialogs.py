"""Small dialogs: tournament and court editors (validated as you type), About, match detail."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.ui.desk import CourtRow, MatchDetail, TournamentRow
from app.ui.feed_model import SIDES


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("validationError")
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    return label


@dataclass(frozen=True, slots=True)
class TournamentForm:
    name: str
    city: str | None
    country: str | None
    start_date: date | None
    end_date: date | None


class TournamentDialog(QDialog):
    """Create or edit a tournament. OK stays disabled while the form is invalid."""

    def __init__(self, parent: QWidget | None, tournament: TournamentRow | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit tournament" if tournament else "Create tournament")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Croatia Open 2026")
        self.city = QLineEdit()
        self.country = QLineEdit()
        self.has_dates = QCheckBox("Set the dates")
        today = QDate.currentDate()
        self.start = QDateEdit(today)
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&City", self.city)
        form.addRow("C&ountry", self.country)
        form.addRow("", self.has_dates)
        form.addRow("&Start date", self.start)
        form.addRow("&End date", self.end)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        if tournament is not None:
            self.name.setText(tournament.name)
            self.city.setText(tournament.city or "")
            self.country.setText(tournament.country or "")
            if tournament.start_date or tournament.end_date:
                self.has_dates.setChecked(True)
                start = tournament.start_date or tournament.end_date
                end = tournament.end_date or tournament.start_date
                assert start is not None and end is not None
                self.start.setDate(QDate(start.year, start.month, start.day))
                self.end.setDate(QDate(end.year, end.month, end.day))
        for signal in (self.name.textChanged, self.start.dateChanged, self.end.dateChanged):
            signal.connect(self.validate)
        self.has_dates.toggled.connect(self.validate)
        self.validate()
        self.setMinimumWidth(380)

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return "Give the tournament a name."
        if len(self.name.text().strip()) > 200:
            return "The name is longer than 200 characters."
        if self.has_dates.isChecked() and self.end.date() < self.start.date():
            return "The end date is before the start date."
        return None

    def validate(self) -> None:
        self.start.setEnabled(self.has_dates.isChecked())
        self.end.setEnabled(self.has_dates.isChecked())
        problem = self.problem()
        self.error.setText(problem or "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(problem is None)

    def form(self) -> TournamentForm:
        dates = self.has_dates.isChecked()
        return TournamentForm(
            name=self.name.text().strip(),
            city=self.city.text().strip() or None,
            country=self.country.text().strip() or None,
            start_date=self.start.date().toPython() if dates else None,  # type: ignore[arg-type]
            end_date=self.end.date().toPython() if dates else None,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class CourtForm:
    name: str
    port: int
    bind_address: str
    allowed_sources: tuple[str, ...]


def parse_sources(text: str) -> tuple[str, ...]:
    """Comma- or space-separated IP addresses; raises ValueError naming the bad one."""
    sources = [part for part in text.replace(",", " ").split() if part]
    for source in sources:
        try:
            ipaddress.ip_address(source)
        except ValueError:
            raise ValueError(f"{source!r} is not an IP address.") from None
    return tuple(dict.fromkeys(sources))


class CourtDialog(QDialog):
    """Add or edit a court: name, UDP port, bind address, allowed PSS source addresses."""

    def __init__(
        self, parent: QWidget | None, court: CourtRow | None = None, suggested_port: int = 6000
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit court" if court else "Add court")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Court 2")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(suggested_port)
        self.bind = QComboBox()
        self.bind.setEditable(True)
        self.bind.addItems(["0.0.0.0", "127.0.0.1"])
        self.bind.setToolTip("0.0.0.0 listens on every network card of this laptop")
        self.sources = QLineEdit()
        self.sources.setPlaceholderText("any sender (or: 192.168.1.20, 192.168.1.21)")
        self.error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("UDP &port", self.port)
        form.addRow("&Bind address", self.bind)
        form.addRow("&Allowed sources", self.sources)
        hint = QLabel("Point TK-Strike's UDP output at this laptop's address and this port.")
        hint.setWordWrap(True)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if court is not None:
            self.name.setText(court.name)
            self.port.setValue(court.port)
            self.bind.setCurrentText(court.bind_address)
            self.sources.setText(", ".join(court.allowed_sources))
        self.name.textChanged.connect(self.validate)
        self.bind.currentTextChanged.connect(self.validate)
        self.sources.textChanged.connect(self.validate)
        self.validate()
        self.setMinimumWidth(420)

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return "Give the court a name."
        try:
            ipaddress.ip_address(self.bind.currentText().strip())
        except ValueError:
            return f"{self.bind.currentText().strip()!r} is not an IP address to listen on."
        try:
            parse_sources(self.sources.text())
        except ValueError as exc:
            return f"Allowed sources: {exc}"
        return None

    def validate(self) -> None:
        problem = self.problem()
        self.error.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def form(self) -> CourtForm:
        return CourtForm(
            self.name.text().strip(),
            self.port.value(),
            self.bind.currentText().strip(),
            parse_sources(self.sources.text()),
        )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None, data_folder: Path, log_folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("About StrikeDesk")
        text = QLabel(
            f"<h3>StrikeDesk {__version__}</h3>"
            "<p>Black-box recorder and control desk for the World Taekwondo PSS UDP stream "
            "(WT UDP protocol v2.3).</p>"
            f"<p><b>Data folder:</b> {data_folder}<br><b>Log folder:</b> {log_folder}</p>"
        )
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)


class MatchDetailDialog(QDialog):
    """A recorded match: its round scores, result, warnings and every event in order."""

    def __init__(self, parent: QWidget | None, detail: MatchDetail) -> None:
        super().__init__(parent)
        match = detail.match
        self.setWindowTitle(f"Match {match.match_number or match.id}")
        header = QLabel()
        header.setWordWrap(True)
        rounds = "  ".join(f"R{n} {b}-{r}" for n, (b, r) in enumerate(match.rounds, start=1))
        lines = [
            f"<b>{match.match_number or '—'}</b> {match.category or ''} · {match.court or ''}",
            f"<span style='color:#1565c0'><b>Blue</b></span> {match.blue or '—'} "
            f"{match.blue_noc or ''} vs <span style='color:#c62828'><b>Red</b></span> "
            f"{match.red or '—'} {match.red_noc or ''}",
            f"Rounds: {rounds or '—'} · Final {match.score or '—'} · "
            f"Winner: {match.winner or '—'} {match.decision or ''}",
        ]
        if detail.warnings:
            lines.append("Warnings: " + "; ".join(detail.warnings))
        header.setText("<br>".join(lines))
        table = QTableWidget(len(detail.events), 8)
        table.setObjectName("matchEvents")
        table.setHorizontalHeaderLabels(
            ["Seq", "Time", "Rnd", "Clock", "Code", "Side", "Value", "Raw"]
        )
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, event in enumerate(detail.events):
            values = [
                str(event.seq),
                datetime.fromtimestamp(event.received_at).strftime("%H:%M:%S.%f")[:-3],
                "" if event.round is None else str(event.round),
                event.clock or "",
                event.code if event.status == "ok" else f"{event.code} ({event.status})",
                SIDES.get(event.side or 0, ""),
                "" if event.value is None else str(event.value),
                event.text,
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if event.error:
                    item.setToolTip(event.error)
                table.setItem(row, column, item)
        table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnsToContents()
        self.table = table
        count = QLabel(
            f"{len(detail.events):,} events"
            + (f" of {detail.total_events:,}" if detail.total_events > len(detail.events) else "")
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(count, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(table, 1)
        layout.addLayout(bottom)
        self.resize(820, 560)
