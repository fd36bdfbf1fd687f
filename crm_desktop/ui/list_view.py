"""RecordListView: one list screen with its search box, table and actions."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.listing import ListRequest
from crm_desktop.ui.bulk_actions import BulkActions
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.list_filters import ListFilterBar, filter_values
from crm_desktop.ui.models.record_table import RecordTableModel
from crm_desktop.ui.pages.opener import has_page
from crm_desktop.ui.screens import Screen
from crm_desktop.ui.widgets.record_table_view import RecordTableView
from crm_desktop.ui.window_state import ListLayout
from crm_desktop.ui.workers import run_in_background

logger = logging.getLogger(__name__)

# Short, so that rows follow the last key within a tenth of a second; a
# search still running when the next key comes is dropped when it lands.
SEARCH_PAUSE_MS = 50


class RecordListView(QWidget):
    """A searchable, sortable list of one kind of record, with its actions.

    Signals:
        rows_counted: The list was counted; carries the number of rows.
        first_page_loaded: The list's rows are on screen after a refresh.
        load_failed: The list could not be read; carries the reason.
        record_open_requested: A record with a page of its own (contact,
            company, deal) was opened; carries its kind and id.
    """

    rows_counted = Signal(int)
    first_page_loaded = Signal()
    load_failed = Signal(str)
    record_open_requested = Signal(str, int)

    def __init__(
        self,
        screen: Screen,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.record_screen = screen
        self._database = database
        self._user = user
        self._started = False
        self.row_count = 0
        # The record at the top of the table while a reload in place runs.
        self._top_record: int | None = None
        spec = screen.spec
        newest_first = spec.column(spec.default_sort).kind == "datetime"
        request = ListRequest(sort=spec.default_sort, descending=newest_first)
        self._saved_layout = ListLayout(screen.name)
        saved_sort = self._saved_layout.sort(spec.sortable)
        if saved_sort is not None:
            request = ListRequest(sort=saved_sort[0], descending=saved_sort[1])
        self.model = RecordTableModel(spec, database, user, self, request=request)
        self.model.rows_counted.connect(self._on_model_rows_counted)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.model.first_page_loaded.connect(self.first_page_loaded)
        self.model.load_failed.connect(self.load_failed)
        self.model.rows_reloaded.connect(self._on_model_rows_reloaded)
        self.table = RecordTableView(self.model, self)
        self._restore_widths()
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.bulk = BulkActions(screen, self.table, database, user, self)
        self.bulk.finished.connect(self._on_bulk_finished)
        self.filter_bar = ListFilterBar(
            spec, database, user, lambda: self.model.request, self
        )
        self.filter_bar.filters_changed.connect(self._on_filter_bar_filters_changed)
        self.filter_bar.saved_filter_chosen.connect(
            self._on_filter_bar_saved_filter_chosen
        )
        self._build_actions()
        self._build_search()
        self._build_layout()
        self._update_actions()

    def _action(self, name: str, text: str, tip: str) -> QAction:
        action = QAction(icon(name), text, self)
        action.setToolTip(tip)
        return action

    def _build_actions(self) -> None:
        noun = self.record_screen.noun
        # The keys (Ctrl+N, Enter, Delete...) belong to the main window's
        # menus (ui/commands.py), which call the methods below.
        self.new_action = self._action("new", "New", f"Add a {noun} (Ctrl+N)")
        self.edit_action = self._action("edit", "Edit", f"Edit the selected {noun}")
        self.trash_action = self._action(
            "trash", "Move to trash", f"Move the selected {noun} to the trash"
        )
        self.show_trash_action = self._action(
            "trash-bin", "Trash", "Show what was moved to the trash"
        )
        self.show_trash_action.setCheckable(True)
        self.restore_action = self._action(
            "restore", "Restore", f"Bring the selected {noun} back"
        )
        self.restore_action.setVisible(False)
        self.new_action.triggered.connect(self._on_new_action_triggered)
        self.edit_action.triggered.connect(self._on_edit_action_triggered)
        self.trash_action.triggered.connect(self._on_trash_action_triggered)
        self.show_trash_action.toggled.connect(self._on_show_trash_action_toggled)
        self.restore_action.triggered.connect(self._on_restore_action_triggered)

    def _build_search(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(f"Search {self.record_screen.title.lower()}")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMaximumWidth(self.fontMetrics().averageCharWidth() * 44)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self.search.textChanged.connect(self._on_search_text_changed)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)

    def _build_layout(self) -> None:
        toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        for action in (self.new_action, self.edit_action, self.trash_action):
            toolbar.addAction(action)
        toolbar.addAction(self.restore_action)
        toolbar.addAction(self.bulk.owner_action)
        toolbar.addAction(self.bulk.tag_action)
        toolbar.addSeparator()
        toolbar.addAction(self.show_trash_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.search)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyList")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.table)
        self._pages.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self._pages, 1)

    def reload_in_place(self) -> None:
        """Read the list again after a change made elsewhere, where it stands.

        The rows on screen and the selected one are read again; the record
        at the top stays at the top, and the selection stays on its record
        while that is still listed.
        """
        table = self.table
        top = max(0, table.rowAt(0))
        bottom = table.rowAt(table.viewport().height() - 1)
        if bottom < 0:
            bottom = self.model.rowCount() - 1
        rows = set(range(top, bottom + 1))
        selected = table.selected_row()
        if selected is not None:
            rows.add(selected)
        self._top_record = self.model.row_id(top)
        self.model.reload_in_place(rows)

    @Slot()
    def _on_model_rows_reloaded(self) -> None:
        # Rows added or removed above would otherwise shift what the user
        # reads; bring the same record back to the top, before any paint.
        record_id, self._top_record = self._top_record, None
        row = None if record_id is None else self.model.row_of(record_id)
        if row is not None:
            top = self.model.index(row, 0)
            self.table.scrollTo(top, QAbstractItemView.ScrollHint.PositionAtTop)

    def activate(self) -> None:
        """Load the list the first time it is shown."""
        if not self._started:
            self._started = True
            self.model.refresh()
            self.filter_bar.load_choices()

    def open_editor(self, record_id: int | None) -> None:
        """Open the dialog for a record, or for a new one with None."""
        self.record_screen.open_dialog(
            self, self._database, self._user, record_id, self._on_dialog_saved
        )

    def _restore_widths(self) -> None:
        widths = self._saved_layout.widths(len(self.record_screen.spec.columns))
        if widths is None:
            return
        self.table.column_fitter.user_sized = True
        header = self.table.horizontalHeader()
        for column, width in enumerate(widths):
            header.resizeSection(column, width)

    def save_layout(self) -> None:
        """Remember the sort and, once the user sized one, the column widths."""
        header = self.table.horizontalHeader()
        widths = None
        if self.table.column_fitter.user_sized:
            widths = [header.sectionSize(c) for c in range(header.count())]
        request = self.model.request
        self._saved_layout.save(widths, request.sort, request.descending)

    def new_record(self) -> None:
        """Open the dialog for a new record, if the user may write."""
        self.new_action.trigger()

    def open_current(self) -> None:
        """Open the selected record's page (or dialog); in the trash nothing opens."""
        row = self.table.selected_row()
        record_id = None if row is None else self.model.row_id(row)
        if record_id is not None and self.edit_action.isVisible():
            self.open_record(record_id)

    def trash_current(self) -> None:
        """Ask, then move the selected record to the trash."""
        if self.trash_action.isVisible():
            self.trash_action.trigger()

    def refresh(self) -> None:
        """Read the list again, keeping its search and sort."""
        self.model.refresh()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def open_record(self, record_id: int) -> None:
        """Open a record's page, or its dialog when its kind has no page."""
        noun = self.record_screen.noun
        if has_page(noun):
            self.record_open_requested.emit(noun, record_id)
        else:
            self.open_editor(record_id)

    @Slot(int)
    def _on_dialog_saved(self, _record_id: int) -> None:
        self.model.refresh()

    @Slot()
    def _on_new_action_triggered(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_action_triggered(self) -> None:
        row = self.table.selected_row()
        if row is not None:
            self.open_editor(self.model.row_id(row))

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        record_id = self.model.row_id(index.row())
        if record_id is not None and not self.model.request.trashed:
            self.open_record(record_id)

    @Slot()
    def _on_trash_action_triggered(self) -> None:
        if self.bulk.selected_count() > 1:
            self.bulk.trash_selected()
            return
        row = self.table.selected_row()
        if row is None:
            return
        name = self.model.index(row, 0).data()
        answer = QMessageBox.question(
            self,
            "Move to trash",
            f"Move the {self.record_screen.noun} “{name}” to the trash?\n\n"
            "You can bring it back from the trash later.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._change_trashed(row, trash=True)

    @Slot()
    def _on_restore_action_triggered(self) -> None:
        row = self.table.selected_row()
        if row is not None:
            self._change_trashed(row, trash=False)

    def _change_trashed(self, row: int, *, trash: bool) -> None:
        record_id, version = self.model.row_id(row), self.model.row_version(row)
        assert record_id is not None and version is not None
        action = self.record_screen.trash if trash else self.record_screen.restore
        database, user = self._database, self._user

        def work() -> None:
            with database.session() as session:
                action(session, user, record_id, version)
                session.commit()

        run_in_background(
            work,
            lambda _none: self.model.refresh(),
            lambda error: show_error(self, error),
            context=self,
        )

    @Slot(bool)
    def _on_show_trash_action_toggled(self, checked: bool) -> None:
        self.restore_action.setVisible(checked)
        for action in (self.new_action, self.edit_action, self.trash_action):
            action.setVisible(not checked)
        self.model.set_trashed(checked)

    @Slot(str)
    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    @Slot()
    def _on_search_timer_timeout(self) -> None:
        self.model.set_search(self.search.text())

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        self._update_actions()

    @Slot()
    def _on_model_model_reset(self) -> None:
        # A list longer than a page shows its rows before it is counted.
        if self.model.rowCount():
            self._pages.setCurrentWidget(self.table)

    @Slot(int)
    def _on_model_rows_counted(self, count: int) -> None:
        self.row_count = count
        self._update_empty_state()
        self._update_actions()
        self.rows_counted.emit(count)

    def _update_empty_state(self) -> None:
        request = self.model.request
        title = self.record_screen.title.lower()
        if request.search:
            text = f"No {title} match “{request.search}”."
        elif request.is_filtered and not request.trashed:
            text = f"No {title} match these filters."
        elif request.trashed:
            text = "The trash is empty."
        else:
            text = f"No {title} yet. Click New to add the first one."
        self.empty_label.setText(text)
        empty = self.row_count == 0
        self._pages.setCurrentWidget(self.empty_label if empty else self.table)

    def _update_actions(self) -> None:
        writable = self._user.can_write
        has_row = self.table.selected_row() is not None
        self.new_action.setEnabled(writable)
        self.edit_action.setEnabled(has_row)
        self.trash_action.setEnabled(writable and has_row)
        self.restore_action.setEnabled(writable and has_row)
        self.bulk.update_enabled()

    @Slot(object)
    def _on_filter_bar_filters_changed(self, filters: dict[str, Any]) -> None:
        self.model.set_filters(**filters)

    @Slot(object)
    def _on_filter_bar_saved_filter_chosen(self, request: ListRequest) -> None:
        self.search.blockSignals(True)
        self.search.setText(request.search)
        self.search.blockSignals(False)
        sort = request.sort or self.record_screen.spec.default_sort
        self.model.set_filters(
            search=request.search,
            sort=sort,
            descending=request.descending,
            **filter_values(request),
        )
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        header.blockSignals(False)

    @Slot(int)
    def _on_bulk_finished(self, _changed: int) -> None:
        # A bulk tag may have made a new tag to filter by.
        self.filter_bar.load_choices()
