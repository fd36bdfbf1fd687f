"""BulkActions: assign an owner, add a tag or trash many rows of a list at once.

What is selected becomes a bulk_edits.Selection: the picked rows with the
versions shown, or, when every row is selected, the list's own search and
filter, run in SQL however many rows it has. Each question names how many
records it is about; the work runs on a worker behind a progress dialog,
and the list reloads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from babel.numbers import format_decimal
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMessageBox, QProgressDialog, QWidget
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import bulk_edits, pipeline, tags
from crm_desktop.services.bulk_edits import Selection
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.record_table import RecordTableModel
from crm_desktop.ui.screens import Screen
from crm_desktop.ui.widgets.record_table_view import RecordTableView
from crm_desktop.ui.workers import run_in_background

logger = logging.getLogger(__name__)

BulkWork = Callable[[Session, CurrentUser, Selection], int]


class BulkActions(QObject):
    """The bulk actions of one list screen.

    Signals:
        finished: A bulk action was written; carries how many records changed.
    """

    finished = Signal(int)

    def __init__(
        self,
        screen: Screen,
        table: RecordTableView,
        database: Database,
        user: CurrentUser,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._screen = screen
        self._table = table
        self._model: RecordTableModel = table.model()  # type: ignore[assignment]
        self._database = database
        self._user = user
        self._widget = parent
        self.progress: QProgressDialog | None = None
        # The list's counted length: until the count lands the model may
        # hold fewer rows than the list has, and "every row" is not known.
        self._total = -1
        self._model.rows_counted.connect(self._on_model_rows_counted)
        noun = screen.noun
        self.owner_action = QAction(icon("contacts"), "Assign owner…", parent)
        self.owner_action.setToolTip(f"Give the selected {noun} records to a user")
        self.owner_action.triggered.connect(self._on_owner_action_triggered)
        self.tag_action = QAction(icon("new"), "Add tag…", parent)
        self.tag_action.setToolTip(f"Tag the selected {noun} records")
        self.tag_action.triggered.connect(self._on_tag_action_triggered)
        self.tag_action.setVisible(screen.spec.tag_link is not None)

    def selected_count(self) -> int:
        """Return how many rows are selected (loaded or not)."""
        ranges = self._table.selectionModel().selection()
        return sum(
            ranges.at(i).bottom() - ranges.at(i).top() + 1
            for i in range(ranges.count())
        )

    def selection(self) -> Selection | None:
        """Return what is selected as a Selection; None if nothing usable is."""
        model = self._model
        count = self.selected_count()
        if count == 0:
            return None
        if count == self._total == model.rowCount() and count > 1:
            return Selection(self._screen.spec, request=model.request, expected=count)
        picked = []
        for index in self._table.selectionModel().selectedRows():
            record_id = model.row_id(index.row())
            version = model.row_version(index.row())
            if record_id is None or version is None:
                return None
            picked.append((record_id, version))
        return Selection(self._screen.spec, tuple(picked))

    @Slot(int)
    def _on_model_rows_counted(self, total: int) -> None:
        self._total = total

    def update_enabled(self) -> None:
        """Enable the actions when rows are selected and the user may write."""
        usable = self._user.can_write and self.selected_count() > 0
        usable = usable and not self._model.request.trashed
        self.owner_action.setEnabled(usable)
        self.tag_action.setEnabled(usable)

    def _count_text(self, selection: Selection) -> str:
        number = format_decimal(selection.size, locale=self._model.formatter.locale)
        noun = self._screen.noun if selection.size == 1 else self._screen.title.lower()
        return f"{number} {noun}"

    def _usable_selection(self) -> Selection | None:
        selection = self.selection()
        if selection is None:
            QMessageBox.information(
                self._widget,
                "Still loading",
                "Some of the selected rows are still loading. Wait for them, "
                "or select every row with Ctrl+A.",
            )
        return selection

    @Slot()
    def _on_owner_action_triggered(self) -> None:
        selection = self._usable_selection()
        if selection is None:
            return
        database = self._database

        def work() -> list[pipeline.OwnerChoice]:
            with database.session() as session:
                return pipeline.owners(session)

        run_in_background(
            work,
            lambda owners: self._ask_owner(selection, owners),
            lambda error: show_error(self._widget, error),
            context=self,
        )

    def _ask_owner(
        self, selection: Selection, owners: list[pipeline.OwnerChoice]
    ) -> None:
        names = [owner.name for owner in owners]
        name, accepted = QInputDialog.getItem(
            self._widget,
            "Assign owner",
            f"Give {self._count_text(selection)} to:",
            names,
            0,
            False,
        )
        if not accepted or name not in names:
            return
        owner = owners[names.index(name)]
        self.assign_owner(selection, owner.id)

    def assign_owner(self, selection: Selection, owner_id: int) -> None:
        """Give the selection to a user (the question named how many)."""
        self._run(
            selection,
            "Assigning owner",
            lambda s, u, sel: bulk_edits.assign_owner(s, u, sel, owner_id),
        )

    @Slot()
    def _on_tag_action_triggered(self) -> None:
        selection = self._usable_selection()
        if selection is None:
            return
        database = self._database

        def work() -> list[str]:
            with database.session() as session:
                return [name for _id, name in tags.all_tags(session)]

        run_in_background(
            work,
            lambda names: self._ask_tag(selection, names),
            lambda error: show_error(self._widget, error),
            context=self,
        )

    def _ask_tag(self, selection: Selection, names: list[str]) -> None:
        name, accepted = QInputDialog.getItem(
            self._widget,
            "Add tag",
            f"Tag {self._count_text(selection)} with (pick or type a new one):",
            names,
            0,
            True,
        )
        if accepted and name.strip():
            self.add_tag(selection, name)

    def add_tag(self, selection: Selection, name: str) -> None:
        """Tag the selection (the question named how many)."""
        self._run(
            selection,
            "Adding tag",
            lambda s, u, sel: bulk_edits.add_tag(s, u, sel, name),
        )

    def trash_selected(self) -> None:
        """Ask, stating how many, then move the selection to the trash."""
        selection = self._usable_selection()
        if selection is None:
            return
        answer = QMessageBox.question(
            self._widget,
            "Move to trash",
            f"Move {self._count_text(selection)} to the trash?\n\n"
            "You can bring them back from the trash later.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.move_to_trash(selection)

    def move_to_trash(self, selection: Selection) -> None:
        """Move the selection to the trash (already confirmed)."""
        self._run(selection, "Moving to trash", bulk_edits.move_to_trash)

    def _run(self, selection: Selection, title: str, action: BulkWork) -> None:
        database, user = self._database, self._user

        def work() -> int:
            with database.session() as session:
                changed = action(session, user, selection)
                session.commit()
            return changed

        self._show_progress(title, selection)
        run_in_background(work, self._done, self._failed, context=self)

    def _show_progress(self, title: str, selection: Selection) -> None:
        # The database gives no progress within one statement: the dialog
        # is a busy bar that appears if the work takes longer than a moment.
        progress = QProgressDialog(
            f"{title}: {self._count_text(selection)}…", "", 0, 0, self._widget
        )
        progress.setWindowTitle(title)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.setValue(0)
        self.progress = progress

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, changed: int) -> None:
        self._close_progress()
        self._table.clearSelection()
        self._model.refresh()
        self.finished.emit(changed)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        show_error(self._widget, error)
