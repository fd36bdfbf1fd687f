"""ContactDialog: a contact's names, emails, phones, addresses and notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import contacts, settings
from crm_desktop.services.contacts import ContactDetail
from crm_desktop.services.emails import InvalidEmailError, normalize_email
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import (
    AddressValue,
    ContactRecord,
    EmailValue,
    PartialDate,
    PhoneValue,
)
from crm_desktop.ui.forms.base import RecordDialog, Write
from crm_desktop.ui.widgets.dates import OptionalDateEdit
from crm_desktop.ui.widgets.marks import set_invalid
from crm_desktop.ui.widgets.repeating_rows import RepeatingRows, ValueRow

EMAIL_LABELS = ("work", "home", "other")
PHONE_LABELS = ("mobile", "work", "home", "other")
ADDRESS_LABELS = ("work", "home", "other")
ADDRESS_FIELDS = (
    ("street", "Street"),
    ("city", "City"),
    ("postcode", "Postcode"),
    ("country", "Country"),
)
# Fields of repeating rows as the contacts service names them in errors:
# the rows and the edit in a row (None: its label combo).
_ROW_FIELDS = {
    "email": ("emails", "value"),
    "email label": ("emails", None),
    "phone": ("phones", "value"),
    "phone extension": ("phones", "value"),
    "phone label": ("phones", None),
    "address label": ("addresses", None),
    "address street": ("addresses", "street"),
    "address city": ("addresses", "city"),
    "address region": ("addresses", None),
    "address postcode": ("addresses", "postcode"),
    "address country": ("addresses", "country"),
}
# A year to show in the editor when the birthday's year is unknown; a leap
# year, so 29 February fits.
_NO_YEAR = 2000


@dataclass(frozen=True, slots=True)
class ContactLoad:
    """What the dialog opens with: the contact (None for a new one)."""

    detail: ContactDetail | None
    region: str


def load_contact(
    database: Database, user: CurrentUser, contact_id: int | None
) -> ContactLoad:
    """Read a contact and the phone region (runs on a worker)."""
    with database.session() as session:
        region = settings.load(session).default_region
        detail = None if contact_id is None else contacts.get(session, user, contact_id)
    return ContactLoad(detail, region)


class ContactDialog(RecordDialog):
    """Create or edit a contact; fields the form lacks are kept as they were."""

    def __init__(
        self,
        loaded: ContactLoad,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
    ) -> None:
        detail = loaded.detail
        title = "New contact" if detail is None else "Edit contact"
        super().__init__(database, user, title, parent)
        self._detail = detail
        self._region = loaded.region
        self._build()
        if detail is not None:
            self._fill(detail.record)
        else:
            self.emails.add_row()
            self.phones.add_row()
        self.resize(720, 640)

    def _build(self) -> None:
        self.given_name = QLineEdit(self)
        self.given_name.setPlaceholderText("Given name")
        self.family_name = QLineEdit(self)
        self.family_name.setPlaceholderText("Family name")
        names = QHBoxLayout()
        names.addWidget(self.given_name)
        names.addWidget(self.family_name)
        self.form.addRow("Name:", names)
        self.register_field("name", "Name", self.given_name)
        self.register_field("given_name", "Given name", self.given_name)
        self.register_field("family_name", "Family name", self.family_name)
        self.display_name = QLineEdit(self)
        self.display_name.setPlaceholderText("Made from the name when left empty")
        self.add_field("display_name", "Display name:", self.display_name)
        self.organization = QLineEdit(self)
        self.add_field("organization", "Organization:", self.organization)
        self.job_title = QLineEdit(self)
        self.add_field("job_title", "Job title:", self.job_title)
        self.emails = RepeatingRows(
            "Add email", EMAIL_LABELS, [("value", "name@example.com")], self
        )
        self.add_field("email", "Emails:", self.emails)
        self.phones = RepeatingRows(
            "Add phone", PHONE_LABELS, [("value", "+44 20 7946 0123")], self
        )
        self.add_field("phone", "Phones:", self.phones)
        self.addresses = RepeatingRows(
            "Add address", ADDRESS_LABELS, ADDRESS_FIELDS, self
        )
        self.add_field("address", "Addresses:", self.addresses)
        self._build_details()

    def _build_details(self) -> None:
        self.birthday = OptionalDateEdit(self)
        self.birthday_no_year = QCheckBox("Year unknown", self)
        birthday = QHBoxLayout()
        birthday.addWidget(self.birthday, 1)
        birthday.addWidget(self.birthday_no_year)
        self.form.addRow("Birthday:", birthday)
        self.register_field("birthday", "Birthday", self.birthday.edit)
        self.tags = QLineEdit(self)
        self.tags.setPlaceholderText("Separated by commas: customer, newsletter")
        self.add_field("groups", "Tags:", self.tags)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_field("notes", "Notes:", self.notes)

    def _fill(self, record: ContactRecord) -> None:
        self.given_name.setText(record.given_name)
        self.family_name.setText(record.family_name)
        self.display_name.setText(record.display_name)
        self.organization.setText(record.organization)
        self.job_title.setText(record.job_title)
        for email in sorted(record.emails, key=lambda e: not e.primary):
            self.emails.add_row(email.label, value=email.value).origin = email
        for phone in sorted(record.phones, key=lambda p: not p.primary):
            self.phones.add_row(phone.label, value=phone.raw).origin = phone
        for address in record.addresses:
            row = self.addresses.add_row(
                address.label,
                street=address.street,
                city=address.city,
                postcode=address.postcode,
                country=address.country,
            )
            row.origin = address
        if record.birthday is not None:
            day = record.birthday
            self.birthday.set_date(dt.date(day.year or _NO_YEAR, day.month, day.day))
            self.birthday_no_year.setChecked(day.year is None)
        self.tags.setText(", ".join(record.groups))
        self.notes.setPlainText(record.notes)

    def record(self) -> ContactRecord:
        """Return the contact as the form shows it."""
        base = self._detail.record if self._detail else ContactRecord(line=0)
        return replace(
            base,
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            display_name=self.display_name.text(),
            organization=self.organization.text(),
            job_title=self.job_title.text(),
            emails=[_email(row) for row in self.emails.filled_rows()],
            phones=[_phone(row) for row in self.phones.filled_rows()],
            addresses=[_address(row) for row in self.addresses.filled_rows()],
            birthday=self._birthday(),
            groups=[t.strip() for t in self.tags.text().split(",") if t.strip()],
            notes=self.notes.toPlainText(),
        )

    def _birthday(self) -> PartialDate | None:
        day = self.birthday.date()
        if day is None:
            return None
        year = None if self.birthday_no_year.isChecked() else day.year
        return PartialDate(year, day.month, day.day)

    def _write(self) -> Write:
        record, region, user = self.record(), self._region, self._user
        detail = self._detail
        if detail is None:
            return lambda s: contacts.create(s, user, record, region=region)

        def update(session: Session) -> int:
            contacts.update(
                session, user, detail.id, detail.version, record, region=region
            )
            return detail.id

        return update

    def _mark(self, error: ValidationError) -> None:
        place = _ROW_FIELDS.get(error.field)
        if place is None:
            super()._mark(error)
            return
        rows_name, edit_name = place
        rows: RepeatingRows = getattr(self, rows_name)
        filled = rows.filled_rows()
        if error.index is not None and error.index < len(filled):
            marked = [filled[error.index]]
        elif error.field == "email":
            marked = [row for row in filled if not _is_email(row)]
        else:
            marked = filled
        for row in marked:
            widget = row.label if edit_name is None else row.edits[edit_name]
            set_invalid(widget, True)
        if marked:
            widget = (
                marked[0].label if edit_name is None else marked[0].edits[edit_name]
            )
            widget.setFocus()

    def _clear_marks(self) -> None:
        super()._clear_marks()
        for rows in (self.emails, self.phones, self.addresses):
            rows.clear_marks()


def _is_email(row: ValueRow) -> bool:
    try:
        normalize_email(row.values()["value"])
    except InvalidEmailError:
        return False
    return True


def _email(row: ValueRow) -> EmailValue:
    texts = row.values()
    origin = row.origin if isinstance(row.origin, EmailValue) else EmailValue("")
    return replace(origin, value=texts["value"], label=texts["label"])


def _phone(row: ValueRow) -> PhoneValue:
    texts = row.values()
    origin = row.origin if isinstance(row.origin, PhoneValue) else None
    if origin is not None and origin.raw == texts["value"]:
        return replace(origin, label=texts["label"])
    return PhoneValue(texts["value"], None, texts["label"])


def _address(row: ValueRow) -> AddressValue:
    texts = row.values()
    origin = row.origin if isinstance(row.origin, AddressValue) else AddressValue()
    return replace(
        origin,
        label=texts["label"],
        street=texts["street"],
        city=texts["city"],
        postcode=texts["postcode"],
        country=texts["country"],
    )
