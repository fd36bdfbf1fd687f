"""The deals service on both back-ends: money, validation, versions, trash, audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.models import Company, Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, deals, listing, lists
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from tests.services.record_checks import add_user, audit_rows, count


def _stage(database: Database, name: str) -> int:
    with database.session() as session:
        return next(s.id for s in deals.stages(session) if s.name == name)


def _deal(database: Database, **values: Any) -> DealData:
    defaults: dict[str, Any] = {
        "title": " Roof tiles for the school ",
        "stage_id": _stage(database, "Lead"),
        "amount": Decimal("1234567.89"),
        "currency": "EUR",
    }
    defaults.update(values)
    return DealData(**defaults)


def _create(database: Database, user: CurrentUser, data: DealData, **kw: Any) -> int:
    with database.session() as session:
        deal_id = deals.create(session, user, data, **kw)
        session.commit()
    return deal_id


def _get(database: Database, user: CurrentUser, deal_id: int) -> Any:
    with database.session() as session:
        return deals.get(session, user, deal_id)


def _company(database: Database, user: CurrentUser, *, shared: bool = False) -> int:
    with database.session() as session:
        data = CompanyData(name="Acme")
        company_id = companies.create(
            session, user, data, region="GB", is_shared=shared
        )
        session.commit()
    return company_id


def _listed(database: Database, user: CurrentUser, *, trashed: bool) -> list[int]:
    request = listing.ListRequest(trashed=trashed)
    with database.session() as session:
        rows = listing.fetch_page(session, user, lists.DEALS, request)
    return [row.id for row in rows]


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        (Decimal("1234567.89"), "1234567.89"),
        (Decimal("0.10"), "0.10"),
        (Decimal("0.1"), "0.10"),
        (Decimal("0"), "0.00"),
        (Decimal("-0"), "0.00"),
        (Decimal("999999999999.99"), "999999999999.99"),
        (Decimal("1.230"), "1.23"),
    ],
)
def test_money_round_trips_exactly_as_decimal(
    database: Database, admin: CurrentUser, amount: Decimal, stored: str
) -> None:
    deal_id = _create(database, admin, _deal(database, amount=amount))

    read = _get(database, admin, deal_id).data.amount

    assert isinstance(read, Decimal)
    assert str(read) == stored


def test_create_trims_values_and_get_reads_them_back(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _company(database, admin)
    data = _deal(database, currency=" gbp ", company_id=company_id, notes=" Hi ")

    deal_id = _create(database, admin, data)

    detail = _get(database, admin, deal_id)
    assert detail.data == replace(
        data, title="Roof tiles for the school", currency="GBP", notes="Hi"
    )
    assert (detail.version, detail.owner_id) == (1, admin.id)
    assert (detail.is_shared, detail.closed_at, detail.deleted_at) == (
        False,
        None,
        None,
    )


def test_update_changes_values_and_bumps_version(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, _deal(database))
    won = _deal(database, stage_id=_stage(database, "Won"), amount=Decimal("0.10"))

    with database.session() as session:
        version = deals.update(session, admin, deal_id, 1, won)
        session.commit()

    detail = _get(database, admin, deal_id)
    assert version == detail.version == 2
    assert detail.data == replace(won, title="Roof tiles for the school")
    assert detail.closed_at is not None


def test_closing_time_is_kept_while_closed_and_cleared_when_reopened(
    database: Database, admin: CurrentUser
) -> None:
    won = _deal(database, stage_id=_stage(database, "Won"))
    deal_id = _create(database, admin, won)
    closed_at = _get(database, admin, deal_id).closed_at
    lost = replace(won, stage_id=_stage(database, "Lost"), lost_reason="Price")
    reopened = replace(won, stage_id=_stage(database, "Proposal"))

    with database.session() as session:
        deals.update(session, admin, deal_id, 1, lost)
        session.commit()
        assert deals.get(session, admin, deal_id).closed_at == closed_at
        deals.update(session, admin, deal_id, 2, reopened)
        session.commit()
        assert deals.get(session, admin, deal_id).closed_at is None


def test_each_write_leaves_one_audit_entry_with_old_and_new_values(
    database: Database, admin: CurrentUser
) -> None:
    lead, won = _stage(database, "Lead"), _stage(database, "Won")
    deal_id = _create(database, admin, _deal(database))
    with database.session() as session:
        cheaper = _deal(database, amount=Decimal("0.1"), stage_id=won)
        deals.update(session, admin, deal_id, 1, cheaper)
        session.commit()
        deals.trash(session, admin, deal_id, 2)
        session.commit()
        deals.restore(session, admin, deal_id, 3)
        session.commit()

    created, updated, trashed, restored = audit_rows(database, "deals")
    assert created == (
        "create",
        admin.id,
        deal_id,
        {
            "title": "Roof tiles for the school",
            "stage_id": lead,
            "amount": "1234567.89",
            "currency": "EUR",
        },
    )
    assert updated == (
        "update",
        admin.id,
        deal_id,
        {"stage_id": [lead, won], "amount": ["1234567.89", "0.10"]},
    )
    assert trashed[:3] == ("trash", admin.id, deal_id)
    assert restored[:3] == ("restore", admin.id, deal_id)
    assert trashed[3]["deleted_at"][1] == restored[3]["deleted_at"][0]


def test_stale_update_changes_nothing_and_is_not_audited(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, _deal(database))
    with database.session() as session:
        deals.update(session, admin, deal_id, 1, _deal(database, amount=Decimal(5)))
        session.commit()
    audit_before = audit_rows(database, "deals")

    with database.session() as session, pytest.raises(StaleRecordError):
        deals.update(session, admin, deal_id, 1, _deal(database, amount=Decimal(7)))

    detail = _get(database, admin, deal_id)
    assert (detail.data.amount, detail.version) == (Decimal("5.00"), 2)
    assert audit_rows(database, "deals") == audit_before


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("980", "980"),
        ("1250.50", "1250.50"),
        ("1250,50", "1250.50"),
        ("1,250.50", "1250.50"),
        ("1.250,50", "1250.50"),
        ("1 250,50", "1250.50"),
        ("1\u00a0250,50", "1250.50"),
        ("1,250", "1250"),
        ("1,250,000", "1250000"),
        ("1.250.000", "1250000"),
        ("12,50,000.00", "1250000.00"),
        (" 0.10 ", "0.10"),
        ("-5", "-5"),
    ],
)
def test_typed_amounts_are_read_as_people_write_them(typed: str, amount: str) -> None:
    assert deals.parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "12,5,0",
        "1,2,3",
        "1.2.3",
        "1,25.0,0",
        "1e5",
        "NaN",
        "Infinity",
        "1_000",
        "--5",
        "€12",
        "12,",
    ],
)
def test_what_is_not_an_amount_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        deals.parse_amount(typed)

    assert raised.value.field == "amount"
    assert "is not an amount" in raised.value.reason


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"title": "  "}, "title", "needs a title"),
        ({"title": "T" * 301}, "title", "at most 300 characters"),
        ({"amount": Decimal("-0.01")}, "amount", "cannot be negative"),
        ({"amount": Decimal("12.505")}, "amount", "at most two decimals"),
        ({"amount": Decimal("1E+12")}, "amount", "at most 999,999,999,999.99"),
        ({"amount": Decimal("1E+40")}, "amount", "at most 999,999,999,999.99"),
        ({"amount": Decimal("NaN")}, "amount", "not an amount"),
        ({"amount": Decimal("Infinity")}, "amount", "not an amount"),
        ({"currency": "XYZ"}, "currency", "not an ISO 4217 currency code"),
        ({"currency": "EURO"}, "currency", "not an ISO 4217 currency code"),
        ({"currency": "ÄÖÜ"}, "currency", "not an ISO 4217 currency code"),
        ({"currency": ""}, "currency", "not an ISO 4217 currency code"),
        ({"stage_id": 999}, "stage", "no such pipeline stage"),
        ({"company_id": 999}, "company", "there is no company 999"),
        ({"contact_id": 999}, "contact", "there is no contact 999"),
        ({"lead_source": "L" * 61}, "lead_source", "at most 60 characters"),
    ],
)
def test_invalid_deal_names_field_and_reason_and_writes_nothing(
    database: Database,
    admin: CurrentUser,
    values: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    data = _deal(database, **values)

    with database.session() as session, pytest.raises(ValidationError) as raised:
        deals.create(session, admin, data)
        session.commit()

    assert raised.value.field == field
    assert reason in raised.value.reason
    assert count(database, Deal) == 0
    assert audit_rows(database, "deals") == []


def test_failed_update_leaves_the_row_and_the_audit_trail_as_they_were(
    database: Database, admin: CurrentUser
) -> None:
    deal_id = _create(database, admin, _deal(database))
    bad = _deal(database, title="New title", currency="XYZ")

    with database.session() as session:
        with pytest.raises(ValidationError):
            deals.update(session, admin, deal_id, 1, bad)
        session.commit()

    detail = _get(database, admin, deal_id)
    assert (detail.data.title, detail.version) == ("Roof tiles for the school", 1)
    assert [row[0] for row in audit_rows(database, "deals")] == ["create"]


_WRITES: dict[str, Callable[[Session, CurrentUser, int, DealData], object]] = {
    "create": lambda s, u, _id, d: deals.create(s, u, d),
    "update": lambda s, u, id_, d: deals.update(s, u, id_, 1, d),
    "trash": lambda s, u, id_, _d: deals.trash(s, u, id_, 1),
    "restore": lambda s, u, id_, _d: deals.restore(s, u, id_, 1),
}


@pytest.mark.parametrize("write", list(_WRITES))
def test_read_only_user_cannot_write_and_nothing_changes(
    database: Database, admin: CurrentUser, write: str
) -> None:
    deal_id = _create(database, admin, _deal(database))
    reader = add_user(database, admin, "reader", "read_only")

    with database.session() as session, pytest.raises(PermissionDeniedError):
        _WRITES[write](session, reader, deal_id, _deal(database, title="Changed"))

    assert count(database, Deal) == 1
    assert _get(database, reader, deal_id).version == 1
    assert [row[0] for row in audit_rows(database, "deals")] == ["create"]


@pytest.mark.parametrize("write", ["update", "trash", "restore"])
def test_staff_cannot_see_or_change_another_users_private_deal(
    database: Database, admin: CurrentUser, write: str
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    deal_id = _create(database, owner, _deal(database))

    with database.session() as session:
        with pytest.raises(NotFoundError):
            deals.get(session, other, deal_id)
        with pytest.raises(NotFoundError):
            _WRITES[write](session, other, deal_id, _deal(database, title="Mine"))

    assert _get(database, owner, deal_id).version == 1
    assert _listed(database, other, trashed=False) == []
    assert [row[0] for row in audit_rows(database, "deals")] == ["create"]


def test_staff_see_and_change_a_shared_deal(
    database: Database, admin: CurrentUser
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    deal_id = _create(database, owner, _deal(database), is_shared=True)

    with database.session() as session:
        assert deals.get(session, other, deal_id).is_shared is True
        deals.update(session, other, deal_id, 1, _deal(database, amount=Decimal(9)))
        session.commit()

    assert _get(database, owner, deal_id).data.amount == Decimal("9.00")
    assert audit_rows(database, "deals")[-1][:2] == ("update", other.id)


def test_staff_cannot_link_a_deal_to_another_users_private_company(
    database: Database, admin: CurrentUser
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    private = _company(database, owner)

    with database.session() as session, pytest.raises(ValidationError) as raised:
        deals.create(session, other, _deal(database, company_id=private))

    assert raised.value.field == "company"
    assert count(database, Deal) == 0


def test_a_kept_link_to_a_company_made_private_since_does_not_block_an_edit(
    database: Database, admin: CurrentUser
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    company_id = _company(database, owner, shared=True)
    data = _deal(database, company_id=company_id)
    deal_id = _create(database, other, data)
    with database.session() as session:
        session.execute(update(Company).values(is_shared=False))
        session.commit()

    with database.session() as session:
        changed = replace(data, amount=Decimal(1))
        assert deals.update(session, other, deal_id, 1, changed) == 2
        session.commit()

    assert _get(database, other, deal_id).data.company_id == company_id
