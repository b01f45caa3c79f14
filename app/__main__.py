"""`python -m app`: same as the `strikedesk` command."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    # A frozen build starts the writer process by running this executable again: this call
    # turns that run into the child instead of a second window (a no-op everywhere else).
    multiprocessing.freeze_support()
    sys.exit(main())
