"""Quick search (Ctrl+K) on both back-ends: typing, keys, opening a record."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, contacts, deals, global_search
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.global_search import SearchHit
from crm_desktop.services.records import ContactRecord, PhoneValue
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.models.search_results import HEADER_ROLE, SearchResultsModel
from crm_desktop.ui.quick_search import HITS_PER_KIND, QuickSearchDialog
from crm_desktop.ui.workers import wait_for_workers

WAIT_MS = 10_000


def _add_contact(
    database: Database, user: CurrentUser, given: str, family: str, phone: str = ""
) -> int:
    record = ContactRecord(
        line=0,
        given_name=given,
        family_name=family,
        phones=[PhoneValue(phone, None, "mobile")] if phone else [],
    )
    with database.session() as session:
        contact_id = contacts.create(session, user, record, region="GB")
        session.commit()
    return contact_id


def _open_window(qtbot: QtBot, database: Database, user: CurrentUser) -> MainWindow:
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.current_view().first_page_loaded, timeout=WAIT_MS):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    return window


def _press_ctrl_k(qtbot: QtBot, window: MainWindow) -> QuickSearchDialog:
    qtbot.keyClick(
        window.current_view().table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier
    )
    dialog = window.quick_search
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def _titles(dialog: QuickSearchDialog) -> list[str]:
    model = dialog.model
    return [
        str(model.index(row).data())
        for row in range(model.rowCount())
        if not model.index(row).data(HEADER_ROLE)
    ]


def test_ctrl_k_finds_a_phone_typed_in_another_format_and_enter_opens_it(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    wanted = _add_contact(ui_database, admin, "Grace", "Hopper", "+44 20 7946 0123")
    _add_contact(ui_database, admin, "Alan", "Turing", "+44 20 7946 0999")
    window = _open_window(qtbot, ui_database, admin)

    dialog = _press_ctrl_k(qtbot, window)
    with qtbot.waitSignal(
        dialog.results_shown, timeout=WAIT_MS, check_params_cb=lambda n: n > 0
    ):
        qtbot.keyClicks(dialog.search, "020 7946 0123")
    assert _titles(dialog) == ["Grace Hopper"]
    assert dialog.model.index(1).data(Qt.ItemDataRole.ToolTipRole) == (
        "Grace Hopper · 020 7946 0123"
    )

    with qtbot.waitSignal(dialog.record_open_requested, timeout=WAIT_MS) as opened:
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert opened.args == ["contact", wanted]
    assert not dialog.isVisible()

    # Enter opens the contact's page, as a double click in the list does.
    qtbot.waitUntil(
        lambda: (
            (page := window.pages.page("contact", wanted)) is not None
            and page.is_loaded
        ),
        timeout=WAIT_MS,
    )
    page = window.pages.page("contact", wanted)
    assert page is not None
    assert page.title_label.text() == "Grace Hopper"
    page.close()


def test_accents_do_not_matter_and_esc_closes(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    _add_contact(ui_database, admin, "Álvaro", "Núñez")
    window = _open_window(qtbot, ui_database, admin)
    dialog = _press_ctrl_k(qtbot, window)

    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        dialog.search.setText("alvaro")

    assert _titles(dialog) == ["Álvaro Núñez"]
    assert dialog.selected_hit() is not None
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_up_and_down_move_over_hits_and_skip_the_headers(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    with ui_database.session() as session:
        company_id = companies.create(
            session, admin, CompanyData(name="Novak Haulage"), region="GB"
        )
        lead = next(s.id for s in deals.stages(session) if s.name == "Lead")
        data = DealData("Novak fleet", lead, Decimal(900), "GBP")
        deal_id = deals.create(session, admin, data)
        session.commit()
    dialog = QuickSearchDialog(ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.start()
    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        dialog.search.setText("novak")

    def press(key: Qt.Key, times: int = 1) -> tuple[str, int] | None:
        for _ in range(times):
            qtbot.keyClick(dialog.search, key)
        hit = dialog.selected_hit()
        return None if hit is None else (hit.kind, hit.id)

    # The company and the deal start with 'Novak', so they come first; then
    # the contacts named Novak, as many as the dialog shows of a kind.
    assert _selected(dialog) == ("company", company_id)
    assert press(Qt.Key.Key_Down) == ("deal", deal_id)
    first_contact = press(Qt.Key.Key_Down)
    assert first_contact is not None and first_contact[0] == "contact"
    last_row = dialog.model.rowCount() - 1
    assert press(Qt.Key.Key_Down, HITS_PER_KIND + 2) == _selected_at(dialog, last_row)
    assert press(Qt.Key.Key_Up, HITS_PER_KIND - 1) == first_contact
    assert press(Qt.Key.Key_Up) == ("deal", deal_id)
    assert press(Qt.Key.Key_Up, 2) == ("company", company_id)


def _selected(dialog: QuickSearchDialog) -> tuple[str, int]:
    hit = dialog.selected_hit()
    assert hit is not None
    return hit.kind, hit.id


def _selected_at(dialog: QuickSearchDialog, row: int) -> tuple[str, int]:
    hit = dialog.model.hit(row)
    assert hit is not None
    return hit.kind, hit.id


def test_no_matches_says_so_and_enter_opens_nothing(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = QuickSearchDialog(ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.start()

    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClicks(dialog.search, "zzyzx")
    with qtbot.assertNotEmitted(dialog.record_open_requested):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)

    assert shown.args == [0]
    assert dialog.message.isVisible()
    assert dialog.message.text() == "No matches for “zzyzx”."
    assert dialog.isVisible()


def test_enter_before_the_results_arrive_opens_the_first_hit_for_the_new_text(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    wanted = _add_contact(ui_database, admin, "Zebedee", "Quill")
    dialog = QuickSearchDialog(ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.start()
    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        dialog.search.setText("ada")

    with qtbot.waitSignal(dialog.record_open_requested, timeout=WAIT_MS) as opened:
        dialog.search.setText("zebedee")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)

    assert opened.args == ["contact", wanted]


def test_esc_after_enter_opens_nothing_when_the_results_arrive(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    dialog = QuickSearchDialog(ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.start()

    with (
        qtbot.assertNotEmitted(dialog.record_open_requested),
        qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS),
    ):
        dialog.search.setText("ada")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
        qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)

    assert not dialog.isVisible()


def test_a_result_for_older_text_never_replaces_a_newer_one(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()
    real_find = global_search.find

    def find(session: Session, user: CurrentUser, text: str, **kw: Any) -> Any:
        if text == "ada":
            started.set()
            release.wait(WAIT_MS / 1000)
        return real_find(session, user, text, **kw)

    monkeypatch.setattr(global_search, "find", find)
    dialog = QuickSearchDialog(ui_database, admin)
    qtbot.addWidget(dialog)
    dialog.start()
    dialog.search.setText("ada")
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)

    with qtbot.waitSignal(dialog.results_shown, timeout=WAIT_MS):
        dialog.search.setText("bruno")
    with qtbot.assertNotEmitted(dialog.results_shown):
        release.set()
        assert wait_for_workers(WAIT_MS)
        QApplication.processEvents()

    titles = _titles(dialog)
    assert titles and all(title.startswith("Bruno ") for title in titles)


def test_the_results_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = SearchResultsModel()
    qtmodeltester.check(model)

    model.set_hits(
        [
            SearchHit("contact", 1, "Ada Novak", "Acme Ltd", 1),
            SearchHit("contact", 2, "Ada Okafor", "", 1),
            SearchHit("company", 7, "Ada Systems", "ada.example", 1),
            SearchHit("deal", 3, "Ada roll-out", "€900.00 · Lead", 2),
        ]
    )
    qtmodeltester.check(model)

    assert model.rowCount() == 7
    assert [model.hit(row) is None for row in range(7)] == [
        True, False, False, True, False, True, False,
    ]  # fmt: skip
    assert model.flags(model.index(0)) == Qt.ItemFlag.NoItemFlags
    assert model.next_hit_row(2, 1) == 4
    assert model.next_hit_row(4, -1) == 2
    assert model.next_hit_row(6, 1) is None


def test_the_edit_menu_offers_find_with_its_shortcut(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    window = MainWindow(ui_database, admin)
    qtbot.addWidget(window)

    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    edit = menus["&Edit"]
    assert isinstance(edit, QMenu)
    assert window.find_action in edit.actions()
    assert window.find_action.shortcut().toString() == "Ctrl+K"
