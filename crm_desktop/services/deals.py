"""Deals on the pipeline: create, read, change, trash and restore."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import (
    Company,
    Contact,
    Deal,
    DealStageChange,
    PipelineStage,
)
from crm_desktop.db.search import build_document, sort_key
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import records_common
from crm_desktop.services.errors import ValidationError

DEFAULT_STAGES = (
    ("Lead", 10, "open"),
    ("Qualified", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
)


@dataclass(frozen=True, slots=True)
class StageInfo:
    id: int
    name: str
    position: int
    probability: int
    kind: str


@dataclass(frozen=True, slots=True)
class DealData:
    """A deal's editable values; money is a Decimal with a currency."""

    title: str
    stage_id: int
    amount: Decimal = Decimal(0)
    currency: str = "EUR"
    expected_close: dt.date | None = None
    company_id: int | None = None
    contact_id: int | None = None
    lead_source: str = ""
    notes: str = ""
    lost_reason: str = ""


@dataclass(frozen=True, slots=True)
class DealDetail:
    """A deal as a form shows it: its values, plus who and when."""

    id: int
    version: int
    data: DealData
    owner_id: int | None
    is_shared: bool
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


def create_default_stages(session: Session) -> None:
    """Give a new database the usual pipeline, unless it has one."""
    if session.scalar(select(PipelineStage.id).limit(1)) is not None:
        return
    for position, (name, probability, kind) in enumerate(DEFAULT_STAGES):
        session.add(
            PipelineStage(
                name=name, position=position, probability=probability, kind=kind
            )
        )
    session.flush()


def stages(session: Session) -> list[StageInfo]:
    """Return the pipeline's stages in board order."""
    query = select(PipelineStage).order_by(PipelineStage.position)
    return [
        StageInfo(s.id, s.name, s.position, s.probability, s.kind)
        for s in session.scalars(query)
    ]


# What people type: plain ('1250.50', '1250,50'), grouped in thousands with
# the other mark as decimal point ('1,250.50', '1.250,50') or in the Indian
# way ('12,50,000.00'). Anything else, such as '12,5,0', is refused.
_PLAIN_AMOUNT = re.compile(r"-?\d+(?:[.,]\d+)?")
_GROUPED_AMOUNT = {
    ",": re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})(?:\.\d+)?"),
    ".": re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?"),
}
# Numeric(14, 2): the most the amount column holds.
MAX_AMOUNT = Decimal("999999999999.99")
_CENTS = Decimal("0.01")


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """Read an amount typed by a person ('1 250,50', '1,250.50', '980').

    A single mark followed by three digits ('1,250', '1.250') is ambiguous:
    a comma is read as a thousands mark and a point as the decimal point,
    which the two-decimals rule then refuses.

    Raises:
        ValidationError: it is not an amount.
    """
    cleaned = "".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    if _GROUPED_AMOUNT[","].fullmatch(cleaned):
        number = cleaned.replace(",", "")
    elif _GROUPED_AMOUNT["."].fullmatch(cleaned) and (
        "," in cleaned or cleaned.count(".") > 1
    ):
        number = cleaned.replace(".", "").replace(",", ".")
    elif _PLAIN_AMOUNT.fullmatch(cleaned):
        number = cleaned.replace(",", ".")
    else:
        raise ValidationError("Deal", field, f"'{text}' is not an amount")
    return Decimal(number)


def clean(session: Session, data: DealData) -> DealData:
    """Validate a deal and return it trimmed, its amount in cents.

    Raises:
        ValidationError: no title, an amount that is negative, too large or
            finer than cents, a currency that is not an ISO 4217 code, or an
            unknown stage.
    """
    title = data.title.strip()
    label = f"Deal '{title}'" if title else "New deal"
    if not title:
        raise ValidationError(label, "title", "a deal needs a title")
    amount = _clean_amount(label, data.amount)
    currency = data.currency.strip().upper()
    if currency not in list_currencies():
        reason = f"'{data.currency}' is not an ISO 4217 currency code (EUR, USD)"
        raise ValidationError(label, "currency", reason)
    if session.get(PipelineStage, data.stage_id) is None:
        raise ValidationError(label, "stage", "no such pipeline stage")
    return replace(
        data,
        title=title,
        amount=amount,
        currency=currency,
        lead_source=data.lead_source.strip(),
        notes=data.notes.strip(),
        lost_reason=data.lost_reason.strip(),
    )


