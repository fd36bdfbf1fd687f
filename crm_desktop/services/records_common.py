"""What every record service shares: permission, version and trash handling."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
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
    row.deleted_at = utcnow() if trashed else None
    row.updated_at = utcnow()
    row.updated_by_id = user.id
    flush_versioned(session, f"{kind} {record_id}")
    action = "trash" if trashed else "restore"
    audit.record(session, user, action, model.__tablename__, record_id)


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
