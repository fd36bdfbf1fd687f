"""The task agenda with pytest-qt on both back-ends: groups, changes, reminders."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from crm_desktop.app import run_gui
from crm_desktop.db.database import Database
from crm_desktop.db.models import Activity
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, settings, tasks
from crm_desktop.services.activities import ActivityData
from crm_desktop.ui import tasks as tasks_module
from crm_desktop.ui.forms.task_dialogs import RescheduleDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.models.task_agenda import (
    OVERDUE,
    TODAY,
    UPCOMING,
    AgendaModel,
)
from crm_desktop.ui.tasks import TaskAgenda
from tests.services.record_checks import add_user

TIMEOUT = 10_000
# 10:00 UTC on a Monday in winter: 10:00 in London, 11:00 in Berlin.
NOW = dt.datetime(2027, 1, 11, 10, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _add_task(
    database: Database,
    user: CurrentUser,
    subject: str,
    due_at: dt.datetime | None,
) -> int:
    with database.session() as session:
        task_id = activities.create(
            session, user, ActivityData("task", subject, due_at=due_at)
        )
        session.commit()
    return task_id


def _activity(database: Database, task_id: int) -> Activity:
    with database.session() as session:
        activity = session.get(Activity, task_id)
        assert activity is not None
        return activity


def _subjects(agenda: TaskAgenda, group: int) -> list[str]:
    return [task.subject for task in agenda.model.group(group)]


def open_agenda(
    qtbot: QtBot, database: Database, user: CurrentUser, clock: Clock
) -> TaskAgenda:
    agenda = TaskAgenda(database, user, clock=clock)
    qtbot.addWidget(agenda)
    agenda.resize(1000, 600)
    with qtbot.waitSignal(agenda.agenda_loaded, timeout=TIMEOUT):
        agenda.show()
        agenda.activate()
    return agenda


def _click(qtbot: QtBot, agenda: TaskAgenda, action: object) -> None:
    button = agenda.toolbar.widgetForAction(action)  # type: ignore[arg-type]
    assert isinstance(button, QWidget) and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def set_computer_zone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Set this process's time zone, as the user's computer would be set."""
    monkeypatch.setenv("TZ", name)
    time.tzset()


@pytest.fixture(autouse=True)
def _computer_in_london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The agenda shows times in the computer's zone: pin it, and put the
    # machine's own back after the test.
    set_computer_zone(monkeypatch, "Europe/London")
    yield
    monkeypatch.undo()
    time.tzset()


