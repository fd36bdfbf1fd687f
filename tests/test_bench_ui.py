"""The window bench runs end to end on a small SQLite demo and reports figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"name", "backend", "rows", "unit", "median", "max", "runs", "target", "met"}
TIMES = {"open", "end", "search", "search_name"}
STALLS = {"stall_idle", "stall_scroll", "stall_search"}
MEMORY = {"memory", "memory_peak"}
UNTARGETED = {"open_counted", "stall_idle", "memory_peak"}
CONTACTS = 2000
REPEAT = 2


@pytest.fixture(scope="module")
def bench_lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The JSON lines of one small window bench run (under a minute)."""
    folder = tmp_path_factory.mktemp("bench_ui")
    command = [
        sys.executable,
        *("-m", "bench.ui_list"),
        *("--contacts", str(CONTACTS), "--backend", "sqlite"),
        *("--json", "--repeat", str(REPEAT), "--keep", str(folder)),
    ]
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env=environment,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_figure_is_measured_with_its_target(
    bench_lines: list[dict[str, Any]],
) -> None:
    by_name = {line["name"]: line for line in bench_lines}

    assert set(by_name) == TIMES | STALLS | MEMORY | {"open_counted"}
    for line in bench_lines:
        assert set(line) == KEYS, line
        assert line["backend"] == "sqlite"
        assert line["unit"] == ("MB" if line["name"] in MEMORY else "ms")
        assert 0 <= line["median"] <= line["max"], line
        assert line["runs"] == (1 if line["name"] in MEMORY else REPEAT)
    for name in TIMES | {"memory"}:
        assert by_name[name]["median"] > 0, name
        assert by_name[name]["target"] is not None, name
        assert isinstance(by_name[name]["met"], bool), name
    for name in UNTARGETED:
        assert by_name[name]["target"] is None and by_name[name]["met"] is None
    assert by_name["open_counted"]["median"] > 0
    assert by_name["memory_peak"]["max"] >= by_name["memory"]["max"]


def test_rows_are_the_list_and_the_search_results(
    bench_lines: list[dict[str, Any]],
) -> None:
    by_name = {line["name"]: line for line in bench_lines}

    assert by_name["open"]["rows"] == CONTACTS
    assert by_name["end"]["rows"] == CONTACTS
    assert 0 < by_name["search"]["rows"] < CONTACTS
    assert by_name["stall_search"]["rows"] == by_name["search"]["rows"]
    assert 0 < by_name["search_name"]["rows"] < CONTACTS
