"""Date and time editors that may also hold "no date"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, QTime, Slot
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDateTimeEdit, QHBoxLayout, QWidget


class OptionalDateEdit(QWidget):
    """A date editor with a check box in front: unchecked means no date."""

    def __init__(self, parent: QWidget | None = None, *, label: str = "") -> None:
        super().__init__(parent)
        self.check = QCheckBox(label, self)
        self.check.setToolTip("Untick for no date")
        self.edit = self._make_edit()
        self.edit.setCalendarPopup(True)
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.check.toggled.connect(self._on_check_toggled)
        self.setFocusProxy(self.edit)

    def _make_edit(self) -> QDateEdit | QDateTimeEdit:
        edit = QDateEdit(QDate.currentDate(), self)
        edit.setDisplayFormat("d MMM yyyy")
        return edit

    @Slot(bool)
    def _on_check_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)

    def date(self) -> dt.date | None:
        if not self.check.isChecked():
            return None
        value = self.edit.date().toPython()
        assert isinstance(value, dt.date)
        return value

    def set_date(self, value: dt.date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class OptionalDateTimeEdit(OptionalDateEdit):
    """A local date and time, handed in and out as an aware UTC datetime."""

    def _make_edit(self) -> QDateEdit | QDateTimeEdit:
        now = QDateTime.currentDateTime()
        edit = QDateTimeEdit(now.addSecs(3600 - now.time().minute() * 60), self)
        edit.setDisplayFormat("d MMM yyyy  HH:mm")
        return edit

    def moment(self) -> dt.datetime | None:
        """Return the chosen local time as an aware UTC datetime, or None."""
        if not self.check.isChecked():
            return None
        local = self.edit.dateTime().toPython()
        assert isinstance(local, dt.datetime)
        # toPython() gives a naive local time; astimezone() reads it in the
        # computer's zone, with that day's daylight-saving offset.
        return local.replace(second=0, microsecond=0).astimezone().astimezone(dt.UTC)

    def set_moment(self, value: dt.datetime | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            local = value.astimezone()
            day = QDate(local.year, local.month, local.day)
            self.edit.setDateTime(QDateTime(day, QTime(local.hour, local.minute)))
