"""The bench runs end to end on a small SQLite demo and reports real figures."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"name", "backend", "rows", "product_ms", "raw_ms", "ratio"}
GENERATION = {"generate", "generate_contacts"}
PAGES = {"first_page", "keyset_middle", "keyset_end", "offset_middle"}
CONTACTS = 2000


@pytest.fixture(scope="module")
def bench_lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The JSON lines of one small bench run (about five seconds)."""
    folder = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        *("--contacts", str(CONTACTS), "--backend", "sqlite"),
        *("--json", "--repeat", "3", "--keep", str(folder)),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_line_holds_measured_figures(bench_lines: list[dict[str, Any]]) -> None:
    names = {line["name"] for line in bench_lines}
    assert GENERATION | PAGES | {"count", "search", "search_count"} <= names
    for line in bench_lines:
        assert set(line) == KEYS, line
        assert line["backend"] == "sqlite"
        assert isinstance(line["rows"], int) and line["rows"] >= 0, line
        assert isinstance(line["product_ms"], float) and line["product_ms"] > 0
        if line["name"] in GENERATION:
            assert line["raw_ms"] is None and line["ratio"] is None, line
            continue
        assert isinstance(line["raw_ms"], float) and line["raw_ms"] > 0, line
        expected = line["product_ms"] / line["raw_ms"]
        assert math.isclose(line["ratio"], expected, rel_tol=0.05, abs_tol=0.01)


def test_rows_match_the_demo_size(bench_lines: list[dict[str, Any]]) -> None:
    by_name = {line["name"]: line for line in bench_lines}

    assert by_name["generate_contacts"]["rows"] == CONTACTS
    assert by_name["generate"]["rows"] > CONTACTS
    assert by_name["count"]["rows"] == CONTACTS
    for name in PAGES:
        assert by_name[name]["rows"] == 200, name
    assert 0 < by_name["search"]["rows"] <= 200
    assert by_name["search_count"]["rows"] >= by_name["search"]["rows"]
