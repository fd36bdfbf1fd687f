"""Sorts by nullable and looked-up columns, paged by keyset on both back-ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from crm_desktop.db.database import Database
from crm_desktop.db.models import PipelineStage
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, companies, deals, listing, lists
from crm_desktop.services.companies import CompanyData


def _walk(
    database: Database,
    user: CurrentUser,
    spec: listing.ListSpec,
    request: listing.ListRequest,
) -> tuple[list[int], list[int]]:
    """Return the ids two at a time forwards, then from the end backwards."""
    forwards: list[int] = []
    backwards: list[int] = []
    with database.session() as session:
        rows = listing.fetch_page(session, user, spec, request, limit=2)
        while rows:
            forwards += [row.id for row in rows]
            after = rows[-1].key
            rows = listing.fetch_page(
                session, user, spec, request, after=after, limit=2
            )
        rows = listing.fetch_page(session, user, spec, request, from_end=True, limit=2)
        while rows:
            backwards = [row.id for row in rows] + backwards
            before = rows[0].key
            rows = listing.fetch_page(
                session, user, spec, request, before=before, limit=2
            )
    return forwards, backwards


def _both_ways(
    database: Database, user: CurrentUser, spec: listing.ListSpec, key: str
) -> tuple[list[int], list[int]]:
    """Return the list's ids ascending and descending, checked both ways."""
    orders = []
    for descending in (False, True):
        request = listing.ListRequest(sort=key, descending=descending)
        forwards, backwards = _walk(database, user, spec, request)
        assert forwards == backwards, (key, descending)
        orders.append(forwards)
    return orders[0], orders[1]


def _open_stage(database: Database) -> int:
    with database.session() as session:
        query = select(PipelineStage.id).where(PipelineStage.kind == "open")
        stage_id = session.scalar(query.order_by(PipelineStage.position).limit(1))
    assert stage_id is not None
    return stage_id


def _deal(database: Database, user: CurrentUser, **values: Any) -> int:
    stage_id = _open_stage(database)
    with database.session() as session:
        data = deals.DealData(stage_id=stage_id, **values)
        deal_id = deals.create(session, user, data)
        session.commit()
    return deal_id


def _company(database: Database, user: CurrentUser, name: str) -> int:
    with database.session() as session:
        company_id = companies.create(
            session, user, CompanyData(name=name), region="GB"
        )
        session.commit()
    return company_id


def test_deals_without_expected_close_come_last_and_page_both_ways(
    database: Database, admin: CurrentUser
) -> None:
    closes = [dt.date(2027, 3, 1), None, dt.date(2026, 1, 5), None, None]
    ids = [
        _deal(database, admin, title=f"Deal {n}", expected_close=close)
        for n, close in enumerate(closes)
    ]

    ascending, descending = _both_ways(database, admin, lists.DEALS, "expected_close")

    dated = [ids[2], ids[0]]
    undated = [ids[1], ids[3], ids[4]]
    assert ascending == dated + undated
    assert descending == undated[::-1] + dated[::-1]


def test_activities_not_due_or_not_done_come_last_and_page_both_ways(
    database: Database, admin: CurrentUser
) -> None:
    morning = dt.datetime(2026, 12, 3, 9, 15, tzinfo=dt.UTC)
    times = [
        (morning + dt.timedelta(days=2), None),
        (None, morning),
        (morning, morning + dt.timedelta(hours=1)),
        (None, None),
        (morning + dt.timedelta(days=2), morning - dt.timedelta(microseconds=1)),
    ]
    ids = []
    for n, (due, done) in enumerate(times):
        data = activities.ActivityData(
            kind="task", subject=f"Task {n}", due_at=due, done_at=done
        )
        with database.session() as session:
            ids.append(activities.create(session, admin, data))
            session.commit()

    due_up, due_down = _both_ways(database, admin, lists.ACTIVITIES, "due")
    done_up, done_down = _both_ways(database, admin, lists.ACTIVITIES, "done")

    # Equal due times fall back to the id, as every keyset sort does.
    assert due_up == [ids[2], ids[0], ids[4], ids[1], ids[3]]
    assert due_down == due_up[::-1]
    assert done_up == [ids[4], ids[1], ids[2], ids[0], ids[3]]
    assert done_down == done_up[::-1]


def test_deals_sort_by_company_name_kept_current_on_rename_and_relink(
    database: Database, admin: CurrentUser
) -> None:
    beta = _company(database, admin, "Beta Ltd")
    alpha = _company(database, admin, "ÄLPHA GmbH")
    on_beta = _deal(database, admin, title="One", company_id=beta)
    on_alpha = _deal(database, admin, title="Two", company_id=alpha)
    on_none = _deal(database, admin, title="Three")
    ascending, descending = _both_ways(database, admin, lists.DEALS, "company")
    # No company sorts first; the name is folded, so "ÄLPHA" is "alpha".
    assert ascending == [on_none, on_alpha, on_beta]
    assert descending == ascending[::-1]

    with database.session() as session:
        detail = companies.get(session, admin, alpha)
        renamed = CompanyData(name="Zeta AG")
        companies.update(session, admin, alpha, detail.version, renamed, region="GB")
        deal = deals.get(session, admin, on_none)
        relinked = deals.DealData(**{**_fields(deal.data), "company_id": beta})
        deals.update(session, admin, on_none, deal.version, relinked)
        session.commit()

    ascending, _descending = _both_ways(database, admin, lists.DEALS, "company")
    assert ascending == [on_beta, on_none, on_alpha]
    with database.session() as session:
        rows = listing.fetch_page(
            session, admin, lists.DEALS, listing.ListRequest(sort="company")
        )
    company = [c.key for c in lists.DEALS.columns].index("company")
    assert [row.values[company] for row in rows] == ["Beta Ltd", "Beta Ltd", "Zeta AG"]


def _fields(data: deals.DealData) -> dict[str, Any]:
    return {name: getattr(data, name) for name in data.__dataclass_fields__}


def test_only_whom_an_activity_is_about_is_left_unsortable() -> None:
    unsortable = {
        (spec.name, c.key)
        for spec in lists.ALL.values()
        for c in spec.columns
        if c.sort is None
    }
    assert unsortable == {("activities", "regarding")}
