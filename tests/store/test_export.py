"""ExportService: events and results sheets as Excel-ready CSV and as JSON, from the live
database and the archive alike."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.archive import ArchiveScope, ArchiveService
from app.store.database import Database
from app.store.errors import NotFoundError, ValidationError
from app.store.export import (
    EVENT_FIELDS,
    RESULT_FIELDS,
    ExportFormat,
    ExportKind,
    ExportScope,
    ExportService,
)
from tests.store.recording import Recorded, table_rows


@pytest.fixture
def db(folder: Recorded) -> Iterator[Database]:
    database = Database.open(folder.root)
    yield database
    database.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_results_sheet_opens_in_excel_and_matches_the_json(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    service = ExportService(db)
    scope = ExportScope(folder.open_id)
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))  # still exported
    assert service.plan(ExportKind.RESULTS, scope).rows == 3
    sheet = service.export(ExportKind.RESULTS, scope, ExportFormat.CSV, tmp_path / "r.csv")
    document = service.export(ExportKind.RESULTS, scope, ExportFormat.JSON, tmp_path / "r.json")
    assert sheet.rows == document.rows == 3
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the names right
    assert raw.count(b"\r\n") == 4 and raw.count(b"\n") == 4  # CRLF rows
    rows = read_csv(tmp_path / "r.csv")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert list(rows[0]) == list(RESULT_FIELDS)
    assert data["kind"] == "results" and data["scope"]["tournament_id"] == folder.open_id
    assert [r["match_number"] for r in rows] == [r["match_number"] for r in data["rows"]]
    assert [r["match_number"] for r in rows] == ["101", "102", "201.A"]
    for line, item in zip(rows, data["rows"], strict=True):
        assert line["round_scores"] == " | ".join(
            f"R{n} {b}-{r}" for n, (b, r) in enumerate(item["round_scores"], 1)
        )
        assert int(line["blue_score"]) == item["blue_score"]
        assert line["winner_athlete"] == item["winner_athlete"]
        assert item["winner"] in ("blue", "red", "tie")
        assert item["blue_noc"] and item["red_noc"] and item["method"]
    with sqlite3.connect(folder.root / "strikedesk.db") as connection:
        stored = connection.execute(
            "SELECT blue_score, red_score, method FROM matches WHERE id IN (1, 2) ORDER BY id"
        ).fetchall()
    connection.close()
    assert stored == [(r["blue_score"], r["red_score"], r["method"]) for r in data["rows"][:2]]


def test_events_of_a_day_a_tournament_and_a_match(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    service = ExportService(db)
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    archived = table_rows(folder.root / "archive.db", "events")
    day = service.export(
        ExportKind.EVENTS, ExportScope(folder.open_id, 2), ExportFormat.CSV, tmp_path / "d.csv"
    )
    assert day.rows == len(archived)  # day 2 lives in the archive now
    rows = read_csv(tmp_path / "d.csv")
    assert list(rows[0]) == list(EVENT_FIELDS)
    assert [int(r["seq"]) for r in rows] == sorted(row[1] for row in archived)
    assert {r["day"] for r in rows} == {"2"} and {r["court"] for r in rows} == {"Test court"}

    whole = service.plan(ExportKind.EVENTS, ExportScope(folder.open_id))
    tournament_events = table_rows(
        folder.root / "strikedesk.db", "events", f"tournament_id = {folder.open_id}"
    )
    assert (whole.rows, whole.archived_rows) == (
        len(tournament_events) + len(archived),
        len(archived),
    )

    match = service.export(
        ExportKind.EVENTS, ExportScope(match_number="102"), ExportFormat.JSON, tmp_path / "m.json"
    )
    items = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["rows"]
    assert (
        match.rows
        == len(items)
        == len(table_rows(folder.root / "strikedesk.db", "events", "match_id = 2"))
    )
    assert {item["match_number"] for item in items} == {"102"}
    with_details = [item for item in items if item["details"] is not None]
    assert with_details and all(isinstance(item["details"], dict) for item in with_details)


def test_csv_quotes_and_defuses_what_excel_would_misread(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    with sqlite3.connect(folder.root / "strikedesk.db") as connection:
        connection.execute(
            "UPDATE athletes SET long_name = ? WHERE id = (SELECT blue_athlete_id FROM matches "
            "WHERE id = 1)",
            ('=HYPERLINK("http://x"), "Jr."\nĆORIĆ',),
        )
    connection.close()
    ExportService(db).export(
        ExportKind.RESULTS, ExportScope(match_number="101"), ExportFormat.CSV, tmp_path / "x.csv"
    )
    [row] = read_csv(tmp_path / "x.csv")
    assert row["blue_athlete"] == '\'=HYPERLINK("http://x"), "Jr."\nĆORIĆ'  # text, not a formula
    assert '"\'=HYPERLINK(""http://x""), ""Jr.""\nĆORIĆ"' in (tmp_path / "x.csv").read_text(
        encoding="utf-8-sig"
    )


def test_scopes_are_checked(folder: Recorded, db: Database, tmp_path: Path) -> None:
    service = ExportService(db)
    with pytest.raises(ValidationError):
        ExportScope()
    with pytest.raises(ValidationError):
        ExportScope(day_number=1, match_number="101")
    with pytest.raises(NotFoundError, match="no tournament 9"):
        service.plan(ExportKind.EVENTS, ExportScope(9))
    with pytest.raises(NotFoundError, match="has no day 5"):
        service.export(
            ExportKind.EVENTS, ExportScope(folder.open_id, 5), ExportFormat.CSV, tmp_path / "n.csv"
        )
    assert not (tmp_path / "n.csv").exists() and not (tmp_path / "n.csv.partial").exists()
