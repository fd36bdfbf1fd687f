"""The error presenter: what the user sees when something fails.

Expected failures (a service or database error) are shown as their message,
plainly. Anything else is a bug: it is logged with its traceback and the
user is told that it happened and where the details went.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crm_desktop.db.errors import DatabaseError
from crm_desktop.services.errors import ServiceError

logger = logging.getLogger(__name__)

ExceptHook = Callable[
    [type[BaseException], BaseException, TracebackType | None], object
]


def is_expected(error: BaseException) -> bool:
    """Tell whether an error is one the user can understand and act on."""
    return isinstance(error, ServiceError | DatabaseError)


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """Show a failure to the user; log it with its traceback when unexpected."""
    if is_expected(error):
        logger.warning("%s", error)
        _message_box(parent, "Could not complete", str(error), QMessageBox.Icon.Warning)
        return
    logger.error("unexpected error", exc_info=error)
    text = (
        "Something went wrong inside crm-desktop; nothing more was saved.\n\n"
        f"{type(error).__name__}: {error}\n\nThe details are in the log file."
    )
    _message_box(parent, "Unexpected error", text, QMessageBox.Icon.Critical)


def _message_box(
    parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon
) -> QMessageBox:
    # NOTE: open(), not exec(): a nested event loop here would let another
    # worker result land in the middle of whatever called us.
    owner = parent or QApplication.activeWindow()
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, owner)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.open()
    return box


def install_excepthook() -> ExceptHook:
    """Log uncaught exceptions and show a crash dialog; return the old hook."""
    previous = sys.excepthook

    def hook(
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, trace)
            return
        logger.critical("uncaught exception", exc_info=(kind, error, trace))
        if QApplication.instance() is None:
            traceback.print_exception(kind, error, trace)
            return
        text = (
            "crm-desktop hit an error it did not expect. Your last change may "
            "not have been saved; the details are in the log file.\n\n"
            f"{kind.__name__}: {error}"
        )
        box = _message_box(None, "crm-desktop crashed", text, QMessageBox.Icon.Critical)
        box.setDetailedText("".join(traceback.format_exception(kind, error, trace)))

    sys.excepthook = hook
    return previous
