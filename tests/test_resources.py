"""Shipped files are found in a source checkout and in a PyInstaller bundle (sys._MEIPASS)."""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

import pytest

from app.resources import resource_path, resource_root
from app.store.migrate import SCHEMA_HEAD, current_revision, head_revision, upgrade
from app.ui.launch import APP_ICON

REPO = Path(__file__).resolve().parent.parent
ICO_SIZES = {16, 24, 32, 48, 64, 128, 256}


def test_source_checkout_resolves_to_the_repository() -> None:
    assert resource_root() == REPO
    assert (resource_path("migrations") / "env.py").is_file()
    assert resource_path(APP_ICON).is_file()
    assert resource_path("resources/strikedesk.ico").is_file()


@pytest.fixture
def frozen_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The layout packaging/strikedesk.spec produces: migrations/ and resources/ in _MEIPASS."""
    bundle = tmp_path / "StrikeDesk" / "_internal"
    shutil.copytree(
        REPO / "migrations", bundle / "migrations", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "resources", bundle / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    return bundle


def test_frozen_build_resolves_inside_the_bundle(frozen_bundle: Path, tmp_path: Path) -> None:
    assert resource_root() == frozen_bundle
    assert resource_path("migrations") == frozen_bundle / "migrations"
    assert resource_path(APP_ICON) == frozen_bundle / APP_ICON
    assert resource_path(APP_ICON).is_file()
    # alembic runs the bundle's copy of the scripts, not the checkout's.
    assert head_revision() == SCHEMA_HEAD
    database = tmp_path / "data" / "strikedesk.db"
    database.parent.mkdir()
    result = upgrade(database)
    assert (result.from_revision, result.to_revision) == (None, SCHEMA_HEAD)
    assert current_revision(database) == SCHEMA_HEAD


def test_meipass_without_frozen_is_still_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A non-frozen interpreter never has _MEIPASS, but only `frozen` may switch the root.
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert resource_root() == REPO


def test_app_icon_ico_holds_every_size_windows_asks_for() -> None:
    data = resource_path("resources/strikedesk.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = set()
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        side = width or 256
        assert (height or 256) == side and (planes, bits) == (1, 32)
        assert offset + length <= len(data)
        image = data[offset : offset + length]
        if side <= 64:  # classic DIB: header, height doubled for the AND mask
            header_size, dib_width, dib_height = struct.unpack_from("<Iii", image)
            assert (header_size, dib_width, dib_height) == (40, side, 2 * side)
            mask_row = ((side + 31) // 32) * 4
            assert length == 40 + side * side * 4 + side * mask_row
        else:
            assert image.startswith(b"\x89PNG\r\n\x1a\n")
        sizes.add(side)
    assert sizes == ICO_SIZES
    png = resource_path(APP_ICON).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack_from(">II", png, 16) == (256, 256)
