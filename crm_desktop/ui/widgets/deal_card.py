"""A deal card on the pipeline board: drawn in code, dragged to move the deal.

A card carries its deal's id, version and stage in a mime type of our own;
the column it is dropped on reads them back (widgets/board_columns.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from crm_desktop.ui.palette import overdue_colour

logger = logging.getLogger(__name__)

DEAL_MIME_TYPE = "application/x-crm-desktop-deal"
# A red that tints a card without drowning its text, light or dark palette.
OVERDUE_RED = QColor(211, 47, 47)
_PADDING = 8
_LINE_GAP = 3
RADIUS = 6.0


@dataclass(frozen=True, slots=True)
class DealDrag:
    """What a dragged card carries: enough to move the deal it shows."""

    deal_id: int
    version: int
    stage_id: int

    def mime_data(self) -> QMimeData:
        """Return the drag's data under the board's own mime type."""
        payload = json.dumps(
            {"deal_id": self.deal_id, "version": self.version, "stage": self.stage_id}
        )
        mime = QMimeData()
        mime.setData(DEAL_MIME_TYPE, QByteArray(payload.encode("utf-8")))
        return mime

    @classmethod
    def from_mime(cls, mime: QMimeData) -> DealDrag | None:
        """Read a drag's data back; None when it is not a deal card's."""
        if not mime.hasFormat(DEAL_MIME_TYPE):
            return None
        try:
            values = json.loads(bytes(mime.data(DEAL_MIME_TYPE).data()))
            return cls(
                int(values["deal_id"]), int(values["version"]), int(values["stage"])
            )
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed deal drag")
            return None


@dataclass(frozen=True, slots=True)
class CardTexts:
    """A card's finished texts, as the board formatted them."""

    title: str
    company: str
    amount: str
    owner: str
    expected_close: str
    overdue: bool


def mix(first: QColor, second: QColor, share: float) -> QColor:
    """Return `first` moved `share` (0 to 1) of the way towards `second`."""
    keep = 1.0 - share
    return QColor(
        round(first.red() * keep + second.red() * share),
        round(first.green() * keep + second.green() * share),
        round(first.blue() * keep + second.blue() * share),
    )


