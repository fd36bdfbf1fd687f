"""Two `crm-desktop import` processes at once on one SQLite file both finish."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_desktop.cli import main
from crm_desktop.db.database import open_database
from crm_desktop.db.models import ContactEmail
from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD
from tests.samples import samples_dir


def _expected_count(case: Path) -> int:
    """The number of new contacts case-13's parallel scenario expects."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    scenario = next(s for s in expected["scenarios"] if s["id"] == "parallel-imports")
    assert "exactly 100 new contacts" in scenario["expect"]
    return 100


def _start_import(url: str, path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "crm_desktop.cli", "import", str(path)]
    return subprocess.Popen(
        [*command, "--database", url, "--user", ADMIN_NAME, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CRM_PASSWORD": ADMIN_PASSWORD},
    )


@pytest.mark.parametrize("attempt", range(3))
def test_two_imports_at_once_both_finish(
    attempt: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case = samples_dir() / "case-13"
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    assert main(["init", "--database", url, "--admin", ADMIN_NAME]) == 0
    capsys.readouterr()

    running = [_start_import(url, case / f"import_{n}.csv") for n in "ab"]
    results = [process.communicate(timeout=120) for process in running]
    for process, (out, err) in zip(running, results, strict=True):
        assert process.returncode == 0, err
        assert json.loads(out)["created"] == 50

    database = open_database(url, create=False)
    with database.session() as session:
        emails = list(session.scalars(select(ContactEmail.value)))
    database.dispose()
    assert len(emails) == len(set(emails)) == _expected_count(case)
    assert sum(e.startswith("test.a.") for e in emails) == 50
    assert sum(e.startswith("test.b.") for e in emails) == 50
