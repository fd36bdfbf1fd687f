"""The one way slow work leaves the GUI thread: run_in_background.

The work function runs on a QThreadPool thread and gets nothing Qt: it opens
its own Session from the Database and returns plain data. Its result, or
its exception, comes back to the GUI thread through a queued signal.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class _Request:
    """What to do with one worker's outcome; kept on the GUI thread only."""

    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None] | None
    context: QObject | None
    stale: Callable[[], bool]

    def dropped(self) -> bool:
        if self.context is not None and not shiboken6.isValid(self.context):
            return True
        return self.stale()


class _Hub(QObject):
    """Lives on the GUI thread; its signals, emitted by a worker, queue.

    NOTE: a worker holds only the hub and a ticket number, never the
    callbacks or their context. Whatever drops the last reference to a
    widget owned by Python destroys it, and a widget destroyed on a pool
    thread crashes the program; the callbacks are released here instead.
    """

    finished = Signal(object, object)
    failed = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._on_self_finished)
        self.failed.connect(self._on_self_failed)

    @Slot(object, object)
    def _on_self_finished(self, ticket: int, result: object) -> None:
        request = _pending.pop(ticket)
        if request.dropped():
            logger.debug("dropped a stale background result")
            return
        request.on_done(result)

    @Slot(object, object)
    def _on_self_failed(self, ticket: int, error: BaseException) -> None:
        request = _pending.pop(ticket)
        if request.dropped():
            logger.debug("dropped a stale background error: %r", error)
            return
        if request.on_error is not None:
            request.on_error(error)
            return
        from crm_desktop.ui.errors import show_error

        show_error(None, error)


# Requests waiting for their worker, by ticket; only the GUI thread uses it.
_pending: dict[int, _Request] = {}
_tickets = itertools.count(1)
_hub: _Hub | None = None


def run_in_background(
    work: Callable[[], Result],
    on_done: Callable[[Result], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    context: QObject | None = None,
    generation: Generation | None = None,
    pool: QThreadPool | None = None,
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
            was bumped while the work waited or ran; work still waiting
            for a thread then does not run at all.
        pool: Where the work runs (see dedicated_pool); the global pool by
            default.
    """
    global _hub
    if _hub is None:
        _hub = _Hub()
    hub = _hub
    token = generation.current if generation is not None else 0

    def stale() -> bool:
        return generation is not None and generation.current != token

    ticket = next(_tickets)
    _pending[ticket] = _Request(on_done, on_error, context, stale)

    def task() -> None:
        if stale():
            # Asked for again meanwhile (a newer search, say): the result
            # would be dropped, so the work is not worth starting.
            hub.finished.emit(ticket, None)
            return
        try:
            result = work()
        except Exception as exc:
            hub.failed.emit(ticket, exc)
        else:
            hub.finished.emit(ticket, result)

    (pool or QThreadPool.globalInstance()).start(task)


# Pools of their own, by name; see dedicated_pool.
_pools: dict[str, QThreadPool] = {}


def dedicated_pool(name: str, threads: int = 1) -> QThreadPool:
    """Return a pool of its own for one kind of slow work, made once.

    Work that may run long and go stale (counting a million rows) goes
    there, so that it never keeps the global pool's few threads from what
    the user waits for (the rows of a new search).
    """
    pool = _pools.get(name)
    if pool is None:
        pool = QThreadPool()
        pool.setObjectName(name)
        pool.setMaxThreadCount(threads)
        _pools[name] = pool
    return pool


def wait_for_workers(msecs: int = 30_000) -> bool:
    """Wait until no background work runs; used at exit and by tests."""
    pools = [QThreadPool.globalInstance(), *_pools.values()]
    return all([pool.waitForDone(msecs) for pool in pools])
