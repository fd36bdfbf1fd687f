"""Bulk actions on many rows of a list: assign an owner, add a tag, trash.

Each action is one statement per step inside the caller's transaction, run
over the ids in SQL (picked rows, or every row a filtered list shows), so a
million rows never pass through Python. Every record changed gets its own
audit entry and a new version; when a check fails nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session

from crm_desktop.db.models import AuditEntry, Tag, User
from crm_desktop.db.types import UtcDateTime, utcnow
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import tags
from crm_desktop.services.errors import (
    NotFoundError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.listing import ListRequest, ListSpec, matching_ids
from crm_desktop.services.records_common import require_write

logger = logging.getLogger(__name__)

_TAG_LENGTH: int = Tag.__table__.c.name.type.length  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Selection:
    """The rows a bulk action applies to.

    Either `picked` rows, each (id, version) as the user saw it, or with
    `request` every row the list shows with that search and filter, of
    which the user confirmed `expected`.
    """

    spec: ListSpec
    picked: tuple[tuple[int, int], ...] = ()
    request: ListRequest | None = None
    expected: int = 0

    @property
    def size(self) -> int:
        return self.expected if self.request is not None else len(self.picked)


def selection_size(
    session: Session, user: CurrentUser, spec: ListSpec, request: ListRequest
) -> int:
    """Return how many rows a "whole list" selection holds right now."""
    ids = matching_ids(session, user, spec, request).subquery()
    return int(session.scalar(select(func.count()).select_from(ids)) or 0)


def assign_owner(
    session: Session, user: CurrentUser, selection: Selection, owner_id: int
) -> int:
    """Give the selected records to another user; return how many changed.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: the new owner is not an active user who may own records.
        NotFoundError: a picked record is gone or not the user's.
        StaleRecordError: a record changed, or the list no longer has the
            number of rows confirmed.
    """
    require_write(user)
    _check_owner(session, owner_id)
    table = selection.spec.table
    ids = _checked_ids(session, user, selection)
    chosen = table.c.id.in_(ids)
    new = cast(literal(owner_id), Integer)
    changes = _json_change(session, "owner_id", table.c.owner_id, new)
    _audit(session, user, "update", table, chosen, changes)
    changed = _touch(session, user, table, chosen, owner_id=owner_id)
    logger.info("%s gave %d %s to user %d", user.username, changed, table, owner_id)
    return changed


def add_tag(
    session: Session, user: CurrentUser, selection: Selection, tag_name: str
) -> int:
    """Tag the selected records; return how many did not carry the tag yet.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: the list's records carry no tags, or a bad name.
        NotFoundError: a picked record is gone or not the user's.
        StaleRecordError: as for assign_owner.
    """
    require_write(user)
    spec = selection.spec
    name = tag_name.strip()
    if spec.tag_link is None:
        raise ValidationError(spec.name, "tag", f"{spec.name} carry no tags")
    if not name or len(name) > _TAG_LENGTH:
        reason = f"give a tag of 1 to {_TAG_LENGTH} characters"
        raise ValidationError(spec.name, "tag", reason)
    table = spec.table
    ids = _checked_ids(session, user, selection)
    (tag_id,) = tags.ensure(session, [name])
    link, column = spec.tag_link
    tagged = exists().where(link.c[column] == table.c.id, link.c.tag_id == tag_id)
    untagged = table.c.id.in_(ids) & ~tagged
    new = cast(literal(name), String)
    changes = _json_change(session, "tag", cast(null(), String), new)
    _audit(session, user, "tag", table, untagged, changes)
    changed = _touch(session, user, table, untagged)
    links = select(table.c.id, literal(tag_id)).where(untagged)
    session.execute(insert(link).from_select([column, "tag_id"], links))
    logger.info("%s tagged %d %s %r", user.username, changed, table, name)
    return changed


def move_to_trash(session: Session, user: CurrentUser, selection: Selection) -> int:
    """Move the selected records to the trash; return how many moved.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: a picked record is gone or not the user's.
        StaleRecordError: as for assign_owner.
    """
    require_write(user)
    table = selection.spec.table
    ids = _checked_ids(session, user, selection)
    chosen = table.c.id.in_(ids)
    now = utcnow()
    new = cast(literal(now.isoformat()), String)
    changes = _json_change(session, "deleted_at", cast(null(), String), new)
    _audit(session, user, "trash", table, chosen, changes)
    changed = _touch(session, user, table, chosen, deleted_at=now)
    logger.info("%s moved %d %s to the trash", user.username, changed, table)
    return changed


def _check_owner(session: Session, owner_id: int) -> None:
    query = select(User.id).where(
        User.id == owner_id, User.is_active.is_(True), User.role != "read_only"
    )
    if session.scalar(query) is None:
        reason = f"user {owner_id} is not an active user who may own records"
        raise ValidationError("Assign owner", "owner", reason)


def _checked_ids(
    session: Session, user: CurrentUser, selection: Selection
) -> Select[tuple[int]]:
    """Return the selection's ids as a query, once they are what the user saw."""
    spec = selection.spec
    table = spec.table
    if selection.request is not None:
        ids = matching_ids(session, user, spec, selection.request)
        found = selection_size(session, user, spec, selection.request)
        if found != selection.expected:
            raise StaleRecordError(
                f"The {spec.name} list ({selection.expected} confirmed, {found} now)"
            )
        return ids
    picked = dict(selection.picked)
    live = select(table.c.id, table.c.version).where(
        table.c.id.in_(list(picked)),
        table.c.deleted_at.is_(None),
        visible_to(table, user),
    )
    versions = {row_id: version for row_id, version in session.execute(live)}
    missing = sorted(set(picked) - set(versions))
    if missing:
        raise NotFoundError(
            f"{spec.name} {', '.join(map(str, missing[:5]))} no longer exist, "
            "are in the trash or are not yours; nothing was changed."
        )
    stale = sorted(i for i, version in picked.items() if versions[i] != version)
    if stale:
        raise StaleRecordError(f"{spec.name} {', '.join(map(str, stale[:5]))}")
    return select(table.c.id).where(table.c.id.in_(list(picked)))


def _json_change(
    session: Session, key: str, old: ColumnElement[Any], new: ColumnElement[Any]
) -> ColumnElement[Any]:
    """Return {key: [old, new]} built in SQL, as audit.diff writes it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.json_build_object(key, func.json_build_array(old, new))
    return func.json_object(key, func.json_array(old, new))


def _audit(
    session: Session,
    user: CurrentUser,
    action: str,
    table: Table,
    where: ColumnElement[bool],
    changes: ColumnElement[Any],
) -> None:
    """Add one audit entry per row `where` selects, before the rows change."""
    rows = select(
        literal(utcnow(), UtcDateTime()),
        literal(user.id),
        literal(action),
        literal(table.name),
        table.c.id,
        changes,
    ).where(where)
    columns = ["at", "user_id", "action", "table_name", "record_id", "changes"]
    session.execute(insert(AuditEntry).from_select(columns, rows))


def _touch(
    session: Session,
    user: CurrentUser,
    table: Table,
    where: ColumnElement[bool],
    **values: Any,
) -> int:
    """Update the rows `where` selects with a new version; return how many."""
    statement = (
        update(table)
        .where(where)
        .values(
            version=table.c.version + 1,
            updated_at=utcnow(),
            updated_by_id=user.id,
            **values,
        )
    )
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
