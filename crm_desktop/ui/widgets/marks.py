"""Marking a field as invalid, for the style sheet to draw a red border."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

INVALID_PROPERTY = "invalid"


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Set or clear the `invalid` property and restyle the widget.

    style.qss draws `*[invalid="true"]` with a red border; Qt applies a
    property selector only when the widget is polished again.
    """
    if bool(widget.property(INVALID_PROPERTY)) == invalid:
        return
    widget.setProperty(INVALID_PROPERTY, invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def is_invalid(widget: QWidget) -> bool:
    return bool(widget.property(INVALID_PROPERTY))
