"""RecordTableModel: a list of records, lazily paged in from the database.

The first page comes first and the row count right after it; other rows
are fetched a page at a time, on worker threads, as the view asks for them,
and only pages near what is on screen are kept. A million-row list
therefore costs a few thousand rows of memory and never a query on the GUI
thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QPalette

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.listing import ListRequest, ListSpec
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.models.cells import NUMERIC_KINDS, CellFormatter, parse_locale
from crm_desktop.ui.models.record_pages import (
    MAX_PAGES,
    PAGE_SIZE,
    ListSnapshot,
    ListSource,
    PageWindow,
    QueryStop,
    ShownRow,
)
from crm_desktop.ui.workers import Generation, dedicated_pool, run_in_background

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

PLACEHOLDER = "…"
DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
ID_ROLE = int(Qt.ItemDataRole.UserRole)
VERSION_ROLE = ID_ROLE + 1
_ANSWERED_ROLES = frozenset(
    (DISPLAY_ROLE, ALIGNMENT_ROLE, FOREGROUND_ROLE, ID_ROLE, VERSION_ROLE)
)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_VERTICAL_CENTER = Qt.AlignmentFlag.AlignVCenter
# Pages fetched at once; more would only queue behind each other while the
# user drags the scroll bar past them.
MAX_IN_FLIGHT = 2
# Counts run one at a time on a thread of their own: a count of a million
# rows still running for an old search must not hold up the new search's
# first page. One that went stale while it waited is not started.
COUNT_POOL = "list-counts"


@dataclass(frozen=True, slots=True)
class InPlaceLoad:
    """What a reload in place brings back: the count and some fresh pages."""

    snapshot: ListSnapshot
    pages: dict[int, list[ShownRow]]


def load_in_place(
    source: ListSource,
    request: ListRequest,
    held: dict[int, list[ShownRow]],
    pages: list[int],
    *,
    page_size: int,
    max_pages: int,
) -> InPlaceLoad:
    """Count the list and read the first page and `pages` again (on a worker).

    `held` has the pages around them as they were: a page is read by the key
    of the row before it, as scrolling would read it, so a page deep in a
    long list costs no OFFSET.
    """
    snapshot = source.load_snapshot(request, page_size)
    planner = PageWindow(snapshot.count, page_size, max_pages)
    for page, rows in held.items():
        planner.store(page, rows, focus=page)
    planner.store(0, snapshot.first_page, focus=0)
    fresh = {0: snapshot.first_page}
    for page in sorted(pages):
        if page == 0 or not planner.rows_of(page):
            continue
        query = planner.plan(page)
        rows = source.load_page(snapshot.request, snapshot.formatter, query)
        planner.store(page, rows, focus=page)
        fresh[page] = rows
    return InPlaceLoad(snapshot, fresh)


class RecordTableModel(QAbstractTableModel):
    """The rows of one list (contacts, deals...), sorted and searched in SQL.

    Signals:
        rows_counted: The list was (re)counted; carries the row count.
        first_page_loaded: A refresh landed: its first page is shown and
            the list is counted. On a list longer than a page the rows are
            shown (a model reset) before the count comes.
        page_loaded: A page of rows arrived; carries its page number.
        load_failed: A refresh failed; carries the reason.
        rows_reloaded: A reload in place (reload_in_place) landed.
    """

    rows_counted = Signal(int)
    first_page_loaded = Signal()
    page_loaded = Signal(int)
    load_failed = Signal(str)
    rows_reloaded = Signal()

    def __init__(
        self,
        spec: ListSpec,
        database: Database,
        user: CurrentUser,
        parent: QObject | None = None,
        *,
        request: ListRequest | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(parent)
        self._spec = spec
        self._source = ListSource(database, user, spec)
        self._kinds = tuple(c.kind for c in spec.columns)
        self._alignments = tuple(_alignment(kind) for kind in self._kinds)
        self._wanted_request = request or ListRequest(sort=spec.default_sort)
        self._request = self._wanted_request
        self._formatter = CellFormatter(parse_locale("en_GB"))
        self._window = PageWindow(0, page_size, max_pages)
        self._loaded = False
        self._refreshes = Generation()
        self._resets = Generation()
        self._wanted_pages: set[int] = set()
        self._in_flight: set[int] = set()
        self._failed_pages: set[int] = set()
        self._focus_page = 0
        self._stops: list[QueryStop] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

    @property
    def spec(self) -> ListSpec:
        return self._spec

    @property
    def request(self) -> ListRequest:
        """The search, sort and trash filter the shown rows were fetched with."""
        return self._request

    @property
    def is_loaded(self) -> bool:
        """Tell whether a refresh has landed since the last change of filter."""
        return self._loaded

    @property
    def cached_pages(self) -> int:
        return len(self._window)

    @property
    def formatter(self) -> CellFormatter:
        return self._formatter

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._window.row_count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._spec.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._spec.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._spec.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignments[section]
        return None

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        # NOTE: a view asks for a dozen roles of each cell it paints, so this
        # runs thousands of times a frame: roles left to the style go first,
        # plain ints stand for Qt's enums, and the row is looked up once.
        if role not in _ANSWERED_ROLES:
            return None
        row = index.row()
        if row < 0:
            return None
        column = index.column()
        if role == ALIGNMENT_ROLE:
            return self._alignments[column]
        shown = self._window.row(row)
        if role == DISPLAY_ROLE:
            if shown is not None:
                return shown.texts[column]
            return self._missing_text(row, column)
        if role == FOREGROUND_ROLE:
            if shown is not None:
                return None
            palette = QGuiApplication.palette()
            return palette.color(QPalette.ColorRole.PlaceholderText)
        if shown is None:
            return None
        return shown.id if role == ID_ROLE else shown.version

    def flags(self, index: Index) -> Qt.ItemFlag:
        row = index.row()
        if row < 0:
            return Qt.ItemFlag.NoItemFlags
        if self._failed_pages and self._window.page_of(row) in self._failed_pages:
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        """Sort in the database by a column that has a sort expression.

        Columns without one (nothing indexed to sort them by) are ignored.
        """
        if not 0 <= column < len(self._spec.columns):
            return
        spec_column = self._spec.columns[column]
        if spec_column.sort is None:
            logger.debug("%s cannot sort by %s", self._spec.name, spec_column.key)
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self._change(sort=spec_column.key, descending=descending)

    def sort_column(self) -> int:
        """Return the column the wanted sort is on."""
        keys = [c.key for c in self._spec.columns]
        return keys.index(self._wanted_request.sort or self._spec.default_sort)

    def sort_order(self) -> Qt.SortOrder:
        """Return the order of the wanted sort."""
        if self._wanted_request.descending:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    def set_search(self, text: str) -> None:
        """Show only rows matching a search (words or a phone number)."""
        self._change(search=text.strip())

    def set_filters(self, **filters: Any) -> None:
        """Narrow or sort the list: any ListRequest fields (owner_id, tag_id...)."""
        self._change(**filters)

    def set_trashed(self, trashed: bool) -> None:
        """Show the trash instead of the live rows, or back."""
        self._change(trashed=trashed)

    def refresh(self) -> None:
        """Read the list again; the rows shown stay until it lands.

        The first page is shown as soon as it is read; on a list longer than
        a page the count follows from another worker, and only then are
        rows_counted and first_page_loaded emitted.
        """
        request = self._wanted_request
        source = self._source
        page_size = self._window.page_size
        self._refreshes.bump()
        stop = self._stop_reads()
        run_in_background(
            lambda: source.load_snapshot(request, page_size, counted=False, stop=stop),
            self._apply_snapshot,
            self._fail_refresh,
            context=self,
            generation=self._refreshes,
        )

    def reload_in_place(self, rows: Iterable[int] = ()) -> None:
        """Read the list again where it stands, after a change made elsewhere.

        Nothing is reset, unlike refresh(): the count, the first page and
        the pages holding `rows` (those on screen, the selected one) are
        read again; rows keep their place and a selected record stays
        selected when it is among them. Other pages load again when shown.
        """
        if not self._loaded:
            # A refresh is on its way; start it again, as it may have read
            # the list before the change.
            if self._refreshes.current:
                self.refresh()
            return
        window = self._window
        pages = {window.page_of(r) for r in rows if 0 <= r < window.row_count}
        around = {p + step for p in pages for step in (-1, 0, 1)}
        held = {p: self._page_rows(p) for p in around if p in window}
        source, request = self._source, self._wanted_request
        size, most = window.page_size, window.max_pages
        self._refreshes.bump()
        run_in_background(
            lambda: load_in_place(
                source, request, held, sorted(pages), page_size=size, max_pages=most
            ),
            self._apply_in_place,
            self._fail_reload,
            context=self,
            generation=self._refreshes,
        )

    def row_id(self, row: int) -> int | None:
        shown = self._window.row(row)
        return None if shown is None else shown.id

    def row_of(self, record_id: int) -> int | None:
        """Return the row a record is on, if its page is loaded."""
        window = self._window
        for page in range(window.page_of(window.row_count) + 1):
            if page not in window:
                continue
            for row in window.rows_of(page):
                shown = window.row(row)
                if shown is not None and shown.id == record_id:
                    return row
        return None

    def row_version(self, row: int) -> int | None:
        shown = self._window.row(row)
        return None if shown is None else shown.version

    def column_kind(self, column: int) -> str:
        return self._kinds[column]

    def _change(self, **changes: Any) -> None:
        wanted = replace(self._wanted_request, **changes)
        if wanted == self._wanted_request:
            return
        self._wanted_request = wanted
        self._loaded = False
        self.refresh()

    def _missing_text(self, row: int, column: int) -> str:
        page = self._window.page_of(row)
        if page in self._window or page in self._failed_pages:
            # The page came back shorter than counted: rows went meanwhile.
            return ""
        self._want(page)
        return PLACEHOLDER if column == 0 else ""

    def _want(self, page: int) -> None:
        self._focus_page = page
        if page in self._in_flight or page in self._wanted_pages:
            return
        self._wanted_pages.add(page)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _on_flush_timer_timeout(self) -> None:
        focus = self._focus_page
        reach = max(2, self._window.max_pages // 4)
        # Pages wanted while the user scrolled past them are no longer shown.
        self._wanted_pages = {
            page
            for page in self._wanted_pages
            if abs(page - focus) <= reach and page not in self._window
        }
        for page in sorted(self._wanted_pages, key=lambda p: abs(p - focus)):
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                break
            self._wanted_pages.discard(page)
            self._fetch(page)

    def _fetch(self, page: int) -> None:
        source, request = self._source, self._request
        formatter = self._formatter
        query = self._window.plan(page)
        self._in_flight.add(page)
        logger.debug("%s: fetching page %d by %s", self._spec.name, page, query)
        run_in_background(
            lambda: source.load_page(request, formatter, query),
            lambda rows: self._store_page(page, rows),
            lambda error: self._fail_page(page, error),
            context=self,
            generation=self._resets,
        )

    def _apply_snapshot(self, snapshot: ListSnapshot) -> None:
        count = snapshot.count
        if not snapshot.counted and snapshot.request == self._request:
            # The same list read again keeps its length until it is counted,
            # so that the view keeps its place.
            count = max(count, self._window.row_count)
        self.beginResetModel()
        self._resets.bump()
        self._request = snapshot.request
        self._formatter = snapshot.formatter
        page_size, max_pages = self._window.page_size, self._window.max_pages
        self._window = PageWindow(count, page_size, max_pages)
        self._window.store(0, snapshot.first_page, focus=0)
        self._wanted_pages.clear()
        self._in_flight.clear()
        self._failed_pages.clear()
        self._loaded = True
        self.endResetModel()
        if snapshot.counted:
            self.rows_counted.emit(snapshot.count)
            self.first_page_loaded.emit()
        else:
            self._count(snapshot.request)

    def _stop_reads(self) -> QueryStop:
        # What an earlier refresh still reads (a search overtaken by the next
        # key, its count) would only keep the new one waiting for the CPU.
        for stop in self._stops:
            stop.stop()
        self._stops = [QueryStop()]
        return self._stops[0]

    def _count(self, request: ListRequest) -> None:
        source = self._source
        stop = QueryStop()
        self._stops.append(stop)
        run_in_background(
            lambda: source.count(request, stop),
            self._apply_count,
            self._fail_refresh,
            context=self,
            generation=self._refreshes,
            pool=dedicated_pool(COUNT_POOL),
        )

    def _apply_count(self, total: int) -> None:
        # Until now the list had as many rows as its first page.
        shown = self._window.row_count
        if total > shown:
            self.beginInsertRows(QModelIndex(), shown, total - 1)
            self._window.row_count = total
            self.endInsertRows()
        elif total < shown:
            self.beginRemoveRows(QModelIndex(), total, shown - 1)
            self._window.row_count = total
            self.endRemoveRows()
        self.rows_counted.emit(total)
        self.first_page_loaded.emit()

    def _page_rows(self, page: int) -> list[ShownRow]:
        rows = (self._window.row(row) for row in self._window.rows_of(page))
        return [shown for shown in rows if shown is not None]

    def _apply_in_place(self, load: InPlaceLoad) -> None:
        snapshot = load.snapshot
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self.row_id(index.row()) for index in before]
        self._resets.bump()
        self._request = snapshot.request
        self._formatter = snapshot.formatter
        page_size, max_pages = self._window.page_size, self._window.max_pages
        self._window = PageWindow(snapshot.count, page_size, max_pages)
        places: dict[int, int] = {}
        for page, rows in load.pages.items():
            self._window.store(page, rows, focus=page)
            first = page * page_size
            places.update((row.id, first + n) for n, row in enumerate(rows))
        self._wanted_pages.clear()
        self._in_flight.clear()
        self._failed_pages.clear()
        after = [
            self._moved(index, record_id, places)
            for index, record_id in zip(before, ids, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        self.rows_counted.emit(snapshot.count)
        self.rows_reloaded.emit()

    def _moved(
        self, index: QModelIndex, record_id: int | None, places: dict[int, int]
    ) -> QModelIndex:
        # A record read again goes where it now is; a record no longer among
        # the rows read loses its index (a selection must not pass to the
        # record that took its place); a row not yet loaded stays put.
        if record_id is not None:
            row = places.get(record_id)
            return QModelIndex() if row is None else self.index(row, index.column())
        if index.row() < self._window.row_count:
            return self.index(index.row(), index.column())
        return QModelIndex()

    def _fail_reload(self, error: BaseException) -> None:
        # Nobody asked for this reload: the rows shown stay, and the next
        # change or refresh tries again.
        logger.warning("%s could not be read again: %s", self._spec.name, error)

    def _fail_refresh(self, error: BaseException) -> None:
        self.load_failed.emit(str(error))
        show_error(None, error)

    def _store_page(self, page: int, rows: list[ShownRow]) -> None:
        self._in_flight.discard(page)
        self._window.store(page, rows, focus=self._focus_page)
        span = self._window.rows_of(page)
        if page in self._window and span:
            last_column = self.columnCount() - 1
            top_left = self.index(span.start, 0)
            self.dataChanged.emit(top_left, self.index(span.stop - 1, last_column))
        self.page_loaded.emit(page)
        if self._wanted_pages and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _fail_page(self, page: int, error: BaseException) -> None:
        self._in_flight.discard(page)
        self._failed_pages.add(page)
        span = self._window.rows_of(page)
        if span:
            last_column = self.columnCount() - 1
            top_left = self.index(span.start, 0)
            self.dataChanged.emit(top_left, self.index(span.stop - 1, last_column))
        show_error(None, error)


def _alignment(kind: str) -> int:
    if kind in NUMERIC_KINDS:
        return int(Qt.AlignmentFlag.AlignRight | _VERTICAL_CENTER)
    return int(Qt.AlignmentFlag.AlignLeft | _VERTICAL_CENTER)
