"""Errors of the storage layer, each with a message the operator can act on."""

from __future__ import annotations

from app.errors import StrikeDeskError


class StoreError(StrikeDeskError):
    """Something went wrong reading or writing StrikeDesk's data."""


class DataFolderError(StoreError):
    """The data folder cannot be created, read or written."""


class DatabaseLockedError(StoreError):
    """Another program holds the database's write lock; the operation can be retried."""


class MigrationError(StoreError):
    """The database schema cannot be brought up to date."""


class ValidationError(StoreError):
    """The operator's input is not acceptable (bad port, end before start, ...)."""


class NotFoundError(ValidationError):
    """A tournament, day or court that the operator named does not exist."""


class ConflictError(ValidationError):
    """The request clashes with existing data (a second active day, a port in use, ...)."""


class ArchiveError(StoreError):
    """An archive, restore or clean-up cannot go ahead, or its check failed (nothing moved)."""


class BackupError(StoreError):
    """A backup cannot be made, or a file is not a usable StrikeDesk backup."""


class ExportError(StoreError):
    """An export cannot be written."""
