"""Window state kept in QSettings: each setting declared once, and geometry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QObject, QSettings, Slot
from PySide6.QtWidgets import QSplitter, QWidget

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


@dataclass(frozen=True, slots=True)
class ListLayout:
    """A list's column widths and sort order, remembered per list by name."""

    name: str

    def _widths_setting(self) -> UiSetting[str]:
        return UiSetting(f"lists/{self.name}/column_widths", str, "")

    def _sort_setting(self) -> UiSetting[str]:
        return UiSetting(f"lists/{self.name}/sort", str, "")

    def _descending_setting(self) -> UiSetting[bool]:
        return UiSetting(f"lists/{self.name}/descending", bool, False)

    def save(self, widths: list[int] | None, sort: str, descending: bool) -> None:
        """Remember the columns' widths (None: fitted to the window) and sort."""
        text = "" if widths is None else ",".join(str(w) for w in widths)
        self._widths_setting().write(text)
        self._sort_setting().write(sort)
        self._descending_setting().write(descending)

    def widths(self, count: int) -> list[int] | None:
        """Return the widths saved for `count` columns; None if none fit."""
        parts = [p for p in self._widths_setting().read().split(",") if p]
        if len(parts) != count or not all(p.isdigit() for p in parts):
            return None
        return [int(p) for p in parts]

    def sort(self, sortable: list[str]) -> tuple[str, bool] | None:
        """Return the saved sort column and direction, if it can still sort."""
        key = self._sort_setting().read()
        if key not in sortable:
            return None
        return key, self._descending_setting().read()


class _SplitterMemory(QObject):
    """Saves its parent splitter's sizes whenever the user moves it."""

    def __init__(self, splitter: QSplitter, setting: UiSetting[QByteArray]) -> None:
        super().__init__(splitter)
        self._setting = setting
        splitter.splitterMoved.connect(self._on_splitter_moved)

    @Slot(int, int)
    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        splitter = self.parent()
        assert isinstance(splitter, QSplitter)
        self._setting.write(splitter.saveState())


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Give a splitter the sizes last saved under `key`; save them as it moves."""
    # NOTE: a child QObject that asks for its parent, not a lambda holding
    # the splitter: that makes a reference cycle, and a cycle of Qt objects
    # freed by the garbage collector on a worker thread crashes.
    setting = UiSetting(f"splitters/{key}", QByteArray, QByteArray())
    saved = setting.read()
    if not saved.isEmpty():
        splitter.restoreState(saved)
    _SplitterMemory(splitter, setting)