def test_tasks_show_in_their_group_with_times_in_the_users_zone(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The business's zone is not the user's: the computer's zone counts.
    with ui_database.session() as session:
        settings.save(session, admin, timezone="America/New_York")
        session.commit()
    set_computer_zone(monkeypatch, "Europe/Berlin")
    _add_task(ui_database, admin, "Chase invoice", NOW - dt.timedelta(days=1))
    _add_task(ui_database, admin, "Send quote", NOW + dt.timedelta(hours=4))
    # 23:30 UTC on Monday is 00:30 on Tuesday in Berlin.
    _add_task(ui_database, admin, "Call back", NOW.replace(hour=23, minute=30))

    agenda = open_agenda(qtbot, ui_database, admin, Clock(NOW))

    assert _subjects(agenda, OVERDUE) == ["Chase invoice"]
    assert _subjects(agenda, TODAY) == ["Send quote"]
    assert _subjects(agenda, UPCOMING) == ["Call back"]
    model = agenda.model
    today = model.index(TODAY, 0)
    assert model.data(today) == "Today (1)"
    assert model.data(model.index(0, 1, today)) == "Today 15:00"
    upcoming = model.index(UPCOMING, 0)
    assert model.data(model.index(0, 1, upcoming)) == "Tomorrow 00:30"
    assert agenda.tree.isExpanded(today)
    assert agenda.summary_label.text() == "3 open tasks, 1 overdue"


def test_a_long_overdue_group_starts_folded_and_stays_as_the_user_left_it(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    for number in range(11):
        _add_task(ui_database, admin, f"Late {number}", NOW - dt.timedelta(days=1))
    _add_task(ui_database, admin, "Send quote", NOW + dt.timedelta(hours=2))

    agenda = open_agenda(qtbot, ui_database, admin, Clock(NOW))

    overdue, today = agenda.model.index(OVERDUE, 0), agenda.model.index(TODAY, 0)
    assert not agenda.tree.isExpanded(overdue)
    assert agenda.tree.isExpanded(today)
    agenda.tree.expand(overdue)
    agenda.tree.collapse(today)
    with qtbot.waitSignal(agenda.agenda_loaded, timeout=TIMEOUT):
        agenda.refresh()
    assert agenda.tree.isExpanded(agenda.model.index(OVERDUE, 0))
    assert not agenda.tree.isExpanded(agenda.model.index(TODAY, 0))


def test_mark_done_button_marks_the_task_done_in_the_database(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    task_id = _add_task(ui_database, admin, "Send quote", NOW + dt.timedelta(hours=2))
    agenda = open_agenda(qtbot, ui_database, admin, Clock(NOW))
    assert not agenda.done_action.isEnabled()

    assert agenda.select_task(task_id)
    loaded = qtbot.waitSignal(agenda.agenda_loaded, timeout=TIMEOUT)
    with loaded, qtbot.waitSignal(agenda.task_changed, timeout=TIMEOUT) as changed:
        _click(qtbot, agenda, agenda.done_action)

    assert changed.args == [task_id]
    activity = _activity(ui_database, task_id)
    assert activity.done_at is not None
    assert activity.version == 2
    assert agenda.agenda is not None and agenda.agenda.count == 0


def test_reschedule_asks_for_a_time_and_moves_the_task(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task_id = _add_task(ui_database, admin, "Send quote", NOW - dt.timedelta(hours=2))
    new_due = NOW + dt.timedelta(days=3)
    asked: list[dt.datetime] = []

    def answer(_parent: QWidget, due: dt.datetime, _zone: dt.tzinfo) -> dt.datetime:
        asked.append(due)
        return new_due

    monkeypatch.setattr(tasks_module, "ask_new_due", answer)
    agenda = open_agenda(qtbot, ui_database, admin, Clock(NOW))
    agenda.select_task(task_id)

    with qtbot.waitSignal(agenda.agenda_loaded, timeout=TIMEOUT):
        _click(qtbot, agenda, agenda.reschedule_action)

    assert asked == [NOW - dt.timedelta(hours=2)]
    assert _activity(ui_database, task_id).due_at == new_due
    assert _subjects(agenda, UPCOMING) == ["Send quote"]


def test_reassign_hands_the_task_to_the_chosen_owner(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = add_user(ui_database, admin, "sam", "staff")
    task_id = _add_task(ui_database, admin, "Send quote", NOW + dt.timedelta(hours=2))
    monkeypatch.setattr(tasks_module, "ask_owner", lambda *_args: staff.id)
    agenda = open_agenda(qtbot, ui_database, admin, Clock(NOW))
    agenda.select_task(task_id)

    with qtbot.waitSignal(agenda.agenda_loaded, timeout=TIMEOUT):
        _click(qtbot, agenda, agenda.reassign_action)

    assert _activity(ui_database, task_id).owner_id == staff.id
    assert _subjects(agenda, TODAY) == []


def test_a_task_falling_due_shows_a_reminder_and_a_badge(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock(NOW)
    monkeypatch.setattr(tasks_module, "utcnow", clock)
    window = MainWindow(ui_database, admin)
    qtbot.addWidget(window)
    window.show_view("contacts")
    window.show()
    assert window.agenda.reminder_timer.isActive()
    assert window.agenda.reminder_timer.interval() == 30_000
    _add_task(ui_database, admin, "Call Ada back", NOW + dt.timedelta(seconds=10))
    _add_task(ui_database, admin, "Later", NOW + dt.timedelta(minutes=5))

    clock.now = NOW + dt.timedelta(seconds=30)
    with qtbot.waitSignal(window.agenda.reminder_shown, timeout=TIMEOUT) as shown:
        window.agenda.reminder_timer.timeout.emit()

    assert shown.args == ["Task due: Call Ada back"]
    assert window.statusBar().currentMessage() == "Task due: Call Ada back"
    assert window.tasks_item.text() == "Tasks (1)"

    # The next check finds nothing new: the same task is not reminded twice.
    clock.now = NOW + dt.timedelta(seconds=60)
    with qtbot.assertNotEmitted(window.agenda.reminder_shown, wait=300):
        window.agenda.reminder_timer.timeout.emit()
    assert window.tasks_item.text() == "Tasks (1)"

    with qtbot.waitSignal(window.agenda.agenda_loaded, timeout=TIMEOUT):
        window.show_view("tasks")
    assert window.tasks_item.text() == "Tasks"
    assert _subjects(window.agenda, OVERDUE) == ["Call Ada back"]


def test_the_agenda_model_passes_the_model_tester(
    qtmodeltester: ModelTester,
) -> None:
    def row(task_id: int, due: dt.datetime | None) -> tasks.TaskRow:
        return tasks.TaskRow(task_id, 1, f"Task {task_id}", due, 1, "Ada", "Acme")

    model = AgendaModel()
    qtmodeltester.check(model)
    agenda = tasks.Agenda(
        (row(1, NOW - dt.timedelta(days=1)), row(2, NOW - dt.timedelta(hours=1))),
        (),
        (row(3, NOW + dt.timedelta(days=2)), row(4, None)),
        NOW.date(),
    )
    model.set_agenda(agenda, dt.UTC)
    qtmodeltester.check(model)
    upcoming = model.index(UPCOMING, 0)
    assert model.data(model.index(1, 1, upcoming)) == "No due date"


def test_run_gui_screenshots_the_agenda_once_it_is_drawn(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    for number in range(6):
        _add_task(ui_database, admin, f"Task {number}", now + dt.timedelta(days=number))
    path = tmp_path / "tasks.png"

    code = run_gui(ui_database, user=admin, view="tasks", screenshot=path)

    assert code == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)


def test_the_reschedule_dialog_edits_the_time_in_the_users_zone(
    qtbot: QtBot,
) -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    dialog = RescheduleDialog(NOW, berlin)
    qtbot.addWidget(dialog)

    assert dialog.editor.dateTime().time().hour() == 11
    assert dialog.due() == NOW
    assert dialog.due().tzinfo is berlin
