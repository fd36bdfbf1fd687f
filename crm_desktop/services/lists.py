"""The lists the main window shows: their columns and how they sort."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, exists, func, literal_column, select

from crm_desktop.db.models import (
    ACTIVITY_KINDS,
    LATEST_DATE,
    LATEST_TIME,
    Activity,
    Company,
    CompanyTag,
    Contact,
    ContactTag,
    Deal,
    PipelineStage,
)
from crm_desktop.services.listing import (
    ListColumn,
    ListSpec,
    StatusFilter,
    StatusOption,
    owner_key,
    phone_aware_terms,
)


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


_contacts = _table(Contact)
_companies = _table(Company)
_deals = _table(Deal)
_activities = _table(Activity)
_stages = _table(PipelineStage)


def _owner_sort(table: Table) -> ColumnElement[Any]:
    # Rows whose owner left (owner_id set null) sort first.
    return owner_key(table)


def _latest_last(column: ColumnElement[Any], latest: str) -> ColumnElement[Any]:
    # A missing date sorts after every real one; written inline, so the
    # expression matches its index of migration 0006.
    return func.coalesce(column, literal_column(latest))


def _stage_kind(kind: str) -> ColumnElement[bool]:
    stages = select(_stages.c.id).where(_stages.c.kind == kind)
    return _deals.c.stage_id.in_(stages.scalar_subquery())


def _has_open_deal(column: str, table: Table) -> ColumnElement[bool]:
    # A page walks its sort index and probes each row's deals (15 ms for a
    # page of contacts at a million).
    return exists().where(
        _deals.c[column] == table.c.id,
        _deals.c.deleted_at.is_(None),
        _stage_kind("open"),
    )


def _in_open_deals(column: str, table: Table) -> ColumnElement[bool]:
    # A count reads the open deals once instead of probing for each of a
    # million contacts (1.5 s against 7 s on SQLite). The NOT NULL keeps
    # NOT IN meaningful for deals with no contact or company.
    linked = _deals.c[column]
    open_deals = select(linked).where(
        linked.is_not(None), _deals.c.deleted_at.is_(None), _stage_kind("open")
    )
    return table.c.id.in_(open_deals.scalar_subquery())


def _open_deals_status(column: str, table: Table) -> StatusFilter:
    has_open = _has_open_deal(column, table)
    counted = _in_open_deals(column, table)
    return StatusFilter(
        "deals",
        "Deals",
        (
            StatusOption("open", "With open deals", has_open, counted),
            StatusOption("none", "No open deals", ~has_open, ~counted),
        ),
    )


_KIND_LABELS = {
    "call": "Calls",
    "meeting": "Meetings",
    "email": "Emails",
    "note": "Notes",
    "task": "Tasks",
}


def _lookup(table: Table, name: str, key: ColumnElement[Any]) -> Any:
    # A correlated lookup runs once per row shown, on the primary key, so it
    # costs a page of index probes however long the list is.
    return select(table.c[name]).where(table.c.id == key).scalar_subquery()


# Whom or what an activity is about: its contact, else its company or deal.
_regarding = func.coalesce(
    _lookup(_contacts, "display_name", _activities.c.contact_id),
    _lookup(_companies, "name", _activities.c.company_id),
    _lookup(_deals, "title", _activities.c.deal_id),
)

CONTACTS = ListSpec(
    name="contacts",
    table=_contacts,
    columns=(
        ListColumn("name", "Name", _contacts.c.display_name, _contacts.c.sort_name),
        ListColumn(
            "company", "Company", _contacts.c.organization, _contacts.c.sort_company
        ),
        ListColumn(
            "job_title", "Job title", _contacts.c.job_title, _contacts.c.job_title
        ),
        ListColumn(
            "email", "Email", _contacts.c.primary_email, _contacts.c.primary_email
        ),
        ListColumn(
            "phone",
            "Phone",
            _contacts.c.primary_phone,
            _contacts.c.primary_phone,
            kind="phone",
        ),
        ListColumn("city", "City", _contacts.c.city, _contacts.c.city),
        ListColumn(
            "owner", "Owner", _contacts.c.owner_id, _owner_sort(_contacts), "user"
        ),
        ListColumn(
            "updated",
            "Updated",
            _contacts.c.updated_at,
            _contacts.c.updated_at,
            kind="datetime",
        ),
    ),
    default_sort="name",
    search_terms=phone_aware_terms("GB"),
    statuses=(_open_deals_status("contact_id", _contacts),),
    tag_link=(_table(ContactTag), "contact_id"),
)

_company_phone = func.coalesce(_companies.c.phone_e164, _companies.c.phone_raw)

COMPANIES = ListSpec(
    name="companies",
    table=_companies,
    columns=(
        ListColumn("name", "Name", _companies.c.name, _companies.c.sort_name),
        ListColumn(
            "industry", "Industry", _companies.c.industry, _companies.c.industry
        ),
        # The E.164 form where the number parsed, so it shows in the same
        # national or international form as a contact's.
        ListColumn(
            "phone",
            "Phone",
            _company_phone,
            _company_phone,
            kind="phone",
        ),
        ListColumn("website", "Website", _companies.c.website, _companies.c.website),
        ListColumn("city", "City", _companies.c.city, _companies.c.city),
        ListColumn("country", "Country", _companies.c.country, _companies.c.country),
        ListColumn(
            "owner", "Owner", _companies.c.owner_id, _owner_sort(_companies), "user"
        ),
        ListColumn(
            "updated",
            "Updated",
            _companies.c.updated_at,
            _companies.c.updated_at,
            kind="datetime",
        ),
    ),
    default_sort="name",
    search_terms=phone_aware_terms("GB"),
    statuses=(_open_deals_status("company_id", _companies),),
    tag_link=(_table(CompanyTag), "company_id"),
)

DEALS = ListSpec(
    name="deals",
    table=_deals,
    columns=(
        ListColumn("title", "Title", _deals.c.title, _deals.c.sort_title),
        ListColumn(
            "company",
            "Company",
            _lookup(_companies, "name", _deals.c.company_id),
            _deals.c.sort_company,
        ),
        ListColumn(
            "stage", "Stage", _deals.c.stage_id, _deals.c.stage_id, kind="stage"
        ),
        ListColumn("amount", "Amount", _deals.c.amount, _deals.c.amount, kind="money"),
        ListColumn("currency", "Currency", _deals.c.currency, _deals.c.currency),
        ListColumn(
            "expected_close",
            "Expected close",
            _deals.c.expected_close,
            _latest_last(_deals.c.expected_close, LATEST_DATE),
            kind="date",
        ),
        ListColumn("owner", "Owner", _deals.c.owner_id, _owner_sort(_deals), "user"),
        ListColumn(
            "updated",
            "Updated",
            _deals.c.updated_at,
            _deals.c.updated_at,
            kind="datetime",
        ),
    ),
    default_sort="title",
    statuses=(
        StatusFilter(
            "stage",
            "Stage",
            tuple(
                StatusOption(kind, kind.capitalize(), _stage_kind(kind))
                for kind in ("open", "won", "lost")
            ),
        ),
    ),
)

ACTIVITIES = ListSpec(
    name="activities",
    table=_activities,
    columns=(
        ListColumn(
            "subject", "Subject", _activities.c.subject, _activities.c.sort_subject
        ),
        ListColumn(
            "kind",
            "Type",
            _activities.c.kind,
            _activities.c.kind,
            kind="activity_kind",
        ),
        ListColumn("regarding", "Regarding", _regarding),
        ListColumn(
            "due",
            "Due",
            _activities.c.due_at,
            _latest_last(_activities.c.due_at, LATEST_TIME),
            kind="datetime",
        ),
        ListColumn(
            "done",
            "Done",
            _activities.c.done_at,
            _latest_last(_activities.c.done_at, LATEST_TIME),
            kind="datetime",
        ),
        ListColumn(
            "owner",
            "Owner",
            _activities.c.owner_id,
            _owner_sort(_activities),
            kind="user",
        ),
        ListColumn(
            "updated",
            "Updated",
            _activities.c.updated_at,
            _activities.c.updated_at,
            kind="datetime",
        ),
    ),
    default_sort="updated",
    statuses=(
        StatusFilter(
            "kind",
            "Type",
            tuple(
                StatusOption(kind, _KIND_LABELS[kind], _activities.c.kind == kind)
                for kind in ACTIVITY_KINDS
            ),
        ),
        StatusFilter(
            "state",
            "State",
            (
                StatusOption("open", "Open", _activities.c.done_at.is_(None)),
                StatusOption("done", "Done", _activities.c.done_at.is_not(None)),
            ),
        ),
    ),
)

ALL = {spec.name: spec for spec in (CONTACTS, COMPANIES, DEALS, ACTIVITIES)}
