"""PipelineBoard: deals as cards in a column per stage, moved by drag or keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from babel.numbers import format_decimal
from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import pipeline, settings
from crm_desktop.services.pipeline import Board, BoardColumn, ClosePeriod, OwnerChoice
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.cells import CellFormatter, parse_locale
from crm_desktop.ui.pages.opener import RecordPages
from crm_desktop.ui.screens import BY_NAME
from crm_desktop.ui.widgets.board_columns import StageColumnWidget
from crm_desktop.ui.widgets.deal_card import CardTexts, DealCardWidget, DealDrag
from crm_desktop.ui.workers import Generation, run_in_background

logger = logging.getLogger(__name__)

# The board's name among the main window's views (--view board).
BOARD_VIEW = "board"
BOARD_TITLE = "Pipeline"
PERIOD_LABELS = {
    ClosePeriod.ALL: "Any time",
    ClosePeriod.THIS_MONTH: "This month",
    ClosePeriod.THIS_QUARTER: "This quarter",
    ClosePeriod.NEXT_QUARTER: "Next quarter",
    ClosePeriod.OVERDUE: "Overdue",
}


@dataclass(frozen=True, slots=True)
class BoardFilters:
    """What the board is narrowed to: an owner (None for all), a period."""

    owner_id: int | None = None
    period: ClosePeriod = ClosePeriod.ALL


@dataclass(frozen=True, slots=True)
class BoardLoad:
    """What a load brings back: the board, the owners to filter by, formats."""

    board: Board
    owners: list[OwnerChoice]
    formatter: CellFormatter


def load_board(
    database: Database, user: CurrentUser, filters: BoardFilters
) -> BoardLoad:
    """Read the board as the filters ask (runs on a worker)."""
    with database.session() as session:
        business = settings.load(session)
        today = pipeline.business_today(session)
        close_from, close_to = filters.period.date_range(today)
        board = pipeline.board(
            session,
            user,
            owner_id=filters.owner_id,
            close_from=close_from,
            close_to=close_to,
            overdue_only=filters.period is ClosePeriod.OVERDUE,
            today=today,
        )
        owners = pipeline.owners(session)
    formatter = CellFormatter(
        parse_locale(business.locale),
        region=business.default_region,
        currency=business.currency,
    )
    return BoardLoad(board, owners, formatter)


def move_deal(
    database: Database, user: CurrentUser, drop: DealDrag, lost_reason: str
) -> int:
    """Move a dropped deal to its new stage and commit; return its version.

    Runs on a worker; `drop.stage_id` is the stage it was dropped on.
    """
    with database.session() as session:
        version = pipeline.move(
            session,
            user,
            drop.deal_id,
            drop.version,
            drop.stage_id,
            lost_reason=lost_reason,
        )
        session.commit()
    return version


class PipelineBoard(QWidget):
    """The pipeline: a column per stage, open ones first, then won and lost.

    Signals:
        board_loaded: The board's columns and cards are in place after a
            load; carries the number of deals on it.
        load_failed: The board could not be read; carries the reason.
        deal_moved: A deal was moved to another stage; carries its id.
    """

    board_loaded = Signal(int)
    load_failed = Signal(str)
    deal_moved = Signal(int)

    def __init__(
        self, database: Database, user: CurrentUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pipelineBoard")
        self._database = database
        self._user = user
        self._started = False
        self._generation = Generation()
        self._loaded: BoardLoad | None = None
        # The deal whose card gets the focus back after the next load: the
        # one just moved from the keyboard, so the next key moves it again.
        self._focus_deal: int | None = None
        self.columns: dict[int, StageColumnWidget] = {}
        # Set by the main window: deals then open as pages, not dialogs.
        self.record_pages: RecordPages | None = None
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(0)
        self._settle_timer.timeout.connect(self._on_settle_timer_timeout)
        self._build_filters()
        self._build_layout()

    def _build_filters(self) -> None:
        self.owner_combo = QComboBox(self)
        self.owner_combo.setObjectName("boardOwner")
        self.owner_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents
        )
        self.owner_combo.addItem("Everyone", None)
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("boardPeriod")
        for period, label in PERIOD_LABELS.items():
            self.period_combo.addItem(label, period.value)
        self.owner_combo.currentIndexChanged.connect(
            self._on_owner_combo_current_index_changed
        )
        self.period_combo.currentIndexChanged.connect(
            self._on_period_combo_current_index_changed
        )
        self.reload_action = QAction(icon("reload"), "Reload", self)
        # F5 is the main window's View > Refresh (ui/commands.py).
        self.reload_action.setToolTip("Read the board again (F5)")
        self.reload_action.triggered.connect(self._on_reload_action_triggered)

    def _build_layout(self) -> None:
        toolbar = QToolBar(self)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(toolbar.iconSize() * 0.75)
        toolbar.addWidget(QLabel("Owner: ", toolbar))
        toolbar.addWidget(self.owner_combo)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel("Expected close: ", toolbar))
        toolbar.addWidget(self.period_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.reload_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.summary_label = QLabel(toolbar)
        self.summary_label.setObjectName("boardSummary")
        toolbar.addWidget(self.summary_label)
        self._row = QWidget(self)
        self._row_layout = QHBoxLayout(self._row)
        self._row_layout.setContentsMargins(10, 10, 10, 10)
        self._row_layout.setSpacing(10)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.scroll_area.setWidget(self._row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.scroll_area, 1)

    @property
    def filters(self) -> BoardFilters:
        """Return what the filter boxes ask for."""
        owner = self.owner_combo.currentData()
        period = ClosePeriod(self.period_combo.currentData())
        return BoardFilters(None if owner is None else int(owner), period)

    @property
    def board(self) -> Board | None:
        """Return the board as last loaded, None before the first load."""
        return None if self._loaded is None else self._loaded.board

    def activate(self) -> None:
        """Load the board the first time it is shown."""
        if not self._started:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        """Read the board again; a load still running is dropped."""
        self.summary_label.setText("Loading…")
        self._load()

    def reload_in_place(self) -> None:
        """Read the board again after a change made elsewhere, quietly.

        Unlike refresh(), the summary does not say "Loading…" meanwhile; a
        board not shown yet is left to its first load.
        """
        if self._started:
            self._load()

    def _load(self) -> None:
        self._generation.bump()
        database, user, filters = self._database, self._user, self.filters
        run_in_background(
            lambda: load_board(database, user, filters),
            self._apply_load,
            self._fail_load,
            context=self,
            generation=self._generation,
        )

    def _apply_load(self, loaded: BoardLoad) -> None:
        self._loaded = loaded
        self._fill_owners(loaded.owners)
        board = loaded.board
        if list(self.columns) != [c.stage_id for c in board.columns]:
            self._rebuild_columns(board)
        for column in board.columns:
            self._fill_column(self.columns[column.stage_id], column, loaded.formatter)
        total = sum(column.count for column in board.columns)
        self.summary_label.setText(self._summary(total, loaded))
        logger.debug("board shown: %d deals", total)
        # board_loaded waits a turn of the event loop: the new cards are
        # laid out by then, and a screenshot taken on it shows them.
        self._settle_timer.start()

    @Slot()
    def _on_settle_timer_timeout(self) -> None:
        for column in self.columns.values():
            column.recheck_scroll_bar()
        self._restore_focus()
        total = sum(column.count for column in self.board.columns) if self.board else 0
        self.board_loaded.emit(total)

    def _fail_load(self, error: BaseException) -> None:
        self.summary_label.setText("The board could not be read.")
        show_error(self, error)
        self.load_failed.emit(str(error))

    def _fill_owners(self, owners: list[OwnerChoice]) -> None:
        current = self.owner_combo.currentData()
        self.owner_combo.blockSignals(True)
        self.owner_combo.clear()
        self.owner_combo.addItem("Everyone", None)
        for owner in owners:
            self.owner_combo.addItem(owner.name, owner.id)
        self.owner_combo.setCurrentIndex(max(0, self.owner_combo.findData(current)))
        self.owner_combo.blockSignals(False)

    def _rebuild_columns(self, board: Board) -> None:
        for widget in self.columns.values():
            self._row_layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self.columns = {}
        for column in board.columns:
            widget = StageColumnWidget(
                column.stage_id,
                column.kind,
                accepts_moves=self._user.can_write,
                parent=self._row,
            )
            # Queued: the drop handler may open a dialog, which must not
            # run inside the drag's own event loop.
            widget.deal_dropped.connect(
                self._on_column_deal_dropped, Qt.ConnectionType.QueuedConnection
            )
            widget.open_deal_requested.connect(self._on_column_open_deal_requested)
            widget.step_requested.connect(self._on_column_step_requested)
            widget.menu_requested.connect(self._on_column_menu_requested)
            self._row_layout.addWidget(widget, 1)
            self.columns[column.stage_id] = widget

    def _fill_column(
        self, widget: StageColumnWidget, column: BoardColumn, formatter: CellFormatter
    ) -> None:
        currency = self._loaded.board.currency if self._loaded else formatter.currency
        noun = "deal" if column.count == 1 else "deals"
        count = format_decimal(column.count, locale=formatter.locale)
        total = formatter.money(column.total(currency), currency)
        others = ", ".join(
            formatter.money(t.amount, t.currency)
            for t in column.totals
            if t.currency != currency
        )
        widget.set_header(
            column.name,
            f"{count} {noun} · {total}",
            f"and {others}" if others else "",
        )
        cards = [
            (
                DealDrag(card.id, card.version, card.stage_id),
                self._texts(card, formatter),
            )
            for card in column.cards
        ]
        hidden = column.count - len(column.cards)
        more = (
            f"and {format_decimal(hidden, locale=formatter.locale)} more"
            if hidden
            else ""
        )
        widget.set_cards(cards, movable=self._user.can_write, more=more)

    @staticmethod
    def _texts(card: pipeline.DealCard, formatter: CellFormatter) -> CardTexts:
        return CardTexts(
            title=card.title,
            company=card.company_name,
            amount=formatter.money(card.amount, card.currency),
            owner=card.owner_name,
            expected_close=formatter.cell("date", card.expected_close),
            overdue=card.overdue,
        )

    def _summary(self, total: int, loaded: BoardLoad) -> str:
        number = format_decimal(total, locale=loaded.formatter.locale)
        return f"{number} {'deal' if total == 1 else 'deals'}"

    @Slot(int, int, int)
    def _on_column_deal_dropped(
        self, deal_id: int, version: int, stage_id: int
    ) -> None:
        board = self.board
        if board is None:
            return
        drop = DealDrag(deal_id, version, stage_id)
        reason = ""
        if board.column(stage_id).kind == "lost":
            title = self._title_of(deal_id)
            reason, accepted = QInputDialog.getText(
                self,
                "Deal lost",
                f"Why was “{title}” lost?",
                QLineEdit.EchoMode.Normal,
            )
            if not accepted:
                return
        database, user = self._database, self._user
        run_in_background(
            lambda: move_deal(database, user, drop, reason),
            lambda _version: self._finish_move(deal_id),
            self._fail_move,
            context=self,
        )

    def _title_of(self, deal_id: int) -> str:
        for widget in self.columns.values():
            card = widget.card(deal_id)
            if card is not None:
                return card.texts.title
        return f"deal {deal_id}"

    def _finish_move(self, deal_id: int) -> None:
        if isinstance(QApplication.focusWidget(), DealCardWidget):
            self._focus_deal = deal_id
        self.deal_moved.emit(deal_id)
        self.refresh()

    def _fail_move(self, error: BaseException) -> None:
        show_error(self, error)
        # The card may be stale or gone: show the board as it is now.
        self.refresh()

    @Slot(int)
    def _on_column_open_deal_requested(self, deal_id: int) -> None:
        self.open_deal(deal_id)

    def open_deal(self, deal_id: int) -> None:
        """Open a deal's page, else its dialog; the board reloads after a save."""
        if self.record_pages is not None:
            self.record_pages.open("deal", deal_id)
            return
        BY_NAME["deals"].open_dialog(
            self, self._database, self._user, deal_id, self._on_dialog_saved
        )

    @Slot(int)
    def _on_dialog_saved(self, _deal_id: int) -> None:
        self.refresh()

    @Slot(int)
    def _on_owner_combo_current_index_changed(self, _index: int) -> None:
        if self._started:
            self.refresh()

    @Slot(int)
    def _on_period_combo_current_index_changed(self, _index: int) -> None:
        if self._started:
            self.refresh()

    @Slot()
    def _on_reload_action_triggered(self) -> None:
        self.refresh()

    def new_record(self) -> None:
        """Open the deal dialog for a new deal; the board reloads after a save."""
        BY_NAME["deals"].open_dialog(
            self, self._database, self._user, None, self._on_dialog_saved
        )

    def open_current(self) -> None:
        """Open the deal whose card has the keyboard focus, if one has."""
        card = self.focused_card()
        if card is not None:
            self.open_deal(card.drag_data.deal_id)

    def focused_card(self) -> DealCardWidget | None:
        """Return the card that has the keyboard focus, if it is on this board."""
        widget = QApplication.focusWidget()
        if isinstance(widget, DealCardWidget) and self.isAncestorOf(widget):
            return widget
        return None

    def move_to_stage(self, deal_id: int, stage_id: int) -> None:
        """Move a deal as a drop on the stage's column would, lost reason and all."""
        card = self._card(deal_id)
        if card is None or card.drag_data.stage_id == stage_id:
            return
        self._on_column_deal_dropped(deal_id, card.drag_data.version, stage_id)

    def _card(self, deal_id: int) -> DealCardWidget | None:
        for widget in self.columns.values():
            card = widget.card(deal_id)
            if card is not None:
                return card
        return None

    def _restore_focus(self) -> None:
        deal_id, self._focus_deal = self._focus_deal, None
        card = None if deal_id is None else self._card(deal_id)
        if card is not None:
            # NOTE: a card added to a shown column is shown by its layout
            # a turn of the event loop later; an unshown one takes no focus.
            card.show()
            card.setFocus(Qt.FocusReason.OtherFocusReason)
            column = self.columns[card.drag_data.stage_id]
            column.scroll_area.ensureWidgetVisible(card)
            self.scroll_area.ensureWidgetVisible(column)

    @Slot(int, int)
    def _on_column_step_requested(self, deal_id: int, step: int) -> None:
        card = self._card(deal_id)
        if card is None:
            return
        stages = list(self.columns)
        position = stages.index(card.drag_data.stage_id) + step
        if 0 <= position < len(stages):
            self.move_to_stage(deal_id, stages[position])

    @Slot(int, QPoint)
    def _on_column_menu_requested(self, deal_id: int, where: QPoint) -> None:
        menu = self.card_menu(deal_id)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(where)

    def card_menu(self, deal_id: int) -> QMenu | None:
        """Build a card's context menu: Open, and Move to stage ▸ each other stage."""
        card, board = self._card(deal_id), self.board
        if card is None or board is None:
            return None
        menu = QMenu(self)
        open_action = menu.addAction(icon("edit"), "Open")
        open_action.triggered.connect(lambda: self.open_deal(deal_id))
        stages = menu.addMenu("Move to stage")
        stages.setEnabled(self._user.can_write)
        for column in board.columns:
            action = stages.addAction(column.name)
            action.setEnabled(column.stage_id != card.drag_data.stage_id)
            action.triggered.connect(
                lambda _checked=False, stage=column.stage_id: self.move_to_stage(
                    deal_id, stage
                )
            )
        return menu