def is_dark(palette: QPalette) -> bool:
    """Tell whether a palette draws light text on a dark base."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class DealCardWidget(QWidget):
    """One deal on the board, drawn in code; drag it to move the deal.

    A card takes keyboard focus (Tab, or a click), so the deal can be moved
    without a mouse: Ctrl+Shift+Left and Right ask for the stage beside its
    own, the context menu (menu key, Shift+F10) for any stage.

    Signals:
        open_deal_requested: Double-clicked or Enter; carries the deal id.
        step_requested: Ctrl+Shift+Left (-1) or Right (+1); carries the
            deal id and the step.
        menu_requested: The context menu was asked for; carries the deal id
            and the global position to show it at.
    """

    open_deal_requested = Signal(int)
    step_requested = Signal(int, int)
    menu_requested = Signal(int, QPoint)

    def __init__(
        self, drag: DealDrag, texts: CardTexts, *, movable: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.drag_data = drag
        self.texts = texts
        self._movable = movable
        self._press: QPoint | None = None
        self._dragging = False
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if movable:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip(self._tooltip())
        self.setAccessibleName(f"{texts.title}, {texts.amount}")

    def mime_data(self) -> QMimeData:
        """Return the data a drag of this card carries."""
        return self.drag_data.mime_data()

    def _tooltip(self) -> str:
        texts = self.texts
        lines = [texts.title, texts.company, texts.amount, f"Owner: {texts.owner}"]
        if texts.expected_close:
            late = " (overdue)" if texts.overdue else ""
            lines.append(f"Expected close: {texts.expected_close}{late}")
        hint = "Double-click or Enter to open"
        move = ", drag or Ctrl+Shift+Left/Right to move it to another stage"
        lines.append(hint + (move if self._movable else ""))
        return "\n".join(line for line in lines if line)

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _title_lines(self, width: int) -> list[str]:
        """Split the title into at most two lines, the second elided."""
        metrics = QFontMetrics(self._title_font())
        words = self.texts.title.split()
        first = ""
        while words:
            trial = f"{first} {words[0]}".strip()
            if metrics.horizontalAdvance(trial) > width and first:
                break
            first = trial
            words.pop(0)
        first = metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)
        if not words:
            return [first]
        rest = metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
        return [first, rest]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        title_lines = len(self._title_lines(width - 2 * _PADDING))
        title_height = QFontMetrics(self._title_font()).height() * title_lines
        line = self.fontMetrics().height()
        lines = 2 + bool(self.texts.company)
        if not self._owner_fits_beside_date(width - 2 * _PADDING):
            lines += 1
        return 2 * _PADDING + title_height + lines * (line + _LINE_GAP)

    def _owner_fits_beside_date(self, width: int) -> bool:
        metrics = self.fontMetrics()
        gap = metrics.averageCharWidth() * 2
        used = metrics.horizontalAdvance(self.texts.owner) + gap
        return used + metrics.horizontalAdvance(self.texts.expected_close) <= width

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 26
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 16
        return QSize(width, self.heightForWidth(width))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        self._paint_frame(painter, palette)
        self._paint_texts(painter, palette)
        painter.end()

    def _paint_frame(self, painter: QPainter, palette: QPalette) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Mid)
        if self.texts.overdue:
            base = mix(base, OVERDUE_RED, 0.22 if is_dark(palette) else 0.1)
            border = mix(border, OVERDUE_RED, 0.75)
        if (self.underMouse() and self._movable) or self.hasFocus():
            border = palette.color(QPalette.ColorRole.Highlight)
        if self._dragging:
            base = mix(base, palette.color(QPalette.ColorRole.Window), 0.6)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(border, 2.0 if self.hasFocus() else 1.0))
        painter.setBrush(base)
        painter.drawRoundedRect(rect, RADIUS, RADIUS)
        if self.texts.overdue:
            # A bar down the left edge: overdue reads at a glance, and not
            # by colour alone for those who do not see red well.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(OVERDUE_RED)
            painter.drawRoundedRect(
                QRectF(rect.left(), rect.top(), 4, rect.height()), 2, 2
            )

    def _paint_texts(self, painter: QPainter, palette: QPalette) -> None:
        text = palette.color(QPalette.ColorRole.Text)
        muted = mix(text, palette.color(QPalette.ColorRole.Base), 0.4)
        width = self.width() - 2 * _PADDING
        x, y = _PADDING, _PADDING
        title_font = self._title_font()
        title_metrics = QFontMetrics(title_font)
        painter.setFont(title_font)
        painter.setPen(text)
        for line in self._title_lines(width):
            painter.drawText(x, y + title_metrics.ascent(), line)
            y += title_metrics.height()
        metrics = self.fontMetrics()
        painter.setFont(self.font())
        y += _LINE_GAP
        if self.texts.company:
            painter.setPen(muted)
            company = metrics.elidedText(
                self.texts.company, Qt.TextElideMode.ElideRight, width
            )
            painter.drawText(x, y + metrics.ascent(), company)
            y += metrics.height() + _LINE_GAP
        amount = QFontMetrics(title_font).elidedText(
            self.texts.amount, Qt.TextElideMode.ElideRight, width
        )
        painter.setFont(title_font)
        painter.setPen(text)
        painter.drawText(x, y + metrics.ascent(), amount)
        painter.setFont(self.font())
        y += metrics.height() + _LINE_GAP
        self._paint_owner_line(painter, palette, muted, x, y, width)

    def _paint_owner_line(
        self,
        painter: QPainter,
        palette: QPalette,
        muted: QColor,
        x: int,
        y: int,
        width: int,
    ) -> None:
        """Draw the owner, and the expected close on its right or below it."""
        metrics = self.fontMetrics()
        owner = metrics.elidedText(self.texts.owner, Qt.TextElideMode.ElideRight, width)
        painter.setPen(muted)
        painter.drawText(x, y + metrics.ascent(), owner)
        date = self.texts.expected_close
        date_x = x + width - metrics.horizontalAdvance(date)
        if not self._owner_fits_beside_date(width):
            date_x = x
            y += metrics.height() + _LINE_GAP
        if self.texts.overdue:
            painter.setPen(overdue_colour(palette))
        else:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(date_x, y + metrics.ascent(), date)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_deal_requested.emit(self.drag_data.deal_id)
            return
        steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
        wanted = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if key in steps and event.modifiers() == wanted and self._movable:
            self.step_requested.emit(self.drag_data.deal_id, steps[Qt.Key(key)])
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu_requested.emit(self.drag_data.deal_id, event.globalPos())

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._press = event.position().toPoint()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not self._movable:
            return
        if not event.buttons() & Qt.MouseButton.LeftButton:
            self._press = None
            return
        distance = (event.position().toPoint() - self._press).manhattanLength()
        if distance >= QApplication.startDragDistance():
            hot_spot, self._press = self._press, None
            self._start_drag(hot_spot)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = None
            self.open_deal_requested.emit(self.drag_data.deal_id)

    def _start_drag(self, hot_spot: QPoint) -> None:
        drag = QDrag(self)
        drag.setMimeData(self.mime_data())
        drag.setPixmap(self.grab())
        drag.setHotSpot(hot_spot)
        self._dragging = True
        self.update()
        # NOTE: exec() runs a nested event loop until the drop. The board
        # handles drops through a queued connection, so this card is not
        # replaced under our feet before exec() returns.
        drag.exec(Qt.DropAction.MoveAction)
        self._dragging = False
        self.update()
