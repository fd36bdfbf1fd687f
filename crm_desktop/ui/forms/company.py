"""CompanyDialog: a company's name, contact details and address."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, settings
from crm_desktop.services.companies import CompanyData, CompanyDetail
from crm_desktop.ui.forms.base import RecordDialog, Write

# (field name in CompanyData, label, placeholder)
_LINE_FIELDS = (
    ("name", "Name:", ""),
    ("industry", "Industry:", ""),
    ("domain", "Domain:", "example.com"),
    ("website", "Website:", "https://example.com"),
    ("phone", "Phone:", "+44 20 7946 0123"),
    ("street", "Street:", ""),
    ("city", "City:", ""),
    ("region", "Region:", ""),
    ("postcode", "Postcode:", ""),
    ("country", "Country:", ""),
)


@dataclass(frozen=True, slots=True)
class CompanyLoad:
    """What the dialog opens with: the company (None for a new one)."""

    detail: CompanyDetail | None
    region: str


def load_company(
    database: Database, user: CurrentUser, company_id: int | None
) -> CompanyLoad:
    """Read a company and the phone region (runs on a worker)."""
    with database.session() as session:
        region = settings.load(session).default_region
        detail = (
            None if company_id is None else companies.get(session, user, company_id)
        )
    return CompanyLoad(detail, region)


class CompanyDialog(RecordDialog):
    """Create or edit a company."""

    def __init__(
        self,
        loaded: CompanyLoad,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
    ) -> None:
        detail = loaded.detail
        title = "New company" if detail is None else "Edit company"
        super().__init__(database, user, title, parent)
        self._detail = detail
        self._region = loaded.region
        self.edits: dict[str, QLineEdit] = {}
        for name, label, placeholder in _LINE_FIELDS:
            edit = QLineEdit(self)
            edit.setPlaceholderText(placeholder)
            self.edits[name] = edit
            self.add_field(name, label, edit)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_field("notes", "Notes:", self.notes)
        if detail is not None:
            for name, edit in self.edits.items():
                edit.setText(getattr(detail.data, name))
            self.notes.setPlainText(detail.data.notes)
        self.resize(520, self.sizeHint().height())

    def data(self) -> CompanyData:
        """Return the company as the form shows it."""
        texts = {name: edit.text() for name, edit in self.edits.items()}
        return CompanyData(**texts, notes=self.notes.toPlainText())

    def _write(self) -> Write:
        data, region, user = self.data(), self._region, self._user
        detail = self._detail
        if detail is None:
            return lambda s: companies.create(s, user, data, region=region)

        def update(session: Session) -> int:
            companies.update(
                session, user, detail.id, detail.version, data, region=region
            )
            return detail.id

        return update
