"""`python -m app`: same as the `strikedesk` command."""

import sys

from app.cli import main

sys.exit(main())
