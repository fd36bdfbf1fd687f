"""The agenda's questions: a task's new due time, and whom to hand it to."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.pipeline import OwnerChoice


class RescheduleDialog(QDialog):
    """Asks for a task's new due time, in the user's zone."""

    def __init__(
        self, due: dt.datetime, zone: dt.tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reschedule task")
        self._zone = zone
        local = due.astimezone(zone)
        self.editor = QDateTimeEdit(self)
        self.editor.setCalendarPopup(True)
        self.editor.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.editor.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute),
            )
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # Ctrl+S saves here as in every record form; Esc is QDialog's reject.
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("New due time:", self))
        layout.addWidget(self.editor)
        layout.addWidget(buttons)

    def due(self) -> dt.datetime:
        """Return the chosen time, aware, in the user's zone."""
        value = self.editor.dateTime()
        day, clock = value.date(), value.time()
        return dt.datetime(
            day.year(),
            day.month(),
            day.day(),
            clock.hour(),
            clock.minute(),
            tzinfo=self._zone,
        )


def ask_new_due(
    parent: QWidget, due: dt.datetime, zone: dt.tzinfo
) -> dt.datetime | None:
    """Ask for a new due time; None when cancelled."""
    dialog = RescheduleDialog(due, zone, parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.due() if accepted else None


def ask_owner(
    parent: QWidget, owners: list[OwnerChoice], current: int | None
) -> int | None:
    """Ask whom to hand a task to; None when cancelled."""
    names = [owner.name for owner in owners]
    start = next((i for i, o in enumerate(owners) if o.id == current), 0)
    name, accepted = QInputDialog.getItem(
        parent, "Reassign task", "Give the task to:", names, start, False
    )
    if not accepted or name not in names:
        return None
    return owners[names.index(name)].id
