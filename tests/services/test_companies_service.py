"""The companies service on both back-ends: validation, versions, trash, audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.models import Company
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, listing, lists, settings
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from tests.services.record_checks import add_user, audit_rows, count

ACME = CompanyData(
    name="  Acme Tiles Ltd ",
    domain="acme.example",
    industry="Building",
    phone="020 7946 0950",
    city="London",
    country="GB",
)


def _create(
    database: Database, user: CurrentUser, data: CompanyData = ACME, **kw: Any
) -> int:
    with database.session() as session:
        company_id = companies.create(session, user, data, region="GB", **kw)
        session.commit()
    return company_id


def _get(database: Database, user: CurrentUser, company_id: int) -> Any:
    with database.session() as session:
        return companies.get(session, user, company_id)


def _listed(database: Database, user: CurrentUser, *, trashed: bool) -> list[int]:
    request = listing.ListRequest(trashed=trashed)
    with database.session() as session:
        rows = listing.fetch_page(session, user, lists.COMPANIES, request)
    return [row.id for row in rows]


def test_create_trims_values_and_get_reads_them_back(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _create(database, admin)

    detail = _get(database, admin, company_id)

    assert detail.data == replace(ACME, name="Acme Tiles Ltd")
    assert detail.version == 1
    assert detail.owner_id == admin.id
    assert detail.is_shared is False
    assert detail.deleted_at is None


@pytest.mark.parametrize(
    ("region", "typed", "e164"),
    [
        ("GB", "020 7946 0950", "+442079460950"),
        ("DE", "030 901820", "+4930901820"),
        ("FR", "01 42 68 53 00", "+33142685300"),
        ("DE", "+44 20 7946 0950", "+442079460950"),
    ],
)
def test_phone_keeps_what_was_typed_and_stores_e164_in_the_business_region(
    database: Database, admin: CurrentUser, region: str, typed: str, e164: str
) -> None:
    with database.session() as session:
        settings.save(session, admin, default_region=region)
        session.commit()
    with database.session() as session:
        business_region = settings.load(session).default_region
        data = CompanyData(name="Acme", phone=f" {typed} ")
        company_id = companies.create(session, admin, data, region=business_region)
        session.commit()

    with database.session() as session:
        row = session.get(Company, company_id)
        assert row is not None
        assert (row.phone_raw, row.phone_e164) == (typed, e164)
    assert _get(database, admin, company_id).data.phone == typed


def test_update_changes_values_and_bumps_version(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _create(database, admin)
    changed = replace(ACME, name="Acme Tiles", phone="+33 1 42 68 53 00")

    with database.session() as session:
        version = companies.update(session, admin, company_id, 1, changed, region="GB")
        session.commit()

    detail = _get(database, admin, company_id)
    assert version == detail.version == 2
    assert detail.data == changed
    with database.session() as session:
        row = session.get(Company, company_id)
        assert row is not None and row.phone_e164 == "+33142685300"


def test_each_write_leaves_one_audit_entry_with_old_and_new_values(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _create(database, admin)
    with database.session() as session:
        changed = replace(ACME, industry=" Printing ", city="")
        companies.update(session, admin, company_id, 1, changed, region="GB")
        session.commit()
        companies.trash(session, admin, company_id, 2)
        session.commit()

    created, updated, trashed = audit_rows(database, "companies")
    assert created == (
        "create",
        admin.id,
        company_id,
        {
            "name": "Acme Tiles Ltd",
            "domain": "acme.example",
            "industry": "Building",
            "phone": "020 7946 0950",
            "city": "London",
            "country": "GB",
        },
    )
    assert updated == (
        "update",
        admin.id,
        company_id,
        {"industry": ["Building", "Printing"], "city": ["London", ""]},
    )
    assert trashed[:3] == ("trash", admin.id, company_id)
    assert list(trashed[3]) == ["deleted_at"]
    assert trashed[3]["deleted_at"][0] is None


def test_stale_update_changes_nothing_and_is_not_audited(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _create(database, admin)
    with database.session() as session:
        first = replace(ACME, industry="First")
        companies.update(session, admin, company_id, 1, first, region="GB")
        session.commit()
    audit_before = audit_rows(database, "companies")

    with database.session() as session, pytest.raises(StaleRecordError) as raised:
        second = replace(ACME, industry="Second")
        companies.update(session, admin, company_id, 1, second, region="GB")

    assert "changed by someone else" in str(raised.value)
    detail = _get(database, admin, company_id)
    assert (detail.data.industry, detail.version) == ("First", 2)
    assert audit_rows(database, "companies") == audit_before


def test_stale_trash_changes_nothing(database: Database, admin: CurrentUser) -> None:
    company_id = _create(database, admin)
    with database.session() as session:
        companies.update(session, admin, company_id, 1, ACME, region="GB")
        session.commit()

    with database.session() as session, pytest.raises(StaleRecordError):
        companies.trash(session, admin, company_id, 1)

    assert _get(database, admin, company_id).deleted_at is None
    assert [row[0] for row in audit_rows(database, "companies")] == [
        "create",
        "update",
    ]


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"name": ""}, "name", "needs a name"),
        ({"name": "   "}, "name", "needs a name"),
        ({"phone": "call reception"}, "phone", "not a valid phone number for GB"),
        ({"phone": "123"}, "phone", "not a valid phone number for GB"),
        ({"phone": "4.42079E+11"}, "phone", "scientific notation"),
        ({"name": "A" * 301}, "name", "at most 300 characters"),
        ({"domain": "d" * 256}, "domain", "at most 255 characters"),
        ({"postcode": "9" * 33}, "postcode", "at most 32 characters"),
    ],
)
def test_invalid_company_names_field_and_reason_and_writes_nothing(
    database: Database,
    admin: CurrentUser,
    values: dict[str, str],
    field: str,
    reason: str,
) -> None:
    with database.session() as session, pytest.raises(ValidationError) as raised:
        companies.create(session, admin, replace(ACME, **values), region="GB")
        session.commit()

    assert raised.value.field == field
    assert reason in raised.value.reason
    assert count(database, Company) == 0
    assert audit_rows(database, "companies") == []


def test_failed_update_leaves_the_row_and_the_audit_trail_as_they_were(
    database: Database, admin: CurrentUser
) -> None:
    company_id = _create(database, admin)
    bad = replace(ACME, industry="Printing", phone="not a phone")

    with database.session() as session:
        with pytest.raises(ValidationError):
            companies.update(session, admin, company_id, 1, bad, region="GB")
        # Whatever else the caller's transaction holds still commits.
        session.commit()

    detail = _get(database, admin, company_id)
    assert (detail.data.industry, detail.version) == ("Building", 1)
    assert [row[0] for row in audit_rows(database, "companies")] == ["create"]


_WRITES: dict[str, Callable[[Session, CurrentUser, int], object]] = {
    "create": lambda s, u, _id: companies.create(s, u, ACME, region="GB"),
    "update": lambda s, u, id_: companies.update(s, u, id_, 1, ACME, region="GB"),
    "trash": lambda s, u, id_: companies.trash(s, u, id_, 1),
    "restore": lambda s, u, id_: companies.restore(s, u, id_, 1),
}


@pytest.mark.parametrize("write", list(_WRITES))
def test_read_only_user_cannot_write_and_nothing_changes(
    database: Database, admin: CurrentUser, write: str
) -> None:
    company_id = _create(database, admin)
    reader = add_user(database, admin, "reader", "read_only")

    with database.session() as session, pytest.raises(PermissionDeniedError):
        _WRITES[write](session, reader, company_id)

    assert count(database, Company) == 1
    assert _get(database, reader, company_id).version == 1
    assert [row[0] for row in audit_rows(database, "companies")] == ["create"]


@pytest.mark.parametrize("write", ["update", "trash", "restore"])
def test_staff_cannot_see_or_change_another_users_private_company(
    database: Database, admin: CurrentUser, write: str
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    company_id = _create(database, owner)

    with database.session() as session:
        with pytest.raises(NotFoundError):
            companies.get(session, other, company_id)
        with pytest.raises(NotFoundError):
            _WRITES[write](session, other, company_id)

    assert _get(database, owner, company_id).version == 1
    assert _listed(database, other, trashed=False) == []
    assert [row[0] for row in audit_rows(database, "companies")] == ["create"]


def test_staff_see_and_change_a_shared_company(
    database: Database, admin: CurrentUser
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    other = add_user(database, admin, "tom", "staff")
    company_id = _create(database, owner, is_shared=True)

    with database.session() as session:
        assert companies.get(session, other, company_id).is_shared is True
        changed = replace(ACME, industry="Printing")
        companies.update(session, other, company_id, 1, changed, region="GB")
        session.commit()

    assert _listed(database, other, trashed=False) == [company_id]
    assert _get(database, owner, company_id).data.industry == "Printing"
    assert audit_rows(database, "companies")[-1][:2] == ("update", other.id)


@pytest.mark.parametrize("role", ["admin", "manager", "read_only"])
def test_other_roles_see_a_staff_users_private_company(
    database: Database, admin: CurrentUser, role: str
) -> None:
    owner = add_user(database, admin, "ann", "staff")
    viewer = admin if role == "admin" else add_user(database, admin, "vic", role)
    company_id = _create(database, owner)

    assert _get(database, viewer, company_id).owner_id == owner.id
