"""LiveUpdates: the main window's screens read again when their tables change."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from crm_desktop.db.database import Database
from crm_desktop.ui.board import BOARD_VIEW
from crm_desktop.ui.change_feed import ChangeRelay
from crm_desktop.ui.tasks import TASKS_VIEW

logger = logging.getLogger(__name__)

# Read by nearly every screen: names of users, formats, stage names.
_COMMON = frozenset({"users", "settings", "pipeline_stages", "tags"})
_CONTACT_PARTS = frozenset(
    {
        "contacts",
        "contact_emails",
        "contact_phones",
        "contact_addresses",
        "contact_urls",
        "contact_tags",
        "contact_custom_values",
        "custom_fields",
    }
)
# The tables each screen shows something of, by the screen's view name.
WATCHED: dict[str, frozenset[str]] = {
    "contacts": _COMMON | _CONTACT_PARTS | {"companies", "deals"},
    "companies": _COMMON
    | {"companies", "company_tags", "company_custom_values", "custom_fields"}
    | {"deals"},
    "deals": _COMMON | {"deals", "deal_stage_history", "companies", "contacts"},
    "activities": _COMMON | {"activities", "contacts", "companies", "deals"},
    BOARD_VIEW: _COMMON | {"deals", "deal_stage_history", "companies", "contacts"},
    TASKS_VIEW: _COMMON | {"activities", "contacts", "companies", "deals"},
}
# How long to wait while a mouse button is down (a card being dragged).
BUSY_RETRY_MS = 300


class LiveScreen(Protocol):
    """A screen that can read itself again without losing its place."""

    def isVisible(self) -> bool: ...

    def reload_in_place(self) -> None: ...


class LiveUpdates(QObject):
    """Reads screens again when the change feed names tables they show.

    The screen in front reads itself again at once; the others are marked
    and read again when they come to the front. Record dialogs are never
    touched, so edits not yet saved stay as they are.

    Signals:
        screen_reloaded: A screen was asked to read itself again; its name.
    """

    screen_reloaded = Signal(str)

    def __init__(
        self,
        database: Database,
        screens: Mapping[str, LiveScreen],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._screens = dict(screens)
        self._stale: set[str] = set()
        self.relay = ChangeRelay(database, self)
        self.relay.tables_changed.connect(self._on_relay_tables_changed)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_RETRY_MS)
        self._busy_timer.timeout.connect(self._on_busy_timer_timeout)

    def start(self) -> None:
        """Start listening to the database's change feed."""
        self.relay.start()

    def stop(self) -> None:
        """Stop listening; no thread of the feed runs once this returns."""
        self._busy_timer.stop()
        self.relay.stop()

    @Slot(str)
    def on_view_changed(self, name: str) -> None:
        """Read a screen marked stale again as it comes to the front."""
        if name in self._stale:
            self._stale.discard(name)
            self._reload(name)

    @Slot(object)
    def _on_relay_tables_changed(self, tables: frozenset[str]) -> None:
        for name in self._screens:
            if tables & WATCHED.get(name, frozenset()):
                self._stale.add(name)
        self._reload_stale_in_front()

    @Slot()
    def _on_busy_timer_timeout(self) -> None:
        self._reload_stale_in_front()

    def _reload_stale_in_front(self) -> None:
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            # NOTE: a card dragged on the board would be replaced under the
            # pointer; wait until the button is let go.
            self._busy_timer.start()
            return
        for name in sorted(self._stale):
            if self._screens[name].isVisible():
                self._stale.discard(name)
                self._reload(name)

    def _reload(self, name: str) -> None:
        logger.debug("reading %s again after a change", name)
        self._screens[name].reload_in_place()
        self.screen_reloaded.emit(name)
