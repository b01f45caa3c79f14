"""`strikedesk --smoke`: prove in a few seconds that this build of StrikeDesk works end to end.

Migrates a fresh database in a temporary folder, starts the recorder with one court on an
ephemeral port of 127.0.0.1, opens the main window offscreen, sends one real PSS datagram, and
checks that it was stored byte for byte. It runs the code of a tournament day (Database,
Recorder, window), so a frozen build that lacks the migrations, a Qt plugin or a hidden import
fails here, on the build machine, and not at the venue. Prints timings (cold start is measured
from the creation of the process, so a frozen build's unpacking and imports count); exits 0, or
1 with the reason.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import StrikeDeskError

if TYPE_CHECKING:
    from app.ingest.recorder import Recorder
    from app.store.database import Database

EXIT_OK = 0
EXIT_FAILED = 1

#: A real datagram from the 2025 captures, with non-ASCII names: it exercises UTF-8 decoding.
SMOKE_DATAGRAM = (
    "at1;Marko Drakulić;Marko Drakulić;CRO;at2;Damjan Mitrić;Damjan Mitrić;CRO\r\n"
).encode()
WINDOW_TIMEOUT_S = 10.0
STORE_TIMEOUT_S = 10.0


class SmokeFailure(StrikeDeskError):
    """A smoke step did not do what it must."""


def show_main_window(database: Database, recorder: Recorder) -> Callable[[], object]:
    """Build the operator window over `database` and `recorder`, show it, and return its
    `close`. The one place the smoke names the window class."""
    from app.ui.launch import application, build_window, show_window

    application()
    window = build_window(database, recorder)
    if not show_window(window, WINDOW_TIMEOUT_S):
        raise SmokeFailure(f"the main window was not shown within {WINDOW_TIMEOUT_S:.0f} s")
    return window.close


def process_age() -> float:
    """Seconds since this process was created (before a frozen build unpacks itself)."""
    if sys.platform.startswith("linux"):
        # psutil's create_time() adds a boot time that Linux gives in whole seconds (off by up to
        # 1 s); the start time in /proc and CLOCK_BOOTTIME both count from boot, to a clock tick.
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    import psutil

    return time.time() - psutil.Process().create_time()


def run_smoke() -> int:
    """The smoke check; prints each step and the timings, returns the exit status."""
    # Before anything creates a QApplication: no display is needed, and Qt aborts without one.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        with ExitStack() as cleanup:
            folder = Path(
                cleanup.enter_context(
                    tempfile.TemporaryDirectory(
                        prefix="strikedesk-smoke-", ignore_cleanup_errors=True
                    )
                )
            )
            window_shown = _smoke(folder, cleanup)
    except StrikeDeskError as exc:
        _report(f"FAILED: {exc}")
        return EXIT_FAILED
    except Exception as exc:  # a frozen build's missing module or plugin: say what broke
        traceback.print_exc()
        _report(f"FAILED: {type(exc).__name__}: {exc}")
        return EXIT_FAILED
    _report(f"OK: cold start to window shown {window_shown:.2f} s, total {process_age():.2f} s")
    return EXIT_OK


def _smoke(folder: Path, cleanup: ExitStack) -> float:
    """The steps; returns the process's age when the window was shown."""
    from sqlalchemy import select

    from app.ingest.recorder import Recorder, load_courts
    from app.logs import configure_logging, stop_logging
    from app.store.database import Database
    from app.store.models import Event

    step = time.perf_counter()
    database = Database.open(folder / "data")
    cleanup.callback(database.close)
    migration = database.migration
    if migration.from_revision is not None:
        raise SmokeFailure(f"expected a new database, found schema {migration.from_revision}")
    _report(f"database migrated to schema {migration.to_revision} in {_ms(step)} ms")
    configure_logging(database.paths.logs)
    cleanup.callback(stop_logging)

    step = time.perf_counter()
    recorder = Recorder(database.engine, database.paths.journal)
    recorder.start()
    cleanup.callback(recorder.stop)
    courts = load_courts(database.engine)
    if not courts:
        raise SmokeFailure("the new database has no default court")
    court = courts[0]
    # 127.0.0.1 and port 0 (ephemeral): never collide with a StrikeDesk recording on this machine.
    recorder.open_court(replace(court, bind_address="127.0.0.1", port=0))
    port = recorder.bound_port(court.court_id)
    _report(f"recorder listening for {court.name!r} on 127.0.0.1:{port} after {_ms(step)} ms")

    close_window = show_main_window(database, recorder)
    window_shown = process_age()
    cleanup.callback(close_window)
    _report("main window shown (offscreen)")

    step = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(SMOKE_DATAGRAM, ("127.0.0.1", port))
    _wait_stored(recorder, 1)
    with database.session() as session:
        events = list(session.scalars(select(Event)))
    if len(events) != 1:
        raise SmokeFailure(f"expected 1 stored event, found {len(events)}")
    [event] = events
    problems = [
        what
        for what, bad in (
            ("raw bytes differ", event.raw != SMOKE_DATAGRAM),
            (f"parse status {event.parse_status}", event.parse_status != "ok"),
            (f"court {event.court_id}", event.court_id != court.court_id),
            ("names not decoded as UTF-8", "Drakulić" not in event.text),
        )
        if bad
    ]
    if problems:
        raise SmokeFailure(f"the stored datagram is wrong: {', '.join(problems)}")
    _report(f"datagram received, stored and verified in {_ms(step)} ms")
    return window_shown


def _wait_stored(recorder: Recorder, count: int) -> None:
    from app.ui.launch import process_events

    deadline = time.monotonic() + STORE_TIMEOUT_S
    while recorder.stats().stored < count or not recorder.wait_idle(0.05):
        if time.monotonic() > deadline:
            stats = recorder.stats()
            raise SmokeFailure(
                f"the datagram was not stored within {STORE_TIMEOUT_S:.0f} s "
                f"(received {stats.received}, stored {stats.stored})"
            )
        process_events()  # the window stays responsive while the writer works
        time.sleep(0.01)


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def _report(line: str) -> None:
    print(f"smoke: {line}", flush=True)
