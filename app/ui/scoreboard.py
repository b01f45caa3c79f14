"""Live scoreboards: one card per recording court, drawn from the latest committed MatchState.

The cards read immutable snapshots that the recorder publishes after each commit; the panel
redraws a card only when its snapshot object changed, so a 10 Hz refresh costs nothing while a
court is quiet.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.match.state import MatchState
from app.protocol.messages import Side, WinnerColour
from app.ui.theme import Colours

MAX_ROUNDS_SHOWN = 4  # three rounds and a golden point round


def _label(text: str = "", *, bold: bool = False, size: float | None = None) -> QLabel:
    label = QLabel(text)
    font = label.font()
    if bold:
        font.setBold(True)
    if size is not None:
        font.setPointSizeF(size)
    label.setFont(font)
    return label


def athlete_text(state: MatchState, side: Side) -> tuple[str, str]:
    """(name, NOC) as the card shows them."""
    athlete = state.info.blue if side is Side.BLUE else state.info.red
    if athlete is None:
        return ("—", "")
    return (athlete.long_name.strip() or athlete.short_name.strip() or "—", athlete.noc)


def clock_text(state: MatchState) -> str:
    if state.clock is None:
        return "--:--"
    # Words, not ▶/⏸ glyphs: the pause sign is missing from common Windows and Linux fonts.
    return f"{state.clock.text} · {'running' if state.clock_running else 'stopped'}"


def status_text(state: MatchState) -> str:
    parts = []
    if state.break_on and state.break_clock is not None:
        parts.append(f"Break {state.break_clock.time.text}")
    if state.injury is not None and state.injury.active:
        who = "" if state.injury.side is None else f" ({state.injury.side.label})"
        parts.append(f"Injury{who} {state.injury.time.text}")
    if state.time_out is not None and state.time_out.active:
        parts.append(f"Time-out {state.time_out.time.text}")
    if any(review.open for review in state.reviews):
        parts.append("Video review")
    if not parts:
        parts.append(state.status.value.capitalize())  # Loaded, Running, Finished, Abandoned
    return " · ".join(parts)


def winner_text(state: MatchState) -> str | None:
    outcome = state.outcome
    if not state.finished:
        return None
    if outcome.winner is WinnerColour.TIE:
        who = "Tie"
    elif outcome.winner is not None:
        who = f"{outcome.winner.value.capitalize()} wins"
    else:
        who = "Result"
    if outcome.result is not None:
        name = outcome.result.winner_name.strip()
        text = outcome.result.result_text or ""
        return " ".join(p for p in (who, f"— {name}" if name else "", text) if p)
    return who


class ScoreboardCard(QFrame):
    """One court's live match."""

    def __init__(self, court_name: str, colours: Colours) -> None:
        super().__init__()
        self.setObjectName("scoreboardCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.colours = colours
        self.court_name = court_name
        self.state: MatchState | None = None

        self.title = _label(court_name, bold=True, size=11)
        self.status = _label()
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.status)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        headings = ["", "Athlete", "NOC", "Total"]
        headings += [f"R{n}" for n in range(1, MAX_ROUNDS_SHOWN + 1)]
        headings += ["GJ", "Hit", "Cards"]
        for column, text in enumerate(headings):
            heading = _label(text)
            heading.setEnabled(False)  # the palette's muted text
            grid.addWidget(heading, 0, column)
        self.rows: dict[Side, dict[str, QLabel]] = {}
        for row, side in enumerate((Side.BLUE, Side.RED), start=1):
            colour = colours.blue if side is Side.BLUE else colours.red
            band = _label(side.label.upper(), bold=True)
            band.setStyleSheet(f"color: white; background: {colour}; padding: 2px 6px;")
            band.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cells = {
                "name": _label(bold=True, size=11),
                "noc": _label(),
                "total": _label("0", bold=True, size=20),
                "gj": _label("0"),
                "hit": _label("–"),
                "cards": _label("–"),
            }
            cells["total"].setStyleSheet(f"color: {colour};")
            cells["name"].setMinimumWidth(140)
            for n in range(1, MAX_ROUNDS_SHOWN + 1):
                cells[f"r{n}"] = _label("")
            grid.addWidget(band, row, 0)
            order = ["name", "noc", "total"] + [f"r{n}" for n in range(1, MAX_ROUNDS_SHOWN + 1)]
            for column, key in enumerate([*order, "gj", "hit", "cards"], start=1):
                grid.addWidget(cells[key], row, column)
            self.rows[side] = cells
        grid.setColumnStretch(1, 1)

        self.round = _label(bold=True, size=12)
        self.clock = _label(bold=True, size=16)
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer = QHBoxLayout()
        footer.addWidget(self.round, 1)
        footer.addWidget(self.clock)

        self.banner = _label(bold=True, size=12)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(grid)
        layout.addLayout(footer)
        layout.addWidget(self.banner)
        self.show_waiting("Waiting for a match")

    def set_colours(self, colours: Colours) -> None:
        self.colours = colours
        for side, cells in self.rows.items():
            colour = colours.blue if side is Side.BLUE else colours.red
            cells["total"].setStyleSheet(f"color: {colour};")
        if self.state is not None:
            self.show_state(self.state)

    def rows_text(self, key: str) -> tuple[str, str]:
        """(blue, red) text of one column, e.g. "total"; what a test or a screen reader reads."""
        return self.rows[Side.BLUE][key].text(), self.rows[Side.RED][key].text()

    def round_texts(self) -> list[tuple[str, str]]:
        texts = [self.rows_text(f"r{n}") for n in range(1, MAX_ROUNDS_SHOWN + 1)]
        return [pair for pair in texts if pair != ("", "")]

    def show_waiting(self, message: str) -> None:
        self.title.setText(self.court_name)
        self.status.setText(message)
        self.round.setText("")
        self.clock.setText("")
        for cells in self.rows.values():
            cells["name"].setText("—")

    def show_state(self, state: MatchState) -> None:
        self.state = state
        info = state.info
        parts = [self.court_name]
        if info.match_number:
            parts.append(f"Match {info.match_number}")
        if info.category:
            parts.append(info.category)
        if info.phase:
            parts.append(info.phase)
        self.title.setText(" · ".join(parts))
        self.status.setText(status_text(state))
        total = state.stated_total
        rounds = state.stated_rounds
        for side, cells in self.rows.items():
            name, noc = athlete_text(state, side)
            cells["name"].setText(name)
            cells["noc"].setText(noc)
            cells["total"].setText(str(total.of(side)))
            for n in range(1, MAX_ROUNDS_SHOWN + 1):
                value = rounds[n - 1].of(side) if n <= len(rounds) else None
                round_winner = (
                    state.outcome.round_winners[n - 1]
                    if n <= len(state.outcome.round_winners)
                    else None
                )
                text = "" if value is None else str(value)
                if round_winner is side:
                    text += " ✓"
                cells[f"r{n}"].setText(text)
            cells["gj"].setText(str(state.penalties_total.of(side)))
            hit = state.scores.last_hit[0 if side is Side.BLUE else 1]
            cells["hit"].setText("–" if hit is None else str(hit))
            cells["cards"].setText(str(state.cards_left(side)))
        rounds_of = f" of {info.round_count}" if info.round_count else ""
        self.round.setText(f"Round {state.round}{rounds_of}" if state.round else "Before round 1")
        self.clock.setText(clock_text(state))
        banner = winner_text(state)
        if banner is None:
            self.banner.hide()
        else:
            match_winner = state.outcome.winner
            colour = "#616161"  # a tie or an unnamed result
            if match_winner is WinnerColour.BLUE:
                colour = self.colours.blue
            elif match_winner is WinnerColour.RED:
                colour = self.colours.red
            self.banner.setStyleSheet(f"color: white; background: {colour}; padding: 4px;")
            self.banner.setText(banner)
            self.banner.show()


