"""TrashView: trashed contacts, companies, deals and activities, with restore."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from babel.numbers import format_decimal
from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import settings, trash
from crm_desktop.services.trash import TrashContents
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.cells import CellFormatter, parse_locale
from crm_desktop.ui.models.trash_table import TrashTableModel
from crm_desktop.ui.tasks import user_zone
from crm_desktop.ui.workers import Generation, run_in_background

logger = logging.getLogger(__name__)

TRASH_VIEW = "trash"
TRASH_TITLE = "Trash"


@dataclass(frozen=True, slots=True)
class TrashLoad:
    """What a load brings back: the trash and how to write its times."""

    contents: TrashContents
    formatter: CellFormatter


def load_trash(database: Database, user: CurrentUser) -> TrashLoad:
    """Read the trash (runs on a worker)."""
    with database.session() as session:
        business = settings.load(session)
        contents = trash.contents(session, user)
    zone = user_zone(business.timezone)
    formatter = CellFormatter(parse_locale(business.locale), zone=zone)
    return TrashLoad(contents, formatter)


class TrashView(QWidget):
    """Everything in the trash, newest first; restore one or many.

    Signals:
        trash_loaded: The rows are in place; carries how many the trash holds.
        restored: Records came back; carries how many.
    """

    trash_loaded = Signal(int)
    restored = Signal(int)

    def __init__(
        self, database: Database, user: CurrentUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trashView")
        self._database = database
        self._user = user
        self._loads = Generation()
        self.total = 0
        self.model = TrashTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("trashTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._build_layout()
        self._update_actions()

    def _build_layout(self) -> None:
        self.restore_action = QAction(icon("restore"), "Restore", self)
        self.restore_action.setToolTip("Bring the selected records back")
        self.restore_action.triggered.connect(self._on_restore_action_triggered)
        self.reload_action = QAction(icon("reload"), "Reload", self)
        self.reload_action.triggered.connect(self.reload)
        toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        toolbar.addAction(self.restore_action)
        toolbar.addAction(self.reload_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("trashSummary")
        toolbar.addWidget(self.summary_label)
        self.empty_label = QLabel("The trash is empty.", self)
        self.empty_label.setObjectName("emptyList")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.table)
        self._pages.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self._pages, 1)

    def activate(self) -> None:
        """Read the trash again each time the view is shown."""
        self.reload()

    def refresh(self) -> None:
        """Read the trash again (F5, through the main window's View menu)."""
        self.reload()

    @Slot()
    def reload(self) -> None:
        """Read the trash on a worker."""
        database, user = self._database, self._user
        self._loads.bump()
        run_in_background(
            lambda: load_trash(database, user),
            self._apply,
            lambda error: show_error(self, error),
            context=self,
            generation=self._loads,
        )

    def _apply(self, loaded: TrashLoad) -> None:
        contents = loaded.contents
        self.total = contents.total
        self.model.set_records(contents.records, loaded.formatter)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)
        locale = loaded.formatter.locale
        total = format_decimal(contents.total, locale=locale)
        noun = "record" if contents.total == 1 else "records"
        text = f"{total} {noun} in the trash"
        if len(contents.records) < contents.total:
            shown = format_decimal(len(contents.records), locale=locale)
            text += f", the newest {shown} shown"
        self.summary_label.setText(text)
        empty = contents.total == 0
        self._pages.setCurrentWidget(self.empty_label if empty else self.table)
        self._update_actions()
        self.trash_loaded.emit(contents.total)

    def restore_rows(self, rows: list[int]) -> None:
        """Bring the records of these rows back, all in one transaction."""
        records = self.model.records
        picked = [(records[r].kind, records[r].id, records[r].version) for r in rows]
        database, user = self._database, self._user

        def work() -> int:
            with database.session() as session:
                count = trash.restore(session, user, picked)
                session.commit()
            return count

        run_in_background(work, self._restored, self._failed, context=self)

    def _restored(self, count: int) -> None:
        self.restored.emit(count)
        self.reload()

    def _failed(self, error: BaseException) -> None:
        show_error(self, error)
        self.reload()

    @Slot()
    def _on_restore_action_triggered(self) -> None:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        if rows:
            self.restore_rows(rows)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        selected = self.table.selectionModel().hasSelection()
        self.restore_action.setEnabled(self._user.can_write and selected)
