"""AgendaModel: open tasks as a tree of three groups, overdue, today, upcoming."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QGuiApplication

from crm_desktop.services.tasks import Agenda, TaskRow
from crm_desktop.ui.palette import overdue_colour

GROUP_TITLES = ("Overdue", "Today", "Upcoming")
COLUMNS = ("Task", "Due", "Regarding", "Owner")
OVERDUE, TODAY, UPCOMING = range(3)
OWNER_COLUMN = 3
# Children carry their group's number plus one as internal id; groups 0.
_GROUP_ID = 0

ModelIndex = QModelIndex | QPersistentModelIndex


class AgendaModel(QAbstractItemModel):
    """The agenda's tasks under a row per group; each row's task is UserRole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: tuple[tuple[TaskRow, ...], ...] = ((), (), ())
        self._zone: dt.tzinfo = dt.UTC
        self._day = dt.date.min

    def set_agenda(self, agenda: Agenda, zone: dt.tzinfo) -> None:
        """Show a freshly read agenda, due times in `zone`."""
        self.beginResetModel()
        self._groups = (agenda.overdue, agenda.today, agenda.upcoming)
        self._zone = zone
        self._day = agenda.day
        self.endResetModel()

    def group(self, number: int) -> tuple[TaskRow, ...]:
        """Return the tasks of one group (OVERDUE, TODAY or UPCOMING)."""
        return self._groups[number]

    def task(self, index: ModelIndex) -> TaskRow | None:
        """Return the task on a row, None for a group row or no row."""
        if not index.isValid() or index.internalId() == _GROUP_ID:
            return None
        return self._groups[index.internalId() - 1][index.row()]

    def index(
        self,
        row: int,
        column: int,
        parent: ModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP_ID)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(  # type: ignore[override]
        self,
        index: ModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if not index.isValid() or index.internalId() == _GROUP_ID:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP_ID)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(GROUP_TITLES)
        if parent.internalId() == _GROUP_ID and parent.column() == 0:
            return len(self._groups[parent.row()])
        return 0

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _GROUP_ID:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        wanted = horizontal and role == Qt.ItemDataRole.DisplayRole
        if wanted and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP_ID:
            return self._group_data(index, role)
        task = self.task(index)
        if task is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(task, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return task
        overdue = index.internalId() - 1 == OVERDUE
        if role == Qt.ItemDataRole.ForegroundRole and overdue and index.column() == 1:
            return QBrush(overdue_colour(QGuiApplication.palette()))
        return None

    def _group_data(self, index: ModelIndex, role: int) -> Any:
        if index.column() != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            count = len(self._groups[index.row()])
            return f"{GROUP_TITLES[index.row()]} ({count})"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        late = index.row() == OVERDUE and self._groups[OVERDUE]
        if role == Qt.ItemDataRole.ForegroundRole and late:
            return QBrush(overdue_colour(QGuiApplication.palette()))
        return None

    def _text(self, task: TaskRow, column: int) -> str:
        if column == 0:
            return task.subject
        if column == 1:
            return self.due_text(task.due_at)
        if column == 2:
            return task.regarding
        return task.owner_name

    def due_text(self, due_at: dt.datetime | None) -> str:
        """Return a due time as the user reads it, in their zone."""
        if due_at is None:
            return "No due date"
        local = due_at.astimezone(self._zone)
        if local.date() == self._day:
            return f"Today {local:%H:%M}"
        if local.date() == self._day + dt.timedelta(days=1):
            return f"Tomorrow {local:%H:%M}"
        if local.year == self._day.year:
            return f"{local:%a %d %b %H:%M}"
        return f"{local:%a %d %b %Y %H:%M}"
