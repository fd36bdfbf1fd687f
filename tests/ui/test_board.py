"""The pipeline board with pytest-qt on both back-ends: drags, drops, figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
)
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from crm_desktop.app import run_gui
from crm_desktop.db.database import Database
from crm_desktop.db.models import AuditEntry, Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import deals, pipeline, users
from crm_desktop.services.deals import DealData
from crm_desktop.ui import board as board_module
from crm_desktop.ui.board import PipelineBoard
from crm_desktop.ui.forms.deal import DealDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.widgets.board_columns import StageColumnWidget
from crm_desktop.ui.widgets.deal_card import DEAL_MIME_TYPE, DealCardWidget
from crm_desktop.ui.workers import wait_for_workers
from tests.services.record_checks import stage_history, stored

TIMEOUT = 10_000


def _stage_ids(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {s.name: s.id for s in deals.stages(session)}


def _add_deal(
    database: Database,
    user: CurrentUser,
    title: str,
    stage: str,
    amount: str = "100.00",
    **values: Any,
) -> int:
    data = DealData(
        title=title,
        stage_id=_stage_ids(database)[stage],
        amount=Decimal(amount),
        **values,
    )
    with database.session() as session:
        deal_id = deals.create(session, user, data)
        session.commit()
    return deal_id


def _today(database: Database) -> dt.date:
    # The board judges "overdue" by the business's day, not the machine's.
    with database.session() as session:
        return pipeline.business_today(session)


def _audit(database: Database, deal_id: int) -> list[tuple[Any, ...]]:
    query = (
        select(AuditEntry.action, AuditEntry.user_id, AuditEntry.changes)
        .where(AuditEntry.table_name == "deals", AuditEntry.record_id == deal_id)
        .order_by(AuditEntry.id)
    )
    with database.session() as session:
        return [tuple(row) for row in session.execute(query)]


def open_board(qtbot: QtBot, database: Database, user: CurrentUser) -> PipelineBoard:
    board = PipelineBoard(database, user)
    qtbot.addWidget(board)
    board.resize(1200, 700)
    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT):
        board.show()
        board.activate()
    return board


def _column(board: PipelineBoard, database: Database, name: str) -> StageColumnWidget:
    return board.columns[_stage_ids(database)[name]]


def _card(column: StageColumnWidget, deal_id: int) -> DealCardWidget:
    card = column.card(deal_id)
    assert card is not None, f"no card for deal {deal_id}"
    return card


def start_drag(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, card: DealCardWidget
) -> QMimeData:
    """Press on a card and move the mouse past the drag distance.

    Returns the mime data the card put on its QDrag. Offscreen Qt has no
    drag-and-drop support (QDrag.exec returns at once, so nothing would
    reach the drop target): QDrag.exec is replaced by one that keeps the
    drag, so its data can be dropped by hand.
    """
    drags: list[QDrag] = []

    def keep(drag: QDrag, *_args: object) -> Qt.DropAction:
        drags.append(drag)
        return Qt.DropAction.MoveAction

    monkeypatch.setattr(QDrag, "exec", keep)
    start = QPoint(20, 20)
    step = QPoint(QApplication.startDragDistance() + 8, 4)
    qtbot.mousePress(card, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(card, start + step)
    qtbot.mouseRelease(card, Qt.MouseButton.LeftButton, pos=start + step)
    assert len(drags) == 1, "the mouse gesture did not start a drag"
    mime = drags[0].mimeData()
    assert mime.hasFormat(DEAL_MIME_TYPE)
    return mime


def drop_on(column: StageColumnWidget, mime: QMimeData) -> bool:
    """Deliver a drag's enter, move and drop events to a column, as Qt would.

    Returns whether the column accepted the drop.
    """
    point = QPoint(column.width() // 2, column.height() // 2)
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    action = Qt.DropAction.MoveAction
    enter = QDragEnterEvent(point, action, mime, buttons, keys)
    QApplication.sendEvent(column, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(column, QDragMoveEvent(point, action, mime, buttons, keys))
    drop = QDropEvent(QPointF(point), action, mime, buttons, keys)
    QApplication.sendEvent(column, drop)
    return drop.isAccepted()


def test_header_shows_count_and_total_in_the_business_currency(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    _add_deal(ui_database, admin, "Roof", "Lead", "1250.50")
    _add_deal(ui_database, admin, "Gutters", "Lead", "100.00")
    _add_deal(ui_database, admin, "Import", "Lead", "49.50", currency="USD")
    _add_deal(ui_database, admin, "Chimney", "Won", "999999.99")

    board = open_board(qtbot, ui_database, admin)

    lead = _column(board, ui_database, "Lead")
    assert lead.name_label.text() == "Lead"
    assert lead.figures_label.text() == "3 deals · €1,350.50"
    assert lead.others_label.text() == "and US$49.50"
    assert _column(board, ui_database, "Won").figures_label.text() == (
        "1 deal · €999,999.99"
    )
    assert _column(board, ui_database, "Proposal").figures_label.text() == (
        "0 deals · €0.00"
    )
    assert [c.stage_id for c in board.columns.values()] == list(
        _stage_ids(ui_database).values()
    )
    assert board.summary_label.text() == "4 deals"


def test_cards_show_the_deal_and_overdue_ones_are_tinted_red(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    yesterday = _today(ui_database) - dt.timedelta(days=1)
    late = _add_deal(
        ui_database, admin, "Late", "Proposal", "1250.50", expected_close=yesterday
    )
    on_time = _add_deal(
        ui_database,
        admin,
        "On time",
        "Proposal",
        expected_close=_today(ui_database) + dt.timedelta(days=30),
    )

    board = open_board(qtbot, ui_database, admin)

    proposal = _column(board, ui_database, "Proposal")
    late_card, on_time_card = _card(proposal, late), _card(proposal, on_time)
    assert late_card.texts.amount == "€1,250.50"
    assert late_card.texts.owner == "Ada Admin"
    assert late_card.texts.expected_close == format_date(
        yesterday, "medium", locale="en_GB"
    )
    assert (late_card.texts.overdue, on_time_card.texts.overdue) == (True, False)
    late_pixel = QColor(late_card.grab().toImage().pixel(late_card.width() // 2, 6))
    plain_pixel = QColor(
        on_time_card.grab().toImage().pixel(on_time_card.width() // 2, 6)
    )
    assert late_pixel.red() - late_pixel.green() > 10
    assert abs(plain_pixel.red() - plain_pixel.green()) <= 4


def test_dragging_a_card_to_another_stage_moves_the_deal(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drag with real mouse events on the card; the drop is delivered by hand.

    The press and the move past the drag distance are real mouse events on
    the card, which starts its QDrag. Offscreen Qt cannot carry a drag to a
    target, so the drop is a QDropEvent sent to the target column with the
    mime data the card put on that QDrag (see start_drag, drop_on).
    """
    stages = _stage_ids(ui_database)
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead", "500.00")
    board = open_board(qtbot, ui_database, admin)
    mime = start_drag(
        qtbot, monkeypatch, _card(_column(board, ui_database, "Lead"), deal_id)
    )

    with qtbot.waitSignals([board.deal_moved, board.board_loaded], timeout=TIMEOUT):
        assert drop_on(_column(board, ui_database, "Proposal"), mime)

    row = stored(ui_database, Deal, deal_id)
    assert (row.stage_id, row.version, row.updated_by_id) == (
        stages["Proposal"],
        2,
        admin.id,
    )
    assert _audit(ui_database, deal_id)[-1] == (
        "update",
        admin.id,
        {"stage_id": [stages["Lead"], stages["Proposal"]]},
    )
    assert stage_history(ui_database, deal_id) == [
        (None, stages["Lead"], admin.id, ""),
        (stages["Lead"], stages["Proposal"], admin.id, ""),
    ]
    assert _column(board, ui_database, "Lead").card(deal_id) is None
    moved = _card(_column(board, ui_database, "Proposal"), deal_id)
    assert moved.drag_data.version == 2
    assert _column(board, ui_database, "Proposal").figures_label.text() == (
        "1 deal · €500.00"
    )


