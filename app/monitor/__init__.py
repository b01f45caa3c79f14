"""Monitoring: metrics, alert rules, memory monitor and performance history."""
