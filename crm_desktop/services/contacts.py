"""Contacts: create, read, change, trash and restore, with their parts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar, cast

from sqlalchemy import String, delete, insert, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    Contact,
    ContactAddress,
    ContactCustomValue,
    ContactEmail,
    ContactPhone,
    ContactTag,
    ContactUrl,
    CustomField,
    Tag,
)
from crm_desktop.db.search import build_document, sort_key
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import custom_fields, records_common, tags
from crm_desktop.services.emails import InvalidEmailError, email_key, normalize_email
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.phones import normalize_phone
from crm_desktop.services.records import (
    AddressValue,
    ContactRecord,
    CustomValue,
    EmailValue,
    PartialDate,
    PhoneValue,
    UrlValue,
)

logger = logging.getLogger(__name__)

_Primary = TypeVar("_Primary", EmailValue, PhoneValue)

# Scalar fields a ContactRecord and the contacts table share by name.
TEXT_FIELDS = (
    "display_name",
    "prefix",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "nickname",
    "organization",
    "department",
    "job_title",
    "notes",
)

_DISPLAY_NAME_LENGTH = cast(String, Contact.__table__.c.display_name.type).length or 0
# How much of a name error messages quote.
_LABEL_NAME_LENGTH = 60
_PHONE_FIELDS = {"raw": "phone", "extension": "phone extension", "label": "phone label"}
_ADDRESS_FIELDS = {
    part: f"address {part}"
    for part in ("label", "street", "city", "region", "postcode", "country")
}


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """A contact as a form shows it: the record, plus who and when."""

    id: int
    version: int
    record: ContactRecord
    company_id: int | None
    owner_id: int | None
    is_shared: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


def display_name_for(record: ContactRecord) -> str:
    """Return the name a list shows: as given, else built from the parts."""
    if record.display_name.strip():
        return record.display_name.strip()
    parts = [record.given_name, record.middle_name, record.family_name]
    name = " ".join(p.strip() for p in parts if p.strip())
    if name:
        return name
    if record.organization.strip():
        return record.organization.strip()
    if record.emails:
        return record.emails[0].value
    return record.phones[0].raw if record.phones else ""


def clean(record: ContactRecord, region: str) -> ContactRecord:
    """Validate and normalise a contact before it is written.

    Raises:
        ValidationError: naming the contact, the field and the reason, also
            for text longer than its column holds.
    """
    name = display_name_for(record)
    if not record.display_name.strip():
        # A name built from the parts is only a default: cut it to fit.
        name = name[:_DISPLAY_NAME_LENGTH].strip()
    label = _label(name, record.line)
    if not name:
        raise ValidationError(
            label,
            "name",
            "nothing to identify the contact (no name, no email, no phone)",
        )
    emails = [_clean_email(label, e, i) for i, e in enumerate(record.emails)]
    phones = [_clean_phone(label, p, region, i) for i, p in enumerate(record.phones)]
    for field_name, value in (
        ("birthday", record.birthday),
        ("anniversary", record.anniversary),
    ):
        _check_partial_date(label, field_name, value)
    stripped = {f: getattr(record, f).strip() for f in TEXT_FIELDS}
    stripped["display_name"] = name
    cleaned = replace(
        record,
        emails=_one_primary(emails),
        phones=_one_primary(phones),
        **stripped,
    )
    _check_lengths(label, cleaned)
    return cleaned


def _label(name: str, line: int) -> str:
    if not name:
        return f"Contact on line {line}"
    if len(name) > _LABEL_NAME_LENGTH:
        name = name[: _LABEL_NAME_LENGTH - 1] + "…"
    return f"Contact '{name}'"


def _check_lengths(label: str, record: ContactRecord) -> None:
    # The parts first: a name built from an over-long part names that part.
    check = records_common.check_lengths
    own = [f for f in TEXT_FIELDS if f != "display_name"] + ["display_name"]
    check(label, Contact, {f: getattr(record, f) for f in own})
    values: dict[str, str | None]
    email_fields = {"value": "email", "label": "email label"}
    for i, email in enumerate(record.emails):
        values = {"value": email.value, "label": email.label}
        check(label, ContactEmail, values, email_fields, index=i)
    for i, phone in enumerate(record.phones):
        values = {"raw": phone.raw, "extension": phone.extension, "label": phone.label}
        check(label, ContactPhone, values, _PHONE_FIELDS, index=i)
    for i, address in enumerate(record.addresses):
        values = {part: getattr(address, part) for part in _ADDRESS_FIELDS}
        check(label, ContactAddress, values, _ADDRESS_FIELDS, index=i)
    for url in record.urls:
        values = {"value": url.value, "label": url.label}
        check(label, ContactUrl, values, {"value": "url", "label": "url label"})
    for group in record.groups:
        check(label, Tag, {"name": group.strip()}, {"name": "groups"})
    for custom in record.custom:
        check(label, CustomField, {"name": custom.name}, {"name": "custom field"})


def _clean_email(label: str, email: EmailValue, index: int) -> EmailValue:
    try:
        value = normalize_email(email.value)
    except InvalidEmailError as exc:
        raise ValidationError(label, "email", exc.reason, index=index) from exc
    return replace(email, value=value, label=email.label or "other")


def _clean_phone(label: str, phone: PhoneValue, region: str, index: int) -> PhoneValue:
    raw = phone.raw.strip()
    if not raw:
        raise ValidationError(label, "phone", "a phone number is empty", index=index)
    if phone.e164 is not None:
        return replace(phone, raw=raw)
    parsed = normalize_phone(raw, region)
    return replace(
        phone,
        raw=raw,
        e164=parsed.e164,
        extension=phone.extension or parsed.extension,
    )


def _one_primary(values: list[_Primary]) -> list[_Primary]:
    if values and not any(v.primary for v in values):
        values[0] = replace(values[0], primary=True)
    seen = False
    for index, value in enumerate(values):
        if value.primary and seen:
            values[index] = replace(value, primary=False)
        seen = seen or value.primary
    return values


def _check_partial_date(label: str, field: str, value: PartialDate | None) -> None:
    if value is None:
        return
    try:
        dt.date(value.year or 2000, value.month, value.day)
    except ValueError as exc:
        raise ValidationError(label, field, f"not a real date ({exc})") from exc


def _columns(record: ContactRecord) -> dict[str, Any]:
    primary_email = next((e.value for e in record.emails if e.primary), "")
    primary_phone = next((p.e164 or p.raw for p in record.phones if p.primary), "")
    city = next((a.city for a in record.addresses if a.city), "")
    values: dict[str, Any] = {f: getattr(record, f) for f in TEXT_FIELDS}
    values.update(
        sort_name=sort_key(record.display_name),
        sort_company=sort_key(record.organization),
        primary_email=primary_email.lower(),
        primary_phone=primary_phone,
        city=city,
        search_doc=search_document(record),
    )
    for prefix, date in (
        ("birthday", record.birthday),
        ("anniversary", record.anniversary),
    ):
        values[f"{prefix}_year"] = date.year if date else None
        values[f"{prefix}_month"] = date.month if date else None
        values[f"{prefix}_day"] = date.day if date else None
    return values


def search_document(record: ContactRecord) -> str:
    """Return the folded words a search finds this contact by."""
    texts = [
        record.display_name,
        record.given_name,
        record.middle_name,
        record.family_name,
        record.nickname,
        record.organization,
    ]
    texts += [e.value for e in record.emails]
    return build_document(texts, records_common.phone_tokens(record.phones))


def create(
    session: Session,
    user: CurrentUser,
    record: ContactRecord,
    *,
    region: str,
    company_id: int | None = None,
    is_shared: bool = False,
) -> int:
    """Add a contact with its emails, phones, addresses, tags and custom values.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: a value is not acceptable.
    """
    records_common.require_write(user)
    record = clean(record, region)
    now = utcnow()
    contact = Contact(
        **_columns(record),
        company_id=company_id,
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        is_shared=is_shared,
        created_at=now,
        updated_at=now,
    )
    session.add(contact)
    session.flush()
    _write_parts(session, contact.id, record)
    audit.record(
        session,
        user,
        "create",
        "contacts",
        contact.id,
        {"display_name": record.display_name},
    )
    return contact.id


def update(
    session: Session,
    user: CurrentUser,
    contact_id: int,
    expected_version: int,
    record: ContactRecord,
    *,
    region: str,
) -> int:
    """Replace a contact's values; return its new version.

    Raises:
        NotFoundError: no such contact visible to the user.
        StaleRecordError: someone saved it after `expected_version`.
        ValidationError: a value is not acceptable.
    """
    records_common.require_write(user)
    contact = records_common.load_for_write(
        session, user, Contact, contact_id, expected_version, "Contact"
    )
    record = clean(record, region)
    before = get(session, user, contact_id).record
    for key, value in _columns(record).items():
        setattr(contact, key, value)
    contact.updated_at = utcnow()
    contact.updated_by_id = user.id
    records_common.flush_versioned(session, f"Contact '{record.display_name}'")
    _write_parts(session, contact_id, record)
    audit.record(
        session,
        user,
        "update",
        "contacts",
        contact_id,
        records_common.record_diff(before, record),
    )
    return contact.version


def trash(session: Session, user: CurrentUser, contact_id: int, version: int) -> None:
    """Move a contact to the trash (it can be restored)."""
    records_common.set_trashed(
        session, user, Contact, contact_id, version, "Contact", trashed=True
    )


def restore(session: Session, user: CurrentUser, contact_id: int, version: int) -> None:
    """Bring a contact back from the trash."""
    records_common.set_trashed(
        session, user, Contact, contact_id, version, "Contact", trashed=False
    )


# The tables that hold a contact's lists, rewritten whole on every save.
_PART_MODELS: tuple[Any, ...] = (
    ContactEmail,
    ContactPhone,
    ContactAddress,
    ContactUrl,
    ContactTag,
    ContactCustomValue,
)


def _write_parts(session: Session, contact_id: int, record: ContactRecord) -> None:
    for table in _PART_MODELS:
        session.execute(delete(table).where(table.contact_id == contact_id))
    rows = part_rows(contact_id, record)
    for table, values in rows.items():
        if values:
            session.execute(insert(table), values)
    tag_ids = tags.ensure(session, record.groups)
    if tag_ids:
        session.execute(
            insert(ContactTag),
            [{"contact_id": contact_id, "tag_id": t} for t in tag_ids],
        )
    custom = custom_fields.value_rows(session, "contact", record.custom)
    if custom:
        session.execute(
            insert(ContactCustomValue),
            [dict(row, contact_id=contact_id) for row in custom],
        )


def part_rows(
    contact_id: int, record: ContactRecord
) -> dict[type, list[dict[str, Any]]]:
    """Return the child-table rows of a contact, for bulk inserts too."""
    return {
        ContactEmail: [
            {
                "contact_id": contact_id,
                "value": e.value,
                "email_key": email_key(e.value),
                "label": e.label,
                "is_primary": e.primary,
                "position": i,
            }
            for i, e in enumerate(record.emails)
        ],
        ContactPhone: [
            {
                "contact_id": contact_id,
                "raw": p.raw,
                "e164": p.e164,
                "extension": p.extension,
                "label": p.label,
                "is_primary": p.primary,
                "position": i,
            }
            for i, p in enumerate(record.phones)
        ],
        ContactAddress: [
            {
                "contact_id": contact_id,
                "label": a.label,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postcode": a.postcode,
                "country": a.country,
                "position": i,
            }
            for i, a in enumerate(record.addresses)
        ],
        ContactUrl: [
            {
                "contact_id": contact_id,
                "value": u.value,
                "label": u.label,
                "position": i,
            }
            for i, u in enumerate(record.urls)
        ],
    }


def get(session: Session, user: CurrentUser, contact_id: int) -> ContactDetail:
    """Return a contact with all its parts.

    Raises:
        NotFoundError: no such contact visible to the user.
    """
    contact = records_common.load_visible(session, user, Contact, contact_id, "Contact")
    record = ContactRecord(
        line=0,
        **{f: getattr(contact, f) for f in TEXT_FIELDS},
        birthday=_partial(contact, "birthday"),
        anniversary=_partial(contact, "anniversary"),
        emails=[
            EmailValue(e.value, e.label, e.is_primary)
            for e in _children(session, ContactEmail, contact_id)
        ],
        phones=[
            PhoneValue(p.raw, p.e164, p.label, p.is_primary, p.extension)
            for p in _children(session, ContactPhone, contact_id)
        ],
        addresses=[
            AddressValue(a.label, a.street, a.city, a.region, a.postcode, a.country)
            for a in _children(session, ContactAddress, contact_id)
        ],
        urls=[
            UrlValue(u.value, u.label)
            for u in _children(session, ContactUrl, contact_id)
        ],
        groups=tags.for_contact(session, contact_id),
        custom=_custom_values(session, contact_id),
    )
    return ContactDetail(
        contact.id,
        contact.version,
        record,
        contact.company_id,
        contact.owner_id,
        contact.is_shared,
        contact.created_at,
        contact.updated_at,
        contact.deleted_at,
    )


def _children(session: Session, table: Any, contact_id: int) -> list[Any]:
    query = (
        select(table)
        .where(table.contact_id == contact_id)
        .order_by(table.position, table.id)
    )
    return list(session.scalars(query))


def _partial(contact: Contact, prefix: str) -> PartialDate | None:
    month = getattr(contact, f"{prefix}_month")
    day = getattr(contact, f"{prefix}_day")
    if month is None or day is None:
        return None
    return PartialDate(getattr(contact, f"{prefix}_year"), month, day)


def _custom_values(session: Session, contact_id: int) -> list[CustomValue]:
    query = (
        select(CustomField, ContactCustomValue)
        .join(ContactCustomValue, ContactCustomValue.field_id == CustomField.id)
        .where(ContactCustomValue.contact_id == contact_id)
        .order_by(CustomField.name)
    )
    values: list[CustomValue] = []
    for field, value in session.execute(query).all():
        stored: str | Decimal | dt.date | None = {
            "text": value.text_value,
            "number": value.number_value,
            "date": value.date_value,
        }[field.type]
        if stored is not None:
            values.append(CustomValue(field.name, field.type, stored))  # type: ignore[arg-type]
    return values
