"""The main window and run_gui: views, status bar, trash, screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.app import run_gui
from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.errors import ServiceError
from crm_desktop.ui.list_view import RecordListView
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.models.record_pages import ListSource


def open_window(qtbot: QtBot, database: Database, user: CurrentUser) -> MainWindow:
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    view = window.current_view()
    with qtbot.waitSignal(view.first_page_loaded, timeout=10_000):
        window.show()
    return window


def test_status_bar_shows_database_user_and_row_count(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)

    assert window.current_view().record_screen.name == "contacts"
    assert window.count_label.text() == "300 contacts"
    assert window.user_label.text() == "admin (Administrator)"
    assert window.database_label.text() == ui_database.description


def test_view_menu_switches_lists_and_the_last_one_is_remembered(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    deals_action = next(
        a for a in window._view_actions.actions() if a.data() == "deals"
    )

    with qtbot.waitSignal(window.views["deals"].first_page_loaded, timeout=10_000):
        deals_action.trigger()
    window.close()

    assert window.count_label.text() == "0 deals"
    assert deals_action.shortcut().toString() == "Ctrl+3"
    assert MainWindow(ui_database, admin).current_view().record_screen.name == "deals"


def test_trash_and_restore_from_the_list(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes
    )
    window = open_window(qtbot, ui_database, admin)
    view: RecordListView = window.current_view()
    first_name = view.model.index(0, 0).data()

    view.table.selectRow(0)
    with qtbot.waitSignal(view.rows_counted, timeout=10_000) as counted:
        view.trash_action.trigger()
    assert counted.args == [299]

    with qtbot.waitSignal(view.rows_counted, timeout=10_000) as counted:
        view.show_trash_action.setChecked(True)
    assert counted.args == [1]
    assert view.model.index(0, 0).data() == first_name
    assert window.count_label.text() == "1 contact in the trash"

    view.table.selectRow(0)
    with qtbot.waitSignal(view.rows_counted, timeout=10_000) as counted:
        view.restore_action.trigger()
    assert counted.args == [0]
    assert view.empty_label.isVisible()


def test_typing_in_the_search_box_narrows_the_list(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    view = window.current_view()

    with qtbot.waitSignal(view.rows_counted, timeout=10_000) as counted:
        qtbot.keyClicks(view.search, "kofi okafor")

    assert counted.args == [1]
    assert view.model.index(0, 0).data() == "Kofi Okafor"
    assert window.count_label.text() == "1 contact"


def test_run_gui_saves_a_screenshot_of_the_loaded_list(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.png"

    code = run_gui(ui_database, user=admin, view="contacts", screenshot=path)

    assert code == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 8


def test_run_gui_fails_when_the_list_cannot_be_read(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*_args: object, **_options: object) -> None:
        raise ServiceError("The database went away.")

    monkeypatch.setattr(ListSource, "load_snapshot", broken)

    code = run_gui(ui_database, user=admin, screenshot=tmp_path / "none.png")

    assert code == 1
    assert "The database went away." in capsys.readouterr().err
    assert not (tmp_path / "none.png").exists()