def _clean_amount(label: str, amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise ValidationError(label, "amount", f"'{amount}' is not an amount")
    if amount < 0:
        raise ValidationError(label, "amount", "an amount cannot be negative")
    if amount > MAX_AMOUNT:
        reason = f"an amount can be at most {MAX_AMOUNT:,}"
        raise ValidationError(label, "amount", reason)
    if amount != amount.quantize(_CENTS, rounding=ROUND_DOWN):
        raise ValidationError(label, "amount", "use at most two decimals")
    # copy_abs: a typed "-0" is stored as 0.00, not as a negative zero.
    return amount.copy_abs().quantize(_CENTS)


def _check_links(
    session: Session, user: CurrentUser, data: DealData, before: DealData | None
) -> None:
    label = f"Deal '{data.title}'"
    old = before or DealData("", 0)
    for model, field, new, unchanged in (
        (Company, "company", data.company_id, old.company_id),
        (Contact, "contact", data.contact_id, old.contact_id),
    ):
        records_common.check_link(
            session, user, model, new, label=label, field=field, unchanged=unchanged
        )


def _company_sort_name(session: Session, company_id: int | None) -> str:
    # The deals list sorts by it; companies.update keeps it when renamed.
    if company_id is None:
        return ""
    query = select(Company.sort_name).where(Company.id == company_id)
    return session.scalar(query) or ""


def _columns(session: Session, data: DealData) -> dict[str, object]:
    stage = session.get(PipelineStage, data.stage_id)
    values: dict[str, object] = {
        "title": data.title,
        "sort_title": sort_key(data.title),
        "stage_id": data.stage_id,
        "amount": data.amount,
        "currency": data.currency,
        "expected_close": data.expected_close,
        "company_id": data.company_id,
        "sort_company": _company_sort_name(session, data.company_id),
        "contact_id": data.contact_id,
        "lead_source": data.lead_source,
        "notes": data.notes,
        "lost_reason": data.lost_reason,
        "search_doc": build_document([data.title]),
        "closed_at": utcnow() if stage and stage.kind != "open" else None,
    }
    records_common.check_lengths(f"Deal '{data.title}'", Deal, values)
    return values


def create(
    session: Session, user: CurrentUser, data: DealData, *, is_shared: bool = False
) -> int:
    """Add a deal and return its id.

    Args:
        is_shared: Let every user see and change it, not only its owner.

    Raises:
        PermissionDeniedError: the user may not write.
        ValidationError: a value is not acceptable, or a linked company or
            contact does not exist or is not the user's.
    """
    records_common.require_write(user)
    data = clean(session, data)
    _check_links(session, user, data, None)
    now = utcnow()
    deal = Deal(
        **_columns(session, data),
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        is_shared=is_shared,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    session.flush()
    record_stage_change(
        session, user, deal.id, None, data.stage_id, lost_reason=data.lost_reason
    )
    audit.record(
        session, user, "create", "deals", deal.id, records_common.created_values(data)
    )
    return deal.id


def record_stage_change(
    session: Session,
    user: CurrentUser,
    deal_id: int,
    from_stage_id: int | None,
    to_stage_id: int,
    *,
    lost_reason: str = "",
) -> None:
    """Add a step to a deal's stage history, in the session's transaction.

    Args:
        lost_reason: Why the deal was lost; kept only for a lost stage.
    """
    stage = session.get(PipelineStage, to_stage_id)
    lost = stage is not None and stage.kind == "lost"
    session.add(
        DealStageChange(
            deal_id=deal_id,
            from_stage_id=from_stage_id,
            to_stage_id=to_stage_id,
            changed_by_id=user.id,
            changed_at=utcnow(),
            lost_reason=lost_reason if lost else "",
        )
    )


def update(
    session: Session,
    user: CurrentUser,
    deal_id: int,
    expected_version: int,
    data: DealData,
) -> int:
    """Replace a deal's values; return its new version.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: no such deal visible to the user.
        StaleRecordError: someone saved it after `expected_version`.
        ValidationError: a value is not acceptable, or a newly linked company
            or contact does not exist or is not the user's.
    """
    records_common.require_write(user)
    deal = records_common.load_for_write(
        session, user, Deal, deal_id, expected_version, "Deal"
    )
    before = _data(deal)
    data = clean(session, data)
    _check_links(session, user, data, before)
    columns = _columns(session, data)
    if deal.closed_at is not None and columns["closed_at"] is not None:
        columns["closed_at"] = deal.closed_at
    for key, value in columns.items():
        setattr(deal, key, value)
    deal.updated_at = utcnow()
    deal.updated_by_id = user.id
    records_common.flush_versioned(session, f"Deal '{deal.title}'")
    if data.stage_id != before.stage_id:
        record_stage_change(
            session,
            user,
            deal_id,
            before.stage_id,
            data.stage_id,
            lost_reason=data.lost_reason,
        )
    audit.record(
        session,
        user,
        "update",
        "deals",
        deal_id,
        records_common.record_diff(before, data),
    )
    return deal.version


def _data(deal: Deal) -> DealData:
    return DealData(
        deal.title,
        deal.stage_id,
        deal.amount,
        deal.currency,
        deal.expected_close,
        deal.company_id,
        deal.contact_id,
        deal.lead_source,
        deal.notes,
        deal.lost_reason,
    )


def get(session: Session, user: CurrentUser, deal_id: int) -> DealDetail:
    """Return a deal, also when it is in the trash (see `deleted_at`).

    Raises:
        NotFoundError: no such deal visible to the user.
    """
    deal = records_common.load_visible(session, user, Deal, deal_id, "Deal")
    return DealDetail(
        deal.id,
        deal.version,
        _data(deal),
        deal.owner_id,
        deal.is_shared,
        deal.closed_at,
        deal.updated_at,
        deal.deleted_at,
    )


def trash(session: Session, user: CurrentUser, deal_id: int, version: int) -> None:
    """Move a deal to the trash (it can be restored).

    Raises:
        PermissionDeniedError, NotFoundError, StaleRecordError.
    """
    records_common.set_trashed(
        session, user, Deal, deal_id, version, "Deal", trashed=True
    )


def restore(session: Session, user: CurrentUser, deal_id: int, version: int) -> None:
    """Bring a deal back from the trash.

    Raises:
        PermissionDeniedError, NotFoundError, StaleRecordError.
    """
    records_common.set_trashed(
        session, user, Deal, deal_id, version, "Deal", trashed=False
    )
