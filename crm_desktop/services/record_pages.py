"""What a contact's, a company's or a deal's page shows, each in one call.

A page is the record itself, the records linked to it and a timeline of its
activities, newest first. Every part is one query whatever the number of
rows, and every linked row is one the user may see.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    func,
    literal,
    select,
    union,
)
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    Activity,
    Company,
    CompanyCustomValue,
    CompanyTag,
    Contact,
    CustomField,
    Deal,
    PipelineStage,
    Tag,
    User,
)
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import companies, contacts, deals, pipeline, settings
from crm_desktop.services.companies import CompanyDetail
from crm_desktop.services.contacts import ContactDetail
from crm_desktop.services.deals import DealDetail
from crm_desktop.services.pipeline import StageChange
from crm_desktop.services.records import CustomValue
from crm_desktop.services.settings import BusinessSettings

logger = logging.getLogger(__name__)

# Activities a page shows at first; "Show more" asks for this many more.
TIMELINE_PAGE = 200
# Contacts and deals listed on a page; the rest are counted, not listed.
LINKED_LIMIT = 200

_activities: Table = Activity.__table__  # type: ignore[assignment]
_contacts: Table = Contact.__table__  # type: ignore[assignment]
_companies: Table = Company.__table__  # type: ignore[assignment]
_deals: Table = Deal.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One activity as a timeline shows it.

    Attributes:
        when: When it happened (done), else when it is due, else when it
            was logged; the timeline is sorted by it.
        regarding: The contact it is about, on company and deal pages.
    """

    id: int
    kind: str
    subject: str
    when: dt.datetime
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    owner_name: str
    regarding: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """The newest activities of a record; `has_more` when older ones exist."""

    entries: tuple[TimelineEntry, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class RecordLink:
    """A linked contact or company: enough to name it and open its page."""

    id: int
    name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DealLink:
    """A deal listed on a contact's or company's page."""

    id: int
    title: str
    stage: str
    stage_kind: str
    amount: Decimal
    currency: str
    expected_close: dt.date | None


@dataclass(frozen=True, slots=True)
class ContactPage:
    """Everything a contact's page shows."""

    detail: ContactDetail
    owner_name: str
    company: RecordLink | None
    deals: tuple[DealLink, ...]
    timeline: Timeline
    business: BusinessSettings


@dataclass(frozen=True, slots=True)
class CompanyPage:
    """Everything a company's page shows; `contact_count` counts them all."""

    detail: CompanyDetail
    phone_e164: str | None
    owner_name: str
    tags: tuple[str, ...]
    custom: tuple[CustomValue, ...]
    contacts: tuple[RecordLink, ...]
    contact_count: int
    deals: tuple[DealLink, ...]
    timeline: Timeline
    business: BusinessSettings


@dataclass(frozen=True, slots=True)
class DealPage:
    """Everything a deal's page shows."""

    detail: DealDetail
    owner_name: str
    stage: str
    stage_kind: str
    company: RecordLink | None
    contacts: tuple[RecordLink, ...]
    history: tuple[StageChange, ...]
    timeline: Timeline
    business: BusinessSettings


def contact_page(
    session: Session,
    user: CurrentUser,
    contact_id: int,
    *,
    timeline_limit: int = TIMELINE_PAGE,
) -> ContactPage:
    """Return a contact with its company, deals and timeline.

    Their deals are those naming them as the contact, then those any of
    their activities are about.

    Raises:
        NotFoundError: no such contact visible to the user.
    """
    started = time.perf_counter()
    detail = contacts.get(session, user, contact_id)
    company = None
    if detail.company_id is not None:
        company = _company_link(session, user, detail.company_id)
    # Their own deals, and those their activities are about. NOTE: ids from
    # a UNION, not an OR of the two: PostgreSQL scans every deal for the OR.
    own = select(_deals.c.id).where(_deals.c.contact_id == contact_id)
    about = select(_activities.c.deal_id).where(
        _activities.c.contact_id == contact_id,
        _activities.c.deal_id.is_not(None),
        _activities.c.deleted_at.is_(None),
    )
    theirs = _deals.c.id.in_(union(own, about).scalar_subquery())
    linked = _deal_links(session, user, theirs)
    where = _activities.c.contact_id == contact_id
    page = ContactPage(
        detail,
        _user_name(session, detail.owner_id),
        company,
        linked,
        _timeline(session, user, where, timeline_limit, regarding=False),
        settings.load(session),
    )
    _log_time("contact", contact_id, started)
    return page


def company_page(
    session: Session,
    user: CurrentUser,
    company_id: int,
    *,
    timeline_limit: int = TIMELINE_PAGE,
) -> CompanyPage:
    """Return a company with its contacts, deals and timeline.

    The timeline holds the company's own activities and its contacts'.

    Raises:
        NotFoundError: no such company visible to the user.
    """
    started = time.perf_counter()
    detail = companies.get(session, user, company_id)
    people, count = _company_contacts(session, user, company_id)
    # The company's own activities and its people's, as ids from a UNION
    # (see contact_page). correlate(None): the timeline's query joins
    # contacts too, and would otherwise swallow this FROM.
    own = select(_activities.c.id).where(_activities.c.company_id == company_id)
    staff = (
        select(_activities.c.id)
        .join(_contacts, _contacts.c.id == _activities.c.contact_id)
        .where(_contacts.c.company_id == company_id)
    )
    ids = union(own.correlate(None), staff.correlate(None)).scalar_subquery()
    where = _activities.c.id.in_(ids)
    e164 = select(_companies.c.phone_e164).where(_companies.c.id == company_id)
    page = CompanyPage(
        detail,
        session.scalar(e164),
        _user_name(session, detail.owner_id),
        _company_tags(session, company_id),
        _company_custom(session, company_id),
        people,
        count,
        _deal_links(session, user, _deals.c.company_id == company_id),
        _timeline(session, user, where, timeline_limit, regarding=True),
        settings.load(session),
    )
    _log_time("company", company_id, started)
    return page


def deal_page(
    session: Session,
    user: CurrentUser,
    deal_id: int,
    *,
    timeline_limit: int = TIMELINE_PAGE,
) -> DealPage:
    """Return a deal with its company, contacts, stage history and timeline.

    Its contacts are the deal's own contact, then those its activities are
    about, by name.

    Raises:
        NotFoundError: no such deal visible to the user.
    """
    started = time.perf_counter()
    detail = deals.get(session, user, deal_id)
    stage = session.get(PipelineStage, detail.data.stage_id)
    company = None
    if detail.data.company_id is not None:
        company = _company_link(session, user, detail.data.company_id)
    where = _activities.c.deal_id == deal_id
    page = DealPage(
        detail,
        _user_name(session, detail.owner_id),
        stage.name if stage is not None else "",
        stage.kind if stage is not None else "open",
        company,
        _deal_contacts(session, user, deal_id, detail.data.contact_id),
        tuple(pipeline.history(session, user, deal_id)),
        _timeline(session, user, where, timeline_limit, regarding=True),
        settings.load(session),
    )
    _log_time("deal", deal_id, started)
    return page


def _log_time(kind: str, record_id: int, started: float) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    logger.debug("%s page %d read in %.1f ms", kind, record_id, elapsed)


def _owner_name() -> ColumnElement[str]:
    return func.coalesce(func.nullif(User.full_name, ""), User.username)


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    name = session.scalar(select(_owner_name()).where(User.id == user_id))
    return name or ""


def _live(table: Table, user: CurrentUser) -> ColumnElement[bool]:
    return and_(table.c.deleted_at.is_(None), visible_to(table, user))


def _company_link(
    session: Session, user: CurrentUser, company_id: int
) -> RecordLink | None:
    query = select(_companies.c.id, _companies.c.name, _companies.c.city).where(
        _companies.c.id == company_id, _live(_companies, user)
    )
    row = session.execute(query).first()
    return None if row is None else RecordLink(row.id, row.name, row.city)


def _company_contacts(
    session: Session, user: CurrentUser, company_id: int
) -> tuple[tuple[RecordLink, ...], int]:
    where = and_(_contacts.c.company_id == company_id, _live(_contacts, user))
    query = (
        select(_contacts.c.id, _contacts.c.display_name, _contacts.c.job_title)
        .where(where)
        .order_by(_contacts.c.sort_name, _contacts.c.id)
        .limit(LINKED_LIMIT)
    )
    links = tuple(
        RecordLink(r.id, r.display_name, r.job_title) for r in session.execute(query)
    )
    count = len(links)
    if count == LINKED_LIMIT:
        count = session.scalar(select(func.count()).where(where)) or 0
    return links, count


def _deal_links(
    session: Session, user: CurrentUser, where: ColumnElement[bool]
) -> tuple[DealLink, ...]:
    # Open deals first, those closing soonest on top; then the closed ones.
    closed = PipelineStage.kind != "open"
    query = (
        select(_deals, PipelineStage.name, PipelineStage.kind)
        .join(PipelineStage, PipelineStage.id == _deals.c.stage_id)
        .where(where, _live(_deals, user))
        .order_by(
            closed,
            _deals.c.expected_close.is_(None),
            _deals.c.expected_close,
            _deals.c.id,
        )
        .limit(LINKED_LIMIT)
    )
    return tuple(
        DealLink(
            row.id,
            row.title,
            row.name,
            row.kind,
            row.amount,
            row.currency,
            row.expected_close,
        )
        for row in session.execute(query)
    )


def _deal_contacts(
    session: Session, user: CurrentUser, deal_id: int, contact_id: int | None
) -> tuple[RecordLink, ...]:
    # A UNION of ids, as an OR of the two scans every contact on PostgreSQL.
    about = select(_activities.c.contact_id).where(
        _activities.c.deal_id == deal_id,
        _activities.c.contact_id.is_not(None),
        _activities.c.deleted_at.is_(None),
    )
    ids = about.scalar_subquery()
    if contact_id is not None:
        ids = union(select(literal(contact_id)), about).scalar_subquery()
    query = (
        select(_contacts.c.id, _contacts.c.display_name, _contacts.c.job_title)
        .where(_contacts.c.id.in_(ids))
        .where(_live(_contacts, user))
        .order_by(_contacts.c.sort_name, _contacts.c.id)
        .limit(LINKED_LIMIT)
    )
    links = [
        RecordLink(r.id, r.display_name, r.job_title) for r in session.execute(query)
    ]
    links.sort(key=lambda link: link.id != contact_id)
    return tuple(links)


def _company_tags(session: Session, company_id: int) -> tuple[str, ...]:
    query = (
        select(Tag.name)
        .join(CompanyTag, CompanyTag.tag_id == Tag.id)
        .where(CompanyTag.company_id == company_id)
        .order_by(Tag.name)
    )
    return tuple(session.scalars(query))


def _company_custom(session: Session, company_id: int) -> tuple[CustomValue, ...]:
    query = (
        select(CustomField, CompanyCustomValue)
        .join(CompanyCustomValue, CompanyCustomValue.field_id == CustomField.id)
        .where(CompanyCustomValue.company_id == company_id)
        .order_by(CustomField.name)
    )
    values: list[CustomValue] = []
    for field, value in session.execute(query).all():
        stored = {
            "text": value.text_value,
            "number": value.number_value,
            "date": value.date_value,
        }[field.type]
        if stored is not None:
            values.append(CustomValue(field.name, field.type, stored))  # type: ignore[arg-type]
    return tuple(values)


def _timeline_query(
    user: CurrentUser, where: ColumnElement[bool], limit: int
) -> Select[tuple[object, ...]]:
    when = func.coalesce(
        _activities.c.done_at, _activities.c.due_at, _activities.c.created_at
    ).label("when")
    return (
        select(
            _activities.c.id,
            _activities.c.kind,
            _activities.c.subject,
            when,
            _activities.c.due_at,
            _activities.c.done_at,
            _owner_name().label("owner_name"),
            _contacts.c.display_name.label("regarding"),
        )
        .outerjoin(User, User.id == _activities.c.owner_id)
        .outerjoin(_contacts, _contacts.c.id == _activities.c.contact_id)
        .where(where, _live(_activities, user))
        .order_by(when.desc(), _activities.c.id.desc())
        .limit(limit + 1)
    )


def _timeline(
    session: Session,
    user: CurrentUser,
    where: ColumnElement[bool],
    limit: int,
    *,
    regarding: bool,
) -> Timeline:
    if limit < 1:
        raise ValueError(f"a timeline shows at least one row, not {limit}")
    rows = session.execute(_timeline_query(user, where, limit)).all()
    entries = tuple(
        TimelineEntry(
            row.id,
            row.kind,
            row.subject,
            _aware(row.when),
            row.due_at,
            row.done_at,
            row.owner_name or "",
            (row.regarding or "") if regarding else "",
        )
        for row in rows[:limit]
    )
    return Timeline(entries, len(rows) > limit)


def _aware(value: dt.datetime) -> dt.datetime:
    # NOTE: coalesce() loses the column type, so SQLite hands back the
    # stored text's naive datetime; every stored time is UTC.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
