"""ColumnFitter: spreads a table's columns over its width until the user sizes one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QTableView


@dataclass(frozen=True, slots=True)
class ColumnWidth:
    """How wide a column starts: fixed, or a share of the room left over.

    Attributes:
        width: Pixels for a fixed column; the least for a flexible one.
        weight: A flexible column's share of the spare room; 0 when fixed.
    """

    width: int
    weight: float = 0.0


class ColumnFitter(QObject):
    """Keeps a table's columns filling its width, until a user drags one.

    Fixed columns (dates, phone numbers, amounts) keep the width their
    content needs; text columns share the rest by weight.
    """

    def __init__(self, table: QTableView, widths: Sequence[ColumnWidth]) -> None:
        super().__init__(table)
        self._table = table
        self._widths = list(widths)
        self._fitting = False
        self.user_sized = False
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._on_header_section_resized)
        self.fit()

    def fit(self) -> None:
        """Size the columns to the table's current width."""
        if self.user_sized:
            return
        available = self._table.viewport().width()
        fixed = sum(w.width for w in self._widths if not w.weight)
        flexible = [w for w in self._widths if w.weight]
        least = sum(w.width for w in flexible)
        spare = max(0, available - fixed - least)
        total_weight = sum(w.weight for w in flexible) or 1.0
        header = self._table.horizontalHeader()
        self._fitting = True
        try:
            for column, width in enumerate(self._widths):
                extra = spare * width.weight / total_weight
                header.resizeSection(column, width.width + int(extra))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    @Slot(int, int, int)
    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        last = len(self._widths) - 1
        # The last column stretches with the table; only a drag is a choice.
        if not self._fitting and column != last and self._table.isVisible():
            self.user_sized = True
