"""DealDialog: a deal's title, stage, amount, expected close and company."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, deals, settings
from crm_desktop.services.deals import DealData, DealDetail, StageInfo
from crm_desktop.services.errors import ValidationError
from crm_desktop.ui.forms.base import RecordDialog, Write
from crm_desktop.ui.widgets.company_picker import CompanyPicker
from crm_desktop.ui.widgets.dates import OptionalDateEdit

CURRENCIES = ("EUR", "GBP", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY")


@dataclass(frozen=True, slots=True)
class DealLoad:
    """What the dialog opens with: the deal (None for a new one), choices."""

    detail: DealDetail | None
    stages: list[StageInfo]
    currency: str
    company_name: str


def load_deal(database: Database, user: CurrentUser, deal_id: int | None) -> DealLoad:
    """Read a deal, the pipeline's stages and its company (runs on a worker)."""
    with database.session() as session:
        currency = settings.load(session).currency
        stages = deals.stages(session)
        detail = None if deal_id is None else deals.get(session, user, deal_id)
        company_name = ""
        if detail is not None and detail.data.company_id is not None:
            company = companies.get(session, user, detail.data.company_id)
            company_name = company.data.name
    return DealLoad(detail, stages, currency, company_name)


class DealDialog(RecordDialog):
    """Create or edit a deal."""

    def __init__(
        self,
        loaded: DealLoad,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
    ) -> None:
        detail = loaded.detail
        title = "New deal" if detail is None else "Edit deal"
        super().__init__(database, user, title, parent)
        self._detail = detail
        self.title = QLineEdit(self)
        self.add_field("title", "Title:", self.title)
        self.stage = QComboBox(self)
        for stage in loaded.stages:
            self.stage.addItem(f"{stage.name}  ({stage.probability} %)", stage.id)
        self.add_field("stage", "Stage:", self.stage)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText("0.00")
        self.add_field("amount", "Amount:", self.amount)
        self.currency = QComboBox(self)
        self.currency.setEditable(True)
        self.currency.addItems(list(CURRENCIES))
        self.currency.setCurrentText(loaded.currency)
        self.add_field("currency", "Currency:", self.currency)
        self.expected_close = OptionalDateEdit(self)
        self.add_field("expected_close", "Expected close:", self.expected_close)
        self.company = CompanyPicker(database, user, self)
        self.add_field("company", "Company:", self.company)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_field("notes", "Notes:", self.notes)
        if detail is not None:
            self._fill(detail.data, loaded.company_name)
        self.resize(520, self.sizeHint().height())

    def _fill(self, data: DealData, company_name: str) -> None:
        self.title.setText(data.title)
        self.stage.setCurrentIndex(max(0, self.stage.findData(data.stage_id)))
        self.amount.setText(format_decimal(data.amount, "#,##0.00", locale="en"))
        self.currency.setCurrentText(data.currency)
        self.expected_close.set_date(data.expected_close)
        self.company.set_company(data.company_id, company_name)
        self.notes.setPlainText(data.notes)

    def data(self) -> DealData:
        """Return the deal as the form shows it.

        Raises:
            ValidationError: the amount or the company cannot be read.
        """
        base = self._detail.data if self._detail else None
        stage_id = self.stage.currentData()
        if stage_id is None:
            raise ValidationError("Deal", "stage", "the pipeline has no stages")
        amount_text = self.amount.text().strip() or "0"
        return DealData(
            title=self.title.text(),
            stage_id=int(stage_id),
            amount=deals.parse_amount(amount_text),
            currency=self.currency.currentText().strip().upper(),
            expected_close=self.expected_close.date(),
            company_id=self.company.company_id(),
            contact_id=base.contact_id if base else None,
            lead_source=base.lead_source if base else "",
            notes=self.notes.toPlainText(),
            lost_reason=base.lost_reason if base else "",
        )

    def _write(self) -> Write:
        data, user, detail = self.data(), self._user, self._detail
        if detail is None:
            return lambda s: deals.create(s, user, data)

        def update(session: Session) -> int:
            deals.update(session, user, detail.id, detail.version, data)
            return detail.id

        return update
