"""Backpressure level of the ingest pipeline, as the GUI and the statistics panel read it.

The writer already reacts to a filling queue by committing in larger batches (WriterConfig
high_water); this module names the level so the GUI can coalesce its feed updates too. Nothing
is ever dropped: past the queue's bound the listener hands over journal ranges instead.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: Queue fill ratio from which the pipeline counts as saturated (the listener is about to
#: switch to journal catch-up).
SATURATED_FILL = 0.95
#: Suggested GUI feed refresh interval per level: every timer tick, 4 Hz, 1 Hz.
FEED_INTERVAL_MS = {0: 0, 1: 250, 2: 1000}


class BackpressureLevel(enum.IntEnum):
    NONE = 0  # the writer keeps up
    HIGH = 1  # queue past its high-water mark: batches grow, the GUI coalesces updates
    SATURATED = 2  # queue (nearly) full: the listener reads back from the journal


@dataclass(frozen=True, slots=True)
class Backpressure:
    level: BackpressureLevel
    queue_fill: float  # 0..1
    coalesce: bool  # True: the GUI feed should merge updates and refresh less often
    feed_interval_ms: int  # suggested minimum time between GUI feed refreshes (0: every tick)

    @property
    def name(self) -> str:
        return self.level.name.lower()


NO_BACKPRESSURE = Backpressure(BackpressureLevel.NONE, 0.0, False, 0)


def assess(queue_depth: int, queue_capacity: int, high_water: float) -> Backpressure:
    """The level for a queue `queue_depth` items deep out of `queue_capacity` (0: unbounded)."""
    fill = queue_depth / queue_capacity if queue_capacity > 0 else 0.0
    if fill >= SATURATED_FILL:
        level = BackpressureLevel.SATURATED
    elif fill >= high_water:
        level = BackpressureLevel.HIGH
    else:
        level = BackpressureLevel.NONE
    return Backpressure(
        level, round(fill, 4), level > BackpressureLevel.NONE, FEED_INTERVAL_MS[level.value]
    )
