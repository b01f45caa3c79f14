"""Generate realistic PSS sessions as (delay_ms, message) pairs; pure and seeded.

The traffic follows the 2025 captures (protocol README §2, §4): a load burst, best-of-3 rounds
with one clock tick per second, scoring bursts ordered hl -> sup -> sc -> s-table -> pt, penalty
bursts ending in wg, per-round sc and gam-jeom counts, round end wrd/s-table/rst/rsr, breaks, and
win + wmh. Over a session every message type of the catalogue appears. Scores stay consistent,
so MatchState raises no warnings on generated matches.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.protocol import messages as m

Step = tuple[int, m.Message]  # delay before sending, in ms; message

FIRST_NAMES = ("Luka", "Dario", "Min-jun", "Ahmad", "Jade", "Bianca", "Ilya", "Omar", "Sofía")
LAST_NAMES = ("NOVAK", "ĆORIĆ", "KIM", "RAHIMI", "JONES", "SILVA", "PETROV", "HASSAN", "LÓPEZ")
NOCS = ("SLO", "CRO", "KOR", "IRI", "GBR", "BRA", "AIN", "EGY", "ESP", "CHN", "TUR", "MEX")
CATEGORIES = ("M -58kg", "M -68kg", "M -80kg", "M +80kg", "W -49kg", "W -57kg", "W -67kg")
PHASES = ("Round of 16", "Quarterfinals", "Semifinals", "Final", "Bronze medal contest")
TECHNIQUE_WEIGHTS = (30, 35, 20, 8, 7)  # punch, body, head, turning body, turning head
DECISIONS_EARLY = ("RSC", "SUP", "PUN")


@dataclass
class _Round:
    scores: list[int] = field(default_factory=lambda: [0, 0])
    gam_jeom: list[int] = field(default_factory=lambda: [0, 0])
    stats: list[list[int]] = field(default_factory=lambda: [[0] * 6, [0] * 6])


class _MatchBuilder:
    """Builds one match; `out` collects (delay, message)."""

    def __init__(self, rng: random.Random, number: str, round_seconds: int) -> None:
        self.rng = rng
        self.number = number
        self.round_seconds = round_seconds
        self.out: list[Step] = []
        self.rounds: dict[int, _Round] = {}
        self.round = 1
        self.clock = round_seconds
        self.leader: m.Side | None = None
        self.round_winners: dict[int, m.Side | None] = {1: None, 2: None, 3: None}
        # Rolls that select: review, injury, time-out, clock correction, gam-jeom (see play_round).
        self.required = [0.8, 0.9, 0.94, 0.97, 0.7]
        blue_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        red_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        self.blue = m.Athlete(blue_name, blue_name, rng.choice(NOCS))
        self.red = m.Athlete(red_name, red_name, rng.choice(NOCS))

    def send(self, message: m.Message, delay: int = 13) -> None:
        self.out.append((delay, message))

    def time(self, seconds: int) -> m.ClockTime:
        return m.ClockTime.from_seconds(seconds)

    # --- state helpers -------------------------------------------------------------------------
    def current(self) -> _Round:
        return self.rounds.setdefault(self.round, _Round())

    def table(self) -> m.RoundScores:
        entries = []
        for number in (1, 2, 3):
            scores = self.rounds.get(number, _Round()).scores
            entries.append(m.RoundScore(m.Side.BLUE, number, scores[0]))
            entries.append(m.RoundScore(m.Side.RED, number, scores[1]))
        return m.RoundScores(tuple(entries))

    def score(self) -> m.Score:
        blue, red = self.current().scores
        return m.Score(blue, red)

    def lead_of(self) -> m.Side | None:
        blue, red = self.current().scores
        if blue == red:
            return None
        return m.Side.BLUE if blue > red else m.Side.RED

    def update_leader(self) -> None:
        leader = self.lead_of()
        if leader != self.leader:
            self.send(m.Leader(leader))
            self.leader = leader

    # --- events -------------------------------------------------------------------------------
    def load(self) -> None:
        rng = self.rng
        self.send(m.FightLoaded(), delay=rng.randint(3000, 9000))
        self.send(
            m.Referees(
                m.Official("J. PARK", "KOR"),
                (m.Official("A. SILVA", "BRA"), m.Official("M. DUBOIS", "FRA")),
                m.Official("", ""),
            )
        )
        self.send(m.Athletes(self.blue, self.red))
        self.send(
            m.MatchConfig(
                self.number,
                rng.choice(PHASES),
                rng.choice(CATEGORIES),
                "0",
                "#0000ff",
                "#FFFFFF",
                "#ff0000",
                "#FFFFFF",
                "null",
                rng.choice(("Seniors", "Under 21")),
                3,
                self.round_seconds,
                "cntDown",
                rng.choice((18, 20, 22, 23)),
                5,
            )
        )
        self.send(m.Penalties(0, 0))
        self.send(m.RoundWinners(tuple(m.RoundWinner(n, None) for n in (1, 2, 3))))
        self.send(self.table())
        self.send(self.score())
        self.send(m.Avt(0))
        self.send(m.Clock(self.time(self.round_seconds), None))
        self.send(m.Round(1))
        self.send(m.Leader(None))
        self.send(m.FightReady())

    def tick_to(self, seconds_left: int) -> None:
        while self.clock > max(seconds_left, 0):
            self.clock -= 1
            self.send(m.Clock(self.time(self.clock), None), delay=1000)

    def start_clock(self, delay: int) -> None:
        self.send(m.Clock(self.time(self.clock), m.ClockAction.START), delay=delay)

    def stop_clock(self) -> None:
        self.send(
            m.Clock(self.time(self.clock), m.ClockAction.STOP), delay=self.rng.randint(200, 600)
        )

    def point(self, side: m.Side, value: int) -> None:
        rng = self.rng
        if value >= 2 and rng.random() < 0.8:  # kicks come from the sensors
            self.send(m.HitLevel(side, rng.randint(20, 99)), delay=rng.randint(100, 400))
        elif rng.random() < 0.1:  # a hit too weak to score
            self.send(m.HitLevel(side, rng.randint(5, 19)), delay=rng.randint(100, 400))
            return
        current = self.current()
        current.scores[side - 1] += value
        current.stats[side - 1][{1: 2, 2: 0, 3: 1, 4: 3, 5: 4}[value]] += 1
        self.update_leader()
        self.send(self.score())
        self.send(self.table())
        self.send(m.Point(side, value))

    def gam_jeom(self, side: m.Side) -> None:
        current = self.current()
        current.gam_jeom[side - 1] += 1
        current.stats[side - 1][5] += 1
        current.scores[2 - side] += 1  # the opponent gets the point
        self.update_leader()
        self.send(self.score(), delay=self.rng.randint(300, 900))
        self.send(self.table())
        self.send(m.Penalties(current.gam_jeom[0], current.gam_jeom[1]))

    def review(self, side: m.Side | None) -> None:
        rng = self.rng
        self.stop_clock()
        self.send(m.Challenge(side, m.ChallengeState.REQUESTED, None), delay=rng.randint(500, 900))
        if rng.random() < 0.3:
            self.send(
                m.Challenge(side, m.ChallengeState.REJECTED, None), delay=rng.randint(3000, 9000)
            )
        else:
            self.send(
                m.Challenge(side, m.ChallengeState.ACCEPTED, None), delay=rng.randint(3000, 6000)
            )
            won = rng.random() < 0.5
            self.send(
                m.Challenge(side, m.ChallengeState.ACCEPTED, won), delay=rng.randint(5000, 15000)
            )
            if won and side is not None:
                self.point(side, rng.choice((2, 3)))
        self.send(m.Challenge(side, m.ChallengeState.CLOSED, None), delay=rng.randint(500, 2500))
        self.start_clock(rng.randint(1500, 4000))

    def injury(self) -> None:
        rng = self.rng
        self.stop_clock()
        side = rng.choice((None, m.Side.BLUE, m.Side.RED))
        start = 60
        stop_at = rng.randint(30, 55)
        self.send(
            m.Injury(side, self.time(start), m.InjuryAction.SHOW), delay=rng.randint(300, 900)
        )
        for seconds in range(start - 1, stop_at - 1, -1):
            self.send(m.Injury(side, self.time(seconds), None), delay=1000)
        self.send(
            m.Injury(side, self.time(stop_at), m.InjuryAction.HIDE), delay=rng.randint(200, 700)
        )
        if rng.random() < 0.3:
            self.send(
                m.Injury(side, self.time(start), m.InjuryAction.RESET), delay=rng.randint(500, 1500)
            )
        self.start_clock(rng.randint(1500, 4000))

    def time_out(self) -> None:
        rng = self.rng
        self.stop_clock()
        side = rng.choice((m.Side.BLUE, m.Side.RED))
        self.send(m.TimeOut(side, self.time(60), m.ClockAction.START), delay=rng.randint(500, 900))
        stop_at = rng.randint(52, 58)
        for seconds in range(59, stop_at - 1, -1):
            self.send(m.TimeOut(side, self.time(seconds), None), delay=1000)
        self.send(m.TimeOut(side, self.time(stop_at), m.ClockAction.STOP), delay=400)
        self.start_clock(rng.randint(1500, 4000))

    def correction(self) -> None:
        self.stop_clock()
        self.clock = min(self.round_seconds, self.clock + self.rng.randint(1, 3))
        self.send(
            m.Clock(self.time(self.clock), m.ClockAction.CORR), delay=self.rng.randint(1000, 3000)
        )
        self.start_clock(self.rng.randint(1500, 4000))

    def play_round(self) -> None:
        rng = self.rng
        self.clock = self.round_seconds
        self.start_clock(rng.randint(4000, 9000))
        self.clock -= 1
        self.send(m.Clock(self.time(self.clock), None), delay=14)
        actions = sorted(
            rng.sample(range(3, self.round_seconds - 2), k=rng.randint(4, 10)), reverse=True
        )
        for at in actions:
            self.tick_to(at)
            # Every match shows each kind of incident once, then chance decides.
            roll = self.required.pop() if self.required else rng.random()
            side = rng.choice((m.Side.BLUE, m.Side.RED))
            if roll < 0.62:
                self.point(side, rng.choices((1, 2, 3, 4, 5), TECHNIQUE_WEIGHTS)[0])
            elif roll < 0.78:
                self.gam_jeom(side)
            elif roll < 0.86:
                self.review(rng.choice((None, m.Side.BLUE, m.Side.RED)))
            elif roll < 0.92:
                self.injury()
            elif roll < 0.96:
                self.time_out()
            else:
                self.correction()
        self.tick_to(0)
        self.end_round()

    def end_round(self) -> None:
        rng = self.rng
        self.send(m.Clock(m.ClockTime.from_seconds(0, "m:ss"), m.ClockAction.STOP_END), delay=1000)
        self.send(m.Clock(self.time(0), m.ClockAction.STOP), delay=14)
        winner = self.lead_of() or rng.choice((m.Side.BLUE, m.Side.RED))  # tie: superiority
        self.round_winners[self.round] = winner
        entries = tuple(m.RoundWinner(n, self.round_winners[n]) for n in (1, 2, 3))
        self.send(m.RoundWinners(entries), delay=rng.randint(3000, 9000))
        self.send(self.table())
        blue, red = self.current().stats
        self.send(m.RoundStats(self.round, tuple(blue), tuple(red)))
        self.send(m.RoundStatsReset())

    def take_break(self) -> None:
        rng = self.rng
        self.send(m.Break(self.time(59), None), delay=13)
        skip_at = rng.choice((0, 0, 20, 40))
        for seconds in range(58, skip_at - 1, -1):
            self.send(m.Break(self.time(seconds), None), delay=1000)
            if seconds == 45 and rng.random() < 0.2:
                self.send(m.Break(self.time(seconds), m.ClockAction.STOP), delay=300)
                self.send(
                    m.Break(self.time(seconds), m.ClockAction.START), delay=rng.randint(2000, 7000)
                )
        if skip_at == 0:
            self.send(
                m.Break(m.ClockTime.from_seconds(0, "m:ss"), m.ClockAction.STOP_END), delay=990
            )

    def next_round(self) -> None:
        self.round += 1
        self.leader = None
        self.send(m.Leader(None), delay=self.rng.randint(300, 800))
        self.send(m.Round(self.round))

    def result(self) -> None:
        wins = [0, 0]
        for winner in self.round_winners.values():
            if winner is not None:
                wins[winner - 1] += 1
        side = m.Side.BLUE if wins[0] > wins[1] else m.Side.RED
        colour = m.WinnerColour.BLUE if side is m.Side.BLUE else m.WinnerColour.RED
        name = (self.blue if side is m.Side.BLUE else self.red).long_name
        self.send(m.Winner(colour), delay=self.rng.randint(2000, 9000))
        self.send(m.MatchResult(name, f"{wins[0]}-{wins[1]} PTF"), delay=14)

    def build(self) -> list[Step]:
        self.load()
        while True:
            self.play_round()
            wins = [0, 0]
            for winner in self.round_winners.values():
                if winner is not None:
                    wins[winner - 1] += 1
            if max(wins) >= 2:
                break
            self.take_break()
            self.next_round()
        self.result()
        return self.out


def session_opening(rng: random.Random, port: int) -> list[Step]:
    """What a sender emits when its UDP output is switched on, and a sensor test."""
    steps: list[Step] = [
        (0, m.Hello()),
        (2, m.LedSetting("inlb", "50")),
        (2, m.LedSetting("insl", "true")),
        (2, m.LedSetting("inth", "1000")),
        (8, m.UdpPortStatus(port, True)),
        (rng.randint(2000, 5000), m.HardwareTest(1)),
    ]
    for value in (2, 3, 4, 5):
        steps.append((rng.randint(900, 1800), m.HardwareTest(value)))
    steps.append((rng.randint(1500, 2500), m.HardwareTest(0)))
    return steps


def session_closing(port: int) -> list[Step]:
    return [(30_000, m.UdpPortStatus(port, False)), (3, m.Bye())]


def generate_session(
    seed: int = 1,
    matches: int = 1,
    port: int = 6000,
    round_seconds: int = 120,
    first_number: int = 101,
) -> Iterator[Step]:
    """A whole session: greeting, sensor test, `matches` matches, farewell."""
    rng = random.Random(seed)
    yield from session_opening(rng, port)
    for index in range(matches):
        number = str(first_number + index)
        if rng.random() < 0.15:
            number += ".A"
        yield from _MatchBuilder(rng, number, round_seconds).build()
    yield from session_closing(port)
