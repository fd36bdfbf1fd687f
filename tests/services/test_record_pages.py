"""The record pages' queries on both back-ends: what each page holds, and its cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import (
    activities,
    companies,
    contacts,
    deals,
    pipeline,
    record_pages,
)
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.errors import NotFoundError
from crm_desktop.services.records import ContactRecord, EmailValue, PhoneValue
from tests.services.record_checks import add_user

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class World:
    company: int
    ada: int
    bruno: int
    deal: int
    stages: dict[str, int]


def _activity(
    database: Database, user: CurrentUser, subject: str, hours: int, **links: Any
) -> int:
    when = T0 + dt.timedelta(hours=hours)
    data = ActivityData("call", subject, done_at=when, **links)
    with database.session() as session:
        activity_id = activities.create(session, user, data)
        session.commit()
    return activity_id


def _world(database: Database, admin: CurrentUser) -> World:
    with database.session() as session:
        company = companies.create(
            session, admin, CompanyData("Novak Tools", city="Leeds"), region="GB"
        )
        ada = ContactRecord(
            line=0,
            given_name="Ada",
            family_name="Novak",
            job_title="Buyer",
            emails=[EmailValue("ada@novak.example", "work")],
            phones=[PhoneValue("020 7946 0123", None, "work")],
        )
        bruno = ContactRecord(line=0, given_name="Bruno", family_name="Abel")
        ada_id = contacts.create(session, admin, ada, region="GB", company_id=company)
        bruno_id = contacts.create(
            session, admin, bruno, region="GB", company_id=company
        )
        stages = {s.name: s.id for s in deals.stages(session)}
        deal = DealData(
            "Forty lathes",
            stages["Lead"],
            Decimal("1250.50"),
            "GBP",
            company_id=company,
            contact_id=ada_id,
        )
        deal_id = deals.create(session, admin, deal)
        session.commit()
    return World(company, ada_id, bruno_id, deal_id, stages)


def test_contact_page_holds_company_deals_and_newest_activities_first(
    database: Database, admin: CurrentUser
) -> None:
    world = _world(database, admin)
    _activity(database, admin, "First call", 0, contact_id=world.ada)
    _activity(database, admin, "Latest call", 5, contact_id=world.ada)
    _activity(database, admin, "Middle call", 2, contact_id=world.ada)
    _activity(database, admin, "Bruno's call", 9, contact_id=world.bruno)
    trashed = _activity(database, admin, "Trashed", 7, contact_id=world.ada)
    with database.session() as session:
        activities.trash(session, admin, trashed, 1)
        session.commit()

    with database.session() as session:
        page = record_pages.contact_page(session, admin, world.ada)

    assert page.detail.record.display_name == "Ada Novak"
    assert page.owner_name == (admin.full_name or admin.username)
    assert page.company == record_pages.RecordLink(
        world.company, "Novak Tools", "Leeds"
    )
    assert [(d.id, d.title, d.stage, d.amount, d.currency) for d in page.deals] == [
        (world.deal, "Forty lathes", "Lead", Decimal("1250.50"), "GBP")
    ]
    subjects = [e.subject for e in page.timeline.entries]
    assert subjects == ["Latest call", "Middle call", "First call"]
    assert page.timeline.entries[0].when == T0 + dt.timedelta(hours=5)
    assert page.timeline.has_more is False


def test_company_page_lists_its_contacts_and_their_activities(
    database: Database, admin: CurrentUser
) -> None:
    world = _world(database, admin)
    _activity(database, admin, "Site visit", 1, company_id=world.company)
    _activity(database, admin, "Call Bruno", 3, contact_id=world.bruno)
    other = companies.CompanyData("Elsewhere Ltd")
    with database.session() as session:
        elsewhere = companies.create(session, admin, other, region="GB")
        session.commit()
    _activity(database, admin, "Not theirs", 4, company_id=elsewhere)

    with database.session() as session:
        page = record_pages.company_page(session, admin, world.company)

    assert page.detail.data.name == "Novak Tools"
    assert [(c.id, c.name, c.detail) for c in page.contacts] == [
        (world.ada, "Ada Novak", "Buyer"),
        (world.bruno, "Bruno Abel", ""),
    ]
    assert page.contact_count == 2
    assert [d.id for d in page.deals] == [world.deal]
    assert [(e.subject, e.regarding) for e in page.timeline.entries] == [
        ("Call Bruno", "Bruno Abel"),
        ("Site visit", ""),
    ]


def test_deal_page_shows_its_moves_contacts_and_activities(
    database: Database, admin: CurrentUser
) -> None:
    world = _world(database, admin)
    _activity(
        database, admin, "Demo for Bruno", 1, deal_id=world.deal, contact_id=world.bruno
    )
    with database.session() as session:
        pipeline.move(session, admin, world.deal, 1, world.stages["Proposal"])
        session.commit()

    with database.session() as session:
        page = record_pages.deal_page(session, admin, world.deal)

    assert (page.stage, page.stage_kind) == ("Proposal", "open")
    assert page.company is not None and page.company.name == "Novak Tools"
    # The deal's own contact first, then those its activities are about.
    assert [c.id for c in page.contacts] == [world.ada, world.bruno]
    assert [(h.from_stage, h.to_stage) for h in page.history] == [
        ("", "Lead"),
        ("Lead", "Proposal"),
    ]
    assert [e.subject for e in page.timeline.entries] == ["Demo for Bruno"]
    assert page.business.currency == "EUR"
    with database.session() as session:
        bruno = record_pages.contact_page(session, admin, world.bruno)
    # Bruno is not the deal's contact, but an activity of the deal is his.
    assert [(d.id, d.stage) for d in bruno.deals] == [(world.deal, "Proposal")]


def test_timeline_stops_at_its_limit_and_says_more_exist(
    database: Database, admin: CurrentUser
) -> None:
    world = _world(database, admin)
    for hour in range(5):
        _activity(database, admin, f"Call {hour}", hour, contact_id=world.ada)

    with database.session() as session:
        short = record_pages.contact_page(session, admin, world.ada, timeline_limit=3)
        full = record_pages.contact_page(session, admin, world.ada, timeline_limit=5)

    assert [e.subject for e in short.timeline.entries] == ["Call 4", "Call 3", "Call 2"]
    assert short.timeline.has_more is True
    assert len(full.timeline.entries) == 5 and full.timeline.has_more is False


def test_staff_see_only_what_is_theirs_or_shared(
    database: Database, admin: CurrentUser
) -> None:
    world = _world(database, admin)
    staff = add_user(database, admin, "sam", "staff")
    _activity(database, admin, "Admin's private call", 1, contact_id=world.ada)
    with database.session() as session:
        shared = ContactRecord(line=0, given_name="Cleo", family_name="Shared")
        cleo = contacts.create(session, admin, shared, region="GB", is_shared=True)
        session.commit()
    _activity(database, staff, "Sam's call", 2, contact_id=cleo)
    _activity(database, admin, "Admin's call", 3, contact_id=cleo)

    with database.session() as session:
        with pytest.raises(NotFoundError):
            record_pages.contact_page(session, staff, world.ada)
        page = record_pages.contact_page(session, staff, cleo)

    assert [e.subject for e in page.timeline.entries] == ["Sam's call"]
    assert page.timeline.entries[0].owner_name == "sam"


@contextmanager
def _counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_a_page_costs_the_same_queries_for_one_row_or_many(
    database: Database, admin: CurrentUser, kind: str
) -> None:
    world = _world(database, admin)
    loaders = {
        "contact": (record_pages.contact_page, world.ada),
        "company": (record_pages.company_page, world.company),
        "deal": (record_pages.deal_page, world.deal),
    }
    load, record_id = loaders[kind]
    links = {
        "contact_id": world.ada,
        "company_id": world.company,
        "deal_id": world.deal,
    }

    def queries() -> int:
        with database.session() as session, _counted(database) as statements:
            load(session, admin, record_id)
        return len(statements)

    _activity(database, admin, "Only call", 0, **links)
    few = queries()
    for hour in range(1, 25):
        _activity(database, admin, f"Call {hour}", hour, **links)
    with database.session() as session:
        for number in range(10):
            record = ContactRecord(line=0, given_name=f"Extra{number}")
            contacts.create(
                session, admin, record, region="GB", company_id=world.company
            )
            deal = DealData(
                f"Deal {number}",
                world.stages["Lead"],
                company_id=world.company,
                contact_id=world.ada,
            )
            deals.create(session, admin, deal)
        session.commit()

    assert queries() == few
