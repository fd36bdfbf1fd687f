"""Deals on the pipeline: create, read, change, trash and restore."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Deal, PipelineStage
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
    id: int
    version: int
    data: DealData
    owner_id: int | None
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


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """Read an amount typed by a person ('1 250,50', '1,250.50', '980').

    Raises:
        ValidationError: it is not an amount.
    """
    cleaned = text.replace("\u00a0", "").replace(" ", "").strip()
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else cleaned.replace(".", "").replace(",", ".")
        )
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError("Deal", field, f"'{text}' is not an amount") from exc
    if not value.is_finite():
        raise ValidationError("Deal", field, f"'{text}' is not an amount")
    return value


def _columns(session: Session, data: DealData) -> dict[str, object]:
    title = data.title.strip()
    label = f"Deal '{title}'" if title else "New deal"
    if not title:
        raise ValidationError(label, "title", "a deal needs a title")
    if data.amount < 0:
        raise ValidationError(label, "amount", "an amount cannot be negative")
    if data.amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(label, "amount", "use at most two decimals")
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise ValidationError(label, "currency", "use a three-letter code (EUR)")
    stage = session.get(PipelineStage, data.stage_id)
    if stage is None:
        raise ValidationError(label, "stage", "no such pipeline stage")
    return {
        "title": title,
        "sort_title": sort_key(title),
        "stage_id": data.stage_id,
        "amount": data.amount,
        "currency": data.currency.upper(),
        "expected_close": data.expected_close,
        "company_id": data.company_id,
        "contact_id": data.contact_id,
        "lead_source": data.lead_source.strip(),
        "notes": data.notes.strip(),
        "lost_reason": data.lost_reason.strip(),
        "search_doc": build_document([title]),
        "closed_at": utcnow() if stage.kind != "open" else None,
    }


def create(session: Session, user: CurrentUser, data: DealData) -> int:
    """Add a deal and return its id.

    Raises:
        PermissionDeniedError, ValidationError.
    """
    records_common.require_write(user)
    now = utcnow()
    deal = Deal(
        **_columns(session, data),
        owner_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(deal)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "deals",
        deal.id,
        {"title": deal.title, "amount": deal.amount, "stage_id": deal.stage_id},
    )
    return deal.id


def update(
    session: Session,
    user: CurrentUser,
    deal_id: int,
    expected_version: int,
    data: DealData,
) -> int:
    """Replace a deal's values; return its new version.

    Raises:
        NotFoundError, StaleRecordError, ValidationError, PermissionDeniedError.
    """
    records_common.require_write(user)
    deal = records_common.load_for_write(
        session, user, Deal, deal_id, expected_version, "Deal"
    )
    before = _data(deal)
    columns = _columns(session, data)
    if deal.closed_at is not None and columns["closed_at"] is not None:
        columns["closed_at"] = deal.closed_at
    for key, value in columns.items():
        setattr(deal, key, value)
    deal.updated_at = utcnow()
    deal.updated_by_id = user.id
    records_common.flush_versioned(session, f"Deal '{deal.title}'")
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
    deal = records_common.load_visible(session, user, Deal, deal_id, "Deal")
    return DealDetail(
        deal.id,
        deal.version,
        _data(deal),
        deal.owner_id,
        deal.closed_at,
        deal.updated_at,
        deal.deleted_at,
    )


def trash(session: Session, user: CurrentUser, deal_id: int, version: int) -> None:
    records_common.set_trashed(
        session, user, Deal, deal_id, version, "Deal", trashed=True
    )


def restore(session: Session, user: CurrentUser, deal_id: int, version: int) -> None:
    records_common.set_trashed(
        session, user, Deal, deal_id, version, "Deal", trashed=False
    )
