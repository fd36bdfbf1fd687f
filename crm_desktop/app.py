"""Start-up of the window: QApplication, login, main window, screenshots."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QDialog

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import users
from crm_desktop.ui.board import BOARD_VIEW
from crm_desktop.ui.errors import install_excepthook
from crm_desktop.ui.icons import RESOURCES, icon
from crm_desktop.ui.login import FirstRunDialog, LoginDialog
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.palette import ColorScheme, apply_color_scheme, for_palette
from crm_desktop.ui.screens import BY_NAME
from crm_desktop.ui.tasks import TASKS_VIEW
from crm_desktop.ui.trash_view import TRASH_VIEW
from crm_desktop.ui.window_state import APPLICATION, ORGANIZATION
from crm_desktop.ui.workers import wait_for_workers

logger = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1280, 800)
SCREENSHOT_TIMEOUT_MS = 30_000


def run_gui(
    database: Database,
    *,
    user: CurrentUser | None = None,
    view: str | None = None,
    screenshot: Path | None = None,
    color_scheme: ColorScheme = ColorScheme.SYSTEM,
    argv: list[str] | None = None,
) -> int:
    """Run the program's window on an open database; return the exit code.

    Args:
        database: The opened, migrated database.
        user: Who is logged in; None asks (or creates the first admin).
        view: The view to open: a list (contacts, companies, deals,
            activities), the pipeline board (board), the agenda (tasks) or
            the trash (trash).
        screenshot: Save the window to this PNG once the view's data is
            drawn, then exit (1 if no data came within 30 s).
        color_scheme: Light or dark; SYSTEM follows the desktop.
        argv: Command-line arguments for Qt; sys.argv by default.

    Raises:
        ValueError: `view` is not the name of a view.
    """
    views = (*BY_NAME, BOARD_VIEW, TASKS_VIEW, TRASH_VIEW)
    if view is not None and view not in views:
        raise ValueError(f"no view named {view!r}; use one of {', '.join(views)}")
    app = _application(sys.argv if argv is None else argv, color_scheme)
    previous_hook = install_excepthook()
    window: MainWindow | None = None
    try:
        if user is None:
            user = _ask_user(database)
            if user is None:
                logger.info("login cancelled")
                return 0
        window = MainWindow(database, user)
        if view is not None:
            window.show_view(view)
        if screenshot is not None:
            return _take_screenshot(app, window, screenshot)
        window.show()
        return app.exec()
    finally:
        wait_for_workers()
        if window is not None:
            # NOTE: deleted here, on the GUI thread. The window's widgets
            # sit in reference cycles, and the garbage collector frees
            # them on whichever thread next triggers a collection: a
            # worker thread deleting widgets crashes the process.
            shiboken6.delete(window)
        sys.excepthook = previous_hook


def _application(argv: list[str], color_scheme: ColorScheme) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    # The scheme first: icons and the style sheet pick colours for it.
    apply_color_scheme(app, color_scheme)
    app.setWindowIcon(icon("app"))
    style = RESOURCES / "style.qss"
    if style.exists():
        text = style.read_text(encoding="utf-8")
        app.setStyleSheet(for_palette(text, app.palette()))
    return app


def _ask_user(database: Database) -> CurrentUser | None:
    # One quick query before any window exists; the dialogs do their own
    # slow work (password hashing) on workers.
    with database.session() as session:
        first_run = not users.has_users(session)
    dialog = FirstRunDialog(database) if first_run else LoginDialog(database)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.user


def _take_screenshot(app: QApplication, window: MainWindow, path: Path) -> int:
    window.resize(*SCREENSHOT_SIZE)
    taker = _ScreenshotTaker(app, window, path)
    if window.current_view_name() == BOARD_VIEW:
        window.board.board_loaded.connect(taker.on_first_page_loaded)
        window.board.load_failed.connect(taker.on_load_failed)
    elif window.current_view_name() == TASKS_VIEW:
        window.agenda.agenda_loaded.connect(taker.on_first_page_loaded)
        window.agenda.load_failed.connect(taker.on_load_failed)
    elif window.current_view_name() == TRASH_VIEW:
        window.trash.trash_loaded.connect(taker.on_first_page_loaded)
    else:
        view = window.current_view()
        view.first_page_loaded.connect(taker.on_first_page_loaded)
        view.load_failed.connect(taker.on_load_failed)
    window.show()
    return app.exec()


class _ScreenshotTaker(QObject):
    """Saves the window once the list's rows are drawn, then quits."""

    def __init__(self, app: QApplication, window: MainWindow, path: Path) -> None:
        super().__init__(window)
        self._app = app
        self._window = window
        self._path = path
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._on_deadline_timeout)
        self._deadline.start(SCREENSHOT_TIMEOUT_MS)

    @Slot()
    def on_first_page_loaded(self) -> None:
        self._deadline.stop()
        # One more turn of the event loop lets the table lay out its rows.
        QTimer.singleShot(0, self._on_settled)

    @Slot(str)
    def on_load_failed(self, reason: str) -> None:
        self._deadline.stop()
        print(f"crm-desktop: the list could not be read: {reason}", file=sys.stderr)
        self._finish(1)

    @Slot()
    def _on_settled(self) -> None:
        image = self._window.grab()
        if not image.save(str(self._path), "PNG"):
            print(f"crm-desktop: cannot write {self._path}", file=sys.stderr)
            self._finish(1)
            return
        logger.info("screenshot saved to %s", self._path)
        self._finish(0)

    @Slot()
    def _on_deadline_timeout(self) -> None:
        seconds = SCREENSHOT_TIMEOUT_MS // 1000
        print(
            f"crm-desktop: no data arrived within {seconds} s; no screenshot taken",
            file=sys.stderr,
        )
        self._finish(1)

    def _finish(self, code: int) -> None:
        # hide(), not close(): a screenshot must not overwrite the user's
        # remembered window size and last view.
        self._window.hide()
        self._app.exit(code)
