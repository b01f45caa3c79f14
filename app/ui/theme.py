"""Light and dark themes: Fusion style with a palette, plus the few colours the panels share."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


class Theme(enum.StrEnum):
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class Colours:
    """Colours with meaning (the same in both themes where the meaning must not change)."""

    blue: str = "#1565c0"
    red: str = "#c62828"
    point: str = "#2e7d32"
    penalty: str = "#ef6c00"
    unknown: str = "#6a1b9a"
    malformed: str = "#b71c1c"
    ok_light: str = "#2e7d32"
    idle_light: str = "#f9a825"
    error_light: str = "#c62828"
    off_light: str = "#9e9e9e"
    point_background: str = "#e8f5e9"
    penalty_background: str = "#fff3e0"
    problem_background: str = "#fde7e9"


LIGHT_COLOURS = Colours()
DARK_COLOURS = Colours(
    blue="#64b5f6",
    red="#ef5350",
    point="#81c784",
    penalty="#ffb74d",
    unknown="#ce93d8",
    malformed="#ff8a80",
    point_background="#1e3b22",
    penalty_background="#45301a",
    problem_background="#4a1f24",
)


def colours(theme: Theme) -> Colours:
    return DARK_COLOURS if theme is Theme.DARK else LIGHT_COLOURS


def _dark_palette() -> QPalette:
    palette = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    disabled = QColor(127, 127, 127)
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(40, 40, 43))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64))
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.PlaceholderText, disabled)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor(55, 55, 58))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.BrightText, QColor(255, 80, 80))
    palette.setColor(QPalette.ColorRole.Link, QColor(100, 181, 246))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(38, 110, 190))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    palette.setColor(QPalette.ColorRole.Mid, QColor(70, 70, 74))
    palette.setColor(QPalette.ColorRole.Dark, QColor(25, 25, 27))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_theme(app: QApplication, theme: Theme) -> None:
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    style = app.style()
    app.setPalette(_dark_palette() if theme is Theme.DARK else style.standardPalette())
