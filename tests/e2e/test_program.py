"""The real program, started as a user starts it, offscreen."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD

PROGRAM = Path(sys.executable).with_name("crm-desktop")


def _run(
    *args: str, timeout: float = 120, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(extra_env or {})}
    return subprocess.run(
        [str(PROGRAM), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo database filled once by the first `--demo` run of the module."""
    return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"


@pytest.mark.parametrize(
    "view", ["contacts", "companies", "deals", "activities", "board", "tasks"]
)
def test_demo_opens_each_view_with_its_rows_drawn(
    view: str, demo_url: str, tmp_path: Path
) -> None:
    # The README's first command, with a screenshot instead of a person.
    shot = tmp_path / f"{view}.png"

    result = _run(
        "--demo", "--database", demo_url, "--view", view, "--screenshot", str(shot)
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    # A drawn list has text in many shades; an empty window has a handful.
    colours = {image.pixel(x, y) for x in range(0, 1280, 8) for y in range(80, 760, 8)}
    assert len(colours) > 30


def test_demo_database_lies_beside_the_default_one(tmp_path: Path) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "crm-desktop"

    result = _run("--demo", "--screenshot", str(tmp_path / "shot.png"))

    assert result.returncode == 0, result.stderr
    assert not (data / "crm.db").exists()
    with sqlite3.connect(data / "demo.db") as connection:
        contacts = connection.execute("SELECT count(*) FROM contacts").fetchone()[0]
        scripts = connection.execute(
            "SELECT count(*) FROM contacts WHERE display_name GLOB '*[А-я]*' "
            "OR display_name GLOB '*[一-龥]*'"
        ).fetchone()[0]
    assert contacts == 3000
    assert scripts > 0


def test_unknown_view_is_one_sentence(tmp_path: Path) -> None:
    result = _run(
        "--demo", "--view", "invoices", "--screenshot", str(tmp_path / "x.png")
    )

    assert result.returncode != 0
    assert "invoices" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_user_given_on_the_command_line_skips_the_login(
    database_url: str, tmp_path: Path
) -> None:
    # Offscreen no one could type into the login dialog: --user logs in
    # with CRM_PASSWORD instead, on either back-end.
    environment = {"CRM_PASSWORD": ADMIN_PASSWORD}
    init = ("init", "--database", database_url, "--admin", ADMIN_NAME)
    assert _run(*init, extra_env=environment).returncode == 0
    shot = tmp_path / "contacts.png"

    result = _run(
        "--database", database_url, "--user", ADMIN_NAME,
        "--view", "contacts", "--screenshot", str(shot),
        extra_env=environment,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert QImage(str(shot)).width() == 1280


def test_screenshot_without_a_user_is_refused_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"

    result = _run("--database", url, "--screenshot", str(tmp_path / "x.png"))

    assert result.returncode == 1
    assert "--user" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()
