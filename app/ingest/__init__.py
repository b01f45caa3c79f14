"""Ingest pipeline: UDP listeners, journal, batch writer, court context, distributor."""
