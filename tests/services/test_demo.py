"""The demo generator on both back-ends: what it writes is what services write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.db.database import Database, open_database
from crm_desktop.db.models import (
    Activity,
    Company,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Deal,
    User,
)
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, contacts, demo, demo_pools, lists
from crm_desktop.services.emails import normalize_email
from crm_desktop.services.listing import ListRequest, fetch_page
from crm_desktop.services.phones import normalize_phone
from crm_desktop.services.records import ContactRecord, EmailValue

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
CONTACTS = 300


@pytest.fixture
def filled(database: Database) -> Database:
    demo.DemoGenerator(database, seed=7, now=NOW).generate(CONTACTS)
    return database


def _demo_admin(database: Database) -> CurrentUser:
    with database.session() as session:
        user = session.execute(
            select(User).where(User.username == demo.DEMO_ADMIN)
        ).scalar_one()
        return CurrentUser(user.id, user.username, user.full_name, user.role)


def _count(database: Database, model: type) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_writes_the_sizes_it_reports(database: Database) -> None:
    summary = demo.DemoGenerator(database, seed=7, now=NOW).generate(CONTACTS)

    assert (summary.contacts, summary.companies) == (CONTACTS, 30)
    assert (summary.deals, summary.activities) == (60, 600)
    assert _count(database, Contact) == CONTACTS
    assert _count(database, ContactEmail) == CONTACTS
    assert _count(database, ContactPhone) == CONTACTS
    assert _count(database, Company) == 30
    assert _count(database, Deal) == 60
    assert _count(database, Activity) == 600
    assert _count(database, User) == 1 + len(demo.DEMO_STAFF)


def test_refuses_a_database_with_contacts(filled: Database) -> None:
    with pytest.raises(ValueError, match="already has companies"):
        demo.DemoGenerator(filled, seed=7, now=NOW).generate(10)

    assert _count(filled, Contact) == CONTACTS


def test_refuses_a_database_with_companies_but_no_contacts(
    database: Database,
) -> None:
    # An earlier run with --contacts 0 leaves companies only.
    demo.DemoGenerator(database, seed=7, now=NOW).generate(0)

    with pytest.raises(ValueError, match="already has companies"):
        demo.DemoGenerator(database, seed=7, now=NOW).generate(10)

    assert (_count(database, Company), _count(database, Contact)) == (20, 0)


def _fingerprint(database: Database) -> list[tuple[object, ...]]:
    with database.session() as session:
        rows = session.execute(
            select(
                Contact.id,
                Contact.display_name,
                Contact.primary_email,
                Contact.primary_phone,
                Contact.company_id,
                Contact.created_at,
            ).order_by(Contact.id)
        )
        return [tuple(row) for row in rows]


def test_same_seed_gives_the_same_data_on_either_back_end(
    tmp_path: Path, filled: Database
) -> None:
    # The rows are made inside the database by integer arithmetic both
    # back-ends do alike: a SQLite file gets the same rows as the database
    # under test, which is PostgreSQL in that variant.
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        demo.DemoGenerator(other, seed=7, now=NOW).generate(CONTACTS)
        assert _fingerprint(other) == _fingerprint(filled)
    finally:
        other.dispose()


def test_another_seed_gives_other_data(tmp_path: Path, filled: Database) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        demo.DemoGenerator(other, seed=8, now=NOW).generate(CONTACTS)
        ours, theirs = _fingerprint(filled), _fingerprint(other)
    finally:
        other.dispose()

    same_names = sum(a[1] == b[1] for a, b in zip(ours, theirs, strict=True))
    assert same_names < CONTACTS // 20


@pytest.mark.parametrize("country", ["GB", "US", "FR", "AU"])
def test_every_demo_phone_number_is_one_the_forms_accept(country: str) -> None:
    pool = demo_pools._fiction_phones()[country]

    parsed = [normalize_phone(phone.raw, country).e164 for phone in pool]

    assert parsed == [phone.e164 for phone in pool]


def test_contacts_are_stored_as_the_service_would_store_them(
    filled: Database,
) -> None:
    admin = _demo_admin(filled)
    with filled.session() as session:
        for contact_id in range(1, CONTACTS + 1, 17):
            detail = contacts.get(session, admin, contact_id)
            row = session.get(Contact, contact_id)
            assert row is not None
            record = detail.record
            # Every value passes the same checks as a typed contact (the
            # phones: see the test of the number pools above).
            cleaned = contacts.clean(record, "GB")
            assert [e.value for e in cleaned.emails] == [
                normalize_email(e.value) for e in record.emails
            ]
            # Search finds it by the same words as one the service wrote.
            words = set(row.search_doc.split())
            assert words == set(contacts.search_document(record).split())


def test_companies_are_searchable_as_the_service_writes_them(
    filled: Database,
) -> None:
    admin = _demo_admin(filled)
    with filled.session() as session:
        for company_id in range(1, 31, 7):
            detail = companies.get(session, admin, company_id)
            row = session.get(Company, company_id)
            assert row is not None
            data, e164 = companies.clean(detail.data, "GB")
            assert e164 == row.phone_e164
            expected = companies._columns(data, e164)["search_doc"]
            assert set(row.search_doc.split()) == set(str(expected).split())


def test_no_time_lies_after_now_but_what_is_planned(filled: Database) -> None:
    with filled.session() as session:
        latest_created = session.scalar(select(func.max(Contact.created_at)))
        latest_closed = session.scalar(select(func.max(Deal.closed_at)))
        done_later = session.scalar(select(func.count()).where(Activity.done_at > NOW))
        open_later = session.scalar(select(func.count()).where(Activity.due_at > NOW))
        due_times = set(session.scalars(select(Activity.due_at)))

    assert latest_created is not None and latest_created <= NOW
    assert latest_closed is not None and latest_closed <= NOW
    assert done_later == 0
    # Some tasks and meetings lie ahead, as in a real agenda.
    assert open_later and open_later > 0
    # Activities are booked within office hours, on the quarter hour.
    assert all(8 <= due.hour < 18 and due.minute % 15 == 0 for due in due_times)


def test_a_record_added_after_the_demo_gets_a_fresh_id(filled: Database) -> None:
    admin = _demo_admin(filled)
    record = ContactRecord(
        line=0,
        given_name="Ada",
        family_name="Lovelace",
        emails=[EmailValue("ada@example.com", "work", True)],
    )
    with filled.session() as session:
        new_id = contacts.create(session, admin, record, region="GB")
        session.commit()

    assert new_id == CONTACTS + 1


def test_list_search_finds_a_demo_contact_by_name_and_national_phone(
    filled: Database,
) -> None:
    admin = _demo_admin(filled)
    with filled.session() as session:
        row = session.execute(
            select(Contact.id, Contact.family_name, Contact.primary_phone)
            .where(Contact.primary_phone.like("+44207946%"))
            .order_by(Contact.id)
            .limit(1)
        ).one()
        national = "020 7946 " + row.primary_phone[-4:]
        by_phone = fetch_page(
            session, admin, lists.CONTACTS, ListRequest(search=national)
        )
        by_name = fetch_page(
            session,
            admin,
            lists.CONTACTS,
            ListRequest(search=row.family_name),
            limit=CONTACTS,
        )

    assert row.id in {r.id for r in by_phone}
    assert row.id in {r.id for r in by_name}


def test_most_open_deals_expect_to_close_ahead(filled: Database) -> None:
    # A board of red, overdue cards would not look like a kept pipeline.
    with filled.session() as session:
        closes = list(
            session.scalars(select(Deal.expected_close).where(Deal.closed_at.is_(None)))
        )

    overdue = sum(1 for close in closes if close is not None and close < NOW.date())
    assert closes and all(close is not None for close in closes)
    assert 0 < overdue < len(closes) * 0.3


def test_given_names_belong_to_their_locale(filled: Database) -> None:
    # Faker's plain first_name() gives Vietnamese people 'John' and 'Jane'.
    query = (
        select(Contact.given_name)
        .join(ContactAddress, ContactAddress.contact_id == Contact.id)
        .where(ContactAddress.country == "Vietnam")
    )
    with filled.session() as session:
        given = list(session.scalars(query))

    assert given
    assert not set(given) & {"John", "Jane"}
