"""Small value types shared by the analytics results: technique counts, hit levels, reviews.

Pure (no I/O, no Qt): the calculations in match.py, athlete.py and tournament.py build them and
the service, the CLI and the charts read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.protocol.messages import Technique

#: The five scoring techniques in `pt` value order (a `pt` value is also its points).
TECHNIQUES: tuple[Technique, ...] = tuple(Technique)
HEAD_TECHNIQUES = frozenset({Technique.HEAD, Technique.TURNING_HEAD})
#: Hit levels are 1..100; the histogram has ten buckets 1-10, 11-20, ..., 91-100.
HIT_BUCKETS = 10


@dataclass(frozen=True, slots=True)
class TechniqueCounts:
    """How many scoring actions of each technique (punch, body, head, turning body, turning
    head), indexed by `Technique.value - 1`. Points of a technique are count x value."""

    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, int]]) -> TechniqueCounts:
        """From (technique value, count) pairs; values outside 1..5 are ignored (the parser
        already refuses them, so none reach the database as `ok` events)."""
        counts = [0, 0, 0, 0, 0]
        for value, count in pairs:
            if 1 <= value <= 5:
                counts[value - 1] += count
        return cls((counts[0], counts[1], counts[2], counts[3], counts[4]))

    def count(self, technique: Technique) -> int:
        return self.counts[technique.value - 1]

    def points_of(self, technique: Technique) -> int:
        return self.counts[technique.value - 1] * technique.value

    @property
    def actions(self) -> int:
        return sum(self.counts)

    @property
    def points(self) -> int:
        return sum(count * value for value, count in enumerate(self.counts, start=1))

    @property
    def head_points(self) -> int:
        return sum(self.points_of(technique) for technique in HEAD_TECHNIQUES)

    def plus(self, other: TechniqueCounts) -> TechniqueCounts:
        a, b = self.counts, other.counts
        return TechniqueCounts((a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4]))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            technique.label: {"count": self.count(technique), "points": self.points_of(technique)}
            for technique in TECHNIQUES
        }
        data["total"] = {"count": self.actions, "points": self.points}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TechniqueCounts:
        return cls.from_pairs(
            (technique.value, int(data[technique.label]["count"])) for technique in TECHNIQUES
        )


NO_TECHNIQUES = TechniqueCounts()


@dataclass(frozen=True, slots=True)
class HitLevels:
    """Sensor impact strengths (`hl`) of one athlete: count, mean, range and a histogram."""

    count: int = 0
    total: int = 0
    minimum: int | None = None
    maximum: int | None = None
    histogram: tuple[int, ...] = (0,) * HIT_BUCKETS  # 1-10, 11-20, ..., 91-100

    @classmethod
    def of(cls, levels: Iterable[int]) -> HitLevels:
        values = list(levels)
        if not values:
            return cls()
        histogram = [0] * HIT_BUCKETS
        for level in values:
            histogram[min(HIT_BUCKETS - 1, max(0, (level - 1) // 10))] += 1
        return cls(len(values), sum(values), min(values), max(values), tuple(histogram))

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """Video reviews (IVR) of one athlete, or the referee's own (`ch0`), over a match."""

    requested: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0
    lost: int = 0


@dataclass(frozen=True, slots=True)
class AthleteInfo:
    id: int
    short_name: str
    long_name: str
    noc: str

    @property
    def name(self) -> str:
        return self.long_name.strip() or self.short_name.strip()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.noc})" if self.noc else self.name


def share(part: float, whole: float) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as "-")."""
    return part / whole if whole else None
