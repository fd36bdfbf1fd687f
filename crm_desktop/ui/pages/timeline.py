"""A record page's timeline: its activities newest first, and buttons to log more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.record_pages import Timeline, TimelineEntry
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.cells import CellFormatter
from crm_desktop.ui.palette import overdue_colour

# The kinds a page logs in two clicks, with their button texts.
LOG_KINDS = (
    ("call", "Log call"),
    ("meeting", "Meeting"),
    ("note", "Note"),
    ("task", "Task"),
)

AnyIndex = QModelIndex | QPersistentModelIndex


class TimelineModel(QAbstractTableModel):
    """Activities as rows: what (kind icon and subject), when, who, state."""

    COLUMNS = ("Activity", "When", "Who", "State")

    def __init__(self, formatter: CellFormatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._formatter = formatter
        self._entries: tuple[TimelineEntry, ...] = ()
        self._now = dt.datetime.now(dt.UTC)

    def set_timeline(self, timeline: Timeline, formatter: CellFormatter) -> None:
        """Show a newly read timeline, formatted the business's way."""
        self.beginResetModel()
        self._entries = timeline.entries
        self._formatter = formatter
        self._now = dt.datetime.now(dt.UTC)
        self.endResetModel()

    def entry(self, row: int) -> TimelineEntry:
        return self._entries[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return kind_icon(entry.kind)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return entry.kind.capitalize()
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            if self._overdue(entry):
                return QBrush(overdue_colour(QGuiApplication.palette()))
            return None
        return None

    def _text(self, entry: TimelineEntry, column: int) -> str:
        if column == 0:
            regarding = f"  ({entry.regarding})" if entry.regarding else ""
            return f"{entry.subject}{regarding}"
        if column == 1:
            return self._formatter.cell("datetime", entry.when)
        if column == 2:
            return entry.owner_name
        if entry.done_at is not None:
            return "Done"
        if entry.due_at is None:
            return "Open"
        return "Overdue" if self._overdue(entry) else "Due"

    def _overdue(self, entry: TimelineEntry) -> bool:
        due = entry.due_at
        return entry.done_at is None and due is not None and due < self._now


# Literal names, so the icon checks in the tests see every one.
_KIND_ICONS: dict[str, Callable[[], QIcon]] = {
    "call": lambda: icon("call"),
    "meeting": lambda: icon("meeting"),
    "email": lambda: icon("email"),
    "note": lambda: icon("note"),
    "task": lambda: icon("tasks"),
}


def kind_icon(kind: str) -> QIcon:
    """Return the icon of an activity kind (a task's is the Tasks icon)."""
    make = _KIND_ICONS.get(kind)
    return make() if make is not None else QIcon()


class TimelineView(QWidget):
    """The timeline's buttons, its rows and a "Show more" button.

    Signals:
        log_requested: A log button was clicked; carries the activity kind.
        activity_open_requested: A row was double-clicked; carries its id.
        more_requested: The user asked for older activities.
    """

    log_requested = Signal(str)
    activity_open_requested = Signal(int)
    more_requested = Signal()

    def __init__(self, formatter: CellFormatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TimelineModel(formatter, self)
        self.log_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for kind, text in LOG_KINDS:
            button = QPushButton(kind_icon(kind), text, self)
            button.setToolTip(f"Log a {kind} here")
            button.setProperty("kind", kind)
            button.clicked.connect(self._on_log_button_clicked)
            self.log_buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.tree = QTreeView(self)
        self.tree.setObjectName("timeline")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("No activities yet.", self)
        self.empty_label.setObjectName("emptyList")
        self.more_button = QPushButton("Show more", self)
        self.more_button.clicked.connect(self.more_requested)
        self.more_button.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Timeline</b>", self)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)

    def set_timeline(self, timeline: Timeline, formatter: CellFormatter) -> None:
        self.model.set_timeline(timeline, formatter)
        self.empty_label.setVisible(not timeline.entries)
        self.more_button.setVisible(timeline.has_more)

    def set_writable(self, writable: bool) -> None:
        for button in self.log_buttons.values():
            button.setEnabled(writable)

    @Slot()
    def _on_log_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.log_requested.emit(str(button.property("kind")))

    @Slot(QModelIndex)
    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        self.activity_open_requested.emit(self.model.entry(index.row()).id)
