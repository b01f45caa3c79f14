"""Shared plumbing for the service commands over the database (tournament, day, court).

Opens the database from `--data-dir` / STRIKEDESK_DATA_DIR, turns StoreErrors into one line on
stderr with the right exit status, and renders rows as JSON or aligned text. The store is
imported lazily so `strikedesk --version` never loads SQLAlchemy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, data_dir_from

if TYPE_CHECKING:
    from app.store.database import Database

StoreAction = Callable[["Database", argparse.Namespace], int]


class UsageError(Exception):
    """Bad command-line input found before the database is opened (exit status 2)."""


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def fail(command: str, message: str) -> None:
    # One line, so scripts and log collectors see the whole message.
    print(f"strikedesk {command}: {' '.join(message.split())}", file=sys.stderr)


def parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r} is not a date; use YYYY-MM-DD") from exc


def store_handler(command: str, action: StoreAction) -> Callable[[argparse.Namespace], int]:
    """Wrap `action(db, args)` with opening/closing the database and error reporting."""

    def handler(args: argparse.Namespace) -> int:
        from app.store.database import Database
        from app.store.errors import StoreError, ValidationError

        try:
            with Database.open(data_dir_from(args)) as db:
                return action(db, args)
        except UsageError as exc:
            fail(command, str(exc))
            return EXIT_USAGE
        except ValidationError as exc:
            fail(command, str(exc))
            return EXIT_USAGE
        except StoreError as exc:
            fail(command, str(exc))
            return EXIT_FAILURE

    return handler


def help_handler(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """For `strikedesk tournament` without an action: show what the actions are."""

    def handler(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    return handler


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def emit_json(data: Any) -> int:
    print(json.dumps(data, default=jsonable, ensure_ascii=False, indent=2))
    return EXIT_OK


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> int:
    if not rows:
        print(empty)
        return EXIT_OK
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "any"
    return str(value)
