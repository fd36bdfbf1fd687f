"""What every record service shares: permission, version and trash handling."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.records import PhoneValue

Row = TypeVar("Row")


def require_write(user: CurrentUser) -> None:
    """Raise PermissionDeniedError unless the user may change records."""
    if not user.can_write:
        raise PermissionDeniedError(
            f"{user.username} has a read-only account and cannot change records."
        )


def load_visible(
    session: Session, user: CurrentUser, model: type[Row], record_id: int, kind: str
) -> Row:
    """Load a row the user may see, or raise NotFoundError."""
    table = model.__table__  # type: ignore[attr-defined]
    query = select(model).where(table.c.id == record_id, visible_to(table, user))
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"{kind} {record_id} does not exist or is not yours.")
    return row


def load_for_write(
    session: Session,
    user: CurrentUser,
    model: type[Row],
    record_id: int,
    expected_version: int,
    kind: str,
) -> Row:
    """Load a row to change, checking it is the version the user read.

    Raises:
        NotFoundError: no such row visible to the user.
        StaleRecordError: it changed since the user read it.
    """
    row = load_visible(session, user, model, record_id, kind)
    if row.version != expected_version:  # type: ignore[attr-defined]
        raise StaleRecordError(f"{kind} {record_id}")
    return row


def check_lengths(
    label: str,
    model: type[Any],
    columns: Mapping[str, object],
    fields: Mapping[str, str] | None = None,
    *,
    index: int | None = None,
) -> None:
    """Refuse text longer than its column holds.

    NOTE: SQLite would store it anyway and PostgreSQL would fail the whole
    write with a driver error, so the limit is checked here for both.

    Args:
        label: The record as the error names it.
        model: The model whose columns the values go to.
        columns: Column name to value, as about to be written.
        fields: The field a column is called in forms, where the names differ.
        index: Which of a repeating field's values these are, for the error.

    Raises:
        ValidationError: naming the field and its limit.
    """
    table = model.__table__
    for key, value in columns.items():
        length = getattr(table.c[key].type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            field = (fields or {}).get(key, key)
            reason = f"use at most {length} characters ({len(value)} given)"
            raise ValidationError(label, field, reason, index=index)


def check_link(
    session: Session,
    user: CurrentUser,
    model: type[Any],
    record_id: int | None,
    *,
    label: str,
    field: str,
    unchanged: int | None = None,
) -> None:
    """Refuse a link to a record that does not exist or the user cannot see.

    A link kept as it was (`unchanged`) is not checked again: the record it
    names may since have been made private, and that must not block an edit.

    Raises:
        ValidationError: naming the field.
    """
    if record_id is None or record_id == unchanged:
        return
    table = model.__table__
    query = select(table.c.id).where(table.c.id == record_id, visible_to(table, user))
    if session.scalar(query) is None:
        reason = f"there is no {field} {record_id}, or it is not yours"
        raise ValidationError(label, field, reason)


def flush_versioned(session: Session, label: str) -> None:
    """Flush, turning a lost optimistic-locking race into StaleRecordError."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleRecordError(label) from exc


def set_trashed(
    session: Session,
    user: CurrentUser,
    model: type[Any],
    record_id: int,
    version: int,
    kind: str,
    *,
    trashed: bool,
) -> None:
    """Move a row to the trash or back, with an audit entry."""
    require_write(user)
    row = load_for_write(session, user, model, record_id, version, kind)
    before = row.deleted_at
    row.deleted_at = utcnow() if trashed else None
    row.updated_at = utcnow()
    row.updated_by_id = user.id
    flush_versioned(session, f"{kind} {record_id}")
    action = "trash" if trashed else "restore"
    changes = audit.diff({"deleted_at": before}, {"deleted_at": row.deleted_at})
    audit.record(session, user, action, model.__tablename__, record_id, changes)


def created_values(record: Any) -> dict[str, Any]:
    """Return a new dataclass record's values for its audit entry, empty left out."""
    values = {k: _plain(v) for k, v in dataclasses.asdict(record).items()}
    values.pop("line", None)
    return {k: v for k, v in values.items() if v not in ("", None, [])}


def record_diff(before: Any, after: Any) -> dict[str, list[Any]]:
    """Return {field: [old, new]} between two dataclass records."""
    old = {k: _plain(v) for k, v in dataclasses.asdict(before).items()}
    new = {k: _plain(v) for k, v in dataclasses.asdict(after).items()}
    old.pop("line", None)
    new.pop("line", None)
    return audit.diff(old, new)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return audit.jsonable(value)


def phone_tokens(phones: Iterable[PhoneValue]) -> list[str]:
    """Digits of each phone in the forms people type them, for search."""
    tokens: list[str] = []
    for phone in phones:
        tokens.extend(phone_forms(phone.raw, phone.e164))
    return tokens


def phone_forms(raw: str, e164: str | None) -> list[str]:
    """Return a number's digits as typed, in E.164 and in national form."""
    forms = ["".join(c for c in raw if c.isdigit())]
    if e164:
        forms.append(e164.lstrip("+"))
        try:
            number = phonenumbers.parse(e164)
        except phonenumbers.NumberParseException:
            return [f for f in forms if f]
        forms.append(phonenumbers.national_significant_number(number))
        national = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        )
        forms.append("".join(c for c in national if c.isdigit()))
    return list(dict.fromkeys(f for f in forms if f))
