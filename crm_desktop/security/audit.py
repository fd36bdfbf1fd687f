"""The audit trail: one row per write, saying who changed what from what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from crm_desktop.db.models import AuditEntry
from crm_desktop.db.types import utcnow
from crm_desktop.security.roles import CurrentUser


def jsonable(value: Any) -> Any:
    """Turn a column value into something JSON keeps without loss."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose value changed."""
    return {
        key: [jsonable(old.get(key)), jsonable(value)]
        for key, value in new.items()
        if old.get(key) != value
    }


def record(
    session: Session,
    user: CurrentUser | None,
    action: str,
    table_name: str,
    record_id: int | None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the session's transaction."""
    session.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            user_id=user.id if user else None,
            action=action,
            table_name=table_name,
            record_id=record_id,
            changes={k: jsonable(v) for k, v in (changes or {}).items()},
        )
    )
