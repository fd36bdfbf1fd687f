"""Tab through every form with real keys: top to bottom, buttons last; Ctrl+S, Esc."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.ui.forms.activity import ActivityDialog, ActivityLoad
from crm_desktop.ui.forms.base import RecordDialog
from crm_desktop.ui.forms.company import CompanyDialog, CompanyLoad
from crm_desktop.ui.forms.contact import ContactDialog, ContactLoad
from crm_desktop.ui.forms.deal import DealDialog, load_deal
from crm_desktop.ui.forms.task_dialogs import RescheduleDialog
from crm_desktop.ui.widgets.repeating_rows import RepeatingRows, ValueRow


def tab_through(qtbot: QtBot, dialog: QDialog, count: int) -> list[QWidget]:
    """Show the dialog, then press Tab `count` times; return where focus was."""
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    seen = []
    for _ in range(count):
        widget = QApplication.focusWidget()
        assert widget is not None
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return seen


def buttons(dialog: RecordDialog) -> list[QWidget]:
    """The dialog's buttons, left to right as they are drawn."""
    box = dialog.buttons
    found = [box.button(QDialogButtonBox.StandardButton.Save)]
    found.append(box.button(QDialogButtonBox.StandardButton.Cancel))
    return sorted(found, key=lambda b: b.mapTo(dialog, b.rect().topLeft()).x())


def row_widgets(row: ValueRow) -> list[QWidget]:
    remove = row.findChildren(
        QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
    )
    button = [w for w in remove if w not in (row.label, *row.edits.values())]
    return [row.label, *row.edits.values(), *button]


def rows_then_add(rows: RepeatingRows) -> list[QWidget]:
    return [w for row in rows.rows for w in row_widgets(row)] + [rows.add_button]


def test_contact_form_tabs_through_names_rows_details_then_buttons(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = ContactDialog(ContactLoad(None, "GB"), ui_database, admin)
    # A second email made after the form was built goes in its place too.
    dialog.emails.add_row("home", value="")
    expected = [
        dialog.given_name,
        dialog.family_name,
        dialog.display_name,
        dialog.organization,
        dialog.job_title,
        *rows_then_add(dialog.emails),
        *rows_then_add(dialog.phones),
        *rows_then_add(dialog.addresses),
        dialog.birthday.check,
        dialog.birthday_no_year,
        dialog.tags,
        dialog.notes,
        *buttons(dialog),
    ]

    seen = tab_through(qtbot, dialog, len(expected) + 1)

    assert [type(w).__name__ for w in seen] == [
        type(w).__name__ for w in [*expected, expected[0]]
    ]
    assert seen == [*expected, expected[0]]


def test_a_row_added_while_the_form_is_open_takes_its_place_in_the_order(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = ContactDialog(ContactLoad(None, "GB"), ui_database, admin)
    tab_through(qtbot, dialog, 1)

    qtbot.mouseClick(dialog.phones.add_button, Qt.MouseButton.LeftButton)
    new_row = dialog.phones.rows[-1]
    assert QApplication.focusWidget() is new_row.edits["value"]
    seen = tab_through(qtbot, dialog, 3)

    assert seen[1] is row_widgets(new_row)[-1]
    assert seen[2] is dialog.phones.add_button


def test_company_form_tabs_top_to_bottom_then_buttons(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = CompanyDialog(CompanyLoad(None, "GB"), ui_database, admin)
    expected = [*dialog.edits.values(), dialog.notes, *buttons(dialog)]

    assert tab_through(qtbot, dialog, len(expected) + 1) == [*expected, expected[0]]


def test_deal_form_tabs_top_to_bottom_then_buttons(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = DealDialog(load_deal(ui_database, admin, None), ui_database, admin)
    expected = [
        dialog.title,
        dialog.stage,
        dialog.amount,
        dialog.currency,
        dialog.expected_close.check,
        dialog.company,
        dialog.notes,
        *buttons(dialog),
    ]

    assert tab_through(qtbot, dialog, len(expected) + 1) == [*expected, expected[0]]


def test_activity_form_tabs_top_to_bottom_then_buttons(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = ActivityDialog(ActivityLoad(None), ui_database, admin)
    expected = [
        dialog.kind,
        dialog.subject,
        dialog.due.check,
        dialog.done_check,
        dialog.body,
        *buttons(dialog),
    ]

    assert tab_through(qtbot, dialog, len(expected) + 1) == [*expected, expected[0]]


@pytest.mark.parametrize(
    ("key", "modifier", "result"),
    [
        (
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier,
            QDialog.DialogCode.Accepted,
        ),
        (
            Qt.Key.Key_Escape,
            Qt.KeyboardModifier.NoModifier,
            QDialog.DialogCode.Rejected,
        ),
    ],
)
def test_the_reschedule_question_takes_ctrl_s_and_escape(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier, result: int
) -> None:
    due = dt.datetime(2027, 1, 11, 10, 0, tzinfo=dt.UTC)
    dialog = RescheduleDialog(due, dt.UTC)
    focused = tab_through(qtbot, dialog, 1)[0]
    assert focused is dialog.editor

    with qtbot.waitSignal(dialog.finished, timeout=5_000) as finished:
        qtbot.keyClick(focused, key, modifier)

    assert finished.args == [result]
