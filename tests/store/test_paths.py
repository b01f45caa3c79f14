"""The data folder: layout, platform default, and clear errors when it cannot be used."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from app.store.errors import DataFolderError, StoreError
from app.store.paths import DataPaths


def test_an_explicit_root_holds_everything(tmp_path: Path) -> None:
    paths = DataPaths.resolve(tmp_path / "d")
    root = (tmp_path / "d").resolve()
    assert paths.root == root
    assert paths.database == root / "strikedesk.db"
    assert paths.archive_database == root / "archive.db"
    assert paths.journal == root / "journal"
    assert paths.backups == root / "backups"
    assert paths.logs == root / "logs"
    assert not root.exists()  # resolving creates nothing


def test_the_default_comes_from_platformdirs() -> None:
    paths = DataPaths.resolve(None)
    assert paths.root == Path(platformdirs.user_data_dir("StrikeDesk", appauthor=False))
    assert paths.logs == Path(platformdirs.user_log_dir("StrikeDesk", appauthor=False))
    assert paths.database.parent == paths.root


def test_ensure_creates_the_folders(tmp_path: Path) -> None:
    paths = DataPaths.resolve(tmp_path / "a" / "b").ensure()
    for folder in (paths.root, paths.journal, paths.backups, paths.logs):
        assert folder.is_dir()
    assert list(paths.root.glob(".write-test-*")) == []


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(DataFolderError, match="--data-dir") as caught:
        DataPaths.resolve(blocker).ensure()
    assert isinstance(caught.value, StoreError)
    assert str(blocker.resolve()) in str(caught.value)


def test_a_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataFolderError, match="Cannot create the data folder"):
        DataPaths.resolve(tmp_path / "file" / "data").ensure()


def test_a_read_only_folder_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The suite runs as root in CI, where chmod does not stop writes; make the OS refuse
    # the write-test file the way a read-only folder or a Windows ACL would.
    root = tmp_path / "ro"
    DataPaths.resolve(root).ensure()

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with pytest.raises(DataFolderError, match=r"not writable.*Permission denied"):
        DataPaths.resolve(root).ensure()
