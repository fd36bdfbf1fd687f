"""The main window's keys, pressed for real on both back-ends: one meaning each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.ui.forms.activity import ActivityDialog
from crm_desktop.ui.forms.base import RecordDialog
from crm_desktop.ui.forms.company import CompanyDialog
from crm_desktop.ui.forms.contact import ContactDialog
from crm_desktop.ui.forms.deal import DealDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.pages.company_page import CompanyPage

WAIT_MS = 10_000
CTRL = Qt.KeyboardModifier.ControlModifier


def open_window(qtbot: QtBot, database: Database, user: CurrentUser) -> MainWindow:
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.current_view().first_page_loaded, timeout=WAIT_MS):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    return window


def reactivate(qtbot: QtBot, window: MainWindow) -> None:
    """Give the window the focus back after a dialog closed.

    The offscreen platform has no window manager to do it, as a desktop does.
    """
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def wait_for_dialog(qtbot: QtBot, kind: type[QDialog]) -> QDialog:
    """Wait until a dialog of `kind` is the active modal window; return it."""

    def shown() -> bool:
        return isinstance(QApplication.activeModalWidget(), kind)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, kind)
    return dialog


def answer_later(answer: Callable[[QWidget], None]) -> None:
    """Answer the next modal dialog once it runs its own event loop."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, poll)
            return
        answer(dialog)

    QTimer.singleShot(0, poll)


def _window_keys(window: MainWindow) -> list[tuple[str, Qt.ShortcutContext, str]]:
    """Every key sequence the window and its children listen to, with owner."""
    keys = []
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys.append((sequence.toString(), action.shortcutContext(), action.text()))
    for shortcut in window.findChildren(QShortcut):
        sequences = shortcut.keys()  # noqa: SIM118 (a QShortcut, not a dict)
        for sequence in sequences:
            keys.append((sequence.toString(), shortcut.context(), "QShortcut"))
    return keys


def test_no_key_sequence_means_two_things_in_the_window(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)

    keys = _window_keys(window)
    seen: dict[tuple[str, Qt.ShortcutContext], str] = {}
    clashes = []
    for sequence, context, owner in keys:
        if (sequence, context) in seen:
            clashes.append(f"{sequence}: {seen[sequence, context]} and {owner}")
        seen[sequence, context] = owner
    # A window-wide key also clashes with the same key on any child.
    window_wide = {s for s, c, _o in keys if c == Qt.ShortcutContext.WindowShortcut}
    narrower = [
        f"{s}: {o}" for s, c, o in keys if c != Qt.ShortcutContext.WindowShortcut
    ]

    assert clashes == []
    assert [n for n in narrower if n.split(":")[0] in window_wide] == []
    expected = {
        "Ctrl+N": "&New…",
        "Ctrl+K": "&Find…",
        "Ctrl+F": "Find in &List",
        "Return": "&Open",
        "Del": "Move to &Trash…",
        "F5": "&Refresh",
        "Ctrl+5": "Pipeline",
        "Ctrl+6": "Tasks",
        "Ctrl+7": "Trash",
    }
    shown = {s: o for s, _c, o in keys}
    assert {key: shown.get(key) for key in expected} == expected
    assert [shown[f"Ctrl+{n}"] for n in range(1, 5)] == [
        "Contacts",
        "Companies",
        "Deals",
        "Activities",
    ]


def test_menus_show_the_keys(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)

    menus = {
        menu.title(): [
            (a.text(), a.shortcut().toString())
            for a in menu.actions()
            if not a.isSeparator()
        ]
        for menu in (a.menu() for a in window.menuBar().actions())
        if menu is not None
    }

    assert menus["&File"][0] == ("&New…", "Ctrl+N")
    assert menus["&Edit"][:2] == [("&Open", "Return"), ("Move to &Trash…", "Del")]
    assert ("Find in &List", "Ctrl+F") in menus["&Edit"]
    assert menus["&View"][-1] == ("&Refresh", "F5")


