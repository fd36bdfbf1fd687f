"""Record pages with real widgets on both back-ends: opening, logging, editing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from crm_desktop.db.database import Database
from crm_desktop.db.models import Activity
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, companies, contacts, deals, pipeline
from crm_desktop.services.activities import ActivityData
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.records import (
    AddressValue,
    ContactRecord,
    EmailValue,
    PhoneValue,
)
from crm_desktop.ui.forms.activity import ActivityDialog
from crm_desktop.ui.forms.contact import ContactDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.pages.base import RecordPage
from crm_desktop.ui.pages.contact_page import ContactPage
from crm_desktop.ui.pages.opener import RecordPages
from crm_desktop.ui.widgets.marks import is_invalid

# WORKAROUND: the offscreen platform warns that it cannot raise() a window;
# pages and dialogs raise themselves when asked for again, which
# qt_log_level_fail = WARNING would fail. The conftest's own ignore goes too,
# as pytest-qt reads only the closest mark.
IGNORE_RAISE = pytest.mark.qt_log_ignore("propagateSizeHints", "support raise")

TIMEOUT = 10_000
PAST = dt.datetime(2026, 11, 2, 10, 30, tzinfo=dt.UTC)


def _add_contact(database: Database, user: CurrentUser) -> tuple[int, int]:
    """Add a company and Zoë Quinlan, who works there; return both ids."""
    with database.session() as session:
        company = CompanyData("Quinlan & Daughters", city="Leeds")
        company_id = companies.create(session, user, company, region="GB")
        record = ContactRecord(
            line=0,
            given_name="Zoë",
            family_name="Quinlan",
            job_title="Buyer",
            emails=[
                EmailValue("zoe@quinlan.example", "work"),
                EmailValue("zoe.q@home.example", "home"),
            ],
            phones=[
                PhoneValue("020 7946 0123", None, "work"),
                PhoneValue("+1 202 555 0143", None, "mobile"),
            ],
            addresses=[AddressValue("work", "1 Mill Lane", "Leeds", "", "LS1 4AP")],
            groups=["customer"],
        )
        contact_id = contacts.create(
            session, user, record, region="GB", company_id=company_id
        )
        for hours, subject in ((0, "Older call"), (24, "Newer note")):
            when = PAST + dt.timedelta(hours=hours)
            data = ActivityData("call", subject, done_at=when, contact_id=contact_id)
            activities.create(session, user, data)
        session.commit()
    return company_id, contact_id


def _open_page(
    qtbot: QtBot, pages: RecordPages, kind: str, record_id: int
) -> RecordPage:
    page = pages.open(kind, record_id)
    qtbot.waitUntil(lambda: page.is_loaded, timeout=TIMEOUT)
    return page


@pytest.fixture
def window(qtbot: QtBot, ui_database: Database, admin: CurrentUser) -> MainWindow:
    main = MainWindow(ui_database, admin)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.current_view().first_page_loaded, timeout=TIMEOUT):
        main.show()
    return main


@pytest.fixture
def pages(window: MainWindow) -> Iterator[RecordPages]:
    yield window.pages
    for page in window.findChildren(RecordPage):
        for dialog in page.findChildren(QMessageBox):
            dialog.done(0)


def _links(page: RecordPage) -> list[str]:
    assert page.details is not None
    return [label.text() for label in page.details.findChildren(QLabel)]


@IGNORE_RAISE
def test_double_click_in_the_contacts_list_opens_the_contact_page(
    qtbot: QtBot, window: MainWindow, ui_database: Database, admin: CurrentUser
) -> None:
    company_id, contact_id = _add_contact(ui_database, admin)
    view = window.views["contacts"]
    with qtbot.waitSignal(view.first_page_loaded, timeout=TIMEOUT):
        view.model.set_search("Quinlan")
    index = view.model.index(0, 0)
    assert view.model.row_id(0) == contact_id
    rect = view.table.visualRect(index)

    # A double click as the user makes it: press, release, then the second
    # press arrives as a double-click event.
    viewport, left, point = (
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        rect.center(),
    )
    qtbot.mouseClick(viewport, left, pos=point)
    qtbot.mouseDClick(viewport, left, pos=point)
    qtbot.waitUntil(
        lambda: window.pages.page("contact", contact_id) is not None, timeout=TIMEOUT
    )
    page = window.pages.page("contact", contact_id)
    assert isinstance(page, ContactPage)
    qtbot.waitUntil(lambda: page.is_loaded, timeout=TIMEOUT)

    with ui_database.session() as session:
        record = contacts.get(session, admin, contact_id).record
    assert page.title_label.text() == record.display_name == "Zoë Quinlan"
    assert page.windowTitle() == "Zoë Quinlan – crm-desktop"
    assert f'href="company:{company_id}"' in page.subtitle_label.text()
    texts = "\n".join(_links(page))
    for email in record.emails:
        assert f'href="mailto:{email.value}"' in texts
    assert page.details is not None
    # National form for the business's region (GB), international otherwise.
    assert sorted(page.details.copy_buttons) == ["+1 202-555-0143", "020 7946 0123"]
    assert "1 Mill Lane, LS1 4AP Leeds (work)" in texts
    assert "customer" in texts
    timeline = page.timeline.model
    assert [timeline.entry(r).subject for r in range(timeline.rowCount())] == [
        "Newer note",
        "Older call",
    ]
    assert timeline.index(0, 3).data() == "Done"

    # Asked again, the same window comes forward.
    assert window.pages.open("contact", contact_id) is page
    assert len(window.findChildren(ContactPage)) == 1


def test_log_a_call_from_the_timeline_in_two_clicks(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)

    qtbot.mouseClick(page.timeline.log_buttons["call"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.findChild(ActivityDialog) is not None)
    dialog = page.findChild(ActivityDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=TIMEOUT)
    # Focus comes with the dialog's activation, an event or two after it shows.
    qtbot.waitUntil(dialog.subject.hasFocus, timeout=TIMEOUT)
    qtbot.keyClicks(dialog.subject, "Renewal agreed")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # Not page_loaded: the change feed, hearing _add_contact's commit, may
    # reload the page while the save runs, and that load lacks the new call.
    qtbot.waitUntil(
        lambda: (
            page.timeline.model.rowCount() == 3
            and page.timeline.model.entry(0).subject == "Renewal agreed"
        ),
        timeout=TIMEOUT,
    )

    with ui_database.session() as session:
        row = session.scalars(
            select(Activity).where(Activity.subject == "Renewal agreed")
        ).one()
        assert (row.contact_id, row.kind, row.owner_id) == (
            contact_id,
            "call",
            admin.id,
        )
        assert row.done_at is not None and row.due_at is None
    first = page.timeline.model.entry(0)
    assert (first.id, first.subject, first.kind) == (row.id, "Renewal agreed", "call")
    assert page.timeline.model.index(0, 2).data() == admin.full_name


def _edit_dialog(qtbot: QtBot, page: RecordPage) -> ContactDialog:
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.open_dialog() is not None, timeout=TIMEOUT)
    dialog = page.open_dialog()
    assert isinstance(dialog, ContactDialog)
    return dialog


def _question(qtbot: QtBot, dialog: ContactDialog) -> QMessageBox:
    qtbot.waitUntil(lambda: dialog.unsaved_question is not None, timeout=TIMEOUT)
    box = dialog.unsaved_question
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=TIMEOUT)
    return box


@IGNORE_RAISE
def test_closing_a_form_with_changes_asks_first(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    dialog = _edit_dialog(qtbot, page)
    dialog.job_title.setText("Head buyer")

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = _question(qtbot, dialog)
    assert box.text() == "Edit contact: save your changes before closing?"
    qtbot.mouseClick(
        box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: dialog.unsaved_question is None)
    assert dialog.isVisible()
    assert dialog.job_title.text() == "Head buyer"

    # Closing the page asks the same question for its dialog.
    page.close()
    assert page.isVisible()
    box = _question(qtbot, dialog)
    with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT):
        qtbot.mouseClick(
            box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton
        )
    assert not dialog.isVisible()
    with ui_database.session() as session:
        assert contacts.get(session, admin, contact_id).record.job_title == "Buyer"


def test_closing_an_unchanged_form_asks_nothing(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    dialog = _edit_dialog(qtbot, page)
    dialog.job_title.setText("Head buyer")
    dialog.job_title.setText("Buyer")

    with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    assert dialog.unsaved_question is None


def test_an_invalid_second_email_is_marked_and_nothing_is_saved(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    dialog = _edit_dialog(qtbot, page)
    first, second = (row.edits["value"] for row in dialog.emails.rows)
    second.setText("zoe@@home.example")

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT)

    assert dialog.error_label.text().startswith("Emails: ")
    assert "@" in dialog.error_label.text()
    assert is_invalid(second) and not is_invalid(first)
    assert second.hasFocus()
    with ui_database.session() as session:
        stored = contacts.get(session, admin, contact_id).record
    assert [e.value for e in stored.emails] == [
        "zoe@quinlan.example",
        "zoe.q@home.example",
    ]


def test_a_too_long_phone_marks_its_own_row(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    dialog = _edit_dialog(qtbot, page)
    first, second = (row.edits["value"] for row in dialog.phones.rows)
    second.setText("0" * 70)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=TIMEOUT)

    assert dialog.error_label.text() == ("Phones: use at most 64 characters (70 given)")
    assert is_invalid(second) and not is_invalid(first)


class _MailCatcher(QObject):
    """Stands in for the mail program, which this machine does not have."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_emails_open_as_mailto_and_phones_copy_as_shown(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    assert page.details is not None
    # NOTE: no mail program exists here, so the mailto scheme goes to a
    # handler of ours, the way Qt hands it to the desktop's mail program.
    catcher = _MailCatcher()
    QDesktopServices.setUrlHandler("mailto", catcher, "handle")
    try:
        label = next(
            label
            for label in page.details.findChildren(QLabel)
            if "mailto:zoe.q@home.example" in label.text()
        )
        label.linkActivated.emit("mailto:zoe.q@home.example")
    finally:
        QDesktopServices.unsetUrlHandler("mailto")
    assert catcher.urls == ["mailto:zoe.q@home.example"]

    button = page.details.copy_buttons["+1 202-555-0143"]
    with qtbot.waitSignal(page.details.phone_copied, timeout=TIMEOUT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "+1 202-555-0143"


def test_links_and_quick_search_open_pages(
    qtbot: QtBot, window: MainWindow, ui_database: Database, admin: CurrentUser
) -> None:
    company_id, contact_id = _add_contact(ui_database, admin)

    window.quick_search.record_open_requested.emit("contact", contact_id)
    contact_page = window.pages.page("contact", contact_id)
    assert contact_page is not None
    qtbot.waitUntil(lambda: contact_page.is_loaded, timeout=TIMEOUT)
    contact_page.subtitle_label.linkActivated.emit(f"company:{company_id}")
    company_page = window.pages.page("company", company_id)
    assert company_page is not None
    qtbot.waitUntil(lambda: company_page.is_loaded, timeout=TIMEOUT)

    assert company_page.title_label.text() == "Quinlan & Daughters"
    assert f'href="contact:{contact_id}"' in "\n".join(_links(company_page))
    subjects = [
        company_page.timeline.model.entry(r).subject
        for r in range(company_page.timeline.model.rowCount())
    ]
    assert subjects == ["Newer note", "Older call"]

    qtbot.keyClick(company_page, Qt.Key.Key_Escape)
    qtbot.waitUntil(
        lambda: window.pages.page("company", company_id) is None, timeout=TIMEOUT
    )


def test_a_page_reads_itself_again_when_its_record_changes(
    qtbot: QtBot, window: MainWindow, ui_database: Database, admin: CurrentUser
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, window.pages, "contact", contact_id)

    # Saved elsewhere (another PC, or a list's dialog): the change feed tells.
    with ui_database.session() as session:
        record = contacts.get(session, admin, contact_id).record
        record.job_title = "Head buyer"
        contacts.update(session, admin, contact_id, 1, record, region="GB")
        session.commit()

    qtbot.waitUntil(
        lambda: page.subtitle_label.text().startswith("Head buyer at "),
        timeout=TIMEOUT,
    )
    with ui_database.session() as session:
        contacts.trash(session, admin, contact_id, 2)
        session.commit()
    qtbot.waitUntil(
        lambda: page.subtitle_label.text().startswith("<b>In the trash</b>"),
        timeout=TIMEOUT,
    )
    assert not page.edit_button.isEnabled()
    assert not page.timeline.log_buttons["call"].isEnabled()


def test_deal_page_shows_amount_people_and_stage_history_after_a_move(
    qtbot: QtBot, pages: RecordPages, ui_database: Database, admin: CurrentUser
) -> None:
    company_id, contact_id = _add_contact(ui_database, admin)
    with ui_database.session() as session:
        stages = {s.name: s.id for s in deals.stages(session)}
        data = DealData(
            "Forty lathes",
            stages["Lead"],
            Decimal("1250.50"),
            "GBP",
            company_id=company_id,
            contact_id=contact_id,
        )
        deal_id = deals.create(session, admin, data)
        session.commit()
    page = _open_page(qtbot, pages, "deal", deal_id)
    assert page.subtitle_label.text() == "Lead · £1,250.50"

    with ui_database.session() as session:
        pipeline.move(session, admin, deal_id, 1, stages["Proposal"])
        session.commit()
    with qtbot.waitSignal(page.page_loaded, timeout=TIMEOUT):
        page.reload()

    texts = "\n".join(_links(page))
    assert page.subtitle_label.text() == "Proposal · £1,250.50"
    assert "Lead → Proposal by Ada Admin" in texts
    assert "Entered Lead by Ada Admin" in texts
    assert texts.index("Lead → Proposal") < texts.index("Entered Lead")
    assert f'href="contact:{contact_id}"' in texts
    assert f'href="company:{company_id}"' in texts


def test_show_more_reads_older_activities(
    qtbot: QtBot,
    pages: RecordPages,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One activity a step instead of 200, so two steps show with two rows.
    monkeypatch.setattr("crm_desktop.ui.pages.base.TIMELINE_PAGE", 1)
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)
    model = page.timeline.model
    assert [model.entry(r).subject for r in range(model.rowCount())] == ["Newer note"]
    assert page.timeline.more_button.isVisible()

    with qtbot.waitSignal(page.page_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(page.timeline.more_button, Qt.MouseButton.LeftButton)

    subjects = [model.entry(r).subject for r in range(model.rowCount())]
    assert subjects == ["Newer note", "Older call"]
    assert not page.timeline.more_button.isVisible()


def test_timeline_model_passes_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: object,
    pages: RecordPages,
    ui_database: Database,
    admin: CurrentUser,
) -> None:
    _company_id, contact_id = _add_contact(ui_database, admin)
    page = _open_page(qtbot, pages, "contact", contact_id)

    qtmodeltester.check(page.timeline.model)  # type: ignore[attr-defined]
