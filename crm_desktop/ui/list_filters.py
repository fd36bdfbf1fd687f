"""ListFilterBar: the filters above a list, and the user's saved filters.

The bar only says what the user chose; the list's model runs the filter in
SQL. Owners, tags and the user's saved filters are read on a worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import pipeline, saved_filters, tags
from crm_desktop.services.listing import ListRequest, ListSpec
from crm_desktop.services.periods import PERIODS
from crm_desktop.services.saved_filters import SavedFilter
from crm_desktop.ui.errors import show_error
from crm_desktop.ui.icons import icon
from crm_desktop.ui.workers import run_in_background

logger = logging.getLogger(__name__)

# The ListRequest fields the bar sets; search and sort belong to the list.
FILTER_FIELDS = (
    "owner_id",
    "tag_id",
    "statuses",
    "period",
    "period_start",
    "period_end",
)


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the bar's menus offer: owners, tags and the saved filters."""

    owners: list[pipeline.OwnerChoice]
    tags: list[tuple[int, str]]
    saved: list[SavedFilter]


def filter_values(request: ListRequest) -> dict[str, Any]:
    """Return the bar's part of a request, as keyword arguments."""
    return {name: getattr(request, name) for name in FILTER_FIELDS}


class ListFilterBar(QWidget):
    """The filters of one list and the user's saved filters for it.

    Signals:
        filters_changed: The user changed a filter; carries the FILTER_FIELDS
            values as a dict.
        saved_filter_chosen: A saved filter was picked; carries its request.
        choices_loaded: Owners, tags and saved filters arrived.
    """

    filters_changed = Signal(object)
    saved_filter_chosen = Signal(object)
    choices_loaded = Signal()

    def __init__(
        self,
        spec: ListSpec,
        database: Database,
        user: CurrentUser,
        current_request: Callable[[], ListRequest],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listFilterBar")
        self._spec = spec
        self._database = database
        self._user = user
        self._current_request = current_request
        self.saved: list[SavedFilter] = []
        self._build_combos()
        self._build_saved_menu()
        self._build_layout()

    def _combo(self, name: str, empty: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(empty, None)
        combo.currentIndexChanged.connect(self._on_filter_changed)
        return combo

    def _build_combos(self) -> None:
        self.owner_combo = self._combo("filterOwner", "Any owner")
        self.tag_combo: QComboBox | None = None
        if self._spec.tag_link is not None:
            self.tag_combo = self._combo("filterTag", "Any tag")
        self.status_combos: list[QComboBox] = []
        for status in self._spec.statuses:
            combo = self._combo(f"filterStatus_{status.key}", f"Any {status.title}")
            combo.setItemText(0, f"{status.title}: any")
            for option in status.options:
                combo.addItem(option.label, f"{status.key}:{option.key}")
            self.status_combos.append(combo)
        self.period_combo = self._combo("filterPeriod", "Created: any time")
        for key, label in PERIODS.items():
            self.period_combo.addItem(f"Created: {label.lower()}", key)
        today = QDate.currentDate()
        self.start_edit = self._date_edit(today.addDays(-29))
        self.end_edit = self._date_edit(today)

    def _date_edit(self, date: QDate) -> QDateEdit:
        edit = QDateEdit(date, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMM yyyy")
        edit.setVisible(False)
        edit.dateChanged.connect(self._on_filter_changed)
        return edit

    def _build_saved_menu(self) -> None:
        self.saved_button = QToolButton(self)
        self.saved_button.setObjectName("savedFilters")
        self.saved_button.setText("Saved filters")
        self.saved_button.setIcon(icon("search"))
        self.saved_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu(self.saved_button)
        self.saved_button.setMenu(self.saved_menu)
        self.save_action = QAction("Save current filter…", self)
        self.save_action.triggered.connect(self._on_save_action_triggered)
        self.delete_menu = QMenu("Delete saved filter", self)
        self.clear_action = QAction(icon("restore"), "Clear", self)
        self.clear_action.setToolTip("Show every record again")
        self.clear_action.triggered.connect(self._on_clear_action_triggered)
        self._fill_saved_menu()

    def _build_layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(QLabel("Filter:", self))
        combos = [self.owner_combo, self.tag_combo, *self.status_combos]
        for widget in (*combos, self.period_combo, self.start_edit):
            if widget is not None:
                layout.addWidget(widget)
        self.until_label = QLabel("to", self)
        self.until_label.setVisible(False)
        layout.addWidget(self.until_label)
        layout.addWidget(self.end_edit)
        clear = QToolButton(self)
        clear.setObjectName("clearFilters")
        clear.setDefaultAction(self.clear_action)
        clear.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout.addWidget(clear)
        layout.addStretch(1)
        layout.addWidget(self.saved_button)

    def load_choices(self) -> None:
        """Read owners, tags and saved filters on a worker."""
        database, user, name = self._database, self._user, self._spec.name
        with_tags = self.tag_combo is not None

        def work() -> FilterChoices:
            with database.session() as session:
                owners = pipeline.owners(session)
                tag_list = tags.all_tags(session) if with_tags else []
                saved = saved_filters.for_list(session, user, name)
            return FilterChoices(owners, tag_list, saved)

        run_in_background(work, self._apply_choices, self._fail, context=self)

    def _apply_choices(self, choices: FilterChoices) -> None:
        self._fill(self.owner_combo, [(o.id, o.name) for o in choices.owners])
        if self.tag_combo is not None:
            self._fill(self.tag_combo, choices.tags)
        self.saved = choices.saved
        self._fill_saved_menu()
        self.choices_loaded.emit()

    def _fail(self, error: BaseException) -> None:
        show_error(self, error)

    def _fill(self, combo: QComboBox, items: list[tuple[int, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for item_id, text in items:
            combo.addItem(text, item_id)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _fill_saved_menu(self) -> None:
        menu = self.saved_menu
        menu.clear()
        self.delete_menu.clear()
        for saved in self.saved:
            action = menu.addAction(saved.name)
            action.triggered.connect(
                lambda _=False, chosen=saved: self.apply_saved(chosen)
            )
            remove = self.delete_menu.addAction(saved.name)
            remove.triggered.connect(
                lambda _=False, name=saved.name: self.delete_saved(name)
            )
        if self.saved:
            menu.addSeparator()
        menu.addAction(self.save_action)
        self.delete_menu.setEnabled(bool(self.saved))
        menu.addMenu(self.delete_menu)

    def filters(self) -> dict[str, Any]:
        """Return what the bar's widgets say, as FILTER_FIELDS values."""
        statuses = tuple(
            str(combo.currentData())
            for combo in self.status_combos
            if combo.currentData() is not None
        )
        period = self.period_combo.currentData() or ""
        custom = period == "custom"
        return {
            "owner_id": self.owner_combo.currentData(),
            "tag_id": None if self.tag_combo is None else self.tag_combo.currentData(),
            "statuses": statuses,
            "period": period,
            "period_start": self._day(self.start_edit) if custom else None,
            "period_end": self._day(self.end_edit) if custom else None,
        }

    @staticmethod
    def _day(edit: QDateEdit) -> dt.date:
        value: dt.date = edit.date().toPython()  # type: ignore[assignment]
        return value

    def show_filters(self, request: ListRequest) -> None:
        """Set the widgets to a request's filters without announcing it."""
        widgets: list[QWidget] = [
            self.owner_combo,
            self.period_combo,
            self.start_edit,
            self.end_edit,
            *self.status_combos,
        ]
        if self.tag_combo is not None:
            widgets.append(self.tag_combo)
        for widget in widgets:
            widget.blockSignals(True)
        self._select(self.owner_combo, request.owner_id)
        if self.tag_combo is not None:
            self._select(self.tag_combo, request.tag_id)
        for combo in self.status_combos:
            chosen = [s for s in request.statuses if combo.findData(s) > 0]
            self._select(combo, chosen[0] if chosen else None)
        self._select(self.period_combo, request.period or None)
        if request.period_start is not None:
            self.start_edit.setDate(QDate(*request.period_start.timetuple()[:3]))
        if request.period_end is not None:
            self.end_edit.setDate(QDate(*request.period_end.timetuple()[:3]))
        for widget in widgets:
            widget.blockSignals(False)
        self._show_custom_range()

    @staticmethod
    def _select(combo: QComboBox, data: object) -> None:
        combo.setCurrentIndex(max(0, combo.findData(data)) if data is not None else 0)

    def apply_saved(self, saved: SavedFilter) -> None:
        """Show a saved filter's choices and ask the list to apply all of it."""
        self.show_filters(saved.request)
        self.saved_filter_chosen.emit(saved.request)

    def save_current(self, name: str) -> None:
        """Save what the list shows now (filters, search, sort) under a name."""
        request = replace(self._current_request(), **self.filters())
        saved = SavedFilter(self._spec.name, name, request)
        self._write(lambda session: saved_filters.save(session, self._user, saved))

    def delete_saved(self, name: str) -> None:
        """Forget one of the user's saved filters for this list."""
        list_name, user = self._spec.name, self._user
        self._write(
            lambda session: saved_filters.delete(session, user, list_name, name)
        )

    def _write(self, change: Callable[[Any], None]) -> None:
        database = self._database

        def work() -> None:
            with database.session() as session:
                change(session)
                session.commit()

        run_in_background(
            work, lambda _none: self.load_choices(), self._fail, context=self
        )

    def _show_custom_range(self) -> None:
        custom = self.period_combo.currentData() == "custom"
        for widget in (self.start_edit, self.until_label, self.end_edit):
            widget.setVisible(custom)

    @Slot()
    def _on_filter_changed(self) -> None:
        self._show_custom_range()
        self.filters_changed.emit(self.filters())

    @Slot()
    def _on_save_action_triggered(self) -> None:
        name, accepted = QInputDialog.getText(
            self,
            "Save filter",
            "Name this filter (its search and sort are kept too):",
            QLineEdit.EchoMode.Normal,
        )
        if accepted and name.strip():
            self.save_current(name)

    @Slot()
    def _on_clear_action_triggered(self) -> None:
        self.show_filters(ListRequest())
        self.filters_changed.emit(self.filters())
