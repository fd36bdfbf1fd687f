"""The command line: help, bad input and what a failed import leaves behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from crm_desktop.cli import main
from crm_desktop.db.database import open_database
from crm_desktop.db.engine import normalize_url
from crm_desktop.db.models import AuditEntry, Contact
from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD
from tests.samples import samples_dir

GOOD_CSV = "Email,First name,Last name\nada@example.com,Ada,Lovelace\n"


@pytest.fixture
def ready_url(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """A database with an administrator; CRM_PASSWORD is theirs."""
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    assert main(["init", "--database", database_url, "--admin", ADMIN_NAME]) == 0
    capsys.readouterr()
    return database_url


def _contact_count(url: str) -> int:
    database = open_database(url, create=False)
    with database.session() as session:
        count = session.scalar(select(func.count()).select_from(Contact))
    database.dispose()
    return int(count or 0)


def _import(url: str, path: Path, *extra: str) -> int:
    return main(["import", str(path), "--database", url, "--user", ADMIN_NAME, *extra])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02\xff\xfe binary \x00 data" * 20, "binary data"),
        (b"", "empty"),
        (b"Email,First name,Last name\r\n", "no records"),
        (b"Colour,Shoe size\nred,42\n", "layout"),
    ],
    ids=["binary", "empty", "header-only", "unknown-layout"],
)
def test_bad_file_gets_one_sentence_and_changes_nothing(
    ready_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(content)
    assert _import(ready_url, path) == 1
    err = capsys.readouterr().err
    assert "contacts.csv" in err
    assert message in err.lower()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _contact_count(ready_url) == 0


def test_dry_run_reports_but_writes_nothing(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    assert _import(ready_url, path, "--dry-run", "--json") == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    assert _contact_count(ready_url) == 0


def test_wrong_password_is_refused_and_nothing_imported(
    ready_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    monkeypatch.setenv("CRM_PASSWORD", "wrong password")
    assert _import(ready_url, path) == 1
    assert "Wrong user name or password" in capsys.readouterr().err
    assert _contact_count(ready_url) == 0


def test_failure_while_writing_rolls_back_every_record(
    ready_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The third record breaks the write half-way (a stand-in for a lost
    # connection); the two before it must not stay behind.
    from crm_desktop.services import contacts

    real_create = contacts.create
    calls = []

    def failing_create(*args: object, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("connection lost")
        return real_create(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(contacts, "create", failing_create)
    path = tmp_path / "contacts.csv"
    path.write_text(
        GOOD_CSV + "bo@example.com,Bo,Li\ncy@example.com,Cy,Ng\n", encoding="utf-8"
    )
    assert _import(ready_url, path) == 1
    err = capsys.readouterr().err
    assert "connection lost" in err
    assert "Traceback" not in err
    assert len(calls) == 3
    assert _contact_count(ready_url) == 0


def test_missing_database_folder_is_a_clear_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    url = f"sqlite:///{tmp_path / 'missing' / 'crm.db'}"
    assert main(["init", "--database", url, "--admin", ADMIN_NAME]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "missing" in err
    assert not (tmp_path / "missing").exists()


def test_import_into_missing_file_does_not_create_one(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    source = samples_dir() / "case-01" / "google_contacts.csv"
    url = f"sqlite:///{tmp_path / 'typo.db'}"
    assert _import(url, source) == 1
    assert "no database file" in capsys.readouterr().err
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize(
    ("admin", "password"),
    [(ADMIN_NAME, "short"), ("two words", ADMIN_PASSWORD)],
    ids=["weak-password", "bad-name"],
)
def test_refused_init_leaves_nothing(
    database_url: str,
    admin: str,
    password: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_PASSWORD", password)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["init", "--database", database_url, "--admin", admin]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if database_url.startswith("postgresql"):
        engine = create_engine(normalize_url(database_url))
        assert inspect(engine).get_table_names() == []
        engine.dispose()


def test_init_twice_is_refused(
    ready_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--database", ready_url, "--admin", "other"]) == 1
    assert "already has users" in capsys.readouterr().err


def test_bad_mapping_target_names_column_and_target(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Email": "shoe_size"}), encoding="utf-8")
    assert _import(ready_url, path, "--mapping", str(mapping)) == 1
    err = capsys.readouterr().err
    assert "Email" in err and "shoe_size" in err
    assert _contact_count(ready_url) == 0


def test_successful_import_is_audited(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    assert _import(ready_url, path) == 0
    database = open_database(ready_url, create=False)
    with database.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.table_name == "contacts")
        ).all()
    database.dispose()
    assert actions == ["create"]


@pytest.mark.parametrize("command", [[], ["init"], ["demo"], ["import"], ["export"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crm_desktop.cli", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0
    assert "usage: crm-desktop" in result.stdout


def test_import_into_an_empty_database_writes_no_schema(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An empty file or a database just made with createdb: not a CRM yet.
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).touch()
    source = tmp_path / "contacts.csv"
    source.write_text(GOOD_CSV, encoding="utf-8")

    assert _import(database_url, source) == 1

    err = capsys.readouterr().err
    assert "crm-desktop init" in err and "Traceback" not in err
    assert _table_names(database_url) == set()


def _table_names(url: str) -> set[str]:
    engine = create_engine(normalize_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _names(url: str) -> list[str]:
    database = open_database(url, create=False)
    with database.session() as session:
        names = session.scalars(select(Contact.display_name).order_by(Contact.id))
        found = list(names)
    database.dispose()
    return found


@pytest.mark.parametrize(
    ("column", "value", "field", "limit"),
    [
        ("Last name", "N" * 301, "family_name", 120),
        ("First name", "G" * 300_000, "given_name", 120),
        ("Company", "C" * 400, "organization", 300),
        ("Phone", "1" * 65, "phone", 64),
        ("Job title", "J" * 201, "job_title", 200),
        ("Website", "https://example.com/" + "u" * 981, "url", 1000),
    ],
    ids=["family-name", "huge-name", "company", "phone", "job-title", "url"],
)
def test_overlong_value_rejects_its_record_and_imports_the_others(
    ready_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
    field: str,
    limit: int,
) -> None:
    columns = ["Email", "First name", "Last name", "Company", "Phone", "Job title"]
    columns.append("Website")
    long_row = dict.fromkeys(columns, "") | {"Email": "long@example.com", column: value}
    path = tmp_path / "contacts.csv"
    path.write_text(
        ",".join(columns)
        + "\nada@example.com,Ada,Lovelace,,,,\n"
        + ",".join(long_row[name] for name in columns)
        + "\nbo@example.com,Bo,Li,,,,\n",
        encoding="utf-8",
    )

    assert _import(ready_url, path, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    [rejected] = summary["rejected"]
    assert rejected["line"] == 3
    assert rejected["reason"].startswith(f"Line 3: {field}: use at most {limit} ")
    assert summary["created"] == 2
    assert _names(ready_url) == ["Ada Lovelace", "Bo Li"]


@pytest.mark.parametrize("region", ["ZZ", "XX", "GBR"])
def test_unknown_region_is_refused_before_anything_is_read(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], region: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")

    assert _import(ready_url, path, "--region", region) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"crm-desktop: --region {region} is not a country code known for phone "
        "numbers (use two letters, e.g. GB)."
    ]
    assert _contact_count(ready_url) == 0


def test_unclosed_quote_rejects_its_record_and_imports_the_others(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        'Name,Email\nAda,ada@example.com\n"Unclosed,bad@example.com\nX,y\n'
        "Bo,bo@example.com\n",
        encoding="utf-8",
    )

    assert _import(ready_url, path, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    [rejected] = summary["rejected"]
    assert rejected["line"] == 3
    assert "quote" in rejected["reason"] and "never closed" in rejected["reason"]
    assert _names(ready_url) == ["Ada", "X", "Bo"]


def test_text_report_names_each_line_once_and_counts_in_words(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Email,First name,Birthday\nada@example.com,Ada,1990-13-45,extra\n",
        encoding="utf-8",
    )

    assert _import(ready_url, path) == 0
    assert capsys.readouterr().out.splitlines() == [
        "contacts.csv: Created 1 contact, 0 rejected, 0 empty records skipped, "
        "2 warnings.",
        "  warning: Line 2: the record has 4 values but the header has 3 columns; "
        "the values past the last column were not imported.",
        "  warning: Line 2, column 'Birthday': '1990-13-45' is not a real date in "
        "the year-month-day form it is written in; the field was left empty.",
    ]


def test_text_report_of_a_dry_run_with_one_of_each(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "Email,First name,Last name\nada@example.com,Ada,Lovelace\n,,\n"
        f"bo@example.com,Bo,{'L' * 121}\ncy@example,Cy,Ng\n",
        encoding="utf-8",
    )

    assert _import(ready_url, path, "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "contacts.csv: Would create 2 contacts, 1 rejected, 1 empty record "
        "skipped, 1 warning."
    )
    assert out[1].startswith("  rejected: Line 4: family_name: use at most 120 ")
    assert out[2].startswith("  warning: Line 5, column 'Email': 'cy@example' ")
    assert _contact_count(ready_url) == 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_json_report_says_whether_it_was_a_dry_run(
    ready_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dry_run: bool,
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    extra = ["--dry-run"] if dry_run else []

    assert _import(ready_url, path, "--json", *extra) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "file": "contacts.csv",
        "dry_run": dry_run,
        "created": 1,
        "updated": 0,
        "skipped_empty": 0,
        "rejected": [],
        "warnings": [],
    }


def test_unmapped_columns_get_one_warning_each(
    ready_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = samples_dir() / "case-03" / "contacts_fr.csv"
    assert _import(ready_url, source, "--dry-run") == 0
    lines = capsys.readouterr().out.splitlines()
    for column in ("Client depuis", "CA 2024 (€)"):
        named = [line for line in lines if f"Column '{column}' was left out" in line]
        assert len(named) == 1, lines

    assert _import(ready_url, source, "--dry-run", "--json") == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    left_out = [w["field"] for w in warnings if "was left out" in w["message"]]
    assert left_out == ["Client depuis", "CA 2024 (€)"]


def test_guessed_encoding_is_named_in_the_output(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(
        b"First Name,Last Name,Email\n\xc9l\xe8ve,\xd6zt\xfcrk,x@example.com\n"
    )
    assert _import(ready_url, path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "1 warning." in out
    assert "  warning: The file is not UTF-8; it was read as windows-1252" in out


def test_rejected_record_gets_no_warnings_beside_its_rejection(
    ready_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "phones.csv"
    long_phone = "call me " * 10
    path.write_text(f"First Name,Phone\nAda,{long_phone}\nBob,x\n", encoding="utf-8")
    assert _import(ready_url, path, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert [r["line"] for r in summary["rejected"]] == [2]
    assert [(w["line"], w["field"]) for w in summary["warnings"]] == [(3, "Phone")]

    assert _import(ready_url, path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "1 rejected" in out and "1 warning." in out
    assert "Line 2, column 'Phone'" not in out


def test_interrupted_import_says_the_database_was_not_changed(
    ready_url: str, tmp_path: Path
) -> None:
    import signal
    import time

    path = tmp_path / "big.csv"
    rows = (f"P{n},Q{n},p{n}@example.com\n" for n in range(60_000))
    path.write_text("First Name,Last Name,Email\n" + "".join(rows), encoding="utf-8")
    command = [sys.executable, "-m", "crm_desktop.cli", "import", str(path)]
    process = subprocess.Popen(
        [*command, "--database", ready_url, "--user", ADMIN_NAME],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CRM_PASSWORD": ADMIN_PASSWORD},
    )
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 1, "the import ended before it was interrupted"
    assert err == "crm-desktop: interrupted; the database was not changed.\n"
    assert _contact_count(ready_url) == 0


def test_screenshot_into_missing_folder_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shot = tmp_path / "nowhere" / "shot.png"
    assert main(["--demo", "--screenshot", str(shot)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"crm-desktop: Cannot write the screenshot {shot}: the folder "
        f"{tmp_path / 'nowhere'} does not exist; create it first or choose "
        "another path.\n"
    )
    assert not (tmp_path / "nowhere").exists()


def test_unknown_option_after_a_command_prints_that_commands_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "contacts", "-o", "-", "--user", "ada", "--frobnicate"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: crm-desktop export ")
    assert err.rstrip().endswith("unrecognized arguments: --frobnicate")