@pytest.mark.parametrize(
    ("view", "kind"),
    [
        ("contacts", ContactDialog),
        ("companies", CompanyDialog),
        ("deals", DealDialog),
        ("activities", ActivityDialog),
        ("board", DealDialog),
        ("tasks", ActivityDialog),
    ],
)
def test_ctrl_n_opens_a_new_record_of_the_view_in_front(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    view: str,
    kind: type[RecordDialog],
) -> None:
    window = open_window(qtbot, ui_database, admin)
    window.show_view(view)

    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_N, CTRL)
    dialog = wait_for_dialog(qtbot, kind)

    expected = "New task" if view == "tasks" else f"New {kind.__name__[:-6].lower()}"
    assert dialog.windowTitle() == expected
    if view == "tasks":
        assert isinstance(dialog, ActivityDialog)
        assert dialog.kind.currentData() == "task"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_ctrl_s_saves_the_form_and_enter_opens_the_record(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    view = window.views["companies"]
    with qtbot.waitSignal(view.first_page_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.current_view().table, Qt.Key.Key_2, CTRL)

    qtbot.keyClick(view.table, Qt.Key.Key_N, CTRL)
    dialog = wait_for_dialog(qtbot, CompanyDialog)
    assert isinstance(dialog, CompanyDialog)
    qtbot.keyClicks(dialog.edits["name"], "Keyboard Works Ltd")
    qtbot.keyClick(dialog.edits["name"], Qt.Key.Key_S, CTRL)

    # The list reads itself again after the save (or on the change feed).
    qtbot.waitUntil(lambda: view.model.row_id(0) is not None, timeout=WAIT_MS)
    assert view.row_count == 1
    assert QApplication.activeModalWidget() is None
    reactivate(qtbot, window)
    view.table.setFocus()
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(CompanyPage) is not None, timeout=WAIT_MS)
    page = window.findChild(CompanyPage)
    assert isinstance(page, CompanyPage)
    qtbot.waitUntil(lambda: page.is_loaded, timeout=WAIT_MS)
    assert page.title_label.text() == "Keyboard Works Ltd"
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.findChild(CompanyPage) is None, timeout=WAIT_MS)


def test_delete_asks_then_moves_the_selected_row_to_the_trash(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    view = window.current_view()
    first = view.model.index(0, 0).data()
    view.table.setFocus()
    view.table.selectRow(0)
    questions: list[str] = []

    def say(button: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
        def press(box: QWidget) -> None:
            assert isinstance(box, QMessageBox)
            questions.append(box.text().splitlines()[0])
            box.button(button).click()

        return press

    answer_later(say(QMessageBox.StandardButton.No))
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert questions == [f"Move the contact “{first}” to the trash?"]
    assert view.row_count == 300
    reactivate(qtbot, window)

    answer_later(say(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(view.rows_counted, timeout=WAIT_MS) as counted:
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert counted.args == [299]
    assert view.model.index(0, 0).data() != first


def test_ctrl_f_goes_to_the_list_search_and_f5_reads_the_list_again(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)
    view = window.current_view()
    view.table.setFocus()

    qtbot.keyClick(view.table, Qt.Key.Key_F, CTRL)
    assert focused() is view.search
    with qtbot.waitSignal(view.rows_counted, timeout=WAIT_MS) as counted:
        qtbot.keyClicks(view.search, "kofi okafor")
    assert counted.args == [1]
    with qtbot.waitSignal(view.rows_counted, timeout=WAIT_MS) as counted:
        qtbot.keyClick(view.search, Qt.Key.Key_F5)
    assert counted.args == [1]

    with qtbot.waitSignal(window.board.board_loaded, timeout=WAIT_MS):
        qtbot.keyClick(view.search, Qt.Key.Key_5, CTRL)
    assert not window.commands.find_in_list_action.isEnabled()
    with qtbot.waitSignal(window.board.board_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.board, Qt.Key.Key_F5)
    with qtbot.waitSignal(window.agenda.agenda_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.board, Qt.Key.Key_6, CTRL)
    assert window.current_view_name() == "tasks"
    with qtbot.waitSignal(window.trash.trash_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.agenda, Qt.Key.Key_7, CTRL)
    assert not window.commands.new_action.isEnabled()
    with qtbot.waitSignal(window.trash.trash_loaded, timeout=WAIT_MS):
        qtbot.keyClick(window.trash, Qt.Key.Key_F5)


def test_escape_closes_every_record_dialog(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = open_window(qtbot, ui_database, admin)

    for number, kind in enumerate(
        (ContactDialog, CompanyDialog, DealDialog, ActivityDialog), start=1
    ):
        window.show_view(list(window.views)[number - 1])
        qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_N, CTRL)
        dialog = wait_for_dialog(qtbot, kind)
        assert focused() is not None and dialog.isAncestorOf(focused())
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
        assert window.views[list(window.views)[number - 1]].row_count == (
            300 if number == 1 else 0
        )
        reactivate(qtbot, window)
