"""The pipeline board: deals by stage with counts and totals, moves, history.

Totals are summed per currency. Deals carry their own currency and the
database holds no exchange rates, so adding amounts of different currencies
would give a figure that means nothing. Each column therefore holds one
total per currency, the business currency (from the settings) first; the
board shows that one, and any other currencies beside it.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Table, cast, func, select
from sqlalchemy.orm import Session, aliased

from crm_desktop.db.models import Company, Deal, DealStageChange, PipelineStage, User
from crm_desktop.db.types import utcnow
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import deals, records_common, settings
from crm_desktop.services.errors import ValidationError

logger = logging.getLogger(__name__)

# Cards read per column; the header's count and total cover every deal.
DEFAULT_CARDS_PER_STAGE = 50
# Open stages first in pipeline order, then the final columns: won, lost.
_KIND_ORDER = {"open": 0, "won": 1, "lost": 2}

_deals: Table = Deal.__table__  # type: ignore[assignment]
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class MoneyTotal:
    """The sum of a column's amounts in one currency."""

    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DealCard:
    """One deal as a card on the board shows it."""

    id: int
    version: int
    stage_id: int
    title: str
    company_name: str
    amount: Decimal
    currency: str
    owner_name: str
    expected_close: dt.date | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class BoardColumn:
    """One stage of the pipeline: its deals' count and totals, and its cards.

    Attributes:
        count: Every deal in the stage that the filters let through; `cards`
            holds only the first of them (soonest to close, or for won and
            lost the most recently closed).
        totals: One per currency, the business currency first.
    """

    stage_id: int
    name: str
    kind: str
    probability: int
    count: int
    totals: tuple[MoneyTotal, ...]
    cards: tuple[DealCard, ...]

    @property
    def is_final(self) -> bool:
        """Tell whether deals here are closed (won or lost)."""
        return self.kind != "open"

    def total(self, currency: str) -> Decimal:
        """Return the sum of the column's amounts in one currency."""
        for total in self.totals:
            if total.currency == currency:
                return total.amount
        return Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Board:
    """The whole board: its columns in order and what its figures rest on.

    Attributes:
        currency: The business currency, which totals are shown in.
        today: The day, in the business's time zone, overdue is judged by.
    """

    columns: tuple[BoardColumn, ...]
    currency: str
    today: dt.date

    def column(self, stage_id: int) -> BoardColumn:
        """Return the column of a stage.

        Raises:
            KeyError: the board has no such stage.
        """
        for column in self.columns:
            if column.stage_id == stage_id:
                return column
        raise KeyError(stage_id)


@dataclass(frozen=True, slots=True)
class StageChange:
    """One step in a deal's stage history; names are empty when unknown."""

    id: int
    from_stage_id: int | None
    from_stage: str
    to_stage_id: int
    to_stage: str
    changed_by: str
    changed_at: dt.datetime
    lost_reason: str


@dataclass(frozen=True, slots=True)
class OwnerChoice:
    """A user the board can be filtered by."""

    id: int
    name: str


