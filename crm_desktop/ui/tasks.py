"""TaskAgenda: my open tasks by day, their changes, and reminders as they fall due."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, QTimer, QTimeZone, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSystemTrayIcon,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.db.types import utcnow
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import pipeline, tasks
from crm_desktop.services.pipeline import OwnerChoice
from crm_desktop.services.tasks import Agenda, TaskRow
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.forms.activity import ActivityDialog, ActivityLoad
from crm_desktop.ui.forms.base import RecordDialog, open_record_dialog
from crm_desktop.ui.forms.task_dialogs import ask_new_due, ask_owner
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.task_agenda import (
    OVERDUE,
    OWNER_COLUMN,
    TODAY,
    UPCOMING,
    AgendaModel,
)
from crm_desktop.ui.screens import BY_NAME
from crm_desktop.ui.workers import Generation, run_in_background

logger = logging.getLogger(__name__)

# The agenda's name among the main window's views (--view tasks).
TASKS_VIEW = "tasks"
TASKS_TITLE = "Tasks"
REMINDER_INTERVAL_MS = 30_000
REMINDER_SHOWN_MS = 15_000
# More overdue tasks than this start folded away under their group's row.
COLLAPSED_OVERDUE_OVER = 10

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class AgendaLoad:
    """What a load brings back: the agenda, its zone, who tasks can go to."""

    agenda: Agenda
    zone: dt.tzinfo
    owners: list[OwnerChoice]


def user_zone(name: str) -> dt.tzinfo:
    """Return the zone named `name` (the business's), else UTC."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r; showing times in UTC", name)
        return dt.UTC


def computer_zone() -> dt.tzinfo:
    """Return the user's time zone: the one this computer is set to.

    Users have no time zone of their own in the database, so the zone of
    the operating system stands for the user's; the activity dialog reads
    and writes times in the same zone. Qt names it (TZ, /etc/localtime, the
    Windows setting) and zoneinfo knows its daylight-saving rules; without
    a name it knows, the fixed offset in force now is the best left.
    """
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("no rules for the time zone %r; using today's offset", name)
        zone = dt.datetime.now().astimezone().tzinfo
        return zone if zone is not None else dt.UTC


def load_agenda(database: Database, user: CurrentUser, now: dt.datetime) -> AgendaLoad:
    """Read the user's agenda in the user's zone (runs on a worker)."""
    zone = computer_zone()
    with database.session() as session:
        agenda = tasks.agenda(session, user, now=now, tz=zone)
        owners = pipeline.owners(session)
    return AgendaLoad(agenda, zone, owners)


def change_task(database: Database, change: Callable[..., int]) -> int:
    """Run one task change in its own session and commit (runs on a worker)."""
    with database.session() as session:
        version = change(session)
        session.commit()
    return version


class TaskAgenda(QWidget):
    """My tasks: overdue, today and upcoming, with reminders as tasks fall due.

    Signals:
        agenda_loaded: The tasks are in place after a load; carries their
            number.
        load_failed: The agenda could not be read; carries the reason.
        task_changed: A task was done, rescheduled or reassigned; its id.
        reminders_changed: How many reminders the user has not seen yet
            (the badge); 0 once the agenda is looked at.
        reminder_shown: A reminder was shown; carries its text.

    Every 30 s the agenda asks for the user's tasks that fell due since the
    last check (`clock`, UTC now by default, says when "now" is) and shows
    a reminder for each: a tray message where a system tray exists, else a
    message in the main window's status bar.
    """

    agenda_loaded = Signal(int)
    load_failed = Signal(str)
    task_changed = Signal(int)
    reminders_changed = Signal(int)
    reminder_shown = Signal(str)

    def __init__(
        self,
        database: Database,
        user: CurrentUser,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("taskAgenda")
        self._database = database
        self._user = user
        self._clock = clock or utcnow
        self._started = False
        self._generation = Generation()
        self._loaded: AgendaLoad | None = None
        self._last_check = self._clock()
        self._unseen = 0
        self._tray: QSystemTrayIcon | None = None
        self.model = AgendaModel(self)
        self._build_actions()
        self._build_layout()
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(0)
        self._settle_timer.timeout.connect(self._on_settle_timer_timeout)
        self.reminder_timer = QTimer(self)
        self.reminder_timer.setInterval(REMINDER_INTERVAL_MS)
        self.reminder_timer.timeout.connect(self._on_reminder_timer_timeout)
        self.reminder_timer.start()

    def _build_actions(self) -> None:
        self.done_action = QAction(icon("done"), "Mark done", self)
        self.done_action.setToolTip("Mark the selected task done")
        self.done_action.triggered.connect(self._on_done_action_triggered)
        self.reschedule_action = QAction("Reschedule…", self)
        self.reschedule_action.triggered.connect(self._on_reschedule_action_triggered)
        self.reassign_action = QAction("Reassign…", self)
        self.reassign_action.triggered.connect(self._on_reassign_action_triggered)
        # F5 is the main window's View > Refresh (ui/commands.py).
        self.reload_action = QAction(icon("reload"), "Reload", self)
        self.reload_action.setToolTip("Read the agenda again (F5)")
        self.reload_action.triggered.connect(self._on_reload_action_triggered)
        self._task_actions = (
            self.done_action,
            self.reschedule_action,
            self.reassign_action,
        )

    def _build_layout(self) -> None:
        toolbar = self.toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        for action in (*self._task_actions, self.reload_action):
            toolbar.addAction(action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.summary_label = QLabel(toolbar)
        self.summary_label.setObjectName("agendaSummary")
        toolbar.addWidget(self.summary_label)
        self.tree = QTreeView(self)
        self.tree.setObjectName("agendaTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        # The owner is the user on their own agenda; the column is for
        # a manager looking at someone else's.
        self.tree.setColumnHidden(OWNER_COLUMN, True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(
            self._on_tree_custom_context_menu_requested
        )
        self.tree.selectionModel().selectionChanged.connect(
            self._on_tree_selection_changed
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.tree, 1)
        self._update_actions()

    @property
    def agenda(self) -> Agenda | None:
        """Return the agenda as last loaded, None before the first load."""
        return None if self._loaded is None else self._loaded.agenda

    @property
    def unseen_reminders(self) -> int:
        return self._unseen

    def activate(self) -> None:
        """Load the agenda the first time it is shown; clear the badge."""
        self.clear_reminders()
        if not self._started:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        """Read the agenda again; a load still running is dropped."""
        self.summary_label.setText("Loading…")
        self._load()

    def reload_in_place(self) -> None:
        """Read the agenda again after a change made elsewhere, quietly.

        Unlike refresh(), the summary does not say "Loading…" meanwhile; an
        agenda not shown yet is left to its first load.
        """
        if self._started:
            self._load()

    def _load(self) -> None:
        self._generation.bump()
        database, user, now = self._database, self._user, self._clock()
        run_in_background(
            lambda: load_agenda(database, user, now),
            self._apply_load,
            self._fail_load,
            context=self,
            generation=self._generation,
        )

    def _apply_load(self, loaded: AgendaLoad) -> None:
        selected = self.selected_task()
        expanded = self._expanded_groups(loaded.agenda)
        scrolled = self.tree.verticalScrollBar().value()
        self._loaded = loaded
        self.model.set_agenda(loaded.agenda, loaded.zone)
        for group in range(self.model.rowCount()):
            self.tree.setExpanded(self.model.index(group, 0), group in expanded)
        # Task and Due fit their text; Regarding takes the rest.
        for column in range(2):
            self.tree.resizeColumnToContents(column)
        if selected is not None:
            self.select_task(selected.id)
        # The rows were replaced: the reader stays where they were.
        self.tree.verticalScrollBar().setValue(scrolled)
        self.summary_label.setText(self._summary(loaded.agenda))
        self._update_actions()
        # agenda_loaded waits a turn of the event loop, so a screenshot
        # taken on it shows the rows laid out.
        self._settle_timer.start()

    def _expanded_groups(self, agenda: Agenda) -> set[int]:
        # A reload keeps the groups the user opened or closed; the first
        # load opens all but a long overdue group, which would push today's
        # tasks out of sight.
        if self._loaded is not None:
            groups = range(self.model.rowCount())
            return {g for g in groups if self.tree.isExpanded(self.model.index(g, 0))}
        if len(agenda.overdue) > COLLAPSED_OVERDUE_OVER:
            return {TODAY, UPCOMING}
        return {OVERDUE, TODAY, UPCOMING}

    @Slot()
    def _on_settle_timer_timeout(self) -> None:
        self.agenda_loaded.emit(self.agenda.count if self.agenda else 0)

    def _fail_load(self, error: BaseException) -> None:
        self.summary_label.setText("The tasks could not be read.")
        show_error(self, error)
        self.load_failed.emit(str(error))

    @staticmethod
    def _summary(agenda: Agenda) -> str:
        late = f", {len(agenda.overdue)} overdue" if agenda.overdue else ""
        noun = "task" if agenda.count == 1 else "tasks"
        return f"{agenda.count} open {noun}{late}"

    def selected_task(self) -> TaskRow | None:
        """Return the task selected in the tree, None for none or a group."""
        return self.model.task(self.tree.currentIndex())

    def select_task(self, task_id: int) -> bool:
        """Select a task's row; return whether it is on the agenda."""
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                task = self.model.task(index)
                if task is not None and task.id == task_id:
                    self.tree.setCurrentIndex(index)
                    return True
        return False

    def _update_actions(self) -> None:
        enabled = self._user.can_write and self.selected_task() is not None
        for action in self._task_actions:
            action.setEnabled(enabled)

    @Slot()
    def _on_tree_selection_changed(self) -> None:
        self._update_actions()

    @Slot(QPoint)
    def _on_tree_custom_context_menu_requested(self, point: QPoint) -> None:
        index = self.tree.indexAt(point)
        if self.model.task(index) is None:
            return
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addActions(list(self._task_actions))
        menu.popup(self.tree.viewport().mapToGlobal(point))

    @Slot()
    def _on_done_action_triggered(self) -> None:
        task, user = self.selected_task(), self._user
        if task is None:
            return
        self._change(task.id, lambda s: tasks.mark_done(s, user, task.id, task.version))

    @Slot()
    def _on_reschedule_action_triggered(self) -> None:
        task, user = self.selected_task(), self._user
        if task is None or self._loaded is None:
            return
        zone = self._loaded.zone
        new_due = ask_new_due(self, task.due_at or self._clock(), zone)
        if new_due is None:
            return
        self._change(
            task.id,
            lambda s: tasks.reschedule(s, user, task.id, task.version, new_due),
        )

    @Slot()
    def _on_reassign_action_triggered(self) -> None:
        task, user = self.selected_task(), self._user
        if task is None or self._loaded is None:
            return
        owner = ask_owner(self, self._loaded.owners, task.owner_id)
        if owner is None:
            return
        self._change(
            task.id, lambda s: tasks.reassign(s, user, task.id, task.version, owner)
        )

    def _change(self, task_id: int, change: Callable[..., int]) -> None:
        database = self._database
        run_in_background(
            lambda: change_task(database, change),
            lambda _version: self._finish_change(task_id),
            self._fail_change,
            context=self,
        )

    def _finish_change(self, task_id: int) -> None:
        self.task_changed.emit(task_id)
        self.refresh()

    def _fail_change(self, error: BaseException) -> None:
        show_error(self, error)
        # The row may be stale or gone: show the agenda as it is now.
        self.refresh()

    @Slot()
    def _on_reminder_timer_timeout(self) -> None:
        self.check_reminders()

    def check_reminders(self) -> None:
        """Ask for tasks that fell due since the last check, and remind."""
        start, end = self._last_check, self._clock()
        if end <= start:
            return
        # Moved on before the answer: a slow query must not remind twice.
        self._last_check = end
        database, user = self._database, self._user
        run_in_background(
            lambda: _fell_due(database, user, start, end),
            self._remind,
            self._fail_reminders,
            context=self,
        )

    def _remind(self, due: list[TaskRow]) -> None:
        if not due:
            return
        for task in due:
            about = f" ({task.regarding})" if task.regarding else ""
            self._notify(f"Task due: {task.subject}{about}")
        self._unseen += len(due)
        self.reminders_changed.emit(self._unseen)
        if self._started:
            self.refresh()

    def _fail_reminders(self, error: BaseException) -> None:
        # A reminder check is retried in 30 s; a dialog every 30 s while the
        # database is away would be worse than a log line.
        logger.warning("could not check for tasks falling due: %s", error)

    def _notify(self, message: str) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(icon("app"), self)
                self._tray.show()
            self._tray.showMessage(
                "crm-desktop",
                message,
                QSystemTrayIcon.MessageIcon.Information,
                REMINDER_SHOWN_MS,
            )
        else:
            window = self.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(message, REMINDER_SHOWN_MS)
        logger.info("reminder shown for a task falling due")
        self.reminder_shown.emit(message)

    def clear_reminders(self) -> None:
        """Forget unseen reminders: the user is looking at the agenda."""
        if self._unseen:
            self._unseen = 0
            self.reminders_changed.emit(0)

    @Slot()
    def _on_reload_action_triggered(self) -> None:
        self.refresh()

    def new_record(self) -> None:
        """Open the activity dialog for a new task; the agenda reloads after."""
        database, user = self._database, self._user

        def build(loaded: ActivityLoad) -> RecordDialog:
            dialog = ActivityDialog(loaded, database, user, self.window())
            dialog.setWindowTitle("New task")
            dialog.kind.setCurrentIndex(dialog.kind.findData("task"))
            return dialog

        open_record_dialog(self, lambda: ActivityLoad(None), build, self._on_saved)

    def open_current(self) -> None:
        """Open the selected task in the activity dialog."""
        task = self.selected_task()
        if task is not None:
            BY_NAME["activities"].open_dialog(
                self, self._database, self._user, task.id, self._on_saved
            )

    @Slot(int)
    def _on_saved(self, _task_id: int) -> None:
        self.refresh()


def _fell_due(
    database: Database, user: CurrentUser, start: dt.datetime, end: dt.datetime
) -> list[TaskRow]:
    with database.session() as session:
        return tasks.due_between(session, user, start, end)
