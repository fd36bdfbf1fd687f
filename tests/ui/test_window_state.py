"""Window state across restarts: size, last view, lists' widths and sort, splitters.

The autouse fixture in conftest.py points QSettings at tmp_path, so these
tests write a settings file of their own, never the user's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QLabel, QSplitter
from pytestqt.qtbot import QtBot

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.window_state import (
    APPLICATION,
    ORGANIZATION,
    remember_splitter,
)

WAIT_MS = 10_000


def open_window(qtbot: QtBot, database: Database, user: CurrentUser) -> MainWindow:
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.current_view().first_page_loaded, timeout=WAIT_MS):
        window.show()
    return window


def test_column_widths_sort_size_and_view_come_back_after_a_restart(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser, tmp_path: Path
) -> None:
    window = open_window(qtbot, ui_database, admin)
    window.resize(760, 620)  # the offscreen screen is 800x800
    view = window.current_view()
    header = view.table.horizontalHeader()
    company = view.model.spec.columns.index(view.model.spec.column("company"))
    # A click on the Company header sorts by it, as a user does.
    x = header.sectionViewportPosition(company) + header.sectionSize(company) // 2
    with qtbot.waitSignal(view.first_page_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    header.resizeSection(company, 233)
    window.show_view("companies")
    height = window.height()
    window.close()

    settings_file = QSettings(ORGANIZATION, APPLICATION).fileName()
    assert Path(settings_file).is_relative_to(tmp_path)
    reopened = MainWindow(ui_database, admin)
    qtbot.addWidget(reopened)
    contacts = reopened.views["contacts"]

    assert reopened.current_view_name() == "companies"
    # Only the height: the offscreen screen is 800 wide, narrower than the
    # window's least width, so Qt clamps the width it restores.
    assert reopened.height() == height == 620
    assert contacts.model.request.sort == "company"
    assert not contacts.model.request.descending
    assert contacts.table.horizontalHeader().sectionSize(company) == 233
    indicator = contacts.table.horizontalHeader().sortIndicatorSection()
    assert indicator == company


def test_a_list_the_user_never_sized_keeps_fitting_the_window(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    window.close()

    reopened = MainWindow(ui_database, admin)
    qtbot.addWidget(reopened)

    assert not reopened.views["contacts"].table.column_fitter.user_sized
    assert reopened.views["contacts"].model.request.sort == "name"


def _splitter(qtbot: QtBot) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Horizontal)
    qtbot.addWidget(splitter)
    splitter.addWidget(QLabel("details"))
    splitter.addWidget(QLabel("timeline"))
    remember_splitter(splitter, "test_page")
    splitter.resize(600, 300)
    splitter.show()
    qtbot.waitExposed(splitter)
    return splitter


def test_a_splitter_dragged_by_the_user_comes_back_at_that_place(
    qtbot: QtBot,
) -> None:
    splitter = _splitter(qtbot)
    handle = splitter.handle(1)
    middle = handle.rect().center()
    left_before = splitter.sizes()[0]

    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(-120, 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(-120, 0))
    dragged = splitter.sizes()
    splitter.close()

    assert dragged[0] < left_before - 60
    assert _splitter(qtbot).sizes() == dragged
