"""RecordPage: one record's window, its details beside its timeline.

A page reads everything it shows with one service call on a worker, showing
"Loading…" until then; it reads again after any save made from it. Editing
goes through the record's dialog, which asks before dropping changes; the
page will not close while that dialog holds them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.db.types import utcnow
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.record_pages import TIMELINE_PAGE, Timeline
from crm_desktop.services.settings import BusinessSettings
from crm_desktop.ui.errors import is_expected, show_error
from crm_desktop.ui.forms.activity import ActivityDialog, ActivityLoad
from crm_desktop.ui.forms.base import RecordDialog, open_record_dialog
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.cells import CellFormatter, parse_locale
from crm_desktop.ui.pages.details import DetailsPanel
from crm_desktop.ui.pages.timeline import TimelineView
from crm_desktop.ui.screens import BY_NAME
from crm_desktop.ui.window_state import PreserveGeometry, remember_splitter
from crm_desktop.ui.workers import Generation, run_in_background

logger = logging.getLogger(__name__)


def page_formatter(business: BusinessSettings) -> CellFormatter:
    """Format a page's values the business's way, times in the local zone."""
    return CellFormatter(
        parse_locale(business.locale),
        region=business.default_region,
        currency=business.currency,
    )


class RecordPage(PreserveGeometry, QWidget):
    """A window showing one contact, company or deal.

    Subclasses say how to read the page (`_read`) and fill its details
    (`_fill`); this class loads, shows, edits and logs activities.

    Signals:
        record_open_requested: A link to another record was clicked;
            carries its kind ('contact', 'company', 'deal') and id.
        page_loaded: The page shows freshly read data.
        load_failed: The page could not be read; carries the reason.
    """

    record_open_requested = Signal(str, int)
    page_loaded = Signal()
    load_failed = Signal(str)

    kind = ""
    screen_name = ""

    def __init__(
        self,
        database: Database,
        user: CurrentUser,
        record_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName(f"{self.kind}Page")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Loading… – crm-desktop")
        self.database = database
        self.user = user
        self.record_id = record_id
        self.page: Any = None
        self.details: DetailsPanel | None = None
        self._limit = TIMELINE_PAGE
        self._generation = Generation()
        self._build()
        for keys in (QKeySequence("Esc"), QKeySequence("Ctrl+W")):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(self.close)
        if not self.restore_geometry():
            self.resize(1040, 720)

    def _build(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.subtitle_label = QLabel(self)
        self.subtitle_label.setTextFormat(Qt.TextFormat.RichText)
        self.subtitle_label.linkActivated.connect(self._on_link_activated)
        self.edit_button = QPushButton(icon("edit"), "Edit", self)
        self.edit_button.setToolTip(f"Edit this {self.kind}")
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.edit_button.setEnabled(False)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        header.addLayout(titles, 1)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.details_scroll = QScrollArea(self)
        self.details_scroll.setWidgetResizable(True)
        self.details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.timeline = TimelineView(page_formatter(BusinessSettings()), self)
        self.timeline.log_requested.connect(self._on_timeline_log_requested)
        self.timeline.activity_open_requested.connect(
            self._on_timeline_activity_open_requested
        )
        self.timeline.more_requested.connect(self._on_timeline_more_requested)
        self.timeline.set_writable(self.user.can_write)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.details_scroll)
        splitter.addWidget(self.timeline)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        remember_splitter(splitter, "record_page")
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        self.loading_label = QLabel("Loading…", self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.loading_label)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    @property
    def is_loaded(self) -> bool:
        return self.page is not None

    def reload(self) -> None:
        """Read the page again on a worker; it shows the new data when read."""
        if self.page is None:
            self.stack.setCurrentWidget(self.loading_label)
        database, user, record_id = self.database, self.user, self.record_id
        read, limit = self._read, self._limit

        def work() -> Any:
            with database.session() as session:
                return read(session, user, record_id, limit)

        # A read started earlier (before a save) must not land after this one.
        self._generation.bump()
        run_in_background(
            work,
            self._show,
            self._fail,
            context=self,
            generation=self._generation,
        )

    def _read(self, session: Any, user: CurrentUser, record_id: int, limit: int) -> Any:
        """Return the page's data (runs on a worker)."""
        raise NotImplementedError

    def _fill(self, details: DetailsPanel) -> None:
        """Add the record's values to a fresh details panel."""
        raise NotImplementedError

    def _titles(self, formatter: CellFormatter) -> tuple[str, str]:
        """Return the page's title and its subtitle (HTML, may link)."""
        raise NotImplementedError

    def activity_template(self, kind: str) -> ActivityData:
        """Return a new activity of that kind about this page's record."""
        raise NotImplementedError

    def _show(self, page: Any) -> None:
        self.page = page
        formatter = page_formatter(page.business)
        details = DetailsPanel(formatter, self.details_scroll)
        details.link_activated.connect(self._on_link_activated)
        self._fill(details)
        old = self.details_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.details_scroll.setWidget(details)
        self.details = details
        title, subtitle = self._titles(formatter)
        trashed = page.detail.deleted_at is not None
        if trashed:
            subtitle = " · ".join(p for p in ("<b>In the trash</b>", subtitle) if p)
        self.title_label.setText(title)
        self.subtitle_label.setText(subtitle)
        self.subtitle_label.setVisible(bool(subtitle))
        self.setWindowTitle(f"{title} – crm-desktop")
        timeline: Timeline = page.timeline
        self.timeline.set_timeline(timeline, formatter)
        self.edit_button.setEnabled(not trashed)
        self.timeline.set_writable(self.user.can_write and not trashed)
        self.stack.setCurrentIndex(1)
        self.page_loaded.emit()

    def _fail(self, error: BaseException) -> None:
        if not is_expected(error):
            show_error(self, error)
        logger.warning("%s page %d not read: %s", self.kind, self.record_id, error)
        # Also after a reload: the record may have gone to the trash since.
        self.loading_label.setText(f"This {self.kind} cannot be shown.\n\n{error}")
        self.stack.setCurrentWidget(self.loading_label)
        self.edit_button.setEnabled(False)
        self.load_failed.emit(str(error))

    @Slot(str)
    def _on_link_activated(self, href: str) -> None:
        kind, _colon, rest = href.partition(":")
        if kind in ("mailto", "http", "https"):
            QDesktopServices.openUrl(QUrl(href))
        elif kind in ("contact", "company", "deal") and rest.isdigit():
            self.record_open_requested.emit(kind, int(rest))
        else:
            logger.warning("unknown link %r on a %s page", href, self.kind)

    def _open_dialog(
        self, load: Callable[[], Any], build: Callable[[Any], RecordDialog]
    ) -> None:
        open_record_dialog(self, load, build, self._on_dialog_saved)

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        BY_NAME[self.screen_name].open_dialog(
            self, self.database, self.user, self.record_id, self._on_dialog_saved
        )

    @Slot(str)
    def _on_timeline_log_requested(self, kind: str) -> None:
        template = self.activity_template(kind)
        loaded = ActivityLoad(None, template, self._regarding())
        database, user = self.database, self.user
        self._open_dialog(
            lambda: loaded,
            lambda ready: ActivityDialog(ready, database, user, self),
        )

    def _regarding(self) -> str:
        return f"{self.kind.capitalize()}: {self.title_label.text()}"

    @Slot(int)
    def _on_timeline_activity_open_requested(self, activity_id: int) -> None:
        BY_NAME["activities"].open_dialog(
            self, self.database, self.user, activity_id, self._on_dialog_saved
        )

    @Slot()
    def _on_timeline_more_requested(self) -> None:
        self._limit += TIMELINE_PAGE
        self.reload()

    @Slot(int)
    def _on_dialog_saved(self, _record_id: int) -> None:
        self.reload()

    def open_dialog(self) -> RecordDialog | None:
        """Return the record dialog open over this page, if any."""
        for dialog in self.findChildren(RecordDialog):
            if dialog.isVisible():
                return dialog
        return None

    def closeEvent(self, event: QCloseEvent) -> None:
        dialog = self.open_dialog()
        if dialog is not None:
            # The dialog asks about its unsaved changes; the page stays.
            event.ignore()
            dialog.raise_()
            dialog.reject()
            return
        self.save_geometry()
        super().closeEvent(event)


def new_activity(
    kind: str,
    *,
    contact_id: int | None = None,
    company_id: int | None = None,
    deal_id: int | None = None,
) -> ActivityData:
    """Return an activity to log: a task falls due in an hour, the other
    kinds happened just now."""
    now = utcnow().replace(second=0, microsecond=0)
    due = now + dt.timedelta(hours=1) if kind == "task" else None
    done = None if kind == "task" else now
    return ActivityData(
        kind,
        "",
        due_at=due,
        done_at=done,
        contact_id=contact_id,
        company_id=company_id,
        deal_id=deal_id,
    )
