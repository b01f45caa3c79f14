"""Monitoring: metrics, alert rules, memory monitor, profiler and performance history.

The GUI and the CLI use `Monitor` (service.py) and the frozen snapshots it hands out; the
modules underneath are usable on their own (alerts.evaluate is pure, for tests and tools).
"""
