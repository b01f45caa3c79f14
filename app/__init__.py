"""StrikeDesk: recorder and control desk for the World Taekwondo PSS UDP stream."""

__version__ = "0.1.0"