def test_a_card_dropped_on_its_own_column_is_refused(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, admin)
    lead = _column(board, ui_database, "Lead")

    mime = start_drag(qtbot, monkeypatch, _card(lead, deal_id))

    assert not drop_on(lead, mime)
    assert stored(ui_database, Deal, deal_id).version == 1


def test_dropping_on_lost_asks_why_and_records_the_reason(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only QInputDialog.getText is replaced (no person to type the reason)."""
    stages = _stage_ids(ui_database)
    deal_id = _add_deal(ui_database, admin, "Roof", "Negotiation")
    asked: list[str] = []

    def answer(_parent: object, _title: str, label: str, *_a: object) -> Any:
        asked.append(label)
        return "Too expensive", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    board = open_board(qtbot, ui_database, admin)
    card = _card(_column(board, ui_database, "Negotiation"), deal_id)
    mime = start_drag(qtbot, monkeypatch, card)

    with qtbot.waitSignals([board.deal_moved, board.board_loaded], timeout=TIMEOUT):
        assert drop_on(_column(board, ui_database, "Lost"), mime)

    assert asked == ["Why was “Roof” lost?"]
    row = stored(ui_database, Deal, deal_id)
    assert (row.stage_id, row.lost_reason) == (stages["Lost"], "Too expensive")
    assert row.closed_at is not None
    assert stage_history(ui_database, deal_id)[-1] == (
        stages["Negotiation"],
        stages["Lost"],
        admin.id,
        "Too expensive",
    )
    changes = _audit(ui_database, deal_id)[-1][2]
    assert changes["stage_id"] == [stages["Negotiation"], stages["Lost"]]
    assert changes["lost_reason"] == ["", "Too expensive"]
    assert _column(board, ui_database, "Lost").card(deal_id) is not None


def test_cancelling_the_lost_reason_moves_nothing(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only QInputDialog.getText is replaced: it answers as Cancel does."""
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    asked: list[bool] = []

    def cancel(*_args: object) -> tuple[str, bool]:
        asked.append(True)
        return "", False

    monkeypatch.setattr(QInputDialog, "getText", cancel)
    board = open_board(qtbot, ui_database, admin)
    mime = start_drag(
        qtbot, monkeypatch, _card(_column(board, ui_database, "Lead"), deal_id)
    )

    assert drop_on(_column(board, ui_database, "Lost"), mime)
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert wait_for_workers(TIMEOUT)

    assert stored(ui_database, Deal, deal_id).version == 1
    assert [entry[0] for entry in _audit(ui_database, deal_id)] == ["create"]
    assert len(stage_history(ui_database, deal_id)) == 1


def test_a_stale_card_goes_to_the_error_presenter_and_the_board_reloads(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stages = _stage_ids(ui_database)
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, admin)
    mime = start_drag(
        qtbot, monkeypatch, _card(_column(board, ui_database, "Lead"), deal_id)
    )
    with ui_database.session() as session:
        pipeline.move(session, admin, deal_id, 1, stages["Qualified"])
        session.commit()
    shown: list[BaseException] = []
    monkeypatch.setattr(board_module, "show_error", lambda _w, e: shown.append(e))

    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT):
        assert drop_on(_column(board, ui_database, "Won"), mime)

    assert [type(e).__name__ for e in shown] == ["StaleRecordError"]
    row = stored(ui_database, Deal, deal_id)
    assert (row.stage_id, row.version) == (stages["Qualified"], 2)
    assert (
        _card(_column(board, ui_database, "Qualified"), deal_id).drag_data.version == 2
    )


