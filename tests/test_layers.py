"""The layer rules of design.md §2, checked on the source (as napari does with import-linter)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

PURE_LAYERS = ("protocol", "match")
#: What each pure layer may import from the project: match folds protocol messages.
ALLOWED = {"protocol": ("app.protocol",), "match": ("app.match", "app.protocol")}
HEADLESS_LAYERS = ("protocol", "match", "store", "ingest", "monitor", "jobs", "analytics", "sim")
IO_MODULES = {"socket", "asyncio", "sqlite3", "sqlalchemy", "alembic", "threading", "selectors"}
QT_MODULES = {"PySide6", "pyqtgraph", "qasync", "shiboken6"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_in(layer: str) -> list[Path]:
    return sorted((APP / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", PURE_LAYERS)
def test_pure_layers_import_no_io_no_qt_and_no_other_layer(layer: str) -> None:
    offences = []
    for path in modules_in(layer):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in IO_MODULES | QT_MODULES:
                offences.append(f"{path.relative_to(APP)} imports {name}")
            if top == "app" and not name.startswith(ALLOWED[layer]) and name != "app":
                offences.append(f"{path.relative_to(APP)} imports {name}")
    assert offences == []


#: The pure half of analytics (design.md §2): calculations over rows, their types and settings.
PURE_ANALYTICS = (
    "athlete",
    "figures",
    "match",
    "performance",
    "rows",
    "serialize",
    "settings",
    "tournament",
)


@pytest.mark.parametrize("module", PURE_ANALYTICS)
def test_pure_analytics_import_no_io_no_qt_and_only_pure_layers(module: str) -> None:
    path = APP / "analytics" / f"{module}.py"
    allowed = ("app.protocol", "app.match", *(f"app.analytics.{m}" for m in PURE_ANALYTICS))
    offences = [
        f"{path.relative_to(APP)} imports {name}"
        for name in imports_of(path)
        if name.split(".")[0] in IO_MODULES | QT_MODULES
        or (name.startswith("app") and not name.startswith(allowed))
    ]
    assert offences == []


@pytest.mark.parametrize("layer", HEADLESS_LAYERS)
def test_headless_layers_never_import_qt(layer: str) -> None:
    offences = [
        f"{path.relative_to(APP)} imports {name}"
        for path in modules_in(layer)
        for name in imports_of(path)
        if name.split(".")[0] in QT_MODULES or name.startswith("app.ui")
    ]
    assert offences == []


def test_only_ui_imports_qt_widgets() -> None:
    offences = [
        f"{path.relative_to(APP)} imports {name}"
        for path in sorted(APP.rglob("*.py"))
        if path.relative_to(APP).parts[0] != "ui"
        for name in imports_of(path)
        if name.split(".")[0] in QT_MODULES
    ]
    assert offences == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    # Guard against a rule that can never fail: the scanner must report a real import.
    sample = tmp_path / "m.py"
    sample.write_text(
        "import socket\nfrom PySide6.QtCore import QObject\nfrom app.store import x\n"
    )
    assert {"socket", "PySide6.QtCore", "app.store"} <= imports_of(sample)
