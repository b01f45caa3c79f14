"""Subcommands of the `strikedesk` command line, one module each."""
