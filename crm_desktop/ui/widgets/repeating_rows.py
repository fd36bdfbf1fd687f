"""Repeating rows of a form: a label combo, some fields and a remove button.

A contact has several emails, phones and addresses; each kind is a
RepeatingRows with an "Add" button under its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.ui.icons import icon
from crm_desktop.ui.widgets.marks import set_invalid
from crm_desktop.ui.widgets.tab_order import order_tabs


class ValueRow(QWidget):
    """One row: a label combo, one line edit per field and a remove button.

    Signals:
        remove_requested: The user asked to drop this row.
    """

    remove_requested = Signal()

    def __init__(
        self,
        labels: Sequence[str],
        fields: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # The stored value this row was filled from, so fields the form
        # does not show (an address's region...) survive an edit.
        self.origin: object | None = None
        self.label = QComboBox(self)
        self.label.setEditable(True)
        self.label.addItems(list(labels))
        self.label.setMinimumContentsLength(7)
        self.edits: dict[str, QLineEdit] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        for name, placeholder in fields:
            edit = QLineEdit(self)
            edit.setPlaceholderText(placeholder)
            edit.setObjectName(name)
            self.edits[name] = edit
            layout.addWidget(edit, 2 if name in ("value", "street") else 1)
        remove = QToolButton(self)
        remove.setText("✕")
        remove.setToolTip("Remove")
        remove.setAutoRaise(True)
        remove.clicked.connect(self._on_remove_clicked)
        layout.addWidget(remove)

    @Slot()
    def _on_remove_clicked(self) -> None:
        self.remove_requested.emit()

    def values(self) -> dict[str, str]:
        """Return the row's texts by field name, plus its 'label'."""
        texts = {name: edit.text().strip() for name, edit in self.edits.items()}
        texts["label"] = self.label.currentText().strip() or "other"
        return texts

    def set_values(self, label: str, **texts: str) -> None:
        index = self.label.findText(label, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            self.label.setCurrentIndex(index)
        else:
            self.label.setCurrentText(label)
        for name, text in texts.items():
            self.edits[name].setText(text)

    def is_blank(self) -> bool:
        return not any(edit.text().strip() for edit in self.edits.values())


class RepeatingRows(QWidget):
    """A growing list of ValueRows with an "Add" button under them."""

    def __init__(
        self,
        add_text: str,
        labels: Sequence[str],
        fields: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._labels = labels
        self._fields = fields
        self.rows: list[ValueRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        # Only as tall as its rows: the form gives spare height to the notes.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.add_button = QPushButton(icon("new"), add_text, self)
        self.add_button.setFlat(True)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self._layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        row = self.add_row()
        next(iter(row.edits.values())).setFocus()

    def add_row(self, label: str | None = None, **texts: str) -> ValueRow:
        """Append a row, optionally filled in; return it."""
        row = ValueRow(self._labels, self._fields, self)
        if label is not None or texts:
            row.set_values(label or self._labels[0], **texts)
        row.remove_requested.connect(self._on_row_remove_requested)
        self.rows.append(row)
        self._layout.insertWidget(len(self.rows) - 1, row)
        if self.isVisible():
            # A row made now would come last in Tab's order; put it in place.
            row.show()
            order_tabs(self.window())
        return row

    @Slot()
    def _on_row_remove_requested(self) -> None:
        row = self.sender()
        if isinstance(row, ValueRow) and row in self.rows:
            self.rows.remove(row)
            # Hidden at once: deleteLater() waits for the event loop, and a
            # form comparing its fields must not count the row meanwhile.
            row.hide()
            row.deleteLater()

    def filled_rows(self) -> list[ValueRow]:
        """Return the rows that hold any text, in order."""
        return [row for row in self.rows if not row.is_blank()]

    def clear_marks(self) -> None:
        for row in self.rows:
            set_invalid(row.label, False)
            for edit in row.edits.values():
                set_invalid(edit, False)
