"""Lists of records, sorted and filtered in the database, paged by keyset.

A page is asked for by the key of a row next to it (`after` or `before`),
never by a row number, so a page deep in a million-row list costs what the
first one costs. Only when no neighbouring key is known (a jump into the
middle of a list) does a page fall back to OFFSET.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    exists,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from crm_desktop.db.search import is_phone_like, match_ids, page_match, words
from crm_desktop.security.roles import CurrentUser, visible_to
from crm_desktop.services.periods import created_bounds

SortKey = tuple[Any, int]

# A filter that many rows match is common: a page of it walks the sort index
# and tests each row, as a rarer one reads its matches by its own index and
# sorts them. Either way a page reads a few thousand index entries at most.
COMMON_MATCHES = 5_000


def owner_key(table: Table) -> ColumnElement[Any]:
    """Return what a list sorts and filters owners by: 0 for a removed owner.

    The 0 is written inline, so the expression matches the index of
    migration 0005 on each record table.
    """
    return func.coalesce(table.c.owner_id, literal_column("0"))


def _unindexed(value: ColumnElement[Any]) -> ColumnElement[Any]:
    # NOTE: SQLite uses no index for "+value", and so walks the sort index
    # for a page instead of reading every match of a common filter by its
    # own index and sorting them all (seconds at a million rows).
    return UnaryExpression(value, operator=operators.custom_op("+"), type_=value.type)


@dataclass(frozen=True, slots=True)
class ListColumn:
    """One column of a list: its title, what it shows and how it sorts."""

    key: str
    title: str
    value: ColumnElement[Any]
    # An indexed, non-null expression to sort by; None if it cannot sort.
    sort: ColumnElement[Any] | None = None
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class StatusOption:
    """One choice of a status filter: its key, its label and its condition.

    Attributes:
        counted: The same condition written for counting, where another
            form is faster over a whole table than per row of a page.
    """

    key: str
    label: str
    condition: ColumnElement[bool]
    counted: ColumnElement[bool] | None = None


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """A status a list filters by (a deal's stage, an activity's type...)."""

    key: str
    title: str
    options: tuple[StatusOption, ...]


@dataclass(frozen=True, slots=True)
class ListSpec:
    """What a list shows: a table, its columns and how search terms match.

    Attributes:
        statuses: The status filters the list offers.
        tag_link: The table linking records to tags and its record column,
            for lists whose records carry tags.
    """

    name: str
    table: Table
    columns: tuple[ListColumn, ...]
    default_sort: str
    search_terms: Callable[[str, str], list[str]] = field(
        default=lambda query, _region: words(query)
    )
    statuses: tuple[StatusFilter, ...] = ()
    tag_link: tuple[Table, str] | None = None

    def status_option(self, key: str) -> StatusOption:
        """Return the option a status key names, as "filter:option".

        Raises:
            KeyError: the list has no such status.
        """
        group, _, option = key.partition(":")
        for status in self.statuses:
            if status.key == group:
                for choice in status.options:
                    if choice.key == option:
                        return choice
        raise KeyError(key)

    def column(self, key: str) -> ListColumn:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def sortable(self) -> list[str]:
        return [c.key for c in self.columns if c.sort is not None]


@dataclass(frozen=True, slots=True)
class ListRequest:
    """Which rows to show: sort, search, trash and filters.

    Attributes:
        statuses: Status options that must all hold, each "filter:option".
        period: A created period (services/periods.py), "" for any time;
            `period_start` and `period_end` bound a "custom" one.
        region: The business's phone region; set from the settings.
        timezone: The business's zone days begin in; set from the settings.
    """

    sort: str = ""
    descending: bool = False
    search: str = ""
    trashed: bool = False
    owner_id: int | None = None
    tag_id: int | None = None
    statuses: tuple[str, ...] = ()
    period: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    region: str = "GB"
    timezone: str = "Europe/London"

    @property
    def is_filtered(self) -> bool:
        """Tell whether a filter (not the search or the trash) narrows it."""
        owner_or_tag = self.owner_id is not None or self.tag_id is not None
        return owner_or_tag or bool(self.statuses or self.period)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of a list: its id and version, the shown values, its key."""

    id: int
    version: int
    values: tuple[Any, ...]
    key: SortKey


