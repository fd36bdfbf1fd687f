"""List filters on both back-ends: owner, tag, status, created period, sorts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select, update

from crm_desktop.db.database import Database, open_database
from crm_desktop.db.models import Contact, ContactTag, Tag
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import (
    contacts,
    deals,
    listing,
    lists,
    periods,
    saved_filters,
    setup,
)
from crm_desktop.services.records import ContactRecord
from tests.services.record_checks import add_user

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Wednesday 2026-12-02, 00:30 in London: "today" began half an hour ago.
NOW = dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)


def _contact(
    database: Database,
    user: CurrentUser,
    name: str,
    *,
    groups: tuple[str, ...] = (),
    created: dt.datetime | None = None,
) -> int:
    with database.session() as session:
        record = ContactRecord(line=0, given_name=name, groups=list(groups))
        contact_id = contacts.create(session, user, record, region="GB")
        if created is not None:
            session.execute(
                update(Contact)
                .where(Contact.id == contact_id)
                .values(created_at=created)
            )
        session.commit()
    return contact_id


def _listed(
    database: Database, user: CurrentUser, request: listing.ListRequest
) -> tuple[list[str], int]:
    with database.session() as session:
        rows = listing.fetch_page(session, user, lists.CONTACTS, request, limit=50)
        total = listing.count(session, user, lists.CONTACTS, request)
    return [row.values[0] for row in rows], total


def _tag_id(database: Database, name: str) -> int:
    with database.session() as session:
        tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
    assert tag_id is not None
    return tag_id


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        # 2 December in London starts at midnight GMT.
        ("today", dt.datetime(2026, 12, 2), dt.datetime(2026, 12, 3)),
        ("week", dt.datetime(2026, 11, 30), dt.datetime(2026, 12, 3)),
        ("month", dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 3)),
        ("last30", dt.datetime(2026, 11, 3), dt.datetime(2026, 12, 3)),
        ("year", dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 3)),
    ],
)
def test_created_periods_begin_at_midnight_in_the_business_zone(
    period: str, first: dt.datetime, last: dt.datetime
) -> None:
    bounds = periods.created_bounds(period, "Europe/London", now=NOW)
    assert bounds == (first.replace(tzinfo=dt.UTC), last.replace(tzinfo=dt.UTC))


def test_today_in_sydney_is_already_the_next_day() -> None:
    bounds = periods.created_bounds("today", "Australia/Sydney", now=NOW)
    # 00:30 UTC is 11:30 on 2 December in Sydney (UTC+11 in summer).
    assert bounds == (
        dt.datetime(2026, 12, 1, 13, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 2, 13, tzinfo=dt.UTC),
    )


def test_custom_range_includes_its_last_day_and_refuses_a_backwards_one() -> None:
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    bounds = periods.created_bounds("custom", "Europe/London", start=start, end=end)
    # June is summer time in London: midnight is 23:00 UTC the day before.
    assert bounds == (
        dt.datetime(2026, 5, 31, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 6, 30, 23, tzinfo=dt.UTC),
    )
    with pytest.raises(ValueError, match="ends"):
        periods.created_bounds("custom", "Europe/London", start=end, end=start)


def test_owner_and_tag_filters_match_the_database(
    database: Database, admin: CurrentUser
) -> None:
    tom = add_user(database, admin, "tom", "staff")
    _contact(database, admin, "Ada", groups=("VIP",))
    _contact(database, admin, "Ben")
    _contact(database, tom, "Cid", groups=("VIP", "Press"))
    _contact(database, tom, "Dee", groups=("Press",))
    vip, press = _tag_id(database, "VIP"), _tag_id(database, "Press")

    assert _listed(database, admin, listing.ListRequest(owner_id=tom.id)) == (
        ["Cid", "Dee"],
        2,
    )
    assert _listed(database, admin, listing.ListRequest(tag_id=vip)) == (
        ["Ada", "Cid"],
        2,
    )
    both = listing.ListRequest(owner_id=tom.id, tag_id=vip)
    assert _listed(database, admin, both) == (["Cid"], 1)
    # The database agrees on who carries the tag.
    with database.session() as session:
        tagged = session.scalars(
            select(Contact.given_name)
            .join(ContactTag, ContactTag.contact_id == Contact.id)
            .where(ContactTag.tag_id == press)
            .order_by(Contact.given_name)
        )
        assert list(tagged) == ["Cid", "Dee"]
    press_request = listing.ListRequest(tag_id=press, search="dee")
    assert _listed(database, admin, press_request) == (["Dee"], 1)


def test_created_period_filter_counts_and_pages_by_keyset(
    database: Database, admin: CurrentUser
) -> None:
    now = dt.datetime.now(dt.UTC)
    for index in range(5):
        _contact(database, admin, f"Recent{index}", created=now)
    _contact(database, admin, "Old", created=now - dt.timedelta(days=400))
    request = listing.ListRequest(period="last30", timezone="Europe/London")

    with database.session() as session:
        first = listing.fetch_page(session, admin, lists.CONTACTS, request, limit=3)
        rest = listing.fetch_page(
            session, admin, lists.CONTACTS, request, after=first[-1].key, limit=3
        )
        total = listing.count(session, admin, lists.CONTACTS, request)

    assert [r.values[0] for r in first + rest] == [f"Recent{i}" for i in range(5)]
    assert total == 5
    assert _listed(database, admin, listing.ListRequest())[1] == 6


def test_status_filters_count_what_their_pages_show(
    database: Database, admin: CurrentUser
) -> None:
    ada, ben = _contact(database, admin, "Ada"), _contact(database, admin, "Ben")
    _contact(database, admin, "Cid")
    with database.session() as session:
        stages = {s.kind: s.id for s in reversed(deals.stages(session))}
        for contact_id, kind in ((ada, "open"), (ben, "won"), (None, "open")):
            data = deals.DealData(
                title=f"{kind} deal", stage_id=stages[kind], contact_id=contact_id
            )
            deals.create(session, admin, data)
        session.commit()

    expected = {
        ("contacts", "deals:open"): ["Ada"],
        ("contacts", "deals:none"): ["Ben", "Cid"],
        ("deals", "stage:open"): ["open deal", "open deal"],
        ("deals", "stage:won"): ["won deal"],
        ("deals", "stage:lost"): [],
    }
    for spec in lists.ALL.values():
        for status in spec.statuses:
            for option in status.options:
                key = f"{status.key}:{option.key}"
                request = listing.ListRequest(statuses=(key,))
                with database.session() as session:
                    total = listing.count(session, admin, spec, request)
                    rows = listing.fetch_page(session, admin, spec, request)
                assert total == len(rows), (spec.name, key)
                if (spec.name, key) in expected:
                    shown = sorted(str(row.values[0]) for row in rows)
                    assert shown == expected[spec.name, key]


@pytest.mark.parametrize("spec", list(lists.ALL.values()), ids=list(lists.ALL))
def test_every_sortable_column_pages_by_keyset_both_ways(
    database: Database, admin: CurrentUser, spec: listing.ListSpec
) -> None:
    for name in ("Ada", "Ben", "Cid"):
        _contact(database, admin, name)
    for key in spec.sortable:
        for descending in (False, True):
            request = listing.ListRequest(sort=key, descending=descending)
            with database.session() as session:
                rows = listing.fetch_page(session, admin, spec, request, limit=2)
                after = rows[-1].key if rows else None
                more = listing.fetch_page(
                    session, admin, spec, request, after=after, limit=2
                )
            ids = [row.id for row in rows + more]
            assert len(ids) == len(set(ids))


def test_contacts_sort_by_every_column_but_none_is_left_unsortable() -> None:
    assert lists.CONTACTS.sortable == [c.key for c in lists.CONTACTS.columns]
    assert lists.COMPANIES.sortable == [c.key for c in lists.COMPANIES.columns]


def test_saved_filter_survives_a_new_session_and_can_be_deleted(
    database: Database, admin: CurrentUser
) -> None:
    tom = add_user(database, admin, "tom", "staff")
    request = listing.ListRequest(
        sort="city",
        descending=True,
        search="weber",
        owner_id=tom.id,
        statuses=("deals:open",),
        period="custom",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        trashed=True,
    )
    saved = saved_filters.SavedFilter("contacts", "  Tom's Q1  ", request)
    with database.session() as session:
        saved_filters.save(session, admin, saved)
        session.commit()

    with database.session() as session:
        mine = saved_filters.for_list(session, admin, "contacts")
        theirs = saved_filters.for_list(session, tom, "contacts")
        other_list = saved_filters.for_list(session, admin, "deals")
    assert [s.name for s in mine] == ["Tom's Q1"]
    assert mine[0].request == listing.ListRequest(
        **{
            **{f: getattr(request, f) for f in request.__dataclass_fields__},
            "trashed": False,
        }
    )
    assert (theirs, other_list) == ([], [])

    with database.session() as session:
        saved_filters.delete(session, admin, "contacts", "Tom's Q1")
        session.commit()
    with database.session() as session:
        assert saved_filters.for_list(session, admin, "contacts") == []


def test_every_sort_walks_an_index_on_sqlite(tmp_path: Path) -> None:
    # The plan is checked on SQLite only: PostgreSQL's planner picks by
    # table statistics, which a small test database does not have.
    database = open_database(f"sqlite:///{tmp_path / 'plans.db'}")
    with database.session() as session:
        admin = setup.initialize(session, "admin", "long enough pw")
    statements: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statements.append((args[2], args[3]))

    try:
        for spec in lists.ALL.values():
            for key in spec.sortable:
                request = listing.ListRequest(sort=key)
                event.listen(database.engine, "before_cursor_execute", capture)
                with database.session() as session:
                    listing.fetch_page(session, admin, spec, request, limit=5)
                event.remove(database.engine, "before_cursor_execute", capture)
                sql, parameters = statements[-1]
                with database.engine.connect() as connection:
                    plan = connection.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {sql}", parameters
                    ).all()
                steps = " / ".join(str(step[-1]) for step in plan)
                assert "TEMP B-TREE" not in steps, (spec.name, key, steps)
    finally:
        database.dispose()


def test_a_common_filter_walks_the_sort_index_on_sqlite(tmp_path: Path) -> None:
    # Without it SQLite reads every match by the filter's own index and
    # sorts them: 5.7 s for a page of "created this year" at a million.
    database = open_database(f"sqlite:///{tmp_path / 'walk.db'}")
    with database.session() as session:
        admin = setup.initialize(session, "admin", "long enough pw")
        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "display_name": f"P{i:05d}",
                "sort_name": f"p{i:05d}",
                "owner_id": admin.id,
            }
            for i in range(listing.COMMON_MATCHES)
        ]
        session.execute(insert(Contact).values(created_at=now, updated_at=now), rows)
        session.commit()
    statements: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statements.append((args[2], args[3]))

    common = listing.ListRequest(owner_id=admin.id, period="year")
    rare = listing.ListRequest(owner_id=admin.id + 1)
    try:
        for request, walks in ((common, True), (rare, False)):
            event.listen(database.engine, "before_cursor_execute", capture)
            with database.session() as session:
                assert (
                    listing._walks_sort_index(session, admin, lists.CONTACTS, request)
                    is walks
                )
                page = listing.fetch_page(
                    session, admin, lists.CONTACTS, request, limit=5
                )
            event.remove(database.engine, "before_cursor_execute", capture)
            sql, parameters = statements[-1]
            with database.engine.connect() as connection:
                plan = connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}", parameters
                ).all()
            steps = " / ".join(str(step[-1]) for step in plan)
            assert ("ix_contacts_sort_name" in steps) is walks, steps
            expected = [f"P{i:05d}" for i in range(5)] if walks else []
            assert [row.values[0] for row in page] == expected
    finally:
        database.dispose()
