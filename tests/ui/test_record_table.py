"""RecordTableModel: lazy keyset pages, a bounded cache, sorting and search."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crm_desktop.db.database import Database
from crm_desktop.db.search import sort_key
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.listing import ListRequest
from crm_desktop.services.lists import ACTIVITIES, CONTACTS
from crm_desktop.ui.models.record_pages import (
    ListSource,
    PageQuery,
    PageWindow,
    QueryStop,
    ShownRow,
)
from crm_desktop.ui.models.record_table import (
    ID_ROLE,
    PLACEHOLDER,
    VERSION_ROLE,
    RecordTableModel,
)
from crm_desktop.ui.widgets.record_table_view import RecordTableView

from .conftest import contact_names


def loaded_model(
    qtbot: QtBot, database: Database, user: CurrentUser, **options: int
) -> RecordTableModel:
    model = RecordTableModel(CONTACTS, database, user, **options)
    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.refresh()
    return model


def display_names(count: int) -> list[str]:
    return [f"{given} {family}" for given, family in contact_names(count)]


def test_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin, page_size=50)

    qtmodeltester.check(model)  # type: ignore[attr-defined]
    # The tester stays attached: a page load and a reset must also pass it.
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.data(model.index(120, 0))
    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.sort(0, Qt.SortOrder.DescendingOrder)

    assert model.rowCount() == 300
    assert model.columnCount() == len(CONTACTS.columns)


def test_first_page_shows_rows_with_id_and_version(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin)

    first = min(display_names(300), key=sort_key)
    index = model.index(0, 0)
    assert model.data(index) == first
    assert isinstance(model.data(index, ID_ROLE), int)
    assert model.data(index, VERSION_ROLE) == 1
    assert model.data(model.index(0, 1)) == "Acme Ltd"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"


def test_unfetched_row_shows_a_placeholder_then_its_data(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin, page_size=50)
    index = model.index(260, 0)

    assert model.data(index) == PLACEHOLDER
    with qtbot.waitSignal(model.dataChanged, timeout=10_000):
        pass

    expected = sorted(display_names(300), key=sort_key)[260]
    assert model.data(index) == expected


def test_scrolling_to_the_end_fills_rows_and_the_cache_stays_bounded(
    qtbot: QtBot, big_database: Database, big_admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, big_database, big_admin, page_size=50, max_pages=6)
    view = RecordTableView(model)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    names = sorted(display_names(1200), key=sort_key)
    last = model.rowCount() - 1

    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.row_id(last) is not None, timeout=10_000)
    assert model.data(model.index(last, 0)) == names[-1]

    for row in range(last, 0, -137):
        view.scrollTo(model.index(row, 0))
        qtbot.waitUntil(lambda row=row: model.row_id(row) is not None)
        assert model.data(model.index(row, 0)) == names[row]
        assert model.cached_pages <= 6
    assert model.rowCount() == 1200


def test_sorting_by_name_descending_puts_the_last_name_first(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin)

    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.sort(0, Qt.SortOrder.DescendingOrder)

    assert model.data(model.index(0, 0)) == max(display_names(300), key=sort_key)
    assert model.request.descending


def test_sorting_by_a_column_without_an_index_is_ignored(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    # Whom an activity is about is looked up per row: nothing indexes it.
    model = RecordTableModel(ACTIVITIES, ui_database, admin)
    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.refresh()
    regarding = [c.key for c in ACTIVITIES.columns].index("regarding")

    with qtbot.assertNotEmitted(model.first_page_loaded, wait=100):
        model.sort(regarding, Qt.SortOrder.DescendingOrder)

    assert model.request.sort == "updated"


def test_search_narrows_the_rows(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin)

    with qtbot.waitSignal(model.rows_counted, timeout=10_000) as counted:
        model.set_search("chloe larsen")

    assert counted.args == [1]
    assert model.data(model.index(0, 0)) == "Chloé Larsen"


def test_a_newer_search_wins_over_an_older_one(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin)
    chloes = sum(name.startswith("Chloé") for name in display_names(300))

    model.set_search("ada")
    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.set_search("chlo")

    assert model.rowCount() == chloes
    assert model.request.search == "chlo"


def test_trash_filter_shows_no_rows_on_a_fresh_database(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, ui_database, admin)

    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.set_trashed(True)

    assert model.rowCount() == 0


def _rows(page: int, size: int = 10) -> list[ShownRow]:
    first = page * size
    return [
        ShownRow(first + n, 1, (f"k{first + n:04}", first + n), ("x",))
        for n in range(size)
    ]


@pytest.mark.parametrize(
    ("held", "page", "expected"),
    [
        ([3], 4, PageQuery(after=("k0039", 39), limit=10)),
        ([5], 4, PageQuery(before=("k0050", 50), limit=10)),
        ([], 2, PageQuery(offset=20, limit=10)),
        ([], 8, PageQuery(offset=5, from_end=True, limit=10)),
        ([], 9, PageQuery(offset=0, from_end=True, limit=5)),
    ],
)
def test_page_window_asks_for_a_page_the_cheapest_way(
    held: list[int], page: int, expected: PageQuery
) -> None:
    window = PageWindow(95, page_size=10, max_pages=5)
    for number in held:
        window.store(number, _rows(number), focus=number)

    assert window.plan(page) == expected


def test_page_window_forgets_the_pages_farthest_from_the_view() -> None:
    window = PageWindow(1000, page_size=10, max_pages=3)

    for page in (0, 1, 2, 50):
        window.store(page, _rows(page), focus=page)

    assert len(window) == 3
    assert 0 not in window
    assert 50 in window
    assert window.row(505) is not None
    assert window.row(5) is None


def test_a_long_list_shows_its_first_page_before_it_is_counted(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    model = RecordTableModel(CONTACTS, ui_database, admin, page_size=50)
    first = min(display_names(300), key=sort_key)

    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        model.refresh()
    # The rows are there; the count has not come yet.
    assert model.rowCount() == 50
    assert model.data(model.index(0, 0)) == first

    with qtbot.waitSignal(model.rows_counted, timeout=10_000) as counted:
        pass
    assert counted.args == [300]
    assert model.rowCount() == 300
    assert model.data(model.index(0, 0)) == first


@pytest.mark.parametrize(
    ("page_size", "counted", "count"),
    [(50, False, 50), (300, False, 300), (301, True, 300), (500, True, 300)],
)
def test_a_snapshot_counts_only_a_list_longer_than_its_first_page(
    ui_database: Database, admin: CurrentUser, page_size: int, counted: bool, count: int
) -> None:
    source = ListSource(ui_database, admin, CONTACTS)
    request = ListRequest(sort="name")

    snapshot = source.load_snapshot(request, page_size, counted=False)

    assert (snapshot.counted, snapshot.count) == (counted, count)
    assert len(snapshot.first_page) == min(page_size, 300)
    assert source.count(snapshot.request) == 300
    assert source.load_snapshot(request, page_size).count == 300


def test_a_new_search_starts_at_the_top_and_a_refresh_keeps_the_place(
    qtbot: QtBot, big_database: Database, big_admin: CurrentUser
) -> None:
    model = loaded_model(qtbot, big_database, big_admin, page_size=50)
    view = RecordTableView(model)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    bar = view.verticalScrollBar()
    view.scrollToBottom()
    bottom = bar.value()
    assert bottom > 0

    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.refresh()
    assert bar.value() == bottom

    with qtbot.waitSignal(model.first_page_loaded, timeout=10_000):
        model.set_search("schmidt")
    assert model.rowCount() > 20
    assert bar.value() == 0


SLOW_QUERIES = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
    "WHERE x < 500000000) SELECT count(*) FROM n",
    "postgresql": "SELECT pg_sleep(60)",
}


def test_a_query_stop_interrupts_a_running_query(
    ui_database: Database, admin: CurrentUser
) -> None:
    stop = QueryStop()
    failures: list[BaseException] = []

    def read() -> None:
        with ui_database.session() as session, stop.attached(session):
            try:
                session.execute(text(SLOW_QUERIES[ui_database.backend]))
            except OperationalError as exc:
                failures.append(exc)

    worker = threading.Thread(target=read)
    started = time.perf_counter()
    worker.start()
    # The query may not have begun at the first stop; stop() also stops
    # what starts after it, and is repeated until the reader gives up.
    while worker.is_alive() and time.perf_counter() - started < 20:
        stop.stop()
        worker.join(0.05)

    assert not worker.is_alive()
    assert time.perf_counter() - started < 10
    assert len(failures) == 1
