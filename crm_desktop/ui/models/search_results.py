"""SearchResultsModel: global search hits in a list, each kind under a header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from crm_desktop.services.global_search import RecordKind, SearchHit
from crm_desktop.ui.icons import icon

Index = QModelIndex | QPersistentModelIndex

SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 1
# True on a header row, False on a hit.
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2

KIND_TITLES: dict[RecordKind, str] = {
    "contact": "Contacts",
    "company": "Companies",
    "deal": "Deals",
}
_KIND_ICONS: dict[RecordKind, str] = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
}


@dataclass(frozen=True, slots=True)
class _Header:
    kind: RecordKind


class SearchResultsModel(QAbstractListModel):
    """The hits of one global search; a header row starts each kind.

    Header rows can be neither selected nor activated; hit rows show the
    record's name, with its subtitle in SUBTITLE_ROLE.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SearchHit | _Header] = []

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        """Show these hits, grouped by kind in the order given."""
        rows: list[SearchHit | _Header] = []
        for hit in hits:
            if not rows or rows[-1].kind != hit.kind:
                rows.append(_Header(hit.kind))
            rows.append(hit)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        """Return the hit on a row, or None for a header or no row."""
        if 0 <= row < len(self._rows):
            entry = self._rows[row]
            return entry if isinstance(entry, SearchHit) else None
        return None

    def hit_count(self) -> int:
        return sum(isinstance(row, SearchHit) for row in self._rows)

    def next_hit_row(self, row: int, step: int) -> int | None:
        """Return the nearest hit row past `row` going by `step` (+1 or -1).

        Returns None when there is no hit that way; with `row` -1 and a
        step of +1, the first hit.
        """
        row += step
        while 0 <= row < len(self._rows):
            if isinstance(self._rows[row], SearchHit):
                return row
            row += step
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self.hit(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        if role == HEADER_ROLE:
            return isinstance(entry, _Header)
        if isinstance(entry, _Header):
            is_text = role == Qt.ItemDataRole.DisplayRole
            return KIND_TITLES[entry.kind] if is_text else None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == SUBTITLE_ROLE:
            return entry.subtitle
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(_KIND_ICONS[entry.kind])
        if role == Qt.ItemDataRole.ToolTipRole:
            return " · ".join(part for part in (entry.title, entry.subtitle) if part)
        return None
