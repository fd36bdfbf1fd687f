"""CompanyPicker: a line edit that suggests companies as the user types."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Slot
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListRequest, fetch_page
from crm_desktop.services.lists import COMPANIES
from crm_desktop.ui.workers import Generation, run_in_background

SUGGESTIONS = 12
TYPING_PAUSE_MS = 200


class CompanyPicker(QLineEdit):
    """Pick an existing company by name; empty means no company."""

    def __init__(
        self, database: Database, user: CurrentUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._user = user
        self._known: dict[str, int] = {}
        self._searches = Generation()
        self.setPlaceholderText("Type to find a company")
        self.setClearButtonEnabled(True)
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textEdited.connect(self._on_self_text_edited)

    def set_company(self, company_id: int | None, name: str) -> None:
        """Show a company already chosen (when editing a record)."""
        if company_id is not None:
            self._known[name] = company_id
        self.setText(name)

    def company_id(self) -> int | None:
        """Return the chosen company's id, None when the field is empty.

        Raises:
            ValidationError: the text is not the name of a suggested company.
        """
        name = self.text().strip()
        if not name:
            return None
        if name in self._known:
            return self._known[name]
        raise ValidationError(
            "Deal", "company", f"choose '{name}' from the suggestions, or clear it"
        )

    @Slot(str)
    def _on_self_text_edited(self, _text: str) -> None:
        self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        text = self.text().strip()
        if not text:
            return
        database, user = self._database, self._user
        request = ListRequest(search=text)

        def search() -> list[tuple[int, str]]:
            with database.session() as session:
                rows = fetch_page(session, user, COMPANIES, request, limit=SUGGESTIONS)
            return [(row.id, str(row.values[0])) for row in rows]

        self._searches.bump()
        run_in_background(
            search, self._show_suggestions, context=self, generation=self._searches
        )

    def _show_suggestions(self, found: list[tuple[int, str]]) -> None:
        for company_id, name in found:
            self._known.setdefault(name, company_id)
        self._names.setStringList([name for _id, name in found])
        if self.hasFocus() and found:
            self.completer().complete()