class ClosePeriod(enum.Enum):
    """The expected-close periods the board can be narrowed to."""

    ALL = "all"
    THIS_MONTH = "this_month"
    THIS_QUARTER = "this_quarter"
    NEXT_QUARTER = "next_quarter"
    OVERDUE = "overdue"

    def date_range(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """Return the first and last expected-close day, None for open ends.

        OVERDUE is not a range of days but open deals past their date: its
        range is empty here and `board(overdue_only=True)` applies it.
        """
        if self in (ClosePeriod.ALL, ClosePeriod.OVERDUE):
            return None, None
        if self is ClosePeriod.THIS_MONTH:
            return today.replace(day=1), _month_end(today.year, today.month)
        first_month = (today.month - 1) // 3 * 3 + 1
        year = today.year
        if self is ClosePeriod.NEXT_QUARTER:
            first_month += 3
            if first_month > 12:
                first_month, year = first_month - 12, year + 1
        start = dt.date(year, first_month, 1)
        return start, _month_end(year, first_month + 2)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def business_today(session: Session) -> dt.date:
    """Return today's date in the business's time zone (from the settings)."""
    return _today_in(settings.load(session).timezone)


def _today_in(name: str) -> dt.date:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown business time zone %r; using UTC", name)
        zone = dt.UTC
    return utcnow().astimezone(zone).date()


def board(
    session: Session,
    user: CurrentUser,
    *,
    owner_id: int | None = None,
    close_from: dt.date | None = None,
    close_to: dt.date | None = None,
    overdue_only: bool = False,
    limit_per_stage: int = DEFAULT_CARDS_PER_STAGE,
    today: dt.date | None = None,
) -> Board:
    """Return the deals the user may see, by stage, with counts and totals.

    Trashed deals are left out. Counts and totals are computed in the
    database over every matching deal, however many cards are read.

    Args:
        owner_id: Only deals this user owns.
        close_from: Only deals expected to close on or after this day.
        close_to: Only deals expected to close on or before this day.
        overdue_only: Only open deals whose expected close has passed.
        limit_per_stage: How many cards to read per column at most.
        today: The day overdue is judged by; today in the business's time
            zone when None.
    """
    started = time.perf_counter()
    business = settings.load(session)
    today = today or _today_in(business.timezone)
    stages = sorted(
        deals.stages(session), key=lambda s: (_KIND_ORDER.get(s.kind, 0), s.position)
    )
    open_ids = [s.id for s in stages if s.kind == "open"]
    conditions = [_deals.c.deleted_at.is_(None), visible_to(_deals, user)]
    if owner_id is not None:
        conditions.append(_deals.c.owner_id == owner_id)
    if close_from is not None:
        conditions.append(_deals.c.expected_close >= close_from)
    if close_to is not None:
        conditions.append(_deals.c.expected_close <= close_to)
    if overdue_only:
        conditions.append(_deals.c.expected_close < today)
        conditions.append(_deals.c.stage_id.in_(open_ids))
    counts, totals = _totals(session, conditions, business.currency)
    columns = []
    for stage in stages:
        count = counts.get(stage.id, 0)
        cards: tuple[DealCard, ...] = ()
        if count and limit_per_stage > 0:
            cards = _cards(
                session, conditions, stage.id, stage.kind, today, limit_per_stage
            )
        columns.append(
            BoardColumn(
                stage.id,
                stage.name,
                stage.kind,
                stage.probability,
                count,
                totals.get(stage.id, ()),
                cards,
            )
        )
    logger.debug(
        "board: %d deals in %d stages read in %.1f ms",
        sum(counts.values()),
        len(columns),
        (time.perf_counter() - started) * 1000,
    )
    return Board(tuple(columns), business.currency, today)


def _totals(
    session: Session, conditions: list[ColumnElement[bool]], business_currency: str
) -> tuple[dict[int, int], dict[int, tuple[MoneyTotal, ...]]]:
    # NOTE: summed in whole cents as integers. SQLite keeps numeric(14, 2)
    # values as binary floats, and a float sum over many deals can be a
    # cent out; an integer sum is exact on both back-ends.
    cents = func.sum(cast(func.round(_deals.c.amount * 100), BigInteger))
    query = (
        select(_deals.c.stage_id, _deals.c.currency, func.count(), cents)
        .where(*conditions)
        .group_by(_deals.c.stage_id, _deals.c.currency)
    )
    counts: dict[int, int] = {}
    sums: dict[int, list[MoneyTotal]] = {}
    for stage_id, currency, count, total_cents in session.execute(query):
        counts[stage_id] = counts.get(stage_id, 0) + int(count)
        amount = (Decimal(int(total_cents or 0)) * _CENT).quantize(_CENT)
        sums.setdefault(stage_id, []).append(MoneyTotal(currency, amount))
    ordered = {
        stage_id: tuple(
            sorted(found, key=lambda t: (t.currency != business_currency, t.currency))
        )
        for stage_id, found in sums.items()
    }
    return counts, ordered


def _cards(
    session: Session,
    conditions: list[ColumnElement[bool]],
    stage_id: int,
    kind: str,
    today: dt.date,
    limit: int,
) -> tuple[DealCard, ...]:
    owner_name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    if kind == "open":
        # Soonest to close first, so overdue deals lead the column.
        order: tuple[Any, ...] = (
            _deals.c.expected_close.asc().nulls_last(),
            _deals.c.id,
        )
    else:
        # Most recently closed first.
        order = (_deals.c.closed_at.desc().nulls_last(), _deals.c.id.desc())
    query = (
        select(
            _deals.c.id,
            _deals.c.version,
            _deals.c.title,
            Company.name,
            _deals.c.amount,
            _deals.c.currency,
            owner_name,
            _deals.c.expected_close,
        )
        .select_from(_deals)
        .outerjoin(Company, Company.id == _deals.c.company_id)
        .outerjoin(User, User.id == _deals.c.owner_id)
        .where(*conditions, _deals.c.stage_id == stage_id)
        .order_by(*order)
        .limit(limit)
    )
    return tuple(
        DealCard(
            id=row[0],
            version=row[1],
            stage_id=stage_id,
            title=row[2],
            company_name=row[3] or "",
            amount=row[4],
            currency=row[5],
            owner_name=row[6] or "",
            expected_close=row[7],
            overdue=kind == "open" and row[7] is not None and row[7] < today,
        )
        for row in session.execute(query)
    )


def move(
    session: Session,
    user: CurrentUser,
    deal_id: int,
    version: int,
    stage_id: int,
    *,
    lost_reason: str = "",
) -> int:
    """Move a deal to another stage; return its new version.

    Entering a won or lost stage from an open one sets the deal's closing
    time; going back to an open stage clears it (and the lost reason). The
    move gets an audit entry and a row in the deal's stage history. A move
    to the stage the deal is in already changes nothing.

    Args:
        version: The version the user saw.
        lost_reason: Why the deal was lost; required for a lost stage.

    Raises:
        PermissionDeniedError: the user may not write.
        NotFoundError: no such deal visible to the user.
        StaleRecordError: someone saved the deal after `version`.
        ValidationError: no such stage (field "stage"), or a lost stage
            without a reason (field "lost_reason").
    """
    records_common.require_write(user)
    deal = records_common.load_for_write(session, user, Deal, deal_id, version, "Deal")
    label = f"Deal '{deal.title}'"
    target = session.get(PipelineStage, stage_id)
    if target is None:
        raise ValidationError(label, "stage", "no such pipeline stage")
    if target.id == deal.stage_id:
        return deal.version
    reason = lost_reason.strip()
    if target.kind == "lost" and not reason:
        raise ValidationError(label, "lost_reason", "say why the deal was lost")
    before = _stage_values(deal)
    _apply_move(deal, target, reason)
    deal.updated_at = utcnow()
    deal.updated_by_id = user.id
    records_common.flush_versioned(session, label)
    deals.record_stage_change(
        session, user, deal_id, before["stage_id"], target.id, lost_reason=reason
    )
    changes = audit.diff(before, _stage_values(deal))
    audit.record(session, user, "update", "deals", deal_id, changes)
    return deal.version


def _stage_values(deal: Deal) -> dict[str, Any]:
    return {
        "stage_id": deal.stage_id,
        "closed_at": deal.closed_at,
        "lost_reason": deal.lost_reason,
    }


def _apply_move(deal: Deal, target: PipelineStage, reason: str) -> None:
    deal.stage_id = target.id
    if target.kind == "open":
        deal.closed_at = None
        deal.lost_reason = ""
        return
    # Kept when it moves between won and lost, as the deal form keeps it:
    # the deal closed when it first left the open stages.
    if deal.closed_at is None:
        deal.closed_at = utcnow()
    deal.lost_reason = reason if target.kind == "lost" else ""


def history(session: Session, user: CurrentUser, deal_id: int) -> list[StageChange]:
    """Return a deal's steps through the pipeline, oldest first.

    Raises:
        NotFoundError: no such deal visible to the user.
    """
    records_common.load_visible(session, user, Deal, deal_id, "Deal")
    source = aliased(PipelineStage)
    target = aliased(PipelineStage)
    changed_by = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(DealStageChange, source.name, target.name, changed_by)
        .outerjoin(source, source.id == DealStageChange.from_stage_id)
        .join(target, target.id == DealStageChange.to_stage_id)
        .outerjoin(User, User.id == DealStageChange.changed_by_id)
        .where(DealStageChange.deal_id == deal_id)
        .order_by(DealStageChange.changed_at, DealStageChange.id)
    )
    return [
        StageChange(
            change.id,
            change.from_stage_id,
            from_name or "",
            change.to_stage_id,
            to_name,
            who or "",
            change.changed_at,
            change.lost_reason,
        )
        for change, from_name, to_name, who in session.execute(query)
    ]


def owners(session: Session) -> list[OwnerChoice]:
    """Return the active users deals can belong to, by name, for a filter."""
    name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(User.id, name)
        .where(User.is_active.is_(True), User.role != "read_only")
        .order_by(name, User.id)
    )
    return [OwnerChoice(user_id, str(text)) for user_id, text in session.execute(query)]
