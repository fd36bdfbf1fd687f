"""The one way slow work leaves the GUI thread: run_in_background.

The work function runs on a QThreadPool thread and gets nothing Qt: it opens
its own Session from the Database and returns plain data. Its result, or
its exception, comes back to the GUI thread through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


class Generation:
    """Counts requests so a result that arrives after a newer one is dropped.

    Bump it whenever what the screen asks for changes (a new search, a new
    sort); a result fetched for an older generation is then stale.
    """

    def __init__(self) -> None:
        self._value = 0

    @property
    def current(self) -> int:
        return self._value

    def bump(self) -> int:
        self._value += 1
        return self._value


class _Relay(QObject):
    """Lives on the GUI thread; its signals, emitted by a worker, queue."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        context: QObject | None,
        stale: Callable[[], bool],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._context = context
        self._stale = stale
        self.finished.connect(self._on_self_finished)
        self.failed.connect(self._on_self_failed)

    def _dropped(self) -> bool:
        _pending.discard(self)
        if self._context is not None and not shiboken6.isValid(self._context):
            return True
        return self._stale()

    @Slot(object)
    def _on_self_finished(self, result: object) -> None:
        if self._dropped():
            logger.debug("dropped a stale background result")
            return
        self._on_done(result)

    @Slot(object)
    def _on_self_failed(self, error: BaseException) -> None:
        if self._dropped():
            logger.debug("dropped a stale background error: %r", error)
            return
        if self._on_error is not None:
            self._on_error(error)
            return
        from crm_desktop.ui.errors import show_error

        show_error(None, error)


# Relays waiting for their worker; held here so they outlive the call.
_pending: set[_Relay] = set()


def run_in_background(
    work: Callable[[], Result],
    on_done: Callable[[Result], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    context: QObject | None = None,
    generation: Generation | None = None,
) -> None:
    """Run `work` on a pool thread and hand its result to `on_done`.

    Args:
        work: Does the slow part; touches nothing Qt and returns plain data.
        on_done: Called on the GUI thread with the result.
        on_error: Called on the GUI thread with the exception; without it
            the error goes to the error presenter (ui/errors.py).
        context: The object the callbacks belong to; once it is deleted
            the result is dropped.
        generation: When given, the result is dropped if the generation
            was bumped while the work ran.
    """
    token = generation.current if generation is not None else 0

    def stale() -> bool:
        return generation is not None and generation.current != token

    relay = _Relay(on_done, on_error, context, stale)
    _pending.add(relay)

    def task() -> None:
        try:
            result = work()
        except Exception as exc:
            relay.failed.emit(exc)
        else:
            relay.finished.emit(result)

    QThreadPool.globalInstance().start(task)


def wait_for_workers(msecs: int = 30_000) -> bool:
    """Wait until no background work runs; used at exit and by tests."""
    return QThreadPool.globalInstance().waitForDone(msecs)
