"""The keyboard commands of the main window, and the views that carry them out.

New, Open, Move to trash, Refresh and Find in list live once, in the main
window's menus with their shortcuts, so each key has one meaning and the
menus show it. Each acts on the view in front, through ViewCommands.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStackedWidget

from crm_desktop.ui.icons import icon

logger = logging.getLogger(__name__)


@runtime_checkable
class Refreshes(Protocol):
    """A view that reads its data again on F5."""

    def refresh(self) -> None:
        """Read the view's data again."""


@runtime_checkable
class ViewCommands(Refreshes, Protocol):
    """A view that also makes and opens records: lists, board and agenda."""

    def new_record(self) -> None:
        """Open the dialog for a new record of the view's kind."""

    def open_current(self) -> None:
        """Open the selected or focused record, if any."""


@runtime_checkable
class ListCommands(ViewCommands, Protocol):
    """A view with a search box and a trash: the record lists."""

    def trash_current(self) -> None:
        """Ask, then move the selected record to the trash."""

    def focus_search(self) -> None:
        """Put the cursor in the view's search box."""


class MainWindowCommands(QObject):
    """The window-wide actions that act on the view in front of `stack`."""

    def __init__(self, stack: QStackedWidget) -> None:
        super().__init__(stack)
        self._stack = stack
        standard = QKeySequence.StandardKey
        self.new_action = self._action("new", "&New…", standard.New)
        self.open_action = self._action("edit", "&Open", QKeySequence("Return"))
        # Enter on the keypad opens too; it is the same key to the user.
        self.open_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.trash_action = self._action("trash", "Move to &Trash…", standard.Delete)
        self.find_in_list_action = self._action(
            "search", "Find in &List", standard.Find
        )
        self.refresh_action = self._action("reload", "&Refresh", standard.Refresh)
        self.new_action.triggered.connect(self._on_new_action_triggered)
        self.open_action.triggered.connect(self._on_open_action_triggered)
        self.trash_action.triggered.connect(self._on_trash_action_triggered)
        self.find_in_list_action.triggered.connect(
            self._on_find_in_list_action_triggered
        )
        self.refresh_action.triggered.connect(self._on_refresh_action_triggered)
        stack.currentChanged.connect(self._on_stack_current_changed)

    def _action(
        self, icon_name: str, text: str, keys: QKeySequence | QKeySequence.StandardKey
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(keys)
        return action

    def add_to_menus(
        self, file_menu: QMenu, edit_menu: QMenu, view_menu: QMenu
    ) -> None:
        """Put each action in the menu a user looks for it in.

        New goes first in File; Open and Move to Trash first in Edit, Find
        in List after what Edit held; Refresh last in View. File and Edit
        hold an action already (Quit, Find).
        """
        first = file_menu.actions()[0]
        file_menu.insertAction(first, self.new_action)
        file_menu.insertSeparator(first)
        first = edit_menu.actions()[0]
        edit_menu.insertActions(first, [self.open_action, self.trash_action])
        edit_menu.insertSeparator(first)
        edit_menu.addAction(self.find_in_list_action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)

    def _view(self) -> ViewCommands | None:
        view = self._stack.currentWidget()
        return view if isinstance(view, ViewCommands) else None

    def _list(self) -> ListCommands | None:
        view = self._stack.currentWidget()
        return view if isinstance(view, ListCommands) else None

    @Slot(int)
    def _on_stack_current_changed(self, _index: int) -> None:
        is_list = self._list() is not None
        makes_records = self._view() is not None
        self.new_action.setEnabled(makes_records)
        self.open_action.setEnabled(makes_records)
        self.trash_action.setEnabled(is_list)
        self.find_in_list_action.setEnabled(is_list)
        self.refresh_action.setEnabled(
            isinstance(self._stack.currentWidget(), Refreshes)
        )

    @Slot()
    def _on_new_action_triggered(self) -> None:
        view = self._view()
        if view is not None:
            view.new_record()

    @Slot()
    def _on_open_action_triggered(self) -> None:
        view = self._view()
        if view is not None:
            view.open_current()

    @Slot()
    def _on_trash_action_triggered(self) -> None:
        view = self._list()
        if view is not None:
            view.trash_current()

    @Slot()
    def _on_find_in_list_action_triggered(self) -> None:
        view = self._list()
        if view is not None:
            view.focus_search()

    @Slot()
    def _on_refresh_action_triggered(self) -> None:
        view = self._stack.currentWidget()
        if isinstance(view, Refreshes):
            view.refresh()
