"""Where the program's resources live, and its icons by name."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from crm_desktop.ui.palette import app_is_dark, lighten_svg

logger = logging.getLogger(__name__)

# NOTE: resources/ sits beside the package in the source tree; a frozen
# build must copy it next to crm_desktop/ for this path to hold.
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ICONS = RESOURCES / "icons"
# The sizes a dark icon is drawn at: menus, lists, tool bars, the window.
_SIZES = (16, 20, 24, 32, 48, 64)


def icon(name: str) -> QIcon:
    """Return the icon resources/icons/<name>.svg (empty if it is missing).

    On a dark palette its colours are lightened, so it reads on dark grey.
    """
    return _icon(name, app_is_dark())


@cache
def _icon(name: str, dark: bool) -> QIcon:
    path = ICONS / f"{name}.svg"
    if not path.exists():
        logger.warning("no icon file %s", path)
        return QIcon()
    if not dark:
        return QIcon(str(path))
    svg = lighten_svg(path.read_text(encoding="utf-8"))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    drawn = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        drawn.addPixmap(pixmap)
    return drawn
