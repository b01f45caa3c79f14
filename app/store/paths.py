"""Where StrikeDesk keeps its data: database, archive, journal, backups and logs.

The default is the platform's user data folder (platformdirs); an explicit root (the CLI's
`--data-dir` / `STRIKEDESK_DATA_DIR`, resolved by `app.cli.data_dir_from`) keeps everything,
logs included, under that one folder, which is what tests and portable installs want.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.store.errors import DataFolderError

APP_NAME = "StrikeDesk"
DATABASE_NAME = "strikedesk.db"
ARCHIVE_NAME = "archive.db"


@dataclass(frozen=True, slots=True)
class DataPaths:
    root: Path
    database: Path
    archive_database: Path
    journal: Path
    backups: Path
    logs: Path

    @classmethod
    def resolve(cls, root: Path | str | None = None) -> DataPaths:
        """The paths under `root`, or under the platform's user data folder when None.

        Nothing is created here; call `ensure()` before use.
        """
        if root is None:
            base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
            logs = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
        else:
            base = Path(root).expanduser().resolve()
            logs = base / "logs"
        return cls(
            root=base,
            database=base / DATABASE_NAME,
            archive_database=base / ARCHIVE_NAME,
            journal=base / "journal",
            backups=base / "backups",
            logs=logs,
        )

    def ensure(self) -> DataPaths:
        """Create the folders and check that the data folder is writable."""
        for folder in (self.root, self.journal, self.backups, self.logs):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DataFolderError(
                    f"Cannot create the data folder {folder}: {exc.strerror or exc}. "
                    "Choose another folder with --data-dir or fix its permissions."
                ) from exc
            if not folder.is_dir():
                raise DataFolderError(
                    f"{folder} is a file, not a folder. Move it away or choose another "
                    "data folder with --data-dir."
                )
            _check_writable(folder)
        return self


def _check_writable(folder: Path) -> None:
    # os.access lies on Windows ACLs and network drives; creating a file is the real test.
    try:
        handle, name = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        raise DataFolderError(
            f"The data folder {folder} is not writable: {exc.strerror or exc}. "
            "Fix its permissions or choose another folder with --data-dir."
        ) from exc
