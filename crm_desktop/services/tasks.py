"""My tasks: open tasks by due day (overdue, today, upcoming) and their changes.

Due times are stored in UTC; which day a task falls on is judged in the
user's time zone, handed in by the caller, so a task due at 23:30 UTC on
a Monday is a Tuesday task in Berlin.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Activity, Company, Contact, Deal, User
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import activities, records_common
from crm_desktop.services.errors import PermissionDeniedError, ValidationError

logger = logging.getLogger(__name__)

TASK = "task"
# Roles that may look at and hand over tasks of other users.
_SUPERVISORS = ("admin", "manager")

_activities: Table = Activity.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One open task as the agenda shows it.

    Attributes:
        due_at: Aware, in UTC; None for a task without a due time.
        regarding: The contact, company and deal it is about, by name.
    """

    id: int
    version: int
    subject: str
    due_at: dt.datetime | None
    owner_id: int | None
    owner_name: str
    regarding: str


@dataclass(frozen=True, slots=True)
class Agenda:
    """Open tasks in three groups, each soonest first.

    Attributes:
        overdue: Due before `now`.
        today: Due from `now` to the end of `day`.
        upcoming: Due in the following days, then those with no due time.
        day: Today in the time zone the agenda was read in.
    """

    overdue: tuple[TaskRow, ...]
    today: tuple[TaskRow, ...]
    upcoming: tuple[TaskRow, ...]
    day: dt.date

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def _may_supervise(user: CurrentUser) -> bool:
    return user.role in _SUPERVISORS


def _open_tasks(user: CurrentUser, owner_id: int) -> list[ColumnElement[bool]]:
    return [
        _activities.c.kind == TASK,
        _activities.c.done_at.is_(None),
        _activities.c.deleted_at.is_(None),
        _activities.c.owner_id == owner_id,
        visible_to(_activities, user),
    ]


def _rows(session: Session, conditions: list[ColumnElement[bool]]) -> list[TaskRow]:
    owner_name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(
            _activities.c.id,
            _activities.c.version,
            _activities.c.subject,
            Activity.due_at,
            _activities.c.owner_id,
            owner_name,
            Contact.display_name,
            Company.name,
            Deal.title,
        )
        .select_from(_activities)
        .outerjoin(User, User.id == _activities.c.owner_id)
        .outerjoin(Contact, Contact.id == _activities.c.contact_id)
        .outerjoin(Company, Company.id == _activities.c.company_id)
        .outerjoin(Deal, Deal.id == _activities.c.deal_id)
        .where(*conditions)
        .order_by(_activities.c.due_at.asc().nulls_last(), _activities.c.id)
    )
    return [_row(row) for row in session.execute(query)]


def _row(row: Any) -> TaskRow:
    regarding = ", ".join(name for name in row[6:9] if name)
    return TaskRow(row[0], row[1], row[2], row[3], row[4], row[5] or "", regarding)


