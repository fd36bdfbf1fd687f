"""Filters, saved filters, bulk actions and the Trash view, driven through Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from crm_desktop.db.database import Database
from crm_desktop.db.models import AuditEntry, Contact, ContactTag, Tag
from crm_desktop.security.roles import CurrentUser, UserId
from crm_desktop.services import bulk_edits, lists, users
from crm_desktop.ui.list_view import RecordListView
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.trash_view import TRASH_VIEW

TIMEOUT = 10_000


def _open(qtbot: QtBot, database: Database, user: CurrentUser) -> MainWindow:
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    view = window.views["contacts"]
    signals = [view.filter_bar.choices_loaded, view.rows_counted]
    with qtbot.waitSignals(signals, timeout=TIMEOUT):
        window.show()
        window.show_view("contacts")
    return window


def _add_user(database: Database, admin: CurrentUser, name: str, role: str) -> int:
    with database.session() as session:
        user = users.create_user(
            session, admin, name, "long enough pw", role=role, full_name=name.title()
        )
        session.commit()
    return int(user.id)


def _scalar(database: Database, query: object) -> int:
    with database.session() as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _pick(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index > 0, f"{text!r} not in {combo.objectName()}"
    combo.setCurrentIndex(index)


def _choose(qtbot: QtBot, view: RecordListView, change: Callable[[], None]) -> int:
    with qtbot.waitSignal(view.rows_counted, timeout=TIMEOUT) as counted:
        change()
    return int(counted.args[0])


def _first_ids(database: Database, count: int) -> list[int]:
    query = select(Contact.id).order_by(Contact.sort_name, Contact.id).limit(count)
    with database.session() as session:
        return list(session.scalars(query))


def _owned_and_tagged(database: Database, admin: CurrentUser) -> int:
    """Give the first 40 contacts to Tom and tag every third one VIP."""
    tom = _add_user(database, admin, "tom", "staff")
    ids = _first_ids(database, 40)
    picked = tuple((i, 1) for i in ids)
    with database.session() as session:
        bulk_edits.assign_owner(
            session, admin, bulk_edits.Selection(lists.CONTACTS, picked), tom
        )
        vip = tuple((i, 1) for i in _first_ids(database, 300)[40::3])
        bulk_edits.add_tag(
            session, admin, bulk_edits.Selection(lists.CONTACTS, vip), "VIP"
        )
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        session.execute(
            update(Contact).where(Contact.id.in_(ids[:10])).values(created_at=old)
        )
        session.commit()
    return tom


def test_filters_by_owner_tag_and_created_period_match_the_database(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    tom = _owned_and_tagged(ui_database, admin)
    window = _open(qtbot, ui_database, admin)
    view = window.views["contacts"]
    bar = view.filter_bar
    assert bar.tag_combo is not None

    counted = _choose(qtbot, view, lambda: _pick(bar.owner_combo, "Tom"))
    owned = _scalar(ui_database, select(func.count()).where(Contact.owner_id == tom))
    assert counted == owned == 40
    assert window.count_label.text() == "40 contacts"
    shown = {view.model.row_id(row) for row in range(view.model.rowCount())}
    assert shown == set(_first_ids(ui_database, 40))

    counted = _choose(qtbot, view, lambda: _pick(bar.tag_combo, "VIP"))
    # Tom's contacts are the first 40 and none of them carries the tag.
    assert counted == 0
    assert view.empty_label.text() == "No contacts match these filters."

    counted = _choose(qtbot, view, lambda: bar.owner_combo.setCurrentIndex(0))
    tagged = _scalar(
        ui_database,
        select(func.count())
        .select_from(ContactTag)
        .join(Tag, Tag.id == ContactTag.tag_id)
        .where(Tag.name == "VIP"),
    )
    assert counted == tagged == len(range(40, 300, 3))

    bar.tag_combo.setCurrentIndex(0)
    counted = _choose(
        qtbot, view, lambda: _pick(bar.period_combo, "Created: last 30 days")
    )
    assert counted == 290
    counted = _choose(
        qtbot, view, lambda: _pick(bar.period_combo, "Created: custom range")
    )
    assert bar.start_edit.isVisible() and bar.end_edit.isVisible()
    counted = _choose(
        qtbot, view, lambda: bar.start_edit.setDate(bar.start_edit.date().addYears(-2))
    )
    assert counted == 300


def test_saved_filter_is_there_after_reopening_the_window(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    _owned_and_tagged(ui_database, admin)
    window = _open(qtbot, ui_database, admin)
    view = window.views["contacts"]
    _choose(qtbot, view, lambda: _pick(view.filter_bar.owner_combo, "Tom"))
    _choose(qtbot, view, lambda: qtbot.keyClicks(view.search, "novak"))
    with qtbot.waitSignal(view.filter_bar.choices_loaded, timeout=TIMEOUT):
        view.filter_bar.save_current("Tom's Novaks")
    window.close()

    again = _open(qtbot, ui_database, admin)
    view = again.views["contacts"]
    assert view.row_count == 300
    actions = [a.text() for a in view.filter_bar.saved_menu.actions()]
    assert actions[0] == "Tom's Novaks"
    counted = _choose(qtbot, view, view.filter_bar.saved_menu.actions()[0].trigger)

    expected = _scalar(
        ui_database,
        select(func.count()).where(
            Contact.owner_id != admin.id, Contact.family_name.like("Novak%")
        ),
    )
    assert counted == expected > 0
    assert view.search.text() == "novak"
    assert view.filter_bar.owner_combo.currentText() == "Tom"


def _select_rows(qtbot: QtBot, view: RecordListView, rows: list[int]) -> None:
    view.table.setFocus()
    for number, row in enumerate(rows):
        rect = view.table.visualRect(view.model.index(row, 0))
        modifier = (
            Qt.KeyboardModifier.ControlModifier
            if number
            else Qt.KeyboardModifier.NoModifier
        )
        qtbot.mouseClick(
            view.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center()
        )


def test_three_selected_contacts_get_a_tag_and_an_owner_with_audit(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    tom = _add_user(ui_database, admin, "tom", "staff")
    window = _open(qtbot, ui_database, admin)
    view = window.views["contacts"]
    _select_rows(qtbot, view, [0, 2, 4])
    ids = [view.model.row_id(row) for row in (0, 2, 4)]
    selection = view.bulk.selection()
    assert selection is not None and view.bulk.owner_action.isEnabled()
    assert [pair[0] for pair in selection.picked] == ids

    with (
        qtbot.waitSignal(view.bulk.finished, timeout=TIMEOUT) as done,
        qtbot.waitSignal(view.rows_counted, timeout=TIMEOUT),
    ):
        view.bulk.add_tag(selection, "Press")
        progress = view.bulk.progress
        assert progress is not None
        assert progress.labelText() == "Adding tag: 3 contacts…"
    assert done.args == [3]
    assert view.bulk.progress is None
    _select_rows(qtbot, view, [0, 2, 4])
    fresh = view.bulk.selection()
    assert fresh is not None
    with qtbot.waitSignal(view.bulk.finished, timeout=TIMEOUT) as done:
        view.bulk.assign_owner(fresh, tom)
    assert done.args == [3]

    with ui_database.session() as session:
        rows = session.execute(
            select(Contact.id, Contact.owner_id, Contact.version)
            .where(Contact.id.in_(ids))
            .order_by(Contact.id)
        ).all()
        tagged = session.scalars(
            select(ContactTag.contact_id)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(Tag.name == "Press")
            .order_by(ContactTag.contact_id)
        ).all()
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.record_id, AuditEntry.changes)
            .where(AuditEntry.action.in_(["tag", "update"]))
            .where(AuditEntry.table_name == "contacts")
            .order_by(AuditEntry.action, AuditEntry.record_id)
        ).all()
    assert [tuple(r) for r in rows] == [(i, tom, 3) for i in sorted(ids)]
    assert list(tagged) == sorted(ids)
    assert [tuple(a) for a in audit] == [
        *[("tag", i, {"tag": [None, "Press"]}) for i in sorted(ids)],
        *[("update", i, {"owner_id": [admin.id, tom]}) for i in sorted(ids)],
    ]


def _answer_next_question(answers: list[str]) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        answers.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, answer)


def test_select_all_trash_then_restore_everything_from_the_trash_view(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    qtmodeltester: ModelTester,
) -> None:
    window = _open(qtbot, ui_database, admin)
    view = window.views["contacts"]
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    selection = view.bulk.selection()
    assert selection is not None and selection.request is not None
    assert selection.expected == 300

    questions: list[str] = []
    _answer_next_question(questions)
    with qtbot.waitSignal(view.rows_counted, timeout=TIMEOUT) as counted:
        view.trash_action.trigger()
    assert questions == [
        "Move 300 contacts to the trash?\n\nYou can bring them back from the "
        "trash later."
    ]
    assert counted.args == [0]
    live = select(func.count()).where(Contact.deleted_at.is_(None))
    assert _scalar(ui_database, live) == 0

    trash = window.trash
    with qtbot.waitSignal(trash.trash_loaded, timeout=TIMEOUT) as loaded:
        window.show_view(TRASH_VIEW)
    assert loaded.args == [300]
    assert trash.model.index(0, 0).data() == "Contact"
    assert trash.model.index(0, 3).data() == "Ada Admin"
    qtmodeltester.check(trash.model)

    trash.table.selectAll()
    with qtbot.waitSignal(trash.trash_loaded, timeout=TIMEOUT) as loaded:
        trash.restore_action.trigger()
    assert loaded.args == [0]
    assert _scalar(ui_database, live) == 300
    restores = select(func.count()).where(AuditEntry.action == "restore")
    assert _scalar(ui_database, restores) == 300


def test_a_read_only_user_cannot_bulk_change_and_a_forced_try_changes_nothing(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    reader_id = _add_user(ui_database, admin, "reader", "read_only")
    reader = CurrentUser(UserId(reader_id), "reader", "Reader", "read_only")
    window = _open(qtbot, ui_database, reader)
    view = window.views["contacts"]
    _select_rows(qtbot, view, [0, 1, 2])

    assert not view.bulk.owner_action.isEnabled()
    assert not view.bulk.tag_action.isEnabled()
    assert not view.trash_action.isEnabled()
    selection = view.bulk.selection()
    assert selection is not None
    before = _scalar(ui_database, select(func.count()).select_from(AuditEntry))
    view.bulk.add_tag(selection, "VIP")
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    assert "read-only" in box.text()
    box.close()
    assert _scalar(ui_database, select(func.count()).select_from(Tag)) == 0
    after = _scalar(ui_database, select(func.count()).select_from(AuditEntry))
    assert after == before


def test_the_filtered_list_model_passes_the_model_tester(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser, qtmodeltester: ModelTester
) -> None:
    _owned_and_tagged(ui_database, admin)
    window = _open(qtbot, ui_database, admin)
    view = window.views["contacts"]
    assert view.filter_bar.tag_combo is not None
    _choose(qtbot, view, lambda: _pick(view.filter_bar.tag_combo, "VIP"))

    qtmodeltester.check(view.model)
