"""Light or dark: the colour scheme the program draws in, and colours that follow it.

By default the program takes the system's palette, light or dark, as Qt
reads it from the desktop. Where Qt cannot tell (some Linux desktops, the
offscreen platform) `--color-scheme dark` asks for a dark one. Colours of
our own (overdue red, the style sheet's error red, icon strokes) are picked
for the palette in use, so each stays readable on either.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

logger = logging.getLogger(__name__)


class ColorScheme(StrEnum):
    """What the user asked for: the system's scheme, or light or dark."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


# Style-sheet and icon colours chosen for a light window, and what replaces
# them on a dark one: lighter, so they keep their contrast.
_DARK_REPLACEMENTS = {
    "#b3261e": "#ff8a80",  # error text
    "#d32f2f": "#ef5350",  # invalid field border
}
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


def is_dark(palette: QPalette) -> bool:
    """Tell whether a palette draws light text on a dark window."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def app_is_dark() -> bool:
    """Tell whether the application's palette is a dark one."""
    return is_dark(QGuiApplication.palette())


def overdue_colour(palette: QPalette) -> QColor:
    """Return the red that marks something overdue, readable on `palette`."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def dark_palette() -> QPalette:
    """Return a dark palette for the Fusion style, greys with a blue accent."""
    role = QPalette.ColorRole
    colours = {
        role.Window: "#2b2d30",
        role.WindowText: "#e6e6e6",
        role.Base: "#1f2023",
        role.AlternateBase: "#26282b",
        role.ToolTipBase: "#3c3f43",
        role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#8c9096",
        role.Text: "#e6e6e6",
        role.Button: "#35373b",
        role.ButtonText: "#e6e6e6",
        role.BrightText: "#ff6b6b",
        role.Light: "#4a4d52",
        role.Midlight: "#3e4145",
        role.Mid: "#55585d",
        role.Dark: "#9a9ea4",
        role.Shadow: "#111214",
        role.Highlight: "#2d68b4",
        role.HighlightedText: "#ffffff",
        role.Link: "#7ab4ff",
        role.LinkVisited: "#c29cff",
    }
    palette = QPalette()
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, colour_role, QColor("#7a7d82"))
    return palette


def apply_color_scheme(app: QApplication, scheme: ColorScheme) -> None:
    """Draw in the scheme asked for; SYSTEM leaves Qt's own choice alone."""
    if scheme is ColorScheme.SYSTEM:
        return
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    wanted = Qt.ColorScheme.Dark if scheme is ColorScheme.DARK else Qt.ColorScheme.Light
    # Where the platform can switch (Qt 6.8+ on Windows, macOS, GNOME...),
    # it does; the palette below is for those that cannot, as offscreen.
    app.styleHints().setColorScheme(wanted)
    palette = (
        dark_palette() if scheme is ColorScheme.DARK else app.style().standardPalette()
    )
    app.setPalette(palette)
    logger.debug("colour scheme %s", scheme.value)


def for_palette(text: str, palette: QPalette) -> str:
    """Return a style sheet with its light-window colours swapped on a dark one."""
    if not is_dark(palette):
        return text
    return _HEX_COLOUR.sub(
        lambda m: _DARK_REPLACEMENTS.get(m.group(0).lower(), m.group(0)), text
    )


def lighten_svg(svg: str) -> str:
    """Return an icon's SVG with its colours lightened for a dark background.

    Every six-digit colour moves half way to white, except white itself; a
    stroke picked to read on white then reads on dark grey as well.
    """

    def lighter(match: re.Match[str]) -> str:
        colour = QColor(match.group(0))
        light = QColor(
            (colour.red() + 255) // 2,
            (colour.green() + 255) // 2,
            (colour.blue() + 255) // 2,
        )
        return light.name()

    return _HEX_COLOUR.sub(lighter, svg)
