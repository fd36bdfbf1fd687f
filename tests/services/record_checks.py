"""What the record-service tests share: users of each role, audit rows, counts."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, select

from crm_desktop.db.database import Database
from crm_desktop.db.models import AuditEntry, DealStageChange
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import users


def add_user(
    database: Database, admin: CurrentUser, name: str, role: str
) -> CurrentUser:
    """Create and commit an account with that role."""
    with database.session() as session:
        user = users.create_user(session, admin, name, "long enough pw", role=role)
        session.commit()
    return user


def audit_rows(database: Database, table: str) -> list[tuple[Any, ...]]:
    """Return (action, user id, record id, changes) of a table's audit entries."""
    query = (
        select(
            AuditEntry.action,
            AuditEntry.user_id,
            AuditEntry.record_id,
            AuditEntry.changes,
        )
        .where(AuditEntry.table_name == table)
        .order_by(AuditEntry.id)
    )
    with database.session() as session:
        return [tuple(row) for row in session.execute(query)]


Row = TypeVar("Row")


def stored(database: Database, model: type[Row], record_id: int) -> Row:
    """Return a record as the database holds it now, from a fresh session."""
    with database.session() as session:
        row = session.get(model, record_id)
        assert row is not None
        return row


def stage_history(database: Database, deal_id: int) -> list[tuple[Any, ...]]:
    """Return (from stage, to stage, who, lost reason) of a deal's moves."""
    query = (
        select(
            DealStageChange.from_stage_id,
            DealStageChange.to_stage_id,
            DealStageChange.changed_by_id,
            DealStageChange.lost_reason,
        )
        .where(DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.id)
    )
    with database.session() as session:
        return [tuple(row) for row in session.execute(query)]


def count(database: Database, model: type) -> int:
    """Return how many rows a table holds."""
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
