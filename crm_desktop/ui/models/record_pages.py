"""A list's rows as pages: loading them, and keeping a bounded window of them.

Plain Python, no Qt. `ListSource` runs on worker threads (each call opens
its own Session); `PageWindow` lives on the GUI thread inside the table
model and decides how each page is asked for and which pages to forget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.models import User
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import deals, settings
from crm_desktop.services.listing import (
    ListRequest,
    ListRow,
    ListSpec,
    SortKey,
    count,
    fetch_page,
)
from crm_desktop.ui.models.cells import CellFormatter, parse_locale

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
# 20 pages of 200 rows: what a screen shows, with room to scroll back and
# forth, and no more however long the list is.
MAX_PAGES = 20


@dataclass(frozen=True, slots=True)
class ShownRow:
    """One row as the list shows it: ids, its sort key and finished texts."""

    id: int
    version: int
    key: SortKey
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageQuery:
    """How to ask for one page: by a neighbour's key, or by a row offset."""

    after: SortKey | None = None
    before: SortKey | None = None
    offset: int = 0
    from_end: bool = False
    limit: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """What a refresh brings back: the row count and the first page."""

    request: ListRequest
    count: int
    formatter: CellFormatter
    first_page: list[ShownRow]
    # False: `count` is only the first page's length, and a full page says
    # that more rows follow; the exact count comes from ListSource.count.
    counted: bool = True


class QueryStop:
    """Stops the queries of a worker whose result is no longer wanted.

    The worker attaches its Session while it reads; stop(), called from the
    GUI thread, interrupts what runs on that connection (sqlite3's
    interrupt(), psycopg's cancel()) and any query it starts after. The
    worker then fails, and a stale failure is dropped as a stale result is.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._interrupt: Callable[[], None] | None = None
        self.stopped = False

    @contextmanager
    def attached(self, session: Session) -> Iterator[None]:
        """Let stop() interrupt this session's queries until the block ends."""
        bound = session.connection()
        connection = bound.connection.dbapi_connection
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            interrupt = connection.interrupt  # type: ignore[union-attr]
        else:
            cancel = connection.cancel_safe  # type: ignore[union-attr]

            def interrupt() -> None:
                # Cancelling asks the server over a connection of its own:
                # not on the GUI thread, which must not wait on the network.
                threading.Thread(target=cancel, name="crm-cancel", daemon=True).start()

        with self._lock:
            self._interrupt = interrupt
            if self.stopped:
                interrupt()
        try:
            yield
        finally:
            with self._lock:
                self._interrupt = None
                # NOTE: a cancel still on its way could stop whatever query
                # the pool's next user of this connection runs: drop it.
                if self.stopped and not sqlite:
                    bound.invalidate()

    def stop(self) -> None:
        """Interrupt the attached queries, now and from now on."""
        with self._lock:
            self.stopped = True
            if self._interrupt is not None:
                self._interrupt()


