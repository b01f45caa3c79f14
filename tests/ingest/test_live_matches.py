"""What the recorder reports as each court's live match."""

from __future__ import annotations

from app.match.state import MatchStatus
from tests.ingest.conftest import Rig

LOAD_9 = (
    b"pre;FightLoaded",
    b"at1;Blue One;Blue One;KOR;at2;Red Two;Red Two;GER",
    b"mch;9;Final;M -68kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntDown;20;5;",
    b"rnd;1",
    b"clk;02:00;start",
)


def test_a_newly_loaded_match_replaces_the_previous_one_as_live(rig: Rig) -> None:
    rig.send(b"pre;FightLoaded")  # a load that never got its details
    rig.settle(1)
    # The next load replaces it in the same batch that closes it: the new one is live.
    rig.send(*LOAD_9)
    rig.settle(len(LOAD_9) + 1)
    state = rig.recorder.live_matches()[rig.court.court_id]
    assert getattr(state, "match_number", None) == "9"
    assert getattr(state, "status", None) is MatchStatus.RUNNING
