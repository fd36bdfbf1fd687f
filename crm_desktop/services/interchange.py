"""The JSON interchange format: contacts as plain objects (docs/interchange.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Contact
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import contacts
from crm_desktop.services.records import ContactRecord, PartialDate

FORMAT_NAME = "crm-desktop-contacts"
FORMAT_VERSION = 1

_contacts_table = cast(Table, Contact.__table__)


def contact_to_json(contact_id: int, record: ContactRecord) -> dict[str, Any]:
    """Return one contact in the interchange format."""
    return {
        "id": contact_id,
        **{name: getattr(record, name) for name in contacts.TEXT_FIELDS},
        "birthday": _date(record.birthday),
        "anniversary": _date(record.anniversary),
        "emails": [
            {"value": e.value, "label": e.label, "primary": e.primary}
            for e in record.emails
        ],
        "phones": [
            {
                "e164": p.e164,
                "raw": p.raw,
                "label": p.label,
                "primary": p.primary,
                "extension": p.extension,
            }
            for p in record.phones
        ],
        "addresses": [dataclasses.asdict(a) for a in record.addresses],
        "urls": [dataclasses.asdict(u) for u in record.urls],
        "groups": list(record.groups),
        "custom": {c.name: _custom(c.value) for c in record.custom},
    }


def _date(value: PartialDate | None) -> dict[str, int | None] | None:
    if value is None:
        return None
    return {"year": value.year, "month": value.month, "day": value.day}


def _custom(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def iter_contacts(session: Session, user: CurrentUser) -> Iterator[dict[str, Any]]:
    """Yield every live contact the user may see, in id order."""
    query = (
        select(Contact.id)
        .where(Contact.deleted_at.is_(None), visible_to(_contacts_table, user))
        .order_by(Contact.id)
    )
    for contact_id in session.scalars(query).all():
        detail = contacts.get(session, user, contact_id)
        yield contact_to_json(detail.id, detail.record)


def export_document(session: Session, user: CurrentUser) -> dict[str, Any]:
    """Return the whole export: a header and the list of contacts."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "contacts": list(iter_contacts(session, user)),
    }
