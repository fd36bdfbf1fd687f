"""Activities: calls, meetings, emails, notes and tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm_desktop.db.models import ACTIVITY_KINDS, Activity
from crm_desktop.db.search import build_document, sort_key
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import records_common
from crm_desktop.services.errors import ValidationError


@dataclass(frozen=True, slots=True)
class ActivityData:
    """An activity's editable values; times are aware and stored in UTC."""

    kind: str
    subject: str
    body: str = ""
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    duration_minutes: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    deal_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActivityDetail:
    id: int
    version: int
    data: ActivityData
    owner_id: int | None
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


def _columns(data: ActivityData) -> dict[str, object]:
    subject = data.subject.strip()
    label = f"Activity '{subject}'" if subject else "New activity"
    if data.kind not in ACTIVITY_KINDS:
        raise ValidationError(
            label, "type", f"'{data.kind}' is not one of " + ", ".join(ACTIVITY_KINDS)
        )
    if not subject:
        raise ValidationError(label, "subject", "an activity needs a subject")
    for name in ("due_at", "done_at"):
        value = getattr(data, name)
        if value is not None and value.tzinfo is None:
            raise ValidationError(label, name, "a time needs its time zone")
    if data.duration_minutes is not None and data.duration_minutes < 0:
        raise ValidationError(label, "duration", "a duration cannot be negative")
    return {
        "kind": data.kind,
        "subject": subject,
        "sort_subject": sort_key(subject),
        "body": data.body.strip(),
        "due_at": data.due_at,
        "done_at": data.done_at,
        "duration_minutes": data.duration_minutes,
        "contact_id": data.contact_id,
        "company_id": data.company_id,
        "deal_id": data.deal_id,
        "search_doc": build_document([subject]),
    }


def create(session: Session, user: CurrentUser, data: ActivityData) -> int:
    """Add an activity and return its id.

    Raises:
        PermissionDeniedError, ValidationError.
    """
    records_common.require_write(user)
    now = utcnow()
    activity = Activity(
        **_columns(data),
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(activity)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "activities",
        activity.id,
        {"kind": activity.kind, "subject": activity.subject},
    )
    return activity.id


def update(
    session: Session,
    user: CurrentUser,
    activity_id: int,
    expected_version: int,
    data: ActivityData,
) -> int:
    """Replace an activity's values; return its new version.

    Raises:
        NotFoundError, StaleRecordError, ValidationError, PermissionDeniedError.
    """
    records_common.require_write(user)
    activity = records_common.load_for_write(
        session, user, Activity, activity_id, expected_version, "Activity"
    )
    before = _data(activity)
    for key, value in _columns(data).items():
        setattr(activity, key, value)
    activity.updated_at = utcnow()
    activity.updated_by_id = user.id
    records_common.flush_versioned(session, f"Activity '{activity.subject}'")
    audit.record(
        session,
        user,
        "update",
        "activities",
        activity_id,
        records_common.record_diff(before, data),
    )
    return activity.version


def _data(activity: Activity) -> ActivityData:
    return ActivityData(
        activity.kind,
        activity.subject,
        activity.body,
        activity.due_at,
        activity.done_at,
        activity.duration_minutes,
        activity.contact_id,
        activity.company_id,
        activity.deal_id,
    )


def get(session: Session, user: CurrentUser, activity_id: int) -> ActivityDetail:
    activity = records_common.load_visible(
        session, user, Activity, activity_id, "Activity"
    )
    return ActivityDetail(
        activity.id,
        activity.version,
        _data(activity),
        activity.owner_id,
        activity.updated_at,
        activity.deleted_at,
    )


def trash(session: Session, user: CurrentUser, activity_id: int, version: int) -> None:
    records_common.set_trashed(
        session, user, Activity, activity_id, version, "Activity", trashed=True
    )


def restore(
    session: Session, user: CurrentUser, activity_id: int, version: int
) -> None:
    records_common.set_trashed(
        session, user, Activity, activity_id, version, "Activity", trashed=False
    )
