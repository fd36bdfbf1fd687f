"""QuickSearchDialog: one box that finds contacts, companies and deals.

Results come as the user types: a short pause after the last key starts a
search on a worker, and a result that arrives after a newer keystroke is
dropped. Up and Down move through the hits, Enter opens one, Esc closes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import global_search, settings
from crm_desktop.services.global_search import SearchHit
from crm_desktop.ui.errors import is_expected, show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.search_results import (
    HEADER_ROLE,
    SUBTITLE_ROLE,
    Index,
    SearchResultsModel,
)
from crm_desktop.ui.workers import Generation, run_in_background

logger = logging.getLogger(__name__)

SEARCH_PAUSE_MS = 120
# Enough to pick from; more of a kind means the text wants another word.
HITS_PER_KIND = 6
HINT = "Type a name, an email address or a phone number."
_PADDING = 6
_ICON_SIZE = 20


class SearchHitDelegate(QStyledItemDelegate):
    """Draws a hit as its name and a muted subtitle, a header as a caption."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = max(option.fontMetrics.height(), _ICON_SIZE)
        padding = _PADDING * 2 if index.data(HEADER_ROLE) else _PADDING
        return QSize(0, height + 2 * padding)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index
    ) -> None:
        painter.save()
        if index.data(HEADER_ROLE):
            self._paint_header(painter, option, index)
        else:
            self._paint_hit(painter, option, index)
        painter.restore()

    def _paint_header(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index
    ) -> None:
        font = QFont(option.font)
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        area = option.rect.adjusted(_PADDING, 0, -_PADDING, -_PADDING // 2)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
        painter.drawText(area, align, str(index.data()).upper())

    def _paint_hit(
        self, painter: QPainter, option: QStyleOptionViewItem, index: Index
    ) -> None:
        # The list never takes the focus (the line edit keeps it), so draw
        # the selection in the active colours, not the faded inactive ones.
        panel = QStyleOptionViewItem(option)
        self.initStyleOption(panel, index)
        panel.palette.setCurrentColorGroup(QPalette.ColorGroup.Active)
        panel.state |= QStyle.StateFlag.State_Active
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, panel, painter, option.widget
        )
        rect = option.rect.adjusted(_PADDING, 0, -_PADDING, 0)
        icon_rect = QRect(0, 0, _ICON_SIZE, _ICON_SIZE)
        icon_rect.moveCenter(QPoint(rect.left() + _ICON_SIZE // 2, rect.center().y()))
        panel.icon.paint(painter, icon_rect)
        rect.setLeft(icon_rect.right() + _PADDING + 4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        roles = QPalette.ColorRole
        muted = roles.HighlightedText if selected else roles.PlaceholderText
        plain = roles.HighlightedText if selected else roles.Text
        # The name takes what it needs, up to two thirds; the subtitle the rest.
        metrics = option.fontMetrics
        elide = Qt.TextElideMode.ElideRight
        title = metrics.elidedText(str(index.data()), elide, rect.width() * 2 // 3)
        self._draw(painter, rect, title, panel.palette.color(plain))
        rect.setLeft(rect.left() + metrics.horizontalAdvance(title) + 3 * _PADDING)
        subtitle = str(index.data(SUBTITLE_ROLE) or "")
        subtitle = metrics.elidedText(subtitle, elide, rect.width())
        self._draw(painter, rect, subtitle, panel.palette.color(muted))

    @staticmethod
    def _draw(painter: QPainter, rect: QRect, text: str, colour: QColor) -> None:
        painter.setPen(colour)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, align, text)


class QuickSearchDialog(QDialog):
    """Find contacts, companies and deals by name, email or phone as you type.

    Signals:
        record_open_requested: The user chose a record; carries its kind
            ('contact', 'company' or 'deal') and id.
        results_shown: A search's results are on screen; carries how many
            records were found.
    """

    record_open_requested = Signal(str, int)
    results_shown = Signal(int)

    def __init__(
        self, database: Database, user: CurrentUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quickSearch")
        self.setWindowTitle("Find")
        self._database = database
        self._user = user
        self._generation = Generation()
        # The generation whose results are on screen; Enter waits for the
        # current one, so it never opens a hit of text already changed.
        self._shown = 0
        self._open_when_shown = False
        self.model = SearchResultsModel(self)
        self._build()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.results.clicked.connect(self._on_results_clicked)
        self._show_message(HINT)
        self.resize(self.fontMetrics().averageCharWidth() * 96, 480)

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find contacts, companies and deals")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.installEventFilter(self)
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setItemDelegate(SearchHitDelegate(self.results))
        self.results.setIconSize(QSize(_ICON_SIZE, _ICON_SIZE))
        # NOTE: the list never takes the focus, so every key goes to the
        # line edit and typing goes on while the selection moves.
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.message = QLabel(self)
        self.message.setObjectName("quickSearchMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        # Drawn like the list it stands in for: a framed, plain field.
        self.message.setFrameShape(QFrame.Shape.StyledPanel)
        self.message.setBackgroundRole(QPalette.ColorRole.Base)
        self.message.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.message.setAutoFillBackground(True)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.results)
        self._pages.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self._pages, 1)

    def start(self) -> None:
        """Show the dialog with its text selected, searching it again."""
        self.search.selectAll()
        self.search.setFocus()
        if self.search.text().strip():
            # The records may have changed since the last time it was open.
            self._generation.bump()
            self._timer.start()
        self.open()
        self.activateWindow()

    def done(self, result: int) -> None:
        # Closed with Esc after Enter: the awaited results open nothing.
        self._open_when_shown = False
        super().done(result)

    def selected_hit(self) -> SearchHit | None:
        """Return the hit the selection is on, if any."""
        return self.model.hit(self.results.currentIndex().row())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._on_search_key(event.key())
        return super().eventFilter(watched, event)

    def _on_search_key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._move_selection(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open_selected()
            return True
        return False

    def _move_selection(self, step: int) -> None:
        row = self.model.next_hit_row(self.results.currentIndex().row(), step)
        if row is not None:
            self._select_row(row)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.results.setCurrentIndex(index)
        # Bring a kind's header into view with its first hit.
        if row > 0 and self.model.hit(row - 1) is None:
            self.results.scrollTo(self.model.index(row - 1))
        self.results.scrollTo(index)

    def _open_selected(self) -> None:
        if self._timer.isActive() or self._shown != self._generation.current:
            # Results for what was typed are on their way; open when shown.
            self._open_when_shown = True
            return
        hit = self.selected_hit()
        if hit is not None:
            self._open(hit)

    def _open(self, hit: SearchHit) -> None:
        logger.debug("opening %s %d from the quick search", hit.kind, hit.id)
        self.accept()
        self.record_open_requested.emit(hit.kind, hit.id)

    @Slot(QModelIndex)
    def _on_results_clicked(self, index: QModelIndex) -> None:
        hit = self.model.hit(index.row())
        if hit is not None:
            self._open(hit)

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        # Bump now, not when the search starts: a result for the old text
        # still on its way must not land over the new one.
        self._generation.bump()
        if text.strip():
            self._timer.start()
            return
        self._timer.stop()
        self._show_hits([], text)

    @Slot()
    def _on_timer_timeout(self) -> None:
        text = self.search.text()
        database, user = self._database, self._user

        def work() -> list[SearchHit]:
            with database.session() as session:
                business = settings.load(session)
                return global_search.find(
                    session,
                    user,
                    text,
                    region=business.default_region,
                    locale=business.locale,
                    limit_per_kind=HITS_PER_KIND,
                )

        run_in_background(
            work,
            lambda hits: self._show_hits(hits, text),
            self._on_search_failed,
            context=self,
            generation=self._generation,
        )

    def _show_hits(self, hits: list[SearchHit], text: str) -> None:
        self.model.set_hits(hits)
        self._shown = self._generation.current
        first = self.model.next_hit_row(-1, 1)
        if first is not None:
            self._select_row(first)
            self._pages.setCurrentWidget(self.results)
        elif text.strip():
            self._show_message(f"No matches for “{text.strip()}”.")
        else:
            self._show_message(HINT)
        self.results_shown.emit(len(hits))
        if self._open_when_shown:
            self._open_when_shown = False
            self._open_selected()

    def _on_search_failed(self, error: BaseException) -> None:
        self._shown = self._generation.current
        self._open_when_shown = False
        self.model.set_hits([])
        if is_expected(error):
            logger.warning("quick search failed: %s", error)
        else:
            show_error(self, error)
        self._show_message(f"The search failed: {error}")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self._pages.setCurrentWidget(self.message)
