"""Users: the first administrator, logins and lockout."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import ROLES, User
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit, passwords
from crm_desktop.security.roles import CurrentUser, UserId
from crm_desktop.services.errors import (
    AuthenticationError,
    PermissionDeniedError,
    ValidationError,
)

logger = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)


def current_user(user: User) -> CurrentUser:
    return CurrentUser(UserId(user.id), user.username, user.full_name, user.role)


def has_users(session: Session) -> bool:
    """Tell whether any account exists (false on a brand-new database)."""
    return session.scalar(select(func.count()).select_from(User)) != 0


def check_new_account(username: str, password: str) -> None:
    """Check a new account's name and password without a database.

    Raises:
        ValidationError: the name is malformed or the password weak.
    """
    username = username.strip()
    record = f"User '{username}'"
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise ValidationError(record, "name", "use 1 to 64 characters, no spaces")
    problem = passwords.password_problem(password)
    if problem:
        raise ValidationError(record, "password", problem)


def create_user(
    session: Session,
    actor: CurrentUser | None,
    username: str,
    password: str,
    *,
    role: str = "staff",
    full_name: str = "",
    email: str = "",
) -> CurrentUser:
    """Create an account; with no actor only the very first admin.

    Raises:
        PermissionDeniedError: the actor is not an admin.
        ValidationError: a name taken or malformed, a weak password, a bad role.
    """
    if actor is None and (has_users(session) or role != "admin"):
        raise PermissionDeniedError("Only an administrator can add users.")
    if actor is not None and not actor.is_admin:
        raise PermissionDeniedError("Only an administrator can add users.")
    username = username.strip()
    record = f"User '{username}'"
    check_new_account(username, password)
    if role not in ROLES:
        raise ValidationError(record, "role", f"'{role}' is not one of {ROLES}")
    taken = session.scalar(select(User.id).where(User.username == username))
    if taken is not None:
        raise ValidationError(record, "name", "that name is already taken")
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email.strip(),
        role=role,
        password_hash=passwords.hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "users",
        user.id,
        {"username": username, "role": role, "full_name": user.full_name},
    )
    return current_user(user)


def authenticate(session: Session, username: str, password: str) -> CurrentUser:
    """Check a name and password, recording the attempt; commits.

    Raises:
        AuthenticationError: unknown name, wrong password, disabled or locked.
    """
    user = session.scalar(select(User).where(User.username == username.strip()))
    now = utcnow()
    failure = _login_failure(user, password, now)
    if failure is not None:
        if user is not None:
            audit.record(
                session, None, "login_failed", "users", user.id, {"reason": failure}
            )
        session.commit()
        raise AuthenticationError(failure)
    assert user is not None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, current_user(user), "login", "users", user.id)
    session.commit()
    logger.info("%s logged in", user.username)
    return current_user(user)


def _login_failure(user: User | None, password: str, now: dt.datetime) -> str | None:
    wrong = "Wrong user name or password."
    if user is None:
        # Spend the same time as a real check so names cannot be probed.
        passwords.verify_password(passwords.hash_password("x" * 8), password)
        return wrong
    if not user.is_active:
        return f"The account '{user.username}' is disabled; ask an administrator."
    if user.locked_until is not None and user.locked_until > now:
        return (
            f"The account '{user.username}' is locked after "
            f"{MAX_FAILED_LOGINS} wrong passwords; try again later or ask "
            "an administrator to unlock it."
        )
    if passwords.verify_password(user.password_hash, password):
        return None
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
    return wrong


def list_usernames(session: Session) -> list[str]:
    return list(session.scalars(select(User.username).order_by(User.username)))