def _sort_column(spec: ListSpec, request: ListRequest) -> ColumnElement[Any]:
    column = spec.column(request.sort or spec.default_sort)
    if column.sort is None:
        raise ValueError(f"the {spec.name} list cannot sort by {column.key}")
    return column.sort


def _filtered(
    spec: ListSpec,
    user: CurrentUser,
    request: ListRequest,
    dialect: str,
    search: ColumnElement[bool] | None = None,
    *,
    walk: bool = False,
    counting: bool = False,
) -> list[ColumnElement[bool]]:
    conditions = _live_filtered(spec, user, request, walk=walk, counting=counting)
    table = spec.table
    if search is None:
        terms = spec.search_terms(request.search, request.region)
        search = match_ids(table, terms, dialect) if terms else None
    if search is not None:
        conditions.append(search)
    return conditions


def _live_filtered(
    spec: ListSpec,
    user: CurrentUser,
    request: ListRequest,
    *,
    walk: bool,
    counting: bool = False,
) -> list[ColumnElement[bool]]:
    table = spec.table
    conditions: list[ColumnElement[bool]] = [
        table.c.deleted_at.is_not(None)
        if request.trashed
        else table.c.deleted_at.is_(None),
        visible_to(table, user),
    ]
    return conditions + _chosen_filters(spec, request, walk=walk, counting=counting)


def _chosen_filters(
    spec: ListSpec,
    request: ListRequest,
    *,
    walk: bool = False,
    counting: bool = False,
) -> list[ColumnElement[bool]]:
    """Return the filter bar's conditions; `walk` keeps SQLite off their indexes."""
    table = spec.table
    plain = _unindexed if walk else (lambda value: value)
    conditions: list[ColumnElement[bool]] = []
    if request.owner_id is not None:
        conditions.append(plain(owner_key(table)) == request.owner_id)
    if request.tag_id is not None:
        if spec.tag_link is None:
            raise ValueError(f"{spec.name} carry no tags")
        link, column = spec.tag_link
        tagged = exists().where(
            link.c[column] == table.c.id, link.c.tag_id == request.tag_id
        )
        conditions.append(tagged)
    for key in request.statuses:
        option = spec.status_option(key)
        counted = option.counted if counting else None
        conditions.append(option.condition if counted is None else counted)
    bounds = created_bounds(
        request.period,
        request.timezone,
        start=request.period_start,
        end=request.period_end,
    )
    if bounds is not None:
        created = plain(table.c.created_at)
        conditions.append(created >= bounds[0])
        conditions.append(created < bounds[1])
    return conditions


def _walks_sort_index(
    session: Session, user: CurrentUser, spec: ListSpec, request: ListRequest
) -> bool:
    """Tell whether a page should walk the sort index past a common filter.

    Only SQLite needs telling: PostgreSQL's planner weighs the filter's
    rows by its statistics. Counting up to COMMON_MATCHES costs a
    millisecond or two along the filter's own index.
    """
    indexed = request.owner_id is not None or bool(request.period)
    if session.get_bind().dialect.name != "sqlite" or not indexed:
        return False
    matches = (
        select(literal(1))
        .select_from(spec.table)
        .where(*_live_filtered(spec, user, request, walk=False))
        .limit(COMMON_MATCHES)
        .subquery()
    )
    found = session.scalar(select(func.count()).select_from(matches))
    return int(found or 0) >= COMMON_MATCHES


def _page_search(
    session: Session, spec: ListSpec, request: ListRequest
) -> ColumnElement[bool] | None:
    terms = spec.search_terms(request.search, request.region)
    # The trash is small and outside the full-text index on PostgreSQL; it
    # takes the plain match.
    if not terms or request.trashed:
        return None
    return page_match(session, spec.table, terms)


