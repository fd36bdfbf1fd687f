"""Business settings shared by every PC: name, currency, phone region, zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Setting
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.errors import PermissionDeniedError


@dataclass(frozen=True, slots=True)
class BusinessSettings:
    name: str = "My Business"
    currency: str = "EUR"
    default_region: str = "GB"
    timezone: str = "Europe/London"
    locale: str = "en_GB"


_FIELDS = BusinessSettings.__dataclass_fields__


def load(session: Session) -> BusinessSettings:
    """Return the business settings, with defaults for those never set."""
    rows = session.execute(select(Setting.key, Setting.value))
    stored: dict[str, Any] = {key: value for key, value in rows}
    return BusinessSettings(**{k: stored[k] for k in _FIELDS if k in stored})


def save(session: Session, user: CurrentUser | None, **values: Any) -> None:
    """Change business settings (admins only; None only at set-up).

    Raises:
        PermissionDeniedError: the user is not an admin.
        KeyError: a name that is not a business setting.
    """
    if user is not None and not user.is_admin:
        raise PermissionDeniedError("Only an administrator can change settings.")
    for key, value in values.items():
        if key not in _FIELDS:
            raise KeyError(key)
        row = session.get(Setting, key)
        old = row.value if row else None
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        audit.record(session, user, "update", "settings", None, {key: [old, value]})
