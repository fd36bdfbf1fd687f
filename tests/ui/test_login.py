"""First run and login dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from crm_desktop.db.database import Database, open_database
from crm_desktop.services import users
from crm_desktop.ui.login import FirstRunDialog, LoginDialog
from crm_desktop.ui.widgets.marks import is_invalid

from .conftest import ADMIN, ADMIN_PASSWORD


def login_dialog(qtbot: QtBot, database: Database) -> LoginDialog:
    dialog = LoginDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_login_rejects_a_wrong_password_with_the_reason(
    qtbot: QtBot, ui_database: Database
) -> None:
    dialog = login_dialog(qtbot, ui_database)
    dialog.username.setText(ADMIN)
    qtbot.keyClicks(dialog.password, "not-the-password")

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)

    assert dialog.message.text() == "Wrong user name or password."
    assert dialog.user is None
    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()


def test_login_accepts_the_right_password(qtbot: QtBot, ui_database: Database) -> None:
    dialog = login_dialog(qtbot, ui_database)
    dialog.username.setText(ADMIN)
    dialog.password.setText(ADMIN_PASSWORD)

    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.user is not None
    assert (dialog.user.username, dialog.user.role) == (ADMIN, "admin")
    assert LoginDialog(ui_database).username.text() == ADMIN


def test_escape_cancels_the_login(qtbot: QtBot, ui_database: Database) -> None:
    dialog = login_dialog(qtbot, ui_database)

    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.user is None


def test_first_run_creates_the_administrator(qtbot: QtBot, tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("boss")
    dialog.full_name.setText("Bea Boss")
    dialog.password.setText("long enough")
    dialog.repeat.setText("long enuogh")

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "The two passwords are not the same."
    assert is_invalid(dialog.repeat)

    dialog.repeat.setText("long enough")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.user is not None
    assert (dialog.user.username, dialog.user.role) == ("boss", "admin")
    with database.session() as session:
        assert users.authenticate(session, "boss", "long enough").full_name == (
            "Bea Boss"
        )
    database.dispose()


def test_first_run_refuses_a_short_password(qtbot: QtBot, tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    dialog = FirstRunDialog(database)
    qtbot.addWidget(dialog)
    dialog.password.setText("short")
    dialog.repeat.setText("short")

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert "at least 8 characters" in dialog.message.text()
    assert is_invalid(dialog.password)
    with database.session() as session:
        assert not users.has_users(session)
    database.dispose()
