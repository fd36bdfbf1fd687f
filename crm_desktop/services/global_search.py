"""Global search: the contacts, companies and deals that match what was typed.

One box finds all three kinds by name, email or phone. Each kind is one
query over its full-text index (db/search.py), with the same search terms
its list uses, so a phone typed in any format finds the stored number and
accents and case never matter. Every query stops at a few rows, however
many records match.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from babel.numbers import format_currency
from sqlalchemy import ColumnElement, Select, Table, case, func, select
from sqlalchemy.orm import Session

from crm_desktop.db.models import Company, Contact, Deal, PipelineStage
from crm_desktop.db.search import match_ids, sort_key
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services import lists
from crm_desktop.services.phones import format_phone

logger = logging.getLogger(__name__)

RecordKind = Literal["contact", "company", "deal"]

_contacts: Table = Contact.__table__  # type: ignore[assignment]
_companies: Table = Company.__table__  # type: ignore[assignment]
_deals: Table = Deal.__table__  # type: ignore[assignment]
_stages: Table = PipelineStage.__table__  # type: ignore[assignment]

# How well the name matches; lower ranks come first.
RANK_EXACT = 0
RANK_PREFIX = 1
RANK_WORD = 2
RANK_OTHER = 3
# The most matching records of a kind that are ranked; see _find_kind.
CANDIDATES = 500


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One record a global search found.

    Attributes:
        kind: 'contact', 'company' or 'deal'.
        id: The record's id in its table.
        title: Its name (a deal's title).
        subtitle: What tells it apart from others of the same name: a
            contact's company, email and phone; a company's web domain,
            city and phone; a deal's amount, stage and company.
        rank: RANK_EXACT when the name is what was typed, RANK_PREFIX when
            it starts with it, RANK_WORD when a later word of it does,
            RANK_OTHER when something else matched (email, phone...).
    """

    kind: RecordKind
    id: int
    title: str
    subtitle: str
    rank: int


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one kind of record is searched and shown."""

    kind: RecordKind
    table: Table
    terms: Callable[[str, str], list[str]]
    sort: ColumnElement[Any]
    columns: Callable[[], list[ColumnElement[Any]]]
    subtitle: Callable[[Any, str, str], list[str]]


def find(
    session: Session,
    user: CurrentUser,
    text: str,
    *,
    region: str,
    locale: str = "en_GB",
    limit_per_kind: int = 8,
) -> list[SearchHit]:
    """Find the contacts, companies and deals that match `text`.

    Every word typed must start a word of the record's name, email or phone
    (a company's web domain too); a phone number typed in any format
    matches the stored number. Records in the trash and records the user
    may not see are never found.

    Args:
        region: The business's default phone region: numbers typed without
            a country code are read in it, and its numbers show in national
            form.
        locale: The business locale, for a deal's amount.
        limit_per_kind: The most records returned of each kind.

    Returns:
        The hits grouped by kind, best first within each kind (by rank,
        then by name); the kind whose first hit ranks best comes first,
        and on a tie contacts, companies, deals. When more than CANDIDATES
        records of a kind match, the best are picked among the first
        CANDIDATES the index gives. Nothing for blank text.

    Raises:
        ValueError: `limit_per_kind` is below 1.
    """
    if limit_per_kind < 1:
        raise ValueError(f"limit_per_kind must be at least 1, not {limit_per_kind}")
    if not text.strip():
        return []
    started = time.perf_counter()
    groups = [
        _find_kind(session, user, kind, text, region, locale, limit_per_kind)
        for kind in _KINDS
    ]
    # The kind with the best match first: 'Weber' puts the company named
    # so above the contacts who merely work there. Ties keep _KINDS order.
    groups.sort(key=lambda group: group[0].rank if group else RANK_OTHER + 1)
    hits = [hit for group in groups for hit in group]
    logger.debug(
        "global search: %d hits in %.1f ms",
        len(hits),
        (time.perf_counter() - started) * 1000,
    )
    return hits


def _find_kind(
    session: Session,
    user: CurrentUser,
    kind: _Kind,
    text: str,
    region: str,
    locale: str,
    limit: int,
) -> list[SearchHit]:
    terms = kind.terms(text, region)
    if not terms:
        return []
    dialect = session.get_bind().dialect.name
    table = kind.table
    # NOTE: ranking every match would read them all (a million for 'e');
    # ranking the first CANDIDATES the index gives keeps each query bounded.
    candidates = (
        select(table.c.id)
        .where(
            table.c.deleted_at.is_(None),
            visible_to(table, user),
            match_ids(table, terms, dialect),
        )
        .limit(CANDIDATES)
    )
    rank = _rank(kind.sort, sort_key(text))
    query: Select[Any] = (
        select(table.c.id, rank.label("rank"), *kind.columns())
        .where(table.c.id.in_(candidates))
        .order_by(rank, kind.sort, table.c.id)
        .limit(limit)
    )
    return [
        SearchHit(
            kind.kind,
            row.id,
            row.title,
            " · ".join(part for part in kind.subtitle(row, region, locale) if part),
            row.rank,
        )
        for row in session.execute(query)
    ]


def _rank(sort: ColumnElement[Any], key: str) -> ColumnElement[int]:
    # The sort column holds the folded name, so comparing it with the folded
    # query ranks 'Álvaro' for 'alvaro'. It is computed only for the rows
    # the index matched.
    return case(
        (sort == key, RANK_EXACT),
        (sort.startswith(key, autoescape=True), RANK_PREFIX),
        (sort.contains(f" {key}", autoescape=True), RANK_WORD),
        else_=RANK_OTHER,
    )


def _phone(value: str | None, region: str) -> str:
    if not value or not value.startswith("+"):
        return value or ""
    try:
        return format_phone(value, region)
    except ValueError:
        return value


def _money(amount: Decimal | None, currency: str, locale: str) -> str:
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=locale)


def _contact_columns() -> list[ColumnElement[Any]]:
    c = _contacts.c
    return [
        c.display_name.label("title"),
        c.organization,
        c.primary_email,
        c.primary_phone,
    ]


def _company_columns() -> list[ColumnElement[Any]]:
    c = _companies.c
    phone = func.coalesce(c.phone_e164, c.phone_raw)
    return [c.name.label("title"), c.domain, c.city, phone.label("phone")]


def _deal_columns() -> list[ColumnElement[Any]]:
    c = _deals.c
    # Lookups by primary key, once for each of the few rows returned.
    stage = select(_stages.c.name).where(_stages.c.id == c.stage_id)
    company = select(_companies.c.name).where(_companies.c.id == c.company_id)
    return [
        c.title.label("title"),
        c.amount,
        c.currency,
        stage.scalar_subquery().label("stage"),
        company.scalar_subquery().label("company"),
    ]


_KINDS = (
    _Kind(
        "contact",
        _contacts,
        lists.CONTACTS.search_terms,
        _contacts.c.sort_name,
        _contact_columns,
        lambda row, region, _locale: [
            row.organization,
            row.primary_email,
            _phone(row.primary_phone, region),
        ],
    ),
    _Kind(
        "company",
        _companies,
        lists.COMPANIES.search_terms,
        _companies.c.sort_name,
        _company_columns,
        lambda row, region, _locale: [row.domain, row.city, _phone(row.phone, region)],
    ),
    _Kind(
        "deal",
        _deals,
        lists.DEALS.search_terms,
        _deals.c.sort_title,
        _deal_columns,
        lambda row, _region, locale: [
            _money(row.amount, row.currency, locale),
            row.stage,
            row.company,
        ],
    ),
)
