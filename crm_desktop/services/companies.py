"""Companies: create, read, change, trash and restore."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from crm_desktop.db.models import Company, Deal
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
    """A company as a form shows it: its values, plus who and when."""

    id: int
    version: int
    data: CompanyData
    owner_id: int | None
    is_shared: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


_FIELDS = [f.name for f in dataclasses.fields(CompanyData) if f.name != "phone"]


def clean(data: CompanyData, region: str) -> tuple[CompanyData, str | None]:
    """Validate a company and return it trimmed, with its phone in E.164.

    Args:
        data: The values as typed.
        region: The business's default phone region, for numbers typed
            without a country code.

    Returns:
        The trimmed values, and the phone in E.164 form (None when empty).

    Raises:
        ValidationError: no name, a phone that is not a valid number, or a
            value too long.
    """
    trimmed = CompanyData(
        **{f.name: getattr(data, f.name).strip() for f in dataclasses.fields(data)}
    )
    label = f"Company '{trimmed.name}'" if trimmed.name else "New company"
    if not trimmed.name:
        raise ValidationError(label, "name", "a company needs a name")
    e164 = None
    if trimmed.phone:
        parsed = normalize_phone(trimmed.phone, region)
        if parsed.e164 is None:
            raise ValidationError(label, "phone", parsed.problem or "not a number")
        e164 = parsed.e164
    return trimmed, e164


def _columns(data: CompanyData, e164: str | None) -> dict[str, object]:
    values: dict[str, object] = {f: getattr(data, f) for f in _FIELDS}
    values.update(
        sort_name=sort_key(data.name),
        phone_raw=data.phone,
        phone_e164=e164,
        search_doc=build_document(
            [data.name, data.domain, data.website],
            records_common.phone_forms(data.phone, e164) if e164 else [],
        ),
    )
    label = f"Company '{data.name}'"
    records_common.check_lengths(label, Company, values, {"phone_raw": "phone"})
    return values


def create(
    session: Session,
    user: CurrentUser,
    data: CompanyData,
    *,
    region: str,
    is_shared: bool = False,
) -> int:
    """Add a company and return its id.

    Args:
        region: The business's default phone region.
        is_shared: Let every user see and change it, not only its owner.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: no name, a bad phone number or a value too long.
    """
    records_common.require_write(user)
    data, e164 = clean(data, region)
    now = utcnow()
    company = Company(
        **_columns(data, e164),
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        is_shared=is_shared,
        created_at=now,
        updated_at=now,
    )
    session.add(company)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "companies",
        company.id,
        records_common.created_values(data),
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
        PermissionDeniedError: the user may not write.
        NotFoundError: no such company visible to the user.
        StaleRecordError: someone saved it after `expected_version`.
        ValidationError: no name, a bad phone number or a value too long.
    """
    records_common.require_write(user)
    company = records_common.load_for_write(
        session, user, Company, company_id, expected_version, "Company"
    )
    data, e164 = clean(data, region)
    columns = _columns(data, e164)
    before = _data(company)
    for key, value in columns.items():
        setattr(company, key, value)
    company.updated_at = utcnow()
    company.updated_by_id = user.id
    records_common.flush_versioned(session, f"Company '{company.name}'")
    _resort_deals(session, company)
    audit.record(
        session,
        user,
        "update",
        "companies",
        company_id,
        records_common.record_diff(before, data),
    )
    return company.version


def _resort_deals(session: Session, company: Company) -> None:
    # The deals list sorts by a copy of the company's sort name. It is kept
    # on every deal, the user's or not, as every user's list sorts by it.
    # NOTE: with row-level security on deals this needs rights to them all.
    stale = Deal.company_id == company.id, Deal.sort_company != company.sort_name
    resorted = sql_update(Deal).where(*stale).values(sort_company=company.sort_name)
    session.execute(resorted)


def get(session: Session, user: CurrentUser, company_id: int) -> CompanyDetail:
    """Return a company, also when it is in the trash (see `deleted_at`).

    Raises:
        NotFoundError: no such company visible to the user.
    """
    company = records_common.load_visible(session, user, Company, company_id, "Company")
    return CompanyDetail(
        company.id,
        company.version,
        _data(company),
        company.owner_id,
        company.is_shared,
        company.created_at,
        company.updated_at,
        company.deleted_at,
    )


def _data(company: Company) -> CompanyData:
    return CompanyData(
        phone=company.phone_raw, **{f: getattr(company, f) for f in _FIELDS}
    )


def trash(session: Session, user: CurrentUser, company_id: int, version: int) -> None:
    """Move a company to the trash (it can be restored).

    Raises:
        PermissionDeniedError, NotFoundError, StaleRecordError.
    """
    records_common.set_trashed(
        session, user, Company, company_id, version, "Company", trashed=True
    )


def restore(session: Session, user: CurrentUser, company_id: int, version: int) -> None:
    """Bring a company back from the trash.

    Raises:
        PermissionDeniedError, NotFoundError, StaleRecordError.
    """
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
