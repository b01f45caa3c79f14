"""Jobs: a priority runner for long work with progress, cancel and retry."""
