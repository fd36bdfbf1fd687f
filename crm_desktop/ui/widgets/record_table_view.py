"""RecordTableView: the table a list screen shows its model in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crm_desktop.ui.models.record_table import RecordTableModel
from crm_desktop.ui.widgets.column_fit import ColumnFitter, ColumnWidth

# The widest text a fixed column of each kind usually holds.
_SAMPLES = {
    "phone": "+88 8 88 88 88 88",
    "user": "username",
    "datetime": "88/88/8888, 88:88",
    "date": "28 Sept 8888",
    "money": "US$888,888.00",
    "stage": "Negotiation",
    "activity_kind": "Meeting",
}
# Shares of the spare width for text columns; the main one gets most.
_WEIGHTS = {
    "name": 2.5,
    "title": 4.0,
    "subject": 4.0,
    "email": 3.0,
    "website": 2.0,
    "company": 2.0,
    "city": 1.2,
}


class RecordTableView(QTableView):
    """A read-only table of whole rows, sorted by the model in the database.

    Rows have one fixed height, so a million of them are never measured;
    columns share the width by kind until the user drags one.
    """

    def __init__(self, model: RecordTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.column_fitter = ColumnFitter(self, self._column_widths())
        # Set the arrow before sorting is enabled, which sorts by it at once.
        header.setSortIndicator(model.sort_column(), model.sort_order())
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
        self._shown_request = model.request
        model.modelReset.connect(self._on_model_model_reset)

    def _column_widths(self) -> list[ColumnWidth]:
        metrics = self.fontMetrics()
        padding = 2 * metrics.averageCharWidth() + 8
        widths = []
        for column in self._model.spec.columns:
            title = metrics.horizontalAdvance(column.title) + padding + 12
            sample = _SAMPLES.get(column.kind)
            if sample is not None:
                content = metrics.horizontalAdvance(sample) + padding
                widths.append(ColumnWidth(max(title, content)))
            else:
                least = max(title, metrics.averageCharWidth() * 10)
                widths.append(ColumnWidth(least, _WEIGHTS.get(column.key, 1.5)))
        return widths

    def selected_row(self) -> int | None:
        """Return the selected row if its record is loaded, else None."""
        rows = self.selectionModel().selectedRows()
        if not rows or self._model.row_id(rows[0].row()) is None:
            return None
        return rows[0].row()

    @Slot()
    def _on_model_model_reset(self) -> None:
        # Other rows (a new search, sort or the trash) start at the top; the
        # same rows read again keep their place.
        if self._model.request != self._shown_request:
            self.scrollToTop()
        self._shown_request = self._model.request

    @Slot(int, Qt.SortOrder)
    def _on_header_sort_indicator_changed(
        self, column: int, _order: Qt.SortOrder
    ) -> None:
        if self._model.spec.columns[column].sort is not None:
            return
        # The model ignored a column it cannot sort by: put the arrow back.
        header = self.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self._model.sort_column(), self._model.sort_order())
        header.blockSignals(False)
        header.viewport().update()