def _base_query(
    spec: ListSpec,
    user: CurrentUser,
    request: ListRequest,
    dialect: str,
    search: ColumnElement[bool] | None,
    *,
    walk: bool = False,
) -> Select[Any]:
    table = spec.table
    sort = _sort_column(spec, request)
    columns = [table.c.id, table.c.version, sort.label("sort_key")]
    columns += [c.value.label(f"col_{c.key}") for c in spec.columns]
    filters = _filtered(spec, user, request, dialect, search, walk=walk)
    return select(*columns).where(*filters)


def fetch_page(
    session: Session,
    user: CurrentUser,
    spec: ListSpec,
    request: ListRequest,
    *,
    after: SortKey | None = None,
    before: SortKey | None = None,
    offset: int = 0,
    from_end: bool = False,
    limit: int = 100,
) -> list[ListRow]:
    """Return up to `limit` rows in list order.

    Args:
        after: the key of the row just before the page (keyset, forwards).
        before: the key of the row just after the page (keyset, backwards).
        offset: rows to skip when neither key is given (slow deep down).
        from_end: count `offset` from the end of the list instead.
    """
    dialect = session.get_bind().dialect.name
    table = spec.table
    sort = _sort_column(spec, request)
    search = _page_search(session, spec, request)
    walk = _walks_sort_index(session, user, spec, request)
    query = _base_query(spec, user, request, dialect, search, walk=walk)
    backwards = before is not None or from_end
    # The direction rows are read in: list order, or its reverse when paging
    # back from `before` or from the end.
    descending = request.descending != backwards
    anchor = after if after is not None else before
    if anchor is not None:
        query = query.where(_beyond(sort, table, anchor, descending))
    order = (sort.desc(), table.c.id.desc()) if descending else (sort, table.c.id)
    query = query.order_by(*order).limit(limit)
    if anchor is None and offset:
        query = query.offset(offset)
    rows = [
        ListRow(r.id, r.version, tuple(r[3:]), (r.sort_key, r.id))
        for r in session.execute(query)
    ]
    if backwards:
        rows.reverse()
    return rows


def _beyond(
    sort: ColumnElement[Any], table: Table, key: SortKey, descending: bool
) -> ColumnElement[bool]:
    row_value = tuple_(sort, table.c.id)
    # The key's value is bound with the sort column's type, so a UTC time is
    # written the way the column stores it.
    value, row_id = key
    anchor = tuple_(literal(value, sort.type), literal(row_id))
    return row_value < anchor if descending else row_value > anchor


def count(
    session: Session, user: CurrentUser, spec: ListSpec, request: ListRequest
) -> int:
    """Return how many rows the list has with this search and filter."""
    dialect = session.get_bind().dialect.name
    query = select(func.count()).select_from(spec.table)
    query = query.where(*_filtered(spec, user, request, dialect, counting=True))
    return int(session.scalar(query) or 0)


def phone_aware_terms(region_default: str) -> Callable[[str, str], list[str]]:
    """Return a search-term builder that turns a phone number into digits."""
    from crm_desktop.services.phones import normalize_phone
    from crm_desktop.services.records_common import phone_forms

    def terms(query: str, region: str) -> list[str]:
        if not is_phone_like(query):
            return words(query)
        parsed = normalize_phone(query, region or region_default)
        if parsed.e164:
            return [parsed.e164.lstrip("+")]
        return phone_forms(query, None)[:1]

    return terms


def matching_ids(
    session: Session, user: CurrentUser, spec: ListSpec, request: ListRequest
) -> Select[tuple[int]]:
    """Return a query for the ids of every row the list shows, in no order.

    Bulk actions on "all rows of this list" run by it inside the database,
    so a million rows never pass through Python.
    """
    dialect = session.get_bind().dialect.name
    query = select(spec.table.c.id).where(*_filtered(spec, user, request, dialect))
    return query
