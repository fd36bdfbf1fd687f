"""RecordPages: opens record pages, one window per record, reused when asked again."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.ui.pages.base import RecordPage
from crm_desktop.ui.pages.company_page import CompanyPage
from crm_desktop.ui.pages.contact_page import ContactPage
from crm_desktop.ui.pages.deal_page import DealPage

logger = logging.getLogger(__name__)

PAGE_CLASSES: dict[str, type[RecordPage]] = {
    "contact": ContactPage,
    "company": CompanyPage,
    "deal": DealPage,
}
# The tables whose changes a page of each kind may show.
_SHARED = frozenset(
    {"users", "settings", "pipeline_stages", "tags", "custom_fields", "activities"}
)
_RECORDS = frozenset({"contacts", "companies", "deals"})
PAGE_TABLES: dict[str, frozenset[str]] = {
    "contact": _SHARED
    | _RECORDS
    | {
        "contact_emails",
        "contact_phones",
        "contact_addresses",
        "contact_urls",
        "contact_tags",
        "contact_custom_values",
    },
    "company": _SHARED | _RECORDS | {"company_tags", "company_custom_values"},
    "deal": _SHARED | _RECORDS | {"deal_stage_history"},
}


def has_page(kind: str) -> bool:
    """Return whether records of that kind ('contact'...) open as pages."""
    return kind in PAGE_CLASSES


class RecordPages(QObject):
    """The open record pages of a main window, by kind and id."""

    def __init__(self, database: Database, user: CurrentUser, window: QWidget) -> None:
        super().__init__(window)
        self._database = database
        self._user = user
        self._window = window
        self._open: dict[tuple[str, int], RecordPage] = {}

    def open(self, kind: str, record_id: int) -> RecordPage:
        """Show a record's page, bringing it forward if it is open already.

        Raises:
            KeyError: records of that kind have no page.
        """
        page = self._open.get((kind, record_id))
        if page is not None and shiboken6.isValid(page):
            page.showNormal() if page.isMinimized() else page.show()
            page.raise_()
            page.activateWindow()
            return page
        page = PAGE_CLASSES[kind](self._database, self._user, record_id, self._window)
        page.record_open_requested.connect(self._on_page_record_open_requested)
        page.destroyed.connect(lambda: self._open.pop((kind, record_id), None))
        self._open[(kind, record_id)] = page
        logger.debug("opening the page of %s %d", kind, record_id)
        page.show()
        page.reload()
        return page

    def page(self, kind: str, record_id: int) -> RecordPage | None:
        """Return a record's open page, if it has one."""
        page = self._open.get((kind, record_id))
        return page if page is not None and shiboken6.isValid(page) else None

    def reload(self, kind: str, record_id: int) -> None:
        """Read a record's open page again, after a save elsewhere."""
        page = self.page(kind, record_id)
        if page is not None:
            page.reload()

    @Slot(object)
    def on_tables_changed(self, tables: frozenset[str]) -> None:
        """Read open pages again when the change feed names their tables."""
        for (kind, _record_id), page in list(self._open.items()):
            if shiboken6.isValid(page) and tables & PAGE_TABLES[kind]:
                page.reload()

    @Slot(str, int)
    def _on_page_record_open_requested(self, kind: str, record_id: int) -> None:
        self.open(kind, record_id)
