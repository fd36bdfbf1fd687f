"""A new database: its first administrator, pipeline and settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import deals, settings, users


def initialize(
    session: Session,
    admin_name: str,
    password: str,
    *,
    full_name: str = "",
    business: dict[str, str] | None = None,
) -> CurrentUser:
    """Create the first administrator and the defaults, then commit.

    Raises:
        PermissionDeniedError: the database already has users.
        ValidationError: the name or password is not acceptable.
    """
    try:
        admin = users.create_user(
            session, None, admin_name, password, role="admin", full_name=full_name
        )
        deals.create_default_stages(session)
        if business:
            settings.save(session, admin, **business)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return admin
