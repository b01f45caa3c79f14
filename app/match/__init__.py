"""Match state: folds protocol messages into the live match. Pure: no I/O, no Qt."""
