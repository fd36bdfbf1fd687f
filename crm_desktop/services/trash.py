"""The trash: trashed contacts, companies, deals and activities together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, func, literal, select, union_all
from sqlalchemy.orm import Session

from crm_desktop.db.models import Activity, Company, Contact, Deal, User
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import activities, companies, contacts, deals
from crm_desktop.services.records_common import require_write

# The rows the Trash view reads at once, newest first; a bigger trash says
# how many more there are.
TRASH_LIMIT = 2000

KIND_LABELS = {
    "contacts": "Contact",
    "companies": "Company",
    "deals": "Deal",
    "activities": "Activity",
}

_Restore = Callable[[Session, CurrentUser, int, int], None]
_RESTORE: dict[str, _Restore] = {
    "contacts": contacts.restore,
    "companies": companies.restore,
    "deals": deals.restore,
    "activities": activities.restore,
}


@dataclass(frozen=True, slots=True)
class TrashedRecord:
    """One record in the trash, as the Trash view lists it."""

    kind: str
    id: int
    version: int
    name: str
    trashed_at: dt.datetime
    trashed_by: str


@dataclass(frozen=True, slots=True)
class TrashContents:
    """The newest trashed records and how many the trash holds in all."""

    records: list[TrashedRecord]
    total: int


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


_NAMES: tuple[tuple[str, Table, str], ...] = (
    ("contacts", _table(Contact), "display_name"),
    ("companies", _table(Company), "name"),
    ("deals", _table(Deal), "title"),
    ("activities", _table(Activity), "subject"),
)


def _trashed(table: Table, user: CurrentUser) -> list[ColumnElement[bool]]:
    return [table.c.deleted_at.is_not(None), visible_to(table, user)]


def contents(
    session: Session, user: CurrentUser, limit: int = TRASH_LIMIT
) -> TrashContents:
    """Return the most recently trashed records the user may see, newest first."""
    parts = [
        select(
            literal(kind).label("kind"),
            table.c.id,
            table.c.version,
            table.c[name].label("name"),
            table.c.deleted_at,
            # The trash sets updated_by to who moved it, and a trashed
            # record cannot be edited, so it still says who did.
            table.c.updated_by_id,
        ).where(*_trashed(table, user))
        for kind, table, name in _NAMES
    ]
    everything = union_all(*parts).subquery()
    who = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(everything, who)
        .outerjoin(User, User.id == everything.c.updated_by_id)
        .order_by(everything.c.deleted_at.desc(), everything.c.kind, everything.c.id)
        .limit(limit)
    )
    records = [
        TrashedRecord(kind, row_id, version, name, at, by or "")
        for kind, row_id, version, name, at, _by_id, by in session.execute(query)
    ]
    total = sum(
        int(session.scalar(select(func.count()).where(*_trashed(t, user))) or 0)
        for _kind, t, _name in _NAMES
    )
    return TrashContents(records, total)


def restore(
    session: Session, user: CurrentUser, records: Sequence[tuple[str, int, int]]
) -> int:
    """Bring records back from the trash, all or none; return how many.

    Args:
        records: (kind, id, version) of each, kind as in KIND_LABELS.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: a record is gone or not the user's.
        StaleRecordError: a record changed since the trash was read.
    """
    require_write(user)
    for kind, record_id, version in records:
        _RESTORE[kind](session, user, record_id, version)
    return len(records)
