"""Benchmark of the contacts list in the real window: open, end, search, stalls.

Opens the program's MainWindow offscreen on a demo database, logged in as
the demo administrator, and drives it the way a person does, with a real
Qt event loop: shows the contacts view, presses Ctrl+End, types searches
key by key, pages down and drags the scroll bar. A time is taken when the
rows asked for hold real text and the table has painted them. A 5 ms timer
on the GUI thread measures the longest stall of the event loop. Each
repetition opens a fresh window; figures are medians (stalls: the worst).

    uv run python -m bench.ui_list --contacts 1000000 --backend both
"""

from __future__ import annotations

import os

# Before Qt loads: no display here, and Qt picks its platform once.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import shiboken6  # noqa: E402
from PySide6.QtCore import (  # noqa: E402
    QEvent,
    QEventLoop,
    QObject,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.run import (  # noqa: E402
    DEFAULT_POSTGRES,
    Prepared,
    add_database_arguments,
    login,
    prepared_databases,
)
from crm_desktop.db.database import Database  # noqa: E402
from crm_desktop.security.roles import CurrentUser  # noqa: E402
from crm_desktop.ui.icons import RESOURCES  # noqa: E402
from crm_desktop.ui.list_view import RecordListView  # noqa: E402
from crm_desktop.ui.main_window import MainWindow  # noqa: E402
from crm_desktop.ui.models.record_table import PLACEHOLDER  # noqa: E402
from crm_desktop.ui.window_state import APPLICATION, LAST_VIEW, ORGANIZATION  # noqa: E402
from crm_desktop.ui.workers import wait_for_workers  # noqa: E402

logger = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 800)
# The view the window opens on, so that showing the contacts is a switch.
START_VIEW = "companies"
TICK_MS = 5
KEY_GAP_MS = 80
PAGE_DOWNS = 40
PAGE_DOWN_GAP_MS = 30
DRAG_STEPS = 60
DRAG_GAP_MS = 30
SEARCHES = ("mar", "schmidt")
# The stall of a window doing nothing: what the machine's load alone costs.
IDLE_MS = 1000
# Nothing should take this long; a wait that does is reported as a failure.
WAIT_S = 30.0
# Targets from the issue: (limit, unit, judged on "median" or "max").
TARGETS: dict[str, tuple[float, str, str]] = {
    "open": (150.0, "ms", "median"),
    "end": (1000.0, "ms", "median"),
    "search": (100.0, "ms", "median"),
    "search_name": (100.0, "ms", "median"),
    "stall_scroll": (50.0, "ms", "max"),
    "stall_search": (50.0, "ms", "max"),
    "memory": (300.0, "MB", "max"),
}


@dataclass(frozen=True, slots=True)
class UiMeasurement:
    """One figure over all repetitions: its median, its worst and its target."""

    name: str
    backend: str
    rows: int
    unit: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def worst(self) -> float:
        return max(self.values)

    def target(self) -> tuple[str, bool | None]:
        """Return the target as text and whether it is met (None: no target)."""
        if self.name not in TARGETS:
            return "", None
        limit, unit, judged = TARGETS[self.name]
        value = self.median if judged == "median" else self.worst
        return f"{judged} < {limit:g} {unit}", value < limit

    def as_json(self) -> dict[str, Any]:
        text, met = self.target()
        return {
            "name": self.name,
            "backend": self.backend,
            "rows": self.rows,
            "unit": self.unit,
            "median": round(self.median, 3),
            "max": round(self.worst, 3),
            "runs": len(self.values),
            "target": text or None,
            "met": met,
        }


class StallMeter(QObject):
    """A timer ticking every 5 ms on the GUI thread; keeps the longest gap."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.longest_ms = 0.0

    def start(self) -> None:
        self.longest_ms = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        """Stop ticking; return the longest stall: the widest gap less a tick."""
        self._on_timer_timeout()
        self._timer.stop()
        return max(0.0, self.longest_ms - TICK_MS)

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now


class PaintWatch(QObject):
    """Notes when one of some widgets painted while a condition held."""

    def __init__(self, *widgets: QObject) -> None:
        super().__init__(widgets[0])
        self.condition: Callable[[], bool] = lambda: False
        self.painted = False
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.condition():
            # The paint about to run draws what the condition checked.
            self.painted = True
        return False


def spin(ms: float) -> None:
    """Run the event loop for `ms` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(max(0, round(ms)), loop.quit)
    loop.exec()


