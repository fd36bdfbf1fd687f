"""Guards against the PySide6 build that loses references to None."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_alive(qtbot: QtBot) -> None:
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every Qt
    # method that returns nothing, and the process later dies with
    # "none_dealloc". pyproject.toml pins 6.11 there; this fails loudly if
    # an upgrade brings the leak back. (On 3.12+ None is immortal and its
    # count does not move, so the check holds there too.)
    widget = QWidget()
    qtbot.add_widget(widget)
    before = sys.getrefcount(None)

    for _ in range(5_000):
        widget.update()
        widget.setObjectName("probe")

    assert sys.getrefcount(None) >= before - 50
