"""The root of StrikeDesk's error hierarchy: every error an operator may see derives from it.

Messages are written for the person at the referee table: what went wrong and what to do next.
The UI shows `str(error)`; the log gets the traceback.
"""

from __future__ import annotations


class StrikeDeskError(Exception):
    """Base class of all StrikeDesk errors; `str()` is an operator-readable message."""
