"""Companies: create, read, change, trash and restore."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Company
from crm_desktop.db.search import build_document, sort_key
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import records_common
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.phones import normalize_phone


@dataclass(frozen=True, slots=True)
class CompanyData:
    """A company's editable values."""

    name: str
    domain: str = ""
    industry: str = ""
    phone: str = ""
    website: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class CompanyDetail:
    id: int
    version: int
    data: CompanyData
    owner_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


_FIELDS = [f.name for f in dataclasses.fields(CompanyData) if f.name != "phone"]


def _columns(data: CompanyData, region: str) -> dict[str, object]:
    name = data.name.strip()
    if not name:
        raise ValidationError("New company", "name", "a company needs a name")
    phone = normalize_phone(data.phone, region) if data.phone.strip() else None
    values: dict[str, object] = {f: getattr(data, f).strip() for f in _FIELDS}
    values.update(
        sort_name=sort_key(name),
        phone_raw=data.phone.strip(),
        phone_e164=phone.e164 if phone else None,
        search_doc=build_document(
            [name, data.domain, data.website],
            records_common.phone_forms(data.phone, phone.e164) if phone else [],
        ),
    )
    return values


def create(
    session: Session, user: CurrentUser, data: CompanyData, *, region: str
) -> int:
    """Add a company and return its id.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: it has no name.
    """
    records_common.require_write(user)
    now = utcnow()
    company = Company(
        **_columns(data, region),
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(company)
    session.flush()
    audit.record(
        session, user, "create", "companies", company.id, {"name": company.name}
    )
    return company.id


def update(
    session: Session,
    user: CurrentUser,
    company_id: int,
    expected_version: int,
    data: CompanyData,
    *,
    region: str,
) -> int:
    """Replace a company's values; return its new version.

    Raises:
        NotFoundError, StaleRecordError, ValidationError, PermissionDeniedError.
    """
    records_common.require_write(user)
    company = records_common.load_for_write(
        session, user, Company, company_id, expected_version, "Company"
    )
    before = _data(company)
    for key, value in _columns(data, region).items():
        setattr(company, key, value)
    company.updated_at = utcnow()
    company.updated_by_id = user.id
    records_common.flush_versioned(session, f"Company '{company.name}'")
    audit.record(
        session,
        user,
        "update",
        "companies",
        company_id,
        records_common.record_diff(before, data),
    )
    return company.version


def get(session: Session, user: CurrentUser, company_id: int) -> CompanyDetail:
    """Return a company. Raises NotFoundError when it is not visible."""
    company = records_common.load_visible(session, user, Company, company_id, "Company")
    return CompanyDetail(
        company.id,
        company.version,
        _data(company),
        company.owner_id,
        company.created_at,
        company.updated_at,
        company.deleted_at,
    )


def _data(company: Company) -> CompanyData:
    return CompanyData(
        phone=company.phone_raw, **{f: getattr(company, f) for f in _FIELDS}
    )


def trash(session: Session, user: CurrentUser, company_id: int, version: int) -> None:
    records_common.set_trashed(
        session, user, Company, company_id, version, "Company", trashed=True
    )


def restore(session: Session, user: CurrentUser, company_id: int, version: int) -> None:
    records_common.set_trashed(
        session, user, Company, company_id, version, "Company", trashed=False
    )


def find_or_create(
    session: Session, user: CurrentUser, name: str, cache: dict[str, int] | None = None
) -> int | None:
    """Return the id of the live company of that name, creating it if needed."""
    key = sort_key(name)
    if not key:
        return None
    if cache is not None and key in cache:
        return cache[key]
    company_id = session.scalar(
        select(Company.id)
        .where(Company.sort_name == key, Company.deleted_at.is_(None))
        .limit(1)
    )
    if company_id is None:
        company_id = create(session, user, CompanyData(name=name), region="GB")
    if cache is not None:
        cache[key] = company_id
    return company_id
