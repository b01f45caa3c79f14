"""Simulator and replayer: send realistic PSS traffic over UDP."""
