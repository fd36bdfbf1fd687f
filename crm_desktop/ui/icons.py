"""Where the program's resources live, and its icons by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

# NOTE: resources/ sits beside the package in the source tree; a frozen
# build must copy it next to crm_desktop/ for this path to hold.
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ICONS = RESOURCES / "icons"


@cache
def icon(name: str) -> QIcon:
    """Return the icon resources/icons/<name>.svg (empty if it is missing)."""
    path = ICONS / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
