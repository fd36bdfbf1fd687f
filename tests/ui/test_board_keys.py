"""Moving a deal without dragging, on both back-ends: keys and the card's menu."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.db.database import Database
from crm_desktop.db.models import Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.ui.forms.deal import DealDialog
from crm_desktop.ui.widgets.deal_card import DealDrag
from tests.services.record_checks import stage_history, stored
from tests.ui.test_board import (
    TIMEOUT,
    _add_deal,
    _audit,
    _card,
    _column,
    _stage_ids,
    open_board,
)
from tests.ui.test_keyboard import answer_later, wait_for_dialog

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_ctrl_shift_arrows_move_the_focused_card_a_stage_and_keep_its_focus(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    stages = _stage_ids(ui_database)
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, admin)
    board.activateWindow()
    qtbot.waitUntil(board.isActiveWindow, timeout=TIMEOUT)
    card = _card(_column(board, ui_database, "Lead"), deal_id)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is card

    with qtbot.waitSignals([board.deal_moved, board.board_loaded], timeout=TIMEOUT):
        qtbot.keyClick(card, Qt.Key.Key_Right, CTRL_SHIFT)

    second = list(board.columns)[1]
    row = stored(ui_database, Deal, deal_id)
    assert row.stage_id == second
    assert stage_history(ui_database, deal_id)[-1][:3] == (
        stages["Lead"],
        second,
        admin.id,
    )
    changes = _audit(ui_database, deal_id)[-1][2]
    assert changes["stage_id"] == [stages["Lead"], second]
    moved = board.focused_card()
    assert moved is not None
    assert moved.drag_data == DealDrag(deal_id, 2, second)

    with qtbot.waitSignals([board.deal_moved, board.board_loaded], timeout=TIMEOUT):
        qtbot.keyClick(moved, Qt.Key.Key_Left, CTRL_SHIFT)
    assert stored(ui_database, Deal, deal_id).stage_id == stages["Lead"]

    # Left of the first stage there is nowhere to go: nothing is written.
    first = board.focused_card()
    assert first is not None
    qtbot.keyClick(first, Qt.Key.Key_Left, CTRL_SHIFT)
    assert stored(ui_database, Deal, deal_id).version == 3


# WORKAROUND: the offscreen platform warns that it cannot raise a popup
# menu or let it grab the keyboard; the menu works without either. This
# marker replaces the one conftest.py adds, so it repeats propagateSizeHints.
@pytest.mark.qt_log_ignore(
    "does not support raise", "grabbing the keyboard", "propagateSizeHints"
)
def test_the_cards_menu_moves_to_lost_after_asking_why(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    stages = _stage_ids(ui_database)
    deal_id = _add_deal(ui_database, admin, "Roof", "Negotiation")
    board = open_board(qtbot, ui_database, admin)
    card = _card(_column(board, ui_database, "Negotiation"), deal_id)
    # The menu key (or Shift+F10) sends a context menu event from the keyboard.
    point = QPoint(10, 10)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, point, card.mapToGlobal(point)
    )
    QApplication.sendEvent(card, event)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    assert [a.text() for a in menu.actions()] == ["Open", "Move to stage"]
    submenu = menu.actions()[1].menu()
    assert isinstance(submenu, QMenu)
    names = [(a.text(), a.isEnabled()) for a in submenu.actions()]
    assert ("Negotiation", False) in names and ("Lost", True) in names
    asked: list[str] = []

    def type_reason(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        asked.append(dialog.labelText())
        dialog.setTextValue("Went with a rival")
        dialog.accept()

    answer_later(type_reason)
    lost = next(a for a in submenu.actions() if a.text() == "Lost")
    with qtbot.waitSignals([board.deal_moved, board.board_loaded], timeout=TIMEOUT):
        lost.trigger()

    assert asked == ["Why was “Roof” lost?"]
    row = stored(ui_database, Deal, deal_id)
    assert (row.stage_id, row.lost_reason) == (stages["Lost"], "Went with a rival")
    assert stage_history(ui_database, deal_id)[-1][-1] == "Went with a rival"
    assert _column(board, ui_database, "Lost").card(deal_id) is not None


def test_enter_on_a_focused_card_opens_the_deal(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, admin)
    card = _card(_column(board, ui_database, "Lead"), deal_id)
    card.setFocus()

    qtbot.keyClick(card, Qt.Key.Key_Return)

    dialog = wait_for_dialog(qtbot, DealDialog)
    assert isinstance(dialog, DealDialog)
    assert dialog.title.text() == "Roof"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
