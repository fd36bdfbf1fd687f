"""The tasks service on both back-ends: agenda groups, done, reschedule, reassign."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from crm_desktop.db.database import Database
from crm_desktop.db.models import Activity
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, contacts, tasks
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.errors import (
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.records import ContactRecord
from tests.services.record_checks import add_user, audit_rows

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC
# 10:00 UTC on a Monday in winter: 11:00 in Berlin (UTC+1).
NOW = dt.datetime(2027, 1, 11, 10, 0, tzinfo=UTC)


def _utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=UTC)


def _add(
    database: Database,
    user: CurrentUser,
    subject: str,
    due_at: dt.datetime | None,
    *,
    kind: str = "task",
    done_at: dt.datetime | None = None,
    contact_id: int | None = None,
) -> int:
    data = ActivityData(
        kind, subject, due_at=due_at, done_at=done_at, contact_id=contact_id
    )
    with database.session() as session:
        task_id = activities.create(session, user, data)
        session.commit()
    return task_id


def _agenda(
    database: Database, user: CurrentUser, tz: dt.tzinfo = BERLIN, **kwargs: object
) -> tasks.Agenda:
    with database.session() as session:
        return tasks.agenda(session, user, now=NOW, tz=tz, **kwargs)  # type: ignore[arg-type]


def _subjects(rows: tuple[tasks.TaskRow, ...]) -> list[str]:
    return [row.subject for row in rows]


def _activity(database: Database, task_id: int) -> Activity:
    with database.session() as session:
        activity = session.get(Activity, task_id)
        assert activity is not None
        return activity


def test_groups_follow_the_day_in_the_users_time_zone(
    database: Database, admin: CurrentUser
) -> None:
    _add(database, admin, "Yesterday", _utc(10, 9))
    _add(database, admin, "An hour ago", _utc(11, 9))
    _add(database, admin, "This afternoon", _utc(11, 15))
    # 22:30 UTC is 23:30 in Berlin, still Monday there.
    _add(database, admin, "Late Berlin Monday", _utc(11, 22, 30))
    # 23:30 UTC on Monday is 00:30 on Tuesday in Berlin.
    _add(database, admin, "Berlin Tuesday", _utc(11, 23, 30))
    _add(database, admin, "Next week", _utc(18, 8))
    _add(database, admin, "No date", None)

    agenda = _agenda(database, admin)

    assert agenda.day == dt.date(2027, 1, 11)
    assert _subjects(agenda.overdue) == ["Yesterday", "An hour ago"]
    assert _subjects(agenda.today) == ["This afternoon", "Late Berlin Monday"]
    assert _subjects(agenda.upcoming) == ["Berlin Tuesday", "Next week", "No date"]
    assert agenda.count == 7


def test_the_same_task_is_today_in_utc_and_tomorrow_in_berlin(
    database: Database, admin: CurrentUser
) -> None:
    _add(database, admin, "Call back", _utc(11, 23, 30))

    in_utc = _agenda(database, admin, tz=UTC)
    in_berlin = _agenda(database, admin, tz=BERLIN)

    assert _subjects(in_utc.today) == ["Call back"]
    assert _subjects(in_berlin.upcoming) == ["Call back"]
    assert in_berlin.today == ()


def test_a_new_york_evening_is_still_today_there(
    database: Database, admin: CurrentUser
) -> None:
    # 03:00 UTC on Tuesday is 22:00 on Monday in New York (UTC-5).
    _add(database, admin, "Evening call", _utc(12, 3))

    agenda = _agenda(database, admin, tz=zoneinfo.ZoneInfo("America/New_York"))

    assert _subjects(agenda.today) == ["Evening call"]


def test_done_trashed_other_kinds_and_far_tasks_are_left_out(
    database: Database, admin: CurrentUser
) -> None:
    _add(database, admin, "Done", _utc(11, 15), done_at=_utc(11, 8))
    _add(database, admin, "Meeting", _utc(11, 15), kind="meeting")
    trashed = _add(database, admin, "Trashed", _utc(11, 15))
    with database.session() as session:
        activities.trash(session, admin, trashed, 1)
        session.commit()
    _add(database, admin, "In a month", _utc(11, 15) + dt.timedelta(days=30))
    _add(database, admin, "Open", _utc(11, 15))

    agenda = _agenda(database, admin)

    assert agenda.count == 1
    assert _subjects(agenda.today) == ["Open"]


def test_rows_name_what_the_task_is_about_and_its_owner(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        record = ContactRecord(line=0, given_name="Ada", family_name="Novak")
        contact_id = contacts.create(session, admin, record, region="GB")
        session.commit()
    task_id = _add(database, admin, "Send quote", _utc(11, 15), contact_id=contact_id)

    (row,) = _agenda(database, admin).today

    assert row.id == task_id
    assert row.version == 1
    assert row.regarding == "Ada Novak"
    assert row.owner_id == admin.id
    assert row.due_at == _utc(11, 15)


def test_only_the_owners_tasks_show_and_managers_may_look_at_others(
    database: Database, admin: CurrentUser
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    manager = add_user(database, admin, "mia", "manager")
    _add(database, staff, "Sam's task", _utc(11, 15))
    _add(database, admin, "Admin's task", _utc(11, 15))

    assert _subjects(_agenda(database, staff).today) == ["Sam's task"]
    assert _subjects(_agenda(database, admin).today) == ["Admin's task"]
    others = _agenda(database, manager, owner_id=staff.id)
    assert _subjects(others.today) == ["Sam's task"]
    with pytest.raises(PermissionDeniedError):
        _agenda(database, staff, owner_id=admin.id)


def test_mark_done_sets_done_at_and_writes_the_audit(
    database: Database, admin: CurrentUser
) -> None:
    task_id = _add(database, admin, "Send quote", _utc(11, 15))

    with database.session() as session:
        version = tasks.mark_done(session, admin, task_id, 1, now=NOW)
        session.commit()

    assert version == 2
    assert _activity(database, task_id).done_at == NOW
    assert _agenda(database, admin).count == 0
    action, user_id, record_id, changes = audit_rows(database, "activities")[-1]
    assert (action, user_id, record_id) == ("update", admin.id, task_id)
    assert changes["done_at"][0] is None


def test_reschedule_moves_the_task_to_its_new_day(
    database: Database, admin: CurrentUser
) -> None:
    task_id = _add(database, admin, "Send quote", _utc(10, 9))
    new_due = dt.datetime(2027, 1, 13, 9, 0, tzinfo=BERLIN)

    with database.session() as session:
        tasks.reschedule(session, admin, task_id, 1, new_due)
        session.commit()

    assert _activity(database, task_id).due_at == _utc(13, 8)
    assert _subjects(_agenda(database, admin).upcoming) == ["Send quote"]
    action, _user, _record, changes = audit_rows(database, "activities")[-1]
    assert action == "update"
    assert set(changes) == {"due_at"}


def test_reassign_hands_the_task_over_with_an_audit_entry(
    database: Database, admin: CurrentUser
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    task_id = _add(database, admin, "Send quote", _utc(11, 15))

    with database.session() as session:
        version = tasks.reassign(session, admin, task_id, 1, staff.id)
        session.commit()

    assert version == 2
    assert _activity(database, task_id).owner_id == staff.id
    assert _subjects(_agenda(database, staff).today) == ["Send quote"]
    assert _agenda(database, admin).count == 0
    entry = audit_rows(database, "activities")[-1]
    assert entry == ("update", admin.id, task_id, {"owner_id": [admin.id, staff.id]})


@pytest.mark.parametrize("change", ["done", "reschedule", "reassign"])
def test_a_stale_version_changes_nothing(
    database: Database, admin: CurrentUser, change: str
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    task_id = _add(database, admin, "Send quote", _utc(11, 15))
    with database.session() as session:
        tasks.reschedule(session, admin, task_id, 1, _utc(11, 16))
        session.commit()
    audit_before = audit_rows(database, "activities")

    with database.session() as session, pytest.raises(StaleRecordError):
        if change == "done":
            tasks.mark_done(session, admin, task_id, 1)
        elif change == "reschedule":
            tasks.reschedule(session, admin, task_id, 1, _utc(20, 9))
        else:
            tasks.reassign(session, admin, task_id, 1, staff.id)

    activity = _activity(database, task_id)
    assert (activity.version, activity.owner_id) == (2, admin.id)
    assert (activity.due_at, activity.done_at) == (_utc(11, 16), None)
    assert audit_rows(database, "activities") == audit_before


def test_staff_cannot_reassign_another_users_task(
    database: Database, admin: CurrentUser
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    other = add_user(database, admin, "kim", "staff")
    task_id = _add(database, other, "Kim's task", _utc(11, 15))
    with database.session() as session:
        # Shared, so Sam can see and edit it, but it is still Kim's.
        session.get_one(Activity, task_id).is_shared = True
        session.commit()
    version = _activity(database, task_id).version

    with database.session() as session, pytest.raises(PermissionDeniedError):
        tasks.reassign(session, staff, task_id, version, staff.id)

    assert _activity(database, task_id).owner_id == other.id


def test_staff_may_hand_over_their_own_task(
    database: Database, admin: CurrentUser
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    task_id = _add(database, staff, "Sam's task", _utc(11, 15))

    with database.session() as session:
        tasks.reassign(session, staff, task_id, 1, admin.id)
        session.commit()

    assert _activity(database, task_id).owner_id == admin.id


def test_reassign_refuses_a_read_only_or_unknown_owner(
    database: Database, admin: CurrentUser
) -> None:
    reader = add_user(database, admin, "rita", "read_only")
    task_id = _add(database, admin, "Send quote", _utc(11, 15))

    for owner in (reader.id, 9999):
        with database.session() as session, pytest.raises(ValidationError):
            tasks.reassign(session, admin, task_id, 1, owner)

    with database.session() as session, pytest.raises(PermissionDeniedError):
        tasks.mark_done(session, reader, task_id, 1)


def test_only_tasks_can_be_done_through_the_agenda(
    database: Database, admin: CurrentUser
) -> None:
    meeting = _add(database, admin, "Meeting", _utc(11, 15), kind="meeting")

    with database.session() as session, pytest.raises(ValidationError):
        tasks.mark_done(session, admin, meeting, 1)


def test_due_between_returns_what_fell_due_in_the_interval(
    database: Database, admin: CurrentUser
) -> None:
    staff = add_user(database, admin, "sam", "staff")
    _add(database, admin, "Before", _utc(11, 9, 59))
    _add(database, admin, "At start", _utc(11, 10))
    _add(database, admin, "Inside", _utc(11, 10, 0) + dt.timedelta(seconds=20))
    _add(database, admin, "At end", _utc(11, 10, 0) + dt.timedelta(seconds=30))
    _add(
        database, admin, "Done", _utc(11, 10, 0) + dt.timedelta(seconds=10), done_at=NOW
    )
    _add(database, staff, "Not mine", _utc(11, 10, 0) + dt.timedelta(seconds=10))
    _add(database, admin, "Later", _utc(11, 11))

    with database.session() as session:
        rows = tasks.due_between(session, admin, NOW, NOW + dt.timedelta(seconds=30))

    assert [row.subject for row in rows] == ["Inside", "At end"]