class ListSource:
    """Reads one list's count and pages; each call opens its own Session."""

    def __init__(self, database: Database, user: CurrentUser, spec: ListSpec) -> None:
        self._database = database
        self._user = user
        self._spec = spec
        self._kinds = tuple(c.kind for c in spec.columns)
        keys = [c.key for c in spec.columns]
        self._currency_index = keys.index("currency") if "currency" in keys else None

    def load_snapshot(
        self,
        request: ListRequest,
        page_size: int,
        *,
        counted: bool = True,
        stop: QueryStop | None = None,
    ) -> ListSnapshot:
        """Count the rows and read the first page (runs on a worker).

        Args:
            counted: False leaves out the count of a list longer than a
                page, which costs more than the page itself on a long list.
            stop: Lets the GUI thread interrupt the reading.
        """
        started = time.perf_counter()
        with self._database.session() as session, _attached(stop, session):
            business = settings.load(session)
            request = replace(
                request,
                region=business.default_region,
                timezone=business.timezone,
            )
            names = session.execute(select(User.id, User.username))
            users = {user_id: name for user_id, name in names}
            stages = {s.id: s.name for s in deals.stages(session)}
            formatter = CellFormatter(
                parse_locale(business.locale),
                region=business.default_region,
                users=users,
                stages=stages,
                currency=business.currency,
            )
            rows = fetch_page(session, self._user, self._spec, request, limit=page_size)
            # A first page short of full holds the whole list: no count.
            total: int | None = len(rows)
            if len(rows) >= page_size:
                total = self._count(session, request) if counted else None
        logger.debug(
            "%s: first page read in %.1f ms",
            self._spec.name,
            (time.perf_counter() - started) * 1000,
        )
        shown = self._shown(rows, formatter)
        if total is None:
            return ListSnapshot(request, len(rows), formatter, shown, counted=False)
        return ListSnapshot(request, total, formatter, shown)

    def count(self, request: ListRequest, stop: QueryStop | None = None) -> int:
        """Count the rows of a list (runs on a worker).

        `request` is a snapshot's, which carries the business's settings.
        """
        with self._database.session() as session, _attached(stop, session):
            return self._count(session, request)

    def _count(self, session: Session, request: ListRequest) -> int:
        started = time.perf_counter()
        total = count(session, self._user, self._spec, request)
        elapsed = (time.perf_counter() - started) * 1000
        logger.debug("%s: %d rows counted in %.1f ms", self._spec.name, total, elapsed)
        return total

    def load_page(
        self, request: ListRequest, formatter: CellFormatter, query: PageQuery
    ) -> list[ShownRow]:
        """Read one page of rows (runs on a worker)."""
        with self._database.session() as session:
            rows = fetch_page(
                session,
                self._user,
                self._spec,
                request,
                after=query.after,
                before=query.before,
                offset=query.offset,
                from_end=query.from_end,
                limit=query.limit,
            )
        return self._shown(rows, formatter)

    def _shown(self, rows: list[ListRow], formatter: CellFormatter) -> list[ShownRow]:
        index = self._currency_index
        return [
            ShownRow(
                row.id,
                row.version,
                row.key,
                formatter.row(
                    self._kinds,
                    row.values,
                    "" if index is None else str(row.values[index] or ""),
                ),
            )
            for row in rows
        ]


@contextmanager
def _attached(stop: QueryStop | None, session: Session) -> Iterator[None]:
    if stop is None:
        yield
        return
    with stop.attached(session):
        yield


class PageWindow:
    """The pages of a list held in memory, at most `max_pages` of them.

    Page k holds rows k*page_size up to the next page. A page is asked for
    by the key of a neighbouring page when one is held (cheap at any depth),
    counted from the end when it lies in the list's second half, and by
    OFFSET only when it is a jump into the first half.
    """

    def __init__(
        self, row_count: int, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES
    ) -> None:
        self.row_count = row_count
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: dict[int, list[ShownRow]] = {}

    def __len__(self) -> int:
        return len(self._pages)

    def __contains__(self, page: int) -> bool:
        return page in self._pages

    def page_of(self, row: int) -> int:
        return row // self.page_size

    def rows_of(self, page: int) -> range:
        """Return the row numbers page `page` covers."""
        first = page * self.page_size
        return range(first, min(first + self.page_size, self.row_count))

    def row(self, row: int) -> ShownRow | None:
        """Return a held row; None if its page is not held or came up short."""
        rows = self._pages.get(self.page_of(row))
        offset = row % self.page_size
        if rows is None or offset >= len(rows):
            return None
        return rows[offset]

    def plan(self, page: int) -> PageQuery:
        """Return the cheapest way to ask for a page, given the pages held."""
        rows = self.rows_of(page)
        size = len(rows)
        previous = self._pages.get(page - 1)
        following = self._pages.get(page + 1)
        if previous:
            return PageQuery(after=previous[-1].key, limit=size)
        if following:
            return PageQuery(before=following[0].key, limit=size)
        rows_after = self.row_count - rows.stop
        if rows_after < rows.start:
            return PageQuery(offset=rows_after, from_end=True, limit=size)
        return PageQuery(offset=rows.start, limit=size)

    def store(self, page: int, rows: list[ShownRow], focus: int) -> list[int]:
        """Hold a page, forgetting those farthest from `focus`; return those."""
        self._pages[page] = rows[: self.page_size]
        evicted: list[int] = []
        while len(self._pages) > self.max_pages:
            farthest = max(self._pages, key=lambda held: abs(held - focus))
            del self._pages[farthest]
            evicted.append(farthest)
        return evicted
