"""The four record screens: their lists, dialogs and trash actions, as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, companies, contacts, deals
from crm_desktop.services.listing import ListSpec
from crm_desktop.services.lists import ACTIVITIES, COMPANIES, CONTACTS, DEALS
from crm_desktop.ui.forms.activity import ActivityDialog, load_activity
from crm_desktop.ui.forms.base import RecordDialog, open_record_dialog
from crm_desktop.ui.forms.company import CompanyDialog, load_company
from crm_desktop.ui.forms.contact import ContactDialog, load_contact
from crm_desktop.ui.forms.deal import DealDialog, load_deal

TrashAction = Callable[[Session, CurrentUser, int, int], None]


@dataclass(frozen=True, slots=True)
class Screen:
    """One kind of record the main window lists and edits.

    Attributes:
        load: Reads what the dialog needs (record or None for a new one);
            runs on a worker.
        dialog: Builds the dialog from what `load` returned.
    """

    name: str
    title: str
    noun: str
    spec: ListSpec
    load: Callable[[Database, CurrentUser, int | None], Any]
    dialog: Callable[[Any, Database, CurrentUser, QWidget | None], RecordDialog]
    trash: TrashAction
    restore: TrashAction

    @property
    def icon_name(self) -> str:
        return self.name

    def open_dialog(
        self,
        parent: QWidget,
        database: Database,
        user: CurrentUser,
        record_id: int | None,
        on_saved: Callable[[int], None],
    ) -> None:
        """Load a record (or a new one, with None) on a worker and open its dialog.

        Args:
            on_saved: Called with the record id after a save.
        """
        open_record_dialog(
            parent,
            lambda: self.load(database, user, record_id),
            lambda loaded: self.dialog(loaded, database, user, parent.window()),
            on_saved,
        )


SCREENS = (
    Screen(
        "contacts",
        "Contacts",
        "contact",
        CONTACTS,
        load_contact,
        ContactDialog,
        contacts.trash,
        contacts.restore,
    ),
    Screen(
        "companies",
        "Companies",
        "company",
        COMPANIES,
        load_company,
        CompanyDialog,
        companies.trash,
        companies.restore,
    ),
    Screen(
        "deals",
        "Deals",
        "deal",
        DEALS,
        load_deal,
        DealDialog,
        deals.trash,
        deals.restore,
    ),
    Screen(
        "activities",
        "Activities",
        "activity",
        ACTIVITIES,
        load_activity,
        ActivityDialog,
        activities.trash,
        activities.restore,
    ),
)

BY_NAME = {screen.name: screen for screen in SCREENS}
