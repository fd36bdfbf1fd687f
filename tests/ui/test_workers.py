"""run_in_background: results on the GUI thread, stale ones dropped."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.services.errors import ValidationError
from crm_desktop.ui import workers
from crm_desktop.ui.workers import (
    Generation,
    dedicated_pool,
    run_in_background,
    wait_for_workers,
)


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    landed: list[tuple[int, bool]] = []
    work_threads: list[bool] = []

    def work() -> int:
        work_threads.append(threading.current_thread() is threading.main_thread())
        return 42

    run_in_background(
        work,
        lambda r: landed.append((r, threading.current_thread().name == "MainThread")),
    )

    qtbot.waitUntil(lambda: bool(landed))
    assert landed == [(42, True)]
    assert work_threads == [False]


def test_a_result_from_an_older_generation_is_dropped(qtbot: QtBot) -> None:
    generation = Generation()
    landed: list[str] = []
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        return "old"

    run_in_background(slow, landed.append, generation=generation)
    generation.bump()
    run_in_background(lambda: "new", landed.append, generation=generation)
    qtbot.waitUntil(lambda: landed == ["new"])
    release.set()
    assert wait_for_workers(10_000)
    qtbot.waitUntil(lambda: not workers._pending)

    assert landed == ["new"]


def test_an_error_goes_to_the_error_callback(qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def fail() -> None:
        raise ValidationError("Contact 'Ada'", "email", "it is empty.")

    run_in_background(fail, lambda _r: None, errors.append)

    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValidationError)


def test_an_error_without_a_callback_goes_to_the_error_presenter(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(
        "crm_desktop.ui.errors.show_error", lambda _parent, error: shown.append(error)
    )

    run_in_background(lambda: 1 / 0, lambda _r: None)

    qtbot.waitUntil(lambda: bool(shown))
    assert isinstance(shown[0], ZeroDivisionError)


def test_the_pool_thread_never_holds_the_callbacks_or_their_context(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever drops the last reference to a widget owned by Python destroys
    # it; on a pool thread that crashes, so only the GUI thread may hold one.
    tasks: list[Callable[[], None]] = []
    pool = SimpleNamespace(start=tasks.append, waitForDone=lambda _msecs: True)
    monkeypatch.setattr(workers.QThreadPool, "globalInstance", lambda: pool)
    widget = QWidget()
    qtbot.addWidget(widget)
    landed: list[int] = []

    def on_done(result: int) -> None:
        landed.append(result)

    run_in_background(lambda: 7, on_done, context=widget)
    [task] = tasks
    held = _reachable(task)
    task()

    assert not any(value is widget or value is on_done for value in held)
    assert landed == [7]
    assert not workers._pending


def _reachable(root: object, depth: int = 6) -> list[object]:
    """Return what `root` refers to, directly or not, short of any module."""
    modules = [m for m in list(sys.modules.values()) if m is not None]
    skipped = {id(m) for m in modules} | {id(vars(m)) for m in modules}
    seen: dict[int, object] = {}
    frontier = [root]
    for _ in range(depth):
        fresh = [o for o in frontier if id(o) not in seen and id(o) not in skipped]
        seen.update((id(o), o) for o in fresh)
        frontier = [r for o in fresh for r in gc.get_referents(o)]
    return list(seen.values())


def test_work_made_stale_while_it_waits_for_a_thread_never_runs(
    qtbot: QtBot,
) -> None:
    pool = QThreadPool.globalInstance()
    release = threading.Event()
    for _ in range(pool.maxThreadCount()):
        run_in_background(lambda: release.wait(10), lambda _r: None)
    generation = Generation()
    ran: list[str] = []
    landed: list[str] = []

    for search in ("ma", "mar"):
        generation.bump()
        run_in_background(
            lambda search=search: ran.append(search) or search,
            landed.append,
            generation=generation,
        )
    release.set()

    qtbot.waitUntil(lambda: landed == ["mar"])
    assert wait_for_workers(10_000)
    assert ran == ["mar"]


def test_work_in_a_dedicated_pool_runs_while_the_global_pool_is_busy(
    qtbot: QtBot,
) -> None:
    pool = QThreadPool.globalInstance()
    release = threading.Event()
    for _ in range(pool.maxThreadCount()):
        run_in_background(lambda: release.wait(10), lambda _r: None)
    landed: list[str] = []

    run_in_background(lambda: "counted", landed.append, pool=dedicated_pool("test"))

    qtbot.waitUntil(lambda: landed == ["counted"])
    release.set()
    assert wait_for_workers(10_000)
    assert dedicated_pool("test") is dedicated_pool("test")
