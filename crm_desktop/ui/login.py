"""Who uses the program: the first administrator, then a login each time."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.db.errors import DatabaseError
from crm_desktop.security.passwords import MIN_PASSWORD_LENGTH
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import setup, users
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.widgets.marks import set_invalid
from crm_desktop.ui.window_state import LAST_USERNAME
from crm_desktop.ui.workers import run_in_background


class _AccountDialog(QDialog):
    """A small form that turns a name and password into a CurrentUser."""

    def __init__(
        self, database: Database, title: str, intro: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(icon("app"))
        self._database = database
        self.user: CurrentUser | None = None
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.message = QLabel(self)
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Ok | buttons.Cancel, self)
        self.ok_button = self.buttons.button(buttons.Ok)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def _password_edit(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _submit(self) -> None:
        """Check the form and start the work; subclasses implement it."""
        raise NotImplementedError

    @Slot()
    def _on_buttons_accepted(self) -> None:
        self.show_message("")
        self._submit()

    def _run(self, work: Callable[[], CurrentUser]) -> None:
        self.ok_button.setEnabled(False)
        run_in_background(work, self._finish, self._fail, context=self)

    def _finish(self, user: CurrentUser) -> None:
        self.user = user
        self.accept()

    def _fail(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_message(f"{error.field.capitalize()}: {error.reason}")
            self._mark(error)
        elif isinstance(error, ServiceError | DatabaseError):
            self.show_message(str(error))
        else:
            self.show_message("Something went wrong; see the log.")
            show_error(self, error)

    def _mark(self, error: ValidationError) -> None:
        """Mark the field an error is about; nothing by default."""


class FirstRunDialog(_AccountDialog):
    """Create the first administrator of a brand-new database."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(
            database,
            "Welcome to crm-desktop",
            "<b>This database has no users yet.</b> Create the administrator "
            "account: it can add the other users and change the settings.",
            parent,
        )
        self.username = QLineEdit("admin", self)
        self.full_name = QLineEdit(self)
        self.password = self._password_edit()
        self.password.setPlaceholderText(f"At least {MIN_PASSWORD_LENGTH} characters")
        self.repeat = self._password_edit()
        self.form.addRow("User name:", self.username)
        self.form.addRow("Full name:", self.full_name)
        self.form.addRow("Password:", self.password)
        self.form.addRow("Repeat password:", self.repeat)
        self.ok_button.setText("Create administrator")

    def _submit(self) -> None:
        for edit in (self.username, self.password, self.repeat):
            set_invalid(edit, False)
        password = self.password.text()
        if len(password) < MIN_PASSWORD_LENGTH:
            set_invalid(self.password, True)
            self.show_message(
                f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
            )
            return
        if password != self.repeat.text():
            set_invalid(self.repeat, True)
            self.show_message("The two passwords are not the same.")
            return
        database = self._database
        name, full_name = self.username.text(), self.full_name.text()

        def work() -> CurrentUser:
            with database.session() as session:
                return setup.initialize(session, name, password, full_name=full_name)

        self._run(work)

    def _mark(self, error: ValidationError) -> None:
        edit = self.password if error.field == "password" else self.username
        set_invalid(edit, True)


class LoginDialog(_AccountDialog):
    """Ask for a user name and password; Esc cancels."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(
            database,
            "Log in to crm-desktop",
            f"Database: {database.description}",
            parent,
        )
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.username = QLineEdit(LAST_USERNAME.read(), self)
        self.password = self._password_edit()
        self.form.addRow("User name:", self.username)
        self.form.addRow("Password:", self.password)
        self.ok_button.setText("Log in")
        if self.username.text():
            self.password.setFocus()

    def _submit(self) -> None:
        database = self._database
        name, password = self.username.text(), self.password.text()

        def work() -> CurrentUser:
            with database.session() as session:
                return users.authenticate(session, name, password)

        self._run(work)

    def _finish(self, user: CurrentUser) -> None:
        LAST_USERNAME.write(user.username)
        super()._finish(user)

    def _fail(self, error: BaseException) -> None:
        super()._fail(error)
        self.password.selectAll()
        self.password.setFocus()