class ScoreboardPanel(QScrollArea):
    """Cards of the recording courts, stacked; an empty state when nothing records."""

    def __init__(self, colours: Colours) -> None:
        super().__init__()
        self.colours = colours
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self.cards_layout = QVBoxLayout(inner)
        self.cards_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.empty = QLabel(
            "No court is recording.\nSwitch a court's recording on in the Courts panel."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.cards_layout.addWidget(self.empty)
        self.setWidget(inner)
        self.cards: dict[int, ScoreboardCard] = {}

    def set_courts(self, courts: list[tuple[int, str]]) -> None:
        """The recording courts (id, name), in display order."""
        wanted = dict(courts)
        for court_id in list(self.cards):
            if court_id not in wanted:
                card = self.cards.pop(court_id)
                self.cards_layout.removeWidget(card)
                card.deleteLater()
        for court_id, name in courts:
            existing = self.cards.get(court_id)
            if existing is None:
                card = self.cards[court_id] = ScoreboardCard(name, self.colours)
                self.cards_layout.addWidget(card)
                continue
            card = existing
            if card.court_name != name:
                card.court_name = name
                if card.state is not None:
                    card.show_state(card.state)
                else:
                    card.show_waiting("Waiting for a match")
        self.empty.setVisible(not self.cards)

    def set_colours(self, colours: Colours) -> None:
        self.colours = colours
        for card in self.cards.values():
            card.set_colours(colours)

    def update_states(self, states: dict[int, object]) -> None:
        for court_id, card in self.cards.items():
            state = states.get(court_id)
            if isinstance(state, MatchState) and state is not card.state:
                card.show_state(state)
