"""Window state kept in QSettings: each setting declared once, and geometry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

ORGANIZATION = "crm-desktop"
APPLICATION = "crm-desktop"

T = TypeVar("T", str, int, bool, QByteArray)


@dataclass(frozen=True, slots=True)
class UiSetting(Generic[T]):
    """One value remembered on this computer for this user (not in the database)."""

    key: str
    type: type[T]
    default: T

    def read(self) -> T:
        value = _settings().value(self.key, self.default, type=self.type)
        return value if isinstance(value, self.type) else self.default

    def write(self, value: T) -> None:
        _settings().setValue(self.key, value)


def _settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


LAST_VIEW = UiSetting("main_window/last_view", str, "contacts")
LAST_USERNAME = UiSetting("login/last_username", str, "")


class PreserveGeometry:
    """Mixin for a top-level widget that reopens where the user left it.

    The widget's objectName names its setting, so give it one.
    """

    def _geometry_setting(self) -> UiSetting[QByteArray]:
        assert isinstance(self, QWidget)
        return UiSetting(f"geometry/{self.objectName()}", QByteArray, QByteArray())

    def restore_geometry(self) -> bool:
        """Restore the saved size and place; False when none was saved."""
        assert isinstance(self, QWidget)
        saved = self._geometry_setting().read()
        return not saved.isEmpty() and self.restoreGeometry(saved)

    def save_geometry(self) -> None:
        assert isinstance(self, QWidget)
        self._geometry_setting().write(self.saveGeometry())
