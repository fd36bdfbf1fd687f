"""A stage column of the pipeline board: its header and cards; takes card drops.

A column that a card is dropped on reads the card's deal, version and stage
back from the drag and says so in a signal. Neither the column nor its
cards talk to the database: the board (ui/board.py) does.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMimeData,
    QPoint,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.ui.widgets.deal_card import (
    RADIUS,
    CardTexts,
    DealCardWidget,
    DealDrag,
    is_dark,
    mix,
)

logger = logging.getLogger(__name__)

WON_GREEN = QColor(47, 133, 90)
LOST_GREY = QColor(128, 128, 128)


class StageColumnWidget(QFrame):
    """One stage of the board: its header and its cards; takes card drops.

    Signals:
        deal_dropped: A card from another column was dropped here; carries
            the deal id, the version it showed and this column's stage id.
        open_deal_requested: A card was double-clicked; carries the deal id.
        step_requested: A card asked to move a stage left (-1) or right
            (+1); carries the deal id and the step.
        menu_requested: A card's context menu was asked for; carries the
            deal id and where to show the menu.
    """

    deal_dropped = Signal(int, int, int)
    open_deal_requested = Signal(int)
    step_requested = Signal(int, int)
    menu_requested = Signal(int, QPoint)

    def __init__(
        self, stage_id: int, kind: str, *, accepts_moves: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boardColumn")
        self.stage_id = stage_id
        self.kind = kind
        self._accepts_moves = accepts_moves
        self._drop_target = False
        self.cards: list[DealCardWidget] = []
        self.setAcceptDrops(accepts_moves)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._build_header()
        self._build_cards_area()

    def _build_header(self) -> None:
        self.name_label = QLabel(self)
        self.name_label.setObjectName("boardColumnName")
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.08)
        self.name_label.setFont(font)
        self.figures_label = QLabel(self)
        self.figures_label.setObjectName("boardColumnFigures")
        self.others_label = QLabel(self)
        self.others_label.setObjectName("boardColumnOtherCurrencies")
        self.others_label.setWordWrap(True)
        self.others_label.hide()

    def _build_cards_area(self) -> None:
        self._cards_box = QWidget(self)
        self._cards_box.setAutoFillBackground(False)
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 2, 0)
        self._cards_layout.setSpacing(6)
        self._cards_layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.scroll_area.viewport().setAutoFillBackground(False)
        self.scroll_area.setWidget(self._cards_box)
        self.more_label = QLabel(self)
        self.more_label.setObjectName("boardColumnMore")
        self.more_label.setWordWrap(True)
        self.more_label.hide()
        self.empty_label = QLabel("No deals", self)
        self.empty_label.setObjectName("boardColumnEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 10, 6, 8)
        layout.setSpacing(2)
        layout.addWidget(self.name_label)
        layout.addWidget(self.figures_label)
        layout.addWidget(self.others_label)
        layout.addSpacing(6)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.more_label)

    def set_header(self, name: str, figures: str, others: str) -> None:
        """Show the stage's name, its count and total, other currencies."""
        self.name_label.setText(name)
        self.figures_label.setText(figures)
        self.others_label.setText(others)
        self.others_label.setVisible(bool(others))

    def set_cards(
        self, cards: list[tuple[DealDrag, CardTexts]], *, movable: bool, more: str
    ) -> None:
        """Replace the column's cards; `more` says how many are not shown."""
        for card in self.cards:
            self._cards_layout.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = []
        for position, (drag, texts) in enumerate(cards):
            card = DealCardWidget(drag, texts, movable=movable, parent=self._cards_box)
            card.open_deal_requested.connect(self.open_deal_requested)
            card.step_requested.connect(self.step_requested)
            card.menu_requested.connect(self.menu_requested)
            self._cards_layout.insertWidget(position, card)
            self.cards.append(card)
        self.more_label.setText(more)
        self.more_label.setVisible(bool(more))
        self.empty_label.setVisible(not cards)

    def recheck_scroll_bar(self) -> None:
        """Have the cards' scroll area decide again whether it needs a bar."""
        # WORKAROUND: on the board's first layout Qt can leave a column's
        # vertical scroll bar hidden though its cards overflow (seen on the
        # last column, offscreen platform): the cards then stay at
        # full width and the lower ones cannot be scrolled to by the bar.
        # A second layout request after the first layout puts it right.
        QCoreApplication.postEvent(self.scroll_area, QEvent(QEvent.Type.LayoutRequest))

    def card(self, deal_id: int) -> DealCardWidget | None:
        """Return the card of a deal, if this column shows it."""
        return next((c for c in self.cards if c.drag_data.deal_id == deal_id), None)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        window = palette.color(QPalette.ColorRole.Window)
        text = palette.color(QPalette.ColorRole.WindowText)
        background = mix(window, text, 0.07 if is_dark(palette) else 0.045)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drop_target:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(QPen(highlight, 2.0))
            painter.setBrush(mix(background, highlight, 0.12))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
        painter.drawRoundedRect(rect, RADIUS + 2, RADIUS + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._accent(palette))
        painter.drawRoundedRect(
            QRectF(rect.left() + 6, rect.top() + 2, rect.width() - 12, 3), 1.5, 1.5
        )
        painter.end()
        super().paintEvent(event)

    def _accent(self, palette: QPalette) -> QColor:
        if self.kind == "won":
            return WON_GREEN
        if self.kind == "lost":
            return LOST_GREY
        return palette.color(QPalette.ColorRole.Highlight)

    def _set_drop_target(self, on: bool) -> None:
        if self._drop_target != on:
            self._drop_target = on
            self.update()

    def _wanted(self, mime: QMimeData) -> DealDrag | None:
        drag = DealDrag.from_mime(mime)
        if drag is None or drag.stage_id == self.stage_id:
            return None
        return drag

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts_moves and self._wanted(event.mimeData()) is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._set_drop_target(True)
            return
        event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._wanted(event.mimeData()) is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            return
        event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_target(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drop_target(False)
        drag = self._wanted(event.mimeData())
        if drag is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.deal_dropped.emit(drag.deal_id, drag.version, self.stage_id)
