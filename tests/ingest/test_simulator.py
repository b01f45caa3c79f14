"""`strikedesk simulate` produces traffic the recorder files into consistent matches."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from app.protocol import encode, parse
from app.protocol.messages import VALID_TYPES
from app.sim.generator import generate_session
from app.store.models import Event, Match
from tests.ingest.conftest import Rig


def test_a_generated_session_uses_every_message_type_and_round_trips() -> None:
    steps = list(generate_session(seed=11, matches=1))
    assert {type(message) for _, message in steps} == set(VALID_TYPES)
    assert all(parse(encode(message)) == message for _, message in steps)


def test_simulated_matches_are_recorded_without_warnings(rig: Rig) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "simulate",
            "--port",
            str(rig.port),
            "--matches",
            "3",
            "--speed",
            "2000",
            "--round-seconds",
            "20",
            "--seed",
            "5",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sent = len(list(generate_session(seed=5, matches=3, port=rig.port, round_seconds=20)))
    rig.settle(sent)
    with rig.db.session() as session:
        matches = session.scalars(select(Match).order_by(Match.id)).all()
        statuses = set(session.scalars(select(Event.parse_status)))
    assert statuses == {"ok"}
    assert len(matches) == 3
    for match in matches:
        assert match.status == "finished" and match.warnings == []
        assert match.winner in ("blue", "red")
        wins = (match.round_wins_blue, match.round_wins_red)
        assert max(wins) == 2 and match.decision == f"{wins[0]}-{wins[1]} PTF"
