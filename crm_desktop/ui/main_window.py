"""MainWindow: navigation on the left, the record lists, menus, status bar."""

from __future__ import annotations

import html
import logging
from importlib import metadata

from babel.numbers import format_decimal
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import ROLE_LABELS, CurrentUser
from crm_desktop.ui.board import BOARD_TITLE, BOARD_VIEW, PipelineBoard
from crm_desktop.ui.commands import MainWindowCommands
from crm_desktop.ui.icons import icon
from crm_desktop.ui.list_view import RecordListView
from crm_desktop.ui.live_updates import LiveScreen, LiveUpdates
from crm_desktop.ui.pages.opener import RecordPages
from crm_desktop.ui.quick_search import QuickSearchDialog
from crm_desktop.ui.screens import SCREENS, Screen
from crm_desktop.ui.tasks import TASKS_TITLE, TASKS_VIEW, TaskAgenda
from crm_desktop.ui.trash_view import TRASH_TITLE, TRASH_VIEW, TrashView
from crm_desktop.ui.window_state import LAST_VIEW, PreserveGeometry

logger = logging.getLogger(__name__)


class MainWindow(PreserveGeometry, QMainWindow):
    """The program's window; it assembles the screens and nothing more.

    Signals:
        view_changed: Another list was brought to the front; carries its name.
    """

    view_changed = Signal(str)

    def __init__(
        self, database: Database, user: CurrentUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("crm-desktop")
        self._database = database
        self._user = user
        self.views: dict[str, RecordListView] = {}
        self.pages = RecordPages(database, user, self)
        self._build_screens()
        self._build_status_bar()
        self._build_menus()
        if not self.restore_geometry():
            self.resize(1280, 800)
        last = LAST_VIEW.read()
        known = last in self.views or last in (BOARD_VIEW, TASKS_VIEW, TRASH_VIEW)
        self.show_view(last if known else SCREENS[0].name)
        self._start_live_updates()

    def _build_screens(self) -> None:
        self.navigation = QListWidget(self)
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setFrameShape(QListWidget.Shape.NoFrame)
        self.navigation.setFixedWidth(self.fontMetrics().averageCharWidth() * 22)
        self.stack = QStackedWidget(self)
        for screen in SCREENS:
            self._add_screen(screen)
        self._add_board()
        self._add_agenda()
        self._add_trash()
        self.navigation.currentRowChanged.connect(
            self._on_navigation_current_row_changed
        )
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _add_screen(self, screen: Screen) -> None:
        item = QListWidgetItem(icon(screen.icon_name), screen.title)
        item.setData(Qt.ItemDataRole.UserRole, screen.name)
        item.setSizeHint(QSize(0, self.fontMetrics().height() + 18))
        self.navigation.addItem(item)
        view = RecordListView(screen, self._database, self._user, self.stack)
        view.rows_counted.connect(self._on_view_rows_counted)
        view.record_open_requested.connect(self.pages.open)
        self.stack.addWidget(view)
        self.views[screen.name] = view

    def _add_board(self) -> None:
        item = QListWidgetItem(icon("pipeline"), BOARD_TITLE)
        item.setData(Qt.ItemDataRole.UserRole, BOARD_VIEW)
        item.setSizeHint(QSize(0, self.fontMetrics().height() + 18))
        self.navigation.addItem(item)
        self.board = PipelineBoard(self._database, self._user, self.stack)
        self.board.board_loaded.connect(self._on_board_board_loaded)
        self.board.record_pages = self.pages
        self.board.deal_moved.connect(self._on_board_deal_moved)
        self.stack.addWidget(self.board)

    def _add_agenda(self) -> None:
        self.tasks_item = QListWidgetItem(icon("tasks"), TASKS_TITLE)
        self.tasks_item.setData(Qt.ItemDataRole.UserRole, TASKS_VIEW)
        self.tasks_item.setSizeHint(QSize(0, self.fontMetrics().height() + 18))
        self.navigation.addItem(self.tasks_item)
        self.agenda = TaskAgenda(self._database, self._user, self.stack)
        self.agenda.agenda_loaded.connect(self._on_agenda_agenda_loaded)
        self.agenda.reminders_changed.connect(self._on_agenda_reminders_changed)
        self.stack.addWidget(self.agenda)

    def _add_trash(self) -> None:
        item = QListWidgetItem(icon("trash-bin"), TRASH_TITLE)
        item.setData(Qt.ItemDataRole.UserRole, TRASH_VIEW)
        item.setSizeHint(QSize(0, self.fontMetrics().height() + 18))
        self.navigation.addItem(item)
        self.trash = TrashView(self._database, self._user, self.stack)
        self.trash.trash_loaded.connect(self._on_trash_trash_loaded)
        self.trash.restored.connect(self._on_trash_restored)
        self.stack.addWidget(self.trash)

    def _start_live_updates(self) -> None:
        screens: dict[str, LiveScreen] = {
            **self.views,
            BOARD_VIEW: self.board,
            TASKS_VIEW: self.agenda,
        }
        self.live_updates = LiveUpdates(self._database, screens, self)
        self.view_changed.connect(self.live_updates.on_view_changed)
        self.live_updates.relay.tables_changed.connect(self.pages.on_tables_changed)
        self.live_updates.start()

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.database_label = QLabel(self._database.description, status)
        self.database_label.setToolTip("The database this window works on")
        self.count_label = QLabel(status)
        role = ROLE_LABELS.get(self._user.role, self._user.role)
        self.user_label = QLabel(f"{self._user.username} ({role})", status)
        self.user_label.setToolTip(self._user.full_name or self._user.username)
        status.addWidget(self.database_label, 1)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.user_label)

    def _build_menus(self) -> None:
        self.commands = MainWindowCommands(self.stack)
        file_menu = self.menuBar().addMenu("&File")
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        edit_menu = self._build_edit_menu()
        view_menu = self.menuBar().addMenu("&View")
        self._view_actions = QActionGroup(self)
        for number, screen in enumerate(SCREENS, start=1):
            action = view_menu.addAction(icon(screen.icon_name), screen.title)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setCheckable(True)
            action.setData(screen.name)
            self._view_actions.addAction(action)
        board_action = view_menu.addAction(icon("pipeline"), BOARD_TITLE)
        board_action.setShortcut(QKeySequence(f"Ctrl+{len(SCREENS) + 1}"))
        board_action.setCheckable(True)
        board_action.setData(BOARD_VIEW)
        self._view_actions.addAction(board_action)
        tasks_action = view_menu.addAction(icon("tasks"), TASKS_TITLE)
        tasks_action.setShortcut(QKeySequence(f"Ctrl+{len(SCREENS) + 2}"))
        tasks_action.setCheckable(True)
        tasks_action.setData(TASKS_VIEW)
        self._view_actions.addAction(tasks_action)
        trash_action = view_menu.addAction(icon("trash-bin"), TRASH_TITLE)
        trash_action.setShortcut(QKeySequence(f"Ctrl+{len(SCREENS) + 3}"))
        trash_action.setCheckable(True)
        trash_action.setData(TRASH_VIEW)
        self._view_actions.addAction(trash_action)
        self._view_actions.triggered.connect(self._on_view_actions_triggered)
        self.commands.add_to_menus(file_menu, edit_menu, view_menu)
        help_menu = self.menuBar().addMenu("&Help")
        about = help_menu.addAction("&About crm-desktop")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._on_about_triggered)

    def _build_edit_menu(self) -> QMenu:
        self.quick_search = QuickSearchDialog(self._database, self._user, self)
        self.quick_search.record_open_requested.connect(
            self._on_quick_search_record_open_requested
        )
        edit_menu = self.menuBar().addMenu("&Edit")
        self.find_action = edit_menu.addAction(icon("search"), "&Find…")
        self.find_action.setShortcut(QKeySequence("Ctrl+K"))
        self.find_action.setToolTip("Find contacts, companies and deals")
        self.find_action.triggered.connect(self.quick_search.start)
        return edit_menu

    @Slot(str, int)
    def _on_quick_search_record_open_requested(self, kind: str, record_id: int) -> None:
        view = next(v for v in self.views.values() if v.record_screen.noun == kind)
        view.open_record(record_id)

    def current_view(self) -> RecordListView:
        view = self.stack.currentWidget()
        assert isinstance(view, RecordListView)
        return view

    def current_view_name(self) -> str:
        """Return the name of the view in front: a list's, 'board' or 'tasks'."""
        item = self.navigation.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def show_view(self, name: str) -> None:
        """Bring a view to the front: a list (contacts...), board or tasks.

        Raises:
            KeyError: no view has that name.
        """
        names = [
            self.navigation.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.navigation.count())
        ]
        if name not in names:
            raise KeyError(name)
        row = names.index(name)
        self.navigation.setCurrentRow(row)
        # setCurrentRow() is silent when the row is current already.
        self._on_navigation_current_row_changed(row)

    @Slot(int)
    def _on_navigation_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        name = self.navigation.item(row).data(Qt.ItemDataRole.UserRole)
        if name == BOARD_VIEW:
            self._show_board()
            return
        if name == TASKS_VIEW:
            self._show_agenda()
            return
        if name == TRASH_VIEW:
            self._show_trash()
            return
        view = self.views[name]
        if self.stack.currentWidget() is not view:
            self.stack.setCurrentWidget(view)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == view.record_screen.name)
        self.setWindowTitle(f"{view.record_screen.title} – crm-desktop")
        view.activate()
        self._show_count(view)
        self.view_changed.emit(view.record_screen.name)

    def _show_board(self) -> None:
        self.stack.setCurrentWidget(self.board)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == BOARD_VIEW)
        self.setWindowTitle(f"{BOARD_TITLE} – crm-desktop")
        self.board.activate()
        self.count_label.setText(self.board.summary_label.text())
        self.view_changed.emit(BOARD_VIEW)

    def _show_agenda(self) -> None:
        self.stack.setCurrentWidget(self.agenda)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == TASKS_VIEW)
        self.setWindowTitle(f"{TASKS_TITLE} – crm-desktop")
        self.agenda.activate()
        self.count_label.setText(self.agenda.summary_label.text())
        self.view_changed.emit(TASKS_VIEW)

    def _show_trash(self) -> None:
        self.stack.setCurrentWidget(self.trash)
        for action in self._view_actions.actions():
            action.setChecked(action.data() == TRASH_VIEW)
        self.setWindowTitle(f"{TRASH_TITLE} – crm-desktop")
        self.trash.activate()
        self.count_label.setText(self.trash.summary_label.text())
        self.view_changed.emit(TRASH_VIEW)

    @Slot(int)
    def _on_trash_trash_loaded(self, _count: int) -> None:
        if self.stack.currentWidget() is self.trash:
            self.count_label.setText(self.trash.summary_label.text())

    @Slot(int)
    def _on_trash_restored(self, _count: int) -> None:
        for view in self.views.values():
            view.refresh()

    @Slot(int)
    def _on_agenda_agenda_loaded(self, _count: int) -> None:
        if self.stack.currentWidget() is self.agenda:
            self.count_label.setText(self.agenda.summary_label.text())

    @Slot(int)
    def _on_agenda_reminders_changed(self, count: int) -> None:
        badge = f" ({count})" if count else ""
        self.tasks_item.setText(f"{TASKS_TITLE}{badge}")

    @Slot(int)
    def _on_board_deal_moved(self, deal_id: int) -> None:
        self.pages.reload("deal", deal_id)

    @Slot(int)
    def _on_board_board_loaded(self, _count: int) -> None:
        if self.stack.currentWidget() is self.board:
            self.count_label.setText(self.board.summary_label.text())

    @Slot(QAction)
    def _on_view_actions_triggered(self, action: QAction) -> None:
        self.show_view(str(action.data()))

    @Slot(int)
    def _on_view_rows_counted(self, _count: int) -> None:
        view = self.sender()
        if view is self.stack.currentWidget():
            assert isinstance(view, RecordListView)
            self._show_count(view)

    def _show_count(self, view: RecordListView) -> None:
        if not view.model.is_loaded:
            self.count_label.setText("Counting…")
            return
        count = view.row_count
        noun = (
            view.record_screen.noun if count == 1 else view.record_screen.title.lower()
        )
        number = format_decimal(count, locale=view.model.formatter.locale)
        where = " in the trash" if view.model.request.trashed else ""
        self.count_label.setText(f"{number} {noun}{where}")

    @Slot()
    def _on_about_triggered(self) -> None:
        try:
            version = metadata.version("crm-desktop")
        except metadata.PackageNotFoundError:
            version = ""
        where = html.escape(self._database.description)
        QMessageBox.about(
            self,
            "About crm-desktop",
            f"<h3>crm-desktop {version}</h3>"
            "<p>A desktop CRM for small businesses: this program on each PC, "
            "one shared SQLite or PostgreSQL database.</p>"
            f"<p>Database: {where}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.live_updates.stop()
        self.save_geometry()
        LAST_VIEW.write(self.current_view_name())
        for view in self.views.values():
            view.save_layout()
        super().closeEvent(event)
