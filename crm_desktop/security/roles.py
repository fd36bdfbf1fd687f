"""Roles and what each may see and change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

from sqlalchemy import ColumnElement, Table, or_, true

UserId = NewType("UserId", int)

ROLE_LABELS = {
    "admin": "Administrator",
    "manager": "Manager",
    "staff": "Staff",
    "read_only": "Read-only",
}


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The logged-in user, as services need to know them."""

    id: UserId
    username: str
    full_name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role != "read_only"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def sees_everything(self) -> bool:
        # TODO: managers see every record until teams exist; then their
        # team's only.
        return self.role in ("admin", "manager", "read_only")


def visible_to(table: Table, user: CurrentUser) -> ColumnElement[bool]:
    """Return the condition for rows the user may see in a record table."""
    if user.sees_everything:
        return true()
    return or_(table.c.owner_id == user.id, table.c.is_shared.is_(True))
