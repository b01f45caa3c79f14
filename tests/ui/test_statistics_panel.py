"""The statistics panel's read cadence: a costly section is read at most every `every` seconds,
and at once when told its data changed."""

from __future__ import annotations

from typing import Any, cast

from app.ui.background import BackgroundCalls
from app.ui.statistics import StatisticsPanel


def test_a_section_with_a_cadence_is_read_once_until_due_or_told(qtbot: Any) -> None:
    panel = StatisticsPanel(cast(BackgroundCalls, None))  # in-GUI sections only: no calls
    qtbot.addWidget(panel)
    reads = {"cheap": 0, "costly": 0}

    def reader(name: str) -> Any:
        def read() -> list[tuple[str, str]]:
            reads[name] += 1
            return [("Reads", str(reads[name]))]

        return read

    panel.add_section("Cheap", reader("cheap"))
    panel.add_section("Costly", reader("costly"), every=3600.0)
    for _ in range(3):
        panel.refresh()
    assert reads == {"cheap": 3, "costly": 1}
    assert panel.sections["Costly"].value("Reads") == "1"

    panel.refresh_soon("Costly")  # e.g. an archive job just moved rows
    panel.refresh()
    assert reads == {"cheap": 4, "costly": 2}
    assert panel.sections["Costly"].value("Reads") == "2"
