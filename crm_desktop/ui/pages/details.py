"""The left side of a record page: labelled values, links, emails and phones.

Links are rich-text labels whose hrefs say what to open: `contact:12`,
`company:3`, `deal:7`, or a `mailto:`/`https:` address for the desktop.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.phones import format_phone
from crm_desktop.services.record_pages import DealLink, RecordLink
from crm_desktop.services.records import CustomValue, EmailValue, PhoneValue
from crm_desktop.ui.icons import icon
from crm_desktop.ui.models.cells import CellFormatter


def record_href(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def anchor(href: str, text: str) -> str:
    """Return an HTML link, its text escaped."""
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def shown_phone(phone: PhoneValue, region: str) -> str:
    """Return a phone as the business reads it: national at home, else
    international; as typed when it is not a valid number."""
    if not phone.e164:
        return phone.raw
    try:
        text = format_phone(phone.e164, region)
    except ValueError:
        return phone.raw
    return f"{text} ext. {phone.extension}" if phone.extension else text


class DetailsPanel(QWidget):
    """A form of labelled values; links in it ask the page to open them.

    Signals:
        link_activated: A link was clicked; carries its href.
        phone_copied: A phone's Copy button put it on the clipboard.
    """

    link_activated = Signal(str)
    phone_copied = Signal(str)

    def __init__(self, formatter: CellFormatter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formatter = formatter
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow
        )
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        # Copy buttons by the phone text they copy; tests and users find
        # them by it.
        self.copy_buttons: dict[str, QToolButton] = {}

    def _label(self, text: str, *, rich: bool = False) -> QLabel:
        label = QLabel(text if rich else html.escape(text), self)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.linkActivated.connect(self._on_label_link_activated)
        return label

    @Slot(str)
    def _on_label_link_activated(self, href: str) -> None:
        self.link_activated.emit(href)

    def add_heading(self, text: str) -> None:
        heading = QLabel(f"<b>{html.escape(text)}</b>", self)
        heading.setObjectName("pageSection")
        heading.setContentsMargins(0, 8, 0, 0)
        self.form.addRow(heading)

    def add_text(self, label: str, text: str) -> None:
        """Add a plain value; an empty one is left out."""
        if text.strip():
            value = html.escape(text.strip()).replace("\n", "<br>")
            self.form.addRow(f"{label}:", self._label(value, rich=True))

    def add_links(self, label: str, links: Sequence[str], empty: str = "") -> None:
        """Add anchors (see `anchor`), one a line; `empty` shows when none."""
        if not links and not empty:
            return
        text = "<br>".join(links) if links else html.escape(empty)
        self.form.addRow(f"{label}:", self._label(text, rich=True))

    def add_emails(self, emails: Iterable[EmailValue]) -> None:
        lines = [
            f"{anchor('mailto:' + e.value, e.value)}  <i>{html.escape(e.label)}</i>"
            for e in emails
        ]
        self.add_links("Emails", lines)

    def add_phones(self, phones: Iterable[PhoneValue], region: str) -> None:
        rows = QWidget(self)
        layout = QVBoxLayout(rows)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for phone in phones:
            layout.addWidget(
                self._phone_row(rows, shown_phone(phone, region), phone.label)
            )
        if layout.count():
            self.form.addRow("Phones:", rows)
        else:
            rows.deleteLater()

    def add_phone(self, label: str, phone: PhoneValue, region: str) -> None:
        if phone.raw:
            self.form.addRow(
                f"{label}:", self._phone_row(self, shown_phone(phone, region), "")
            )

    def _phone_row(self, parent: QWidget, text: str, kind: str) -> QWidget:
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        suffix = f"  <i>{html.escape(kind)}</i>" if kind else ""
        number = self._label(f"{html.escape(text)}{suffix}", rich=True)
        number.setWordWrap(False)
        copy = QToolButton(row)
        copy.setIcon(icon("copy"))
        copy.setText("Copy")
        copy.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        copy.setToolTip(f"Copy {text}")
        copy.setAutoRaise(True)
        copy.setProperty("phone", text)
        copy.clicked.connect(self._on_copy_clicked)
        self.copy_buttons[text] = copy
        layout.addWidget(number)
        layout.addWidget(copy)
        layout.addStretch(1)
        return row

    @Slot()
    def _on_copy_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QToolButton):
            text = str(button.property("phone"))
            QGuiApplication.clipboard().setText(text)
            self.phone_copied.emit(text)

    def add_custom(self, values: Iterable[CustomValue]) -> None:
        for value in values:
            kind = {"number": "decimal", "date": "date"}.get(value.type, "text")
            shown = self.formatter.cell(kind, value.value)
            self.add_text(value.name.replace("_", " ").capitalize(), shown)

    def record_links(self, kind: str, links: Iterable[RecordLink]) -> list[str]:
        """Return anchors for contacts or companies, with their detail."""
        lines = []
        for link in links:
            detail = f" · {html.escape(link.detail)}" if link.detail else ""
            lines.append(anchor(record_href(kind, link.id), link.name) + detail)
        return lines

    def deal_links(self, links: Iterable[DealLink]) -> list[str]:
        """Return anchors for deals: title, stage, amount, expected close."""
        lines = []
        for deal in links:
            amount = self.formatter.money(deal.amount, deal.currency)
            close = self.formatter.cell("date", deal.expected_close)
            when = f", closes {close}" if close and deal.stage_kind == "open" else ""
            facts = html.escape(f" · {deal.stage}, {amount}{when}")
            lines.append(anchor(record_href("deal", deal.id), deal.title) + facts)
        return lines
