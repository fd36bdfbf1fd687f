"""Record dialogs: saving through the services, and failing without loss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from crm_desktop.db.database import Database
from crm_desktop.db.models import Contact, Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, contacts, deals
from crm_desktop.ui.forms.activity import ActivityDialog, load_activity
from crm_desktop.ui.forms.contact import ContactDialog, load_contact
from crm_desktop.ui.forms.deal import DealDialog, load_deal
from crm_desktop.ui.widgets.marks import is_invalid


def contact_count(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def new_contact_dialog(
    qtbot: QtBot, database: Database, user: CurrentUser
) -> ContactDialog:
    dialog = ContactDialog(load_contact(database, user, None), database, user)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click_save(
    qtbot: QtBot, dialog: ContactDialog | DealDialog | ActivityDialog
) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_contact_dialog_creates_the_contact_it_shows(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = new_contact_dialog(qtbot, ui_database, admin)
    dialog.given_name.setText("Zoë")
    dialog.family_name.setText("Quinlan")
    dialog.organization.setText("Quinlan & Daughters")
    dialog.job_title.setText("Buyer")
    dialog.emails.rows[0].edits["value"].setText("zoe@quinlan.example")
    dialog.phones.rows[0].edits["value"].setText("020 7946 0123")
    dialog.addresses.add_row("work", city="Leeds", country="United Kingdom")
    dialog.tags.setText("customer, newsletter")

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click_save(qtbot, dialog)

    with ui_database.session() as session:
        record = contacts.get(session, admin, saved.args[0]).record
    assert (record.display_name, record.organization) == (
        "Zoë Quinlan",
        "Quinlan & Daughters",
    )
    assert record.job_title == "Buyer"
    assert [e.value for e in record.emails] == ["zoe@quinlan.example"]
    assert [(p.raw, p.e164) for p in record.phones] == [
        ("020 7946 0123", "+442079460123")
    ]
    assert [a.city for a in record.addresses] == ["Leeds"]
    assert record.groups == ["customer", "newsletter"]
    assert contact_count(ui_database) == 301


def test_an_invalid_email_is_marked_and_nothing_is_written(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = new_contact_dialog(qtbot, ui_database, admin)
    dialog.given_name.setText("Ada")
    email = dialog.emails.rows[0].edits["value"]
    email.setText("ada-at-example.com")

    click_save(qtbot, dialog)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)

    assert dialog.error_label.text().startswith("Emails: ")
    assert "@" in dialog.error_label.text()
    assert is_invalid(email)
    assert email.text() == "ada-at-example.com"
    assert dialog.isVisible()
    assert dialog.save_button.isEnabled()
    assert contact_count(ui_database) == 300


def test_a_stale_save_says_so_and_keeps_the_edits(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    loaded = load_contact(ui_database, admin, 1)
    dialog = ContactDialog(loaded, ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    with ui_database.session() as session:
        record = contacts.get(session, admin, 1).record
        record.job_title = "Changed elsewhere"
        contacts.update(session, admin, 1, 1, record, region="GB")
        session.commit()
    dialog.job_title.setText("Changed here")

    click_save(qtbot, dialog)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=10_000)

    assert "changed by someone else" in dialog.error_label.text()
    assert dialog.job_title.text() == "Changed here"
    assert dialog.isVisible()
    with ui_database.session() as session:
        assert contacts.get(session, admin, 1).record.job_title == "Changed elsewhere"


def test_deal_dialog_reads_a_typed_amount(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = DealDialog(load_deal(ui_database, admin, None), ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.title.setText("Pilot for Acme")
    dialog.stage.setCurrentIndex(2)
    dialog.amount.setText("1 250,50")
    dialog.currency.setCurrentText("gbp")
    dialog.expected_close.set_date(dt.date(2026, 6, 30))

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click_save(qtbot, dialog)

    with ui_database.session() as session:
        data = deals.get(session, admin, saved.args[0]).data
        stage_names = {s.id: s.name for s in deals.stages(session)}
    assert (data.title, data.amount, data.currency) == (
        "Pilot for Acme",
        Decimal("1250.50"),
        "GBP",
    )
    assert stage_names[data.stage_id] == "Proposal"
    assert data.expected_close == dt.date(2026, 6, 30)


def test_deal_dialog_marks_an_amount_it_cannot_read(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = DealDialog(load_deal(ui_database, admin, None), ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title.setText("Pilot")
    dialog.amount.setText("12 apples")

    click_save(qtbot, dialog)

    assert dialog.error_label.text() == "Amount: '12 apples' is not an amount"
    assert is_invalid(dialog.amount)
    with ui_database.session() as session:
        assert session.scalar(select(func.count()).select_from(Deal)) == 0


def test_activity_dialog_stores_the_local_due_time_in_utc(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = ActivityDialog(load_activity(ui_database, admin, None), ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("meeting"))
    dialog.subject.setText("Quarterly review")
    dialog.due.check.setChecked(True)
    dialog.due.edit.setDateTime(QDateTime(QDate(2026, 5, 4), QTime(9, 30)))

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click_save(qtbot, dialog)

    with ui_database.session() as session:
        data = activities.get(session, admin, saved.args[0]).data
    local = dt.datetime(2026, 5, 4, 9, 30).astimezone()
    assert data.kind == "meeting"
    assert data.due_at == local.astimezone(dt.UTC)
    assert data.done_at is None
