"""What every record dialog shares: the form, the error line, saving.

A dialog reads its fields into plain service data on the GUI thread, then
writes it on a worker in a Session of its own. A ValidationError marks the
field and says why; a stale version says so; either way the dialog stays
open with the user's input as it was. Closing a dialog whose fields were
changed asks whether to save, discard or keep editing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.errors import DatabaseError
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.errors import (
    ServiceError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.widgets.marks import set_invalid
from crm_desktop.ui.widgets.tab_order import order_tabs
from crm_desktop.ui.workers import run_in_background

logger = logging.getLogger(__name__)

Loaded = TypeVar("Loaded")
Write = Callable[[Session], int]


class RecordDialog(QDialog):
    """A dialog that edits one record and saves it through a service.

    Signals:
        saved: The record was written; carries its id.
    """

    saved = Signal(int)

    def __init__(
        self,
        database: Database,
        user: CurrentUser,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._database = database
        self._user = user
        self._fields: dict[str, tuple[str, QWidget]] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.error_label.hide()
        buttons = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(buttons.Save | buttons.Cancel, self)
        self.save_button = self.buttons.button(buttons.Save)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        # Ctrl+S saves as the button does (and not while it is disabled).
        # Esc needs nothing here: QDialog turns it into reject().
        save_keys = QShortcut(QKeySequence.StandardKey.Save, self)
        save_keys.activated.connect(self.save_button.click)
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.buttons.rejected.connect(self.reject)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(self.form)
        self._layout.addWidget(self.error_label)
        self._layout.addWidget(self.buttons)
        self.save_button.setEnabled(user.can_write)
        # What the fields held when the dialog was first shown; None before.
        self._baseline: tuple[object, ...] | None = None
        self.unsaved_question: QMessageBox | None = None

    def add_field(self, name: str, label: str, widget: QWidget) -> None:
        """Add a labelled row; `name` is the field a ValidationError names."""
        self.form.addRow(label, widget)
        self._fields[name] = (label.rstrip(":"), widget)

    def register_field(self, name: str, label: str, widget: QWidget) -> None:
        """Name a widget placed by hand, so errors about it can mark it."""
        self._fields[name] = (label, widget)

    def _snapshot(self) -> tuple[object, ...]:
        """Return what every input widget of the form holds, in order."""
        values: list[object] = []
        for widget in self.findChildren(QWidget):
            if not widget.isVisibleTo(self):
                continue
            if isinstance(widget, QLineEdit) and not isinstance(
                widget.parent(), QComboBox | QDateTimeEdit
            ):
                values.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                values.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                values.append(widget.currentText())
            elif isinstance(widget, QDateTimeEdit):
                values.append(widget.dateTime())
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                values.append(widget.isChecked())
        return tuple(values)

    def is_modified(self) -> bool:
        """Return whether the user changed a field since the dialog opened."""
        return self._baseline is not None and self._snapshot() != self._baseline

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._baseline is None:
            self._baseline = self._snapshot()
            self._start_in_first_field()

    def _start_in_first_field(self) -> None:
        """Order Tab as the form reads and put the cursor in its first field."""
        stops = order_tabs(self)
        focused = self.focusWidget()
        if stops and (focused is None or self.buttons.isAncestorOf(focused)):
            stops[0].setFocus(Qt.FocusReason.TabFocusReason)

    def reject(self) -> None:
        """Close without saving; with changed fields, ask first."""
        if not self.is_modified() or not self._user.can_write:
            super().reject()
            return
        if self.unsaved_question is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            f"{self.windowTitle()}: save your changes before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Discard throws away what you typed here.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self._on_unsaved_question_finished)
        self.unsaved_question = box
        box.open()

    @Slot(int)
    def _on_unsaved_question_finished(self, _result: int) -> None:
        box = self.unsaved_question
        assert box is not None
        self.unsaved_question = None
        box.deleteLater()
        answer = box.standardButton(box.clickedButton())
        if answer == QMessageBox.StandardButton.Discard:
            super().reject()
        elif answer == QMessageBox.StandardButton.Save:
            self._on_buttons_accepted()

    def _write(self) -> Write:
        """Read the fields into service data; return what writes it.

        Runs on the GUI thread; the returned function runs on a worker.

        Raises:
            ValidationError: a field cannot even be read (an amount...).
        """
        raise NotImplementedError

    def _mark(self, error: ValidationError) -> None:
        """Mark the widget a ValidationError is about."""
        entry = self._fields.get(error.field)
        if entry is not None:
            set_invalid(entry[1], True)
            entry[1].setFocus()

    def _clear_marks(self) -> None:
        for _label, widget in self._fields.values():
            set_invalid(widget, False)

    def show_message(self, text: str) -> None:
        """Show a problem above the buttons; an empty text hides it."""
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        self._clear_marks()
        try:
            write = self._write()
        except ValidationError as exc:
            self._fail_save(exc)
            return
        database = self._database

        def work() -> int:
            with database.session() as session:
                record_id = write(session)
                session.commit()
            return record_id

        self.save_button.setEnabled(False)
        self.show_message("")
        run_in_background(work, self._finish_save, self._fail_save, context=self)

    def _finish_save(self, record_id: int) -> None:
        logger.debug("%s saved record %d", type(self).__name__, record_id)
        self.saved.emit(record_id)
        self.accept()

    def _fail_save(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            label = self._fields.get(error.field, (error.field.capitalize(), None))
            self.show_message(f"{label[0]}: {error.reason}")
            self._mark(error)
        elif isinstance(error, StaleRecordError):
            self.show_message(
                f"{error} Your edits are still here: copy what you need, "
                "then cancel and open the record again."
            )
        elif isinstance(error, ServiceError | DatabaseError):
            self.show_message(str(error))
        else:
            self.show_message("The record could not be saved; see the log.")
            show_error(self, error)


def open_record_dialog(
    parent: QWidget,
    load: Callable[[], Loaded],
    build: Callable[[Loaded], RecordDialog],
    on_saved: Callable[[int], None],
) -> None:
    """Load what a dialog needs on a worker, then open it over `parent`.

    Args:
        load: Reads the record and its choices (stages...); runs on a worker.
        build: Makes the dialog from what `load` returned.
        on_saved: Called with the record id after a save.
    """

    def show(loaded: Loaded) -> None:
        dialog = build(loaded)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(on_saved)
        dialog.open()

    run_in_background(load, show, lambda e: show_error(parent, e), context=parent)
