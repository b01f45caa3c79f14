"""Memory monitor: the process's RSS (now and peak), its share of the machine, and a pressure
level that asks caches to shrink and runs a garbage collection when it rises.

Caches subscribe with `MemoryMonitor.subscribe(hook)`; a hook gets the new PressureLevel and
must be quick (drop entries, never block). Nothing the pipeline has received is ever a cache:
the journal, the queue and unsaved rows are not touched.
"""

from __future__ import annotations

import enum
import gc
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psutil

log = logging.getLogger(__name__)

MIB = 1024 * 1024


class PressureLevel(enum.IntEnum):
    NORMAL = 0
    ELEVATED = 1  # caches shrink, a GC runs
    CRITICAL = 2  # caches empty themselves, a full GC runs


@dataclass(frozen=True, slots=True)
class MemoryLimits:
    """When memory counts as under pressure: the process's RSS or the machine's use.

    The RSS limits sit above design.md §5's 300 MB budget after a million events, so normal
    recording never trips them."""

    elevated_rss_bytes: int = 512 * MIB
    critical_rss_bytes: int = 1024 * MIB
    elevated_system_percent: float = 85.0
    critical_system_percent: float = 95.0


@dataclass(frozen=True, slots=True)
class MemoryStatus:
    rss_bytes: int
    peak_rss_bytes: int
    percent: float  # RSS as a share of physical memory (psutil's memory_percent)
    system_percent: float  # the whole machine's memory in use
    available_bytes: int  # memory the machine can still give
    pressure: PressureLevel


PressureHook = Callable[[PressureLevel], None]


def pressure_level(rss_bytes: int, system_percent: float, limits: MemoryLimits) -> PressureLevel:
    if rss_bytes >= limits.critical_rss_bytes or system_percent >= limits.critical_system_percent:
        return PressureLevel.CRITICAL
    if rss_bytes >= limits.elevated_rss_bytes or system_percent >= limits.elevated_system_percent:
        return PressureLevel.ELEVATED
    return PressureLevel.NORMAL


def _os_peak_rss(info: object) -> int:
    """The peak RSS the OS recorded (Windows: peak working set; Unix: ru_maxrss), or 0."""
    peak = int(getattr(info, "peak_wset", 0) or 0)
    if peak or sys.platform == "win32":
        return peak
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(maxrss) if sys.platform == "darwin" else int(maxrss) * 1024  # macOS: bytes


class MemoryMonitor:
    """Samples psutil; calls the subscribed hooks and collects garbage when pressure rises."""

    def __init__(self, limits: MemoryLimits | None = None) -> None:
        self.limits = limits or MemoryLimits()
        self._process = psutil.Process()
        self._hooks: list[PressureHook] = []
        self._lock = threading.Lock()
        self._peak = 0
        self._level = PressureLevel.NORMAL
        self.reliefs = 0  # how many times the hooks and the GC ran

    def subscribe(self, hook: PressureHook) -> None:
        with self._lock:
            self._hooks = [*self._hooks, hook]

    def unsubscribe(self, hook: PressureHook) -> None:
        with self._lock:
            self._hooks = [h for h in self._hooks if h is not hook]

    @property
    def level(self) -> PressureLevel:
        return self._level

    def sample(self) -> MemoryStatus:
        """Read the process and the machine now; relieve pressure if it rose since last time."""
        info = self._process.memory_info()
        system = psutil.virtual_memory()
        rss = int(info.rss)
        self._peak = max(self._peak, rss, _os_peak_rss(info))
        level = pressure_level(rss, system.percent, self.limits)
        if level > self._level:
            log.warning(
                "memory pressure %s (RSS %d MiB, machine %.0f %% used): shrinking caches",
                level.name.lower(),
                rss // MIB,
                system.percent,
            )
            self.relieve(level)
        self._level = level
        return MemoryStatus(
            rss_bytes=rss,
            peak_rss_bytes=self._peak,
            percent=round(rss / system.total * 100, 3) if system.total else 0.0,
            system_percent=float(system.percent),
            available_bytes=int(system.available),
            pressure=level,
        )

    def relieve(self, level: PressureLevel) -> int:
        """Ask every subscribed cache to shrink, then collect garbage; returns objects freed."""
        for hook in self._hooks:
            try:
                hook(level)
            except Exception:  # one broken cache must not stop the others from shrinking
                log.exception("memory pressure hook %r failed", hook)
        self.reliefs += 1
        return gc.collect(2 if level >= PressureLevel.CRITICAL else 1)
