"""Fixtures shared with tests/analytics: the samples recorded once into a real database."""

from tests.analytics.conftest import data, recorded

__all__ = ["data", "recorded"]
