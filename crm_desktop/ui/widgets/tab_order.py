"""Tab order as the eye reads a form: top to bottom, then left to right.

Qt's default order is the order widgets were made in, so buttons made
before the fields come first, and a row of a repeating field (an email
added later) comes after everything else. order_tabs() sets the order from
where the widgets sit on screen instead.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QWidget,
)

# Widgets that own inner widgets (a combo's line edit, a text edit's
# viewport); Tab stops at the outer widget only.
_COMPOUND = (QComboBox, QAbstractSpinBox, QAbstractScrollArea)


def tab_stops(window: QWidget) -> list[QWidget]:
    """Return the widgets Tab can stop at in `window`, in reading order."""
    stops = [w for w in window.findChildren(QWidget) if _is_stop(w, window)]
    placed = [(_centre(w, window), w) for w in stops]
    placed.sort(key=lambda item: item[0].y())
    ordered: list[QWidget] = []
    line: list[tuple[QPoint, QWidget]] = []
    for centre, widget in placed:
        # One line holds widgets whose middles sit within half a line of
        # the first one's: a check box beside a date edit is one line.
        if line and centre.y() - line[0][0].y() > widget.height() // 2:
            ordered.extend(w for _c, w in sorted(line, key=lambda i: i[0].x()))
            line = []
        line.append((centre, widget))
    ordered.extend(w for _c, w in sorted(line, key=lambda i: i[0].x()))
    return ordered


def order_tabs(window: QWidget) -> list[QWidget]:
    """Make Tab follow the reading order of `window`'s widgets; return it.

    Call it once the layout has placed the widgets (on show, or after rows
    were added); it activates the top layout first so positions are final.
    """
    layout = window.layout()
    if layout is not None:
        layout.activate()
    stops = tab_stops(window)
    for first, second in zip(stops, stops[1:], strict=False):
        QWidget.setTabOrder(first, second)
    return stops


def _is_stop(widget: QWidget, window: QWidget) -> bool:
    if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return False
    if widget.focusProxy() is not None or not widget.isVisibleTo(window):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, _COMPOUND):
            return False
        parent = parent.parentWidget()
    return True


def _centre(widget: QWidget, window: QWidget) -> QPoint:
    return widget.mapTo(window, widget.rect().center())