def test_owner_and_period_filters_narrow_the_board(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    with ui_database.session() as session:
        ann = users.create_user(session, admin, "ann", "long enough pw", role="staff")
        session.commit()
    today = _today(ui_database)
    _add_deal(
        ui_database,
        admin,
        "Mine, late",
        "Lead",
        expected_close=today.replace(day=1) - dt.timedelta(days=1),
    )
    _add_deal(ui_database, admin, "Mine, undated", "Lead")
    _add_deal(ui_database, ann, "Ann's", "Qualified", expected_close=today)
    board = open_board(qtbot, ui_database, admin)

    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT) as loaded:
        board.owner_combo.setCurrentIndex(board.owner_combo.findData(ann.id))
    assert loaded.args == [1]
    assert board.filters.owner_id == ann.id

    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT) as loaded:
        board.owner_combo.setCurrentIndex(0)
    assert loaded.args == [3]

    period = board.period_combo
    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT) as loaded:
        period.setCurrentIndex(period.findData(pipeline.ClosePeriod.THIS_MONTH.value))
    assert loaded.args == [1]
    assert _column(board, ui_database, "Qualified").cards[0].texts.title == "Ann's"

    with qtbot.waitSignal(board.board_loaded, timeout=TIMEOUT) as loaded:
        period.setCurrentIndex(period.findData(pipeline.ClosePeriod.OVERDUE.value))
    assert loaded.args == [1]
    assert _column(board, ui_database, "Lead").cards[0].texts.title == "Mine, late"


