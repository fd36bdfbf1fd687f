"""ActivityDialog: a call, meeting, email, note or task, with its due time."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.models import ACTIVITY_KINDS
from crm_desktop.db.types import utcnow
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities
from crm_desktop.services.activities import ActivityData, ActivityDetail
from crm_desktop.ui.forms.base import RecordDialog, Write
from crm_desktop.ui.widgets.dates import OptionalDateTimeEdit


@dataclass(frozen=True, slots=True)
class ActivityLoad:
    """What the dialog opens with: the activity (None for a new one).

    Attributes:
        template: A new activity's first values: its kind, what it is
            about (contact, company, deal) and whether it is done.
        regarding: Names what a new activity is about, for its form.
    """

    detail: ActivityDetail | None
    template: ActivityData | None = None
    regarding: str = ""


def load_activity(
    database: Database, user: CurrentUser, activity_id: int | None
) -> ActivityLoad:
    """Read an activity (runs on a worker)."""
    if activity_id is None:
        return ActivityLoad(None)
    with database.session() as session:
        return ActivityLoad(activities.get(session, user, activity_id))


class ActivityDialog(RecordDialog):
    """Create or edit an activity; times are entered in the local zone."""

    def __init__(
        self,
        loaded: ActivityLoad,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
    ) -> None:
        detail = loaded.detail
        title = "New activity" if detail is None else "Edit activity"
        super().__init__(database, user, title, parent)
        self._detail = detail
        self.kind = QComboBox(self)
        for kind in ACTIVITY_KINDS:
            self.kind.addItem(kind.capitalize(), kind)
        self.add_field("type", "Type:", self.kind)
        self.subject = QLineEdit(self)
        self.add_field("subject", "Subject:", self.subject)
        self.due = OptionalDateTimeEdit(self)
        self.add_field("due_at", "Due:", self.due)
        self.done_check = QCheckBox("Done", self)
        self.add_field("done_at", "", self.done_check)
        self.body = QPlainTextEdit(self)
        self.body.setTabChangesFocus(True)
        self.add_field("body", "Notes:", self.body)
        self._template = loaded.template
        if loaded.regarding:
            self.form.insertRow(0, "Regarding:", QLabel(loaded.regarding, self))
        if detail is not None:
            self._fill(detail.data)
        elif loaded.template is not None:
            self._fill(loaded.template)
            self.setWindowTitle(f"Log {loaded.template.kind}")
            self.subject.setFocus()
        self.resize(520, 420)

    def _fill(self, data: ActivityData) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.kind)))
        self.subject.setText(data.subject)
        self.due.set_moment(data.due_at)
        self.done_check.setChecked(data.done_at is not None)
        self.body.setPlainText(data.body)

    def data(self) -> ActivityData:
        """Return the activity as the form shows it (times aware, in UTC)."""
        base = self._detail.data if self._detail else self._template
        if base is None:
            base = ActivityData("note", "")
        done_at = None
        if self.done_check.isChecked():
            done_at = base.done_at or utcnow()
        return replace(
            base,
            kind=str(self.kind.currentData()),
            subject=self.subject.text(),
            body=self.body.toPlainText(),
            due_at=self.due.moment(),
            done_at=done_at,
        )

    def _write(self) -> Write:
        data, user, detail = self.data(), self._user, self._detail
        if detail is None:
            return lambda s: activities.create(s, user, data)

        def update(session: Session) -> int:
            activities.update(session, user, detail.id, detail.version, data)
            return detail.id

        return update
