"""TrashTableModel: the trashed records of every kind, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from crm_desktop.services.trash import KIND_LABELS, TrashedRecord
from crm_desktop.ui.models.cells import CellFormatter, parse_locale

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Type", "Name", "Trashed", "By")


class TrashTableModel(QAbstractTableModel):
    """A read-only table of TrashedRecord rows, as the service returned them.

    The trash is read whole (up to its limit) on a worker, so this model
    holds plain rows and never queries.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[TrashedRecord] = []
        self._formatter = CellFormatter(parse_locale("en_GB"))

    @property
    def records(self) -> list[TrashedRecord]:
        return self._records

    def set_records(
        self, records: list[TrashedRecord], formatter: CellFormatter
    ) -> None:
        """Show these rows instead of the ones shown."""
        self.beginResetModel()
        self._records = list(records)
        self._formatter = formatter
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        record = self._records[index.row()]
        column = index.column()
        if column == 0:
            return KIND_LABELS[record.kind]
        if column == 1:
            return record.name
        if column == 2:
            return self._formatter.row(("datetime",), (record.trashed_at,))[0]
        return record.trashed_by

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