def test_double_click_on_a_card_opens_the_deal_dialog(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, admin)
    card = _card(_column(board, ui_database, "Lead"), deal_id)

    qtbot.mouseDClick(card, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))

    def dialog() -> DealDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, DealDialog)]
        return found[0] if found else None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=TIMEOUT)
    opened = dialog()
    assert opened is not None
    assert opened.title.text() == "Roof"
    opened.reject()


def test_a_read_only_user_cannot_drop_cards(
    qtbot: QtBot,
    ui_database: Database,
    admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ui_database.session() as session:
        reader = users.create_user(
            session, admin, "reader", "long enough pw", role="read_only"
        )
        session.commit()
    deal_id = _add_deal(ui_database, admin, "Roof", "Lead")
    board = open_board(qtbot, ui_database, reader)
    card = _card(_column(board, ui_database, "Lead"), deal_id)
    mime = card.mime_data()

    assert not drop_on(_column(board, ui_database, "Won"), mime)
    assert stored(ui_database, Deal, deal_id).version == 1


def test_main_window_opens_the_board_and_remembers_it(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser
) -> None:
    _add_deal(ui_database, admin, "Roof", "Lead")
    window = MainWindow(ui_database, admin)
    qtbot.addWidget(window)
    window.show()
    pipeline_action = next(
        a for a in window._view_actions.actions() if a.data() == "board"
    )

    with qtbot.waitSignal(window.board.board_loaded, timeout=TIMEOUT):
        pipeline_action.trigger()
    window.close()

    assert window.current_view_name() == "board"
    assert window.stack.currentWidget() is window.board
    assert window.count_label.text() == "1 deal"
    assert window.windowTitle() == "Pipeline – crm-desktop"
    reopened = MainWindow(ui_database, admin)
    qtbot.addWidget(reopened)
    assert reopened.current_view_name() == "board"


def test_run_gui_screenshots_the_board_once_it_is_drawn(
    qtbot: QtBot, ui_database: Database, admin: CurrentUser, tmp_path: Path
) -> None:
    for number in range(8):
        _add_deal(ui_database, admin, f"Deal {number}", "Proposal", "10.00")
    path = tmp_path / "board.png"

    code = run_gui(ui_database, user=admin, view="board", screenshot=path)

    assert code == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 8) for y in range(80, 760, 8)}
    assert len(colours) > 30