def wait_for(check: Callable[[], bool], what: str) -> None:
    """Run the event loop until `check` holds, looking every millisecond.

    Raises:
        TimeoutError: it did not hold within 30 s.
    """
    deadline = time.perf_counter() + WAIT_S
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {WAIT_S:g} s for {what}")
        spin(1)


def rss_mb() -> tuple[float, float]:
    """Return this process's resident memory now and at its peak, in MB."""
    fields: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


@dataclass
class Run:
    """The figures of one repetition, by measurement name."""

    figures: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


class WindowBench:
    """Drives one fresh MainWindow through the contacts list and times it."""

    def __init__(self, database: Database, user: CurrentUser) -> None:
        LAST_VIEW.write(START_VIEW)
        self.window = MainWindow(database, user)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.view: RecordListView = self.window.views["contacts"]
        self.model = self.view.model
        self.table = self.view.table
        # A search that finds nothing shows a label instead of the table.
        self.watch = PaintWatch(self.table.viewport(), self.view.empty_label)
        self.stalls = StallMeter(self.window)
        # The searches whose count has come, in order.
        self.counted: list[str] = []
        start = self.window.views[START_VIEW].model
        wait_for(lambda: start.is_loaded, f"the {START_VIEW} list")
        spin(200)

    def close(self) -> None:
        self.window.hide()
        wait_for_workers()
        QApplication.processEvents()
        shiboken6.delete(self.window)
        gc.collect()

    def run(self, *, memory: bool) -> Run:
        """Measure once: open, end, scrolling, memory, then the searches."""
        run = Run()
        self.stalls.start()
        spin(IDLE_MS)
        run.figures["stall_idle"] = self.stalls.stop()
        counted: list[float] = []
        self.model.first_page_loaded.connect(
            lambda: counted.append(time.perf_counter())
        )
        self.model.first_page_loaded.connect(
            lambda: self.counted.append(self.model.request.search)
        )
        started = time.perf_counter()
        run.figures["open"] = self._shown(
            lambda: self.window.show_view("contacts"), lambda: self._real(0)
        )
        # The rows come first; the count (and the scroll bar's full length)
        # a little later.
        wait_for(lambda: bool(counted), "the count of the list")
        run.figures["open_counted"] = (counted[0] - started) * 1000
        run.rows["open"] = self.view.row_count
        self.table.setFocus()
        last = self.model.rowCount() - 1
        run.figures["end"] = self._shown(
            lambda: self._key(Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier),
            lambda: self._real(self.model.rowCount() - 1),
        )
        run.rows["end"] = last + 1
        run.figures["stall_scroll"] = self._scroll()
        if memory:
            self._to_top()
            self._shown(
                lambda: self._key(Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier),
                lambda: self._real(self.model.rowCount() - 1),
            )
            self._to_top()
            run.figures["memory"], run.figures["memory_peak"] = rss_mb()
        for name, term in zip(("search", "search_name"), SEARCHES, strict=True):
            elapsed, stall = self._search(term)
            run.figures[name], run.figures[f"stall_{name}"] = elapsed, stall
            # The rows come before the count; the figure's rows are the count.
            wait_for(lambda term=term: term in self.counted, "the search's count")
            run.rows[name] = self.view.row_count
        run.figures["stall_search"] = max(
            run.figures.pop("stall_search_name"), run.figures["stall_search"]
        )
        return run

    def _real(self, row: int) -> bool:
        if not self.model.is_loaded or not 0 <= row < self.model.rowCount():
            return False
        text = self.model.index(row, 0).data()
        return bool(text) and text != PLACEHOLDER and self._on_screen(row)

    def _on_screen(self, row: int) -> bool:
        top = self.table.rowAt(0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        return top <= row and (bottom == -1 or row <= bottom)

    def _shown(self, act: Callable[[], None], condition: Callable[[], bool]) -> float:
        """Do something; return ms until a paint shows what `condition` checks."""
        self.watch.condition = condition
        self.watch.painted = False
        started = time.perf_counter()
        act()
        wait_for(lambda: self.watch.painted, "rows on screen")
        elapsed = (time.perf_counter() - started) * 1000
        self.watch.condition = lambda: False
        return elapsed

    def _key(
        self,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        QTest.keyClick(self.table, key, modifier)

    def _to_top(self) -> None:
        self._shown(
            lambda: self._key(Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier),
            lambda: self._real(0),
        )

    def _scroll(self) -> float:
        """Page down, then drag the scroll bar from top to bottom; longest stall."""
        self._to_top()
        self.stalls.start()
        for _ in range(PAGE_DOWNS):
            self._key(Qt.Key.Key_PageDown)
            spin(PAGE_DOWN_GAP_MS)
        bar = self.table.verticalScrollBar()
        # A drag as the scroll bar sees it: the slider held down and moved.
        bar.setSliderDown(True)
        for step in range(DRAG_STEPS + 1):
            bar.setSliderPosition(bar.maximum() * step // DRAG_STEPS)
            spin(DRAG_GAP_MS)
        bar.setSliderDown(False)
        last = self.model.rowCount() - 1
        wait_for(lambda: self._real(last), "the end of the list after the drag")
        return self.stalls.stop()

    def _search(self, term: str) -> tuple[float, float]:
        """Type a search key by key; return ms after the last key, and stall."""
        box = self.view.search
        if box.text():
            box.clear()
            wait_for(lambda: self._searched("") and self._real(0), "the whole list")
        box.setFocus()
        spin(100)
        self.stalls.start()
        for key in term[:-1]:
            QTest.keyClicks(box, key)
            spin(KEY_GAP_MS)
        elapsed = self._shown(
            lambda: QTest.keyClicks(box, term[-1]),
            lambda: self._searched(term) and (self._real(0) or self._empty()),
        )
        return elapsed, self.stalls.stop()

    def _searched(self, term: str) -> bool:
        return self.model.is_loaded and self.model.request.search == term

    def _empty(self) -> bool:
        return self.model.rowCount() == 0


def measure(
    prepared: Prepared,
    repeat: int,
    emit: Callable[[UiMeasurement], None],
) -> list[UiMeasurement]:
    """Open the window `repeat` times after one warm-up; emit each figure."""
    with prepared as (database, _generated):
        user = login(database)
        runs: list[Run] = []
        for round_ in range(repeat + 1):
            bench = WindowBench(database, user)
            try:
                run = bench.run(memory=round_ == repeat)
            finally:
                bench.close()
            if round_:
                runs.append(run)
            logger.info("round %d: %s", round_, _rounded(run.figures))
        results = list(_summaries(database.backend, runs))
    for result in results:
        emit(result)
    return results


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 1) for name, value in figures.items()}


def _summaries(backend: str, runs: Sequence[Run]) -> Iterator[UiMeasurement]:
    last = runs[-1]
    for name in last.figures:
        values = tuple(run.figures[name] for run in runs if name in run.figures)
        unit = "MB" if name.startswith("memory") else "ms"
        rows = last.rows.get(name.removeprefix("stall_"), last.rows["open"])
        yield UiMeasurement(name, backend, rows, unit, values)


def _format_table(results: Sequence[UiMeasurement]) -> str:
    header = (
        f"{'backend':<11}{'measurement':<15}{'rows':>11}{'median':>11}"
        f"{'max':>11}{'unit':>6}{'runs':>6}  {'target':<18}{'met':<4}"
    )
    lines = [header, "-" * len(header)]
    for m in results:
        target, met = m.target()
        verdict = "" if met is None else ("yes" if met else "NO")
        lines.append(
            f"{m.backend:<11}{m.name:<15}{m.rows:>11,}{m.median:>11,.1f}"
            f"{m.worst:>11,.1f}{m.unit:>6}{len(m.values):>6}  {target:<18}{verdict:<4}"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line of the window bench."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.ui_list",
        description="Open the program's window offscreen on a demo database and "
        "time the contacts list as a person uses it.",
    )
    add_database_arguments(
        parser,
        postgres_help=f"server and maintenance database (default {DEFAULT_POSTGRES})",
        keep_help="keep the databases as bench/run.py does, and reuse them",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        metavar="N",
        help="windows opened and measured after one warm-up (default 5)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per figure"
    )
    return parser


def _application(settings: str) -> QApplication:
    # As the program starts: its names and style sheet; QSettings (last
    # view, geometry) in a folder of the bench's own.
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, settings)
    app = QApplication([sys.argv[0]])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    style = RESOURCES / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window bench; return the process exit code."""
    args = build_parser().parse_args(argv)
    if args.contacts < 400 or args.repeat < 1:
        raise SystemExit(
            "bench.ui_list: --contacts must be at least 400, --repeat 1 or more."
        )
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s")
    for noisy in ("crm_desktop", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    def emit(measurement: UiMeasurement) -> None:
        if args.json:
            print(json.dumps(measurement.as_json()), flush=True)

    results: list[UiMeasurement] = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-settings-") as settings:
        app = _application(settings)
        for prepared in prepared_databases(args):
            results += measure(prepared, args.repeat, emit)
        del app
    if not args.json:
        print(_format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