def agenda(
    session: Session,
    user: CurrentUser,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    days_ahead: int = 14,
    owner_id: int | None = None,
) -> Agenda:
    """Return a user's open tasks as overdue, today and upcoming.

    Trashed and done tasks are left out; so are tasks due more than
    `days_ahead` days after today.

    Args:
        now: The current time, aware.
        tz: The user's time zone, which decides where today ends.
        days_ahead: How many days after today "upcoming" covers.
        owner_id: Whose tasks; the user's own when None. Only managers
            and administrators may ask for someone else's.

    Raises:
        PermissionDeniedError: staff asked for another user's tasks.
        ValueError: `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("agenda() needs an aware 'now'")
    owner = user.id if owner_id is None else owner_id
    if owner != user.id and not _may_supervise(user):
        raise PermissionDeniedError(
            f"{user.username} may see only their own tasks, not user {owner}'s."
        )
    started = time.perf_counter()
    day = now.astimezone(tz).date()
    tomorrow = _start_of(day + dt.timedelta(days=1), tz)
    horizon = _start_of(day + dt.timedelta(days=days_ahead + 1), tz)
    due = _activities.c.due_at
    window = or_(due.is_(None), Activity.due_at < horizon)
    rows = _rows(session, [*_open_tasks(user, owner), window])
    overdue = tuple(r for r in rows if r.due_at is not None and r.due_at < now)
    today = tuple(
        r for r in rows if r.due_at is not None and now <= r.due_at < tomorrow
    )
    upcoming = tuple(r for r in rows if r.due_at is None or r.due_at >= tomorrow)
    logger.debug(
        "agenda of user %d: %d tasks read in %.1f ms",
        owner,
        len(rows),
        (time.perf_counter() - started) * 1000,
    )
    return Agenda(overdue, today, upcoming, day)


def _start_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    # NOTE: midnight can fall in a daylight-saving gap in a few zones;
    # fold=0 then gives the earlier offset, which still orders correctly.
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def due_between(
    session: Session,
    user: CurrentUser,
    start: dt.datetime,
    end: dt.datetime,
) -> list[TaskRow]:
    """Return the user's open tasks that fell due after `start`, up to `end`.

    For reminders: called with the previous check's time and now, each task
    comes back once.
    """
    due = Activity.due_at
    conditions = [*_open_tasks(user, user.id), due > start, due <= end]
    return _rows(session, conditions)


def _task(
    session: Session, user: CurrentUser, task_id: int
) -> activities.ActivityDetail:
    detail = activities.get(session, user, task_id)
    if detail.data.kind != TASK:
        label = f"Activity '{detail.data.subject}'"
        raise ValidationError(label, "type", "only a task can be done or rescheduled")
    return detail


def mark_done(
    session: Session,
    user: CurrentUser,
    task_id: int,
    version: int,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Mark a task done now; return its new version.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: no such task visible to the user.
        StaleRecordError: someone saved it after `version`.
        ValidationError: the activity is not a task.
    """
    detail = _task(session, user, task_id)
    data = replace(detail.data, done_at=now or utcnow())
    return activities.update(session, user, task_id, version, data)


def reschedule(
    session: Session,
    user: CurrentUser,
    task_id: int,
    version: int,
    new_due: dt.datetime,
) -> int:
    """Move a task's due time; return its new version.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: no such task visible to the user.
        StaleRecordError: someone saved it after `version`.
        ValidationError: not a task, or `new_due` has no time zone.
    """
    detail = _task(session, user, task_id)
    data = replace(detail.data, due_at=new_due)
    return activities.update(session, user, task_id, version, data)


def reassign(
    session: Session,
    user: CurrentUser,
    task_id: int,
    version: int,
    owner_id: int,
) -> int:
    """Hand a task to another user; return its new version.

    Staff may hand over only tasks they own; managers and administrators
    any task.

    Raises:
        PermissionDeniedError: read-only user, or staff and not the owner.
        NotFoundError: no such task visible to the user.
        StaleRecordError: someone saved it after `version`.
        ValidationError: not a task, or no active user `owner_id` who can
            own records (field "owner").
    """
    records_common.require_write(user)
    task = records_common.load_for_write(
        session, user, Activity, task_id, version, "Task"
    )
    label = f"Task '{task.subject}'"
    if task.kind != TASK:
        raise ValidationError(label, "type", "only a task can be reassigned")
    if task.owner_id != user.id and not _may_supervise(user):
        raise PermissionDeniedError(
            f"{user.username} cannot reassign a task that is not theirs."
        )
    if not _can_own(session, owner_id):
        raise ValidationError(label, "owner", f"there is no active user {owner_id}")
    before = task.owner_id
    if before == owner_id:
        return task.version
    task.owner_id = owner_id
    task.updated_at = utcnow()
    task.updated_by_id = user.id
    records_common.flush_versioned(session, label)
    changes = audit.diff({"owner_id": before}, {"owner_id": owner_id})
    audit.record(session, user, "update", "activities", task_id, changes)
    return task.version


def _can_own(session: Session, user_id: int) -> bool:
    query = select(User.id).where(
        User.id == user_id, User.is_active.is_(True), User.role != "read_only"
    )
    return session.scalar(query) is not None
