"""ChangeRelay: the database's change feed, delivered on the GUI thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from crm_desktop.db.changes import ChangeFeed
from crm_desktop.db.database import Database

logger = logging.getLogger(__name__)


class ChangeRelay(QObject):
    """Owns a ChangeFeed and re-emits its batches on the GUI thread.

    Signals:
        tables_changed: Tables another client (or this one) wrote; carries a
            frozenset of table names. At most one batch per 0.3 s.
    """

    tables_changed = Signal(object)
    # Emitted on the feed's thread; queued to this object's (the GUI) thread.
    _arrived = Signal(object)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._on_self_arrived)
        self.feed = ChangeFeed(database.url, self._arrived.emit)
        # NOTE: the feed's thread emits on this object, so it must end before
        # the object goes: a window closed stops it, but one only hidden (a
        # screenshot) or never closed is deleted without a close.
        feed = self.feed
        self.destroyed.connect(lambda *_: feed.stop())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> None:
        """Start listening on the feed's own thread."""
        self.feed.start()

    @Slot()
    def stop(self) -> None:
        """Stop listening; the feed's thread has ended when this returns."""
        self.feed.stop()

    @property
    def is_running(self) -> bool:
        return self.feed.is_running

    @Slot(object)
    def _on_self_arrived(self, tables: frozenset[str]) -> None:
        self.tables_changed.emit(tables)
