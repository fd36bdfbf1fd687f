"""The CSV sample cases, imported and exported through the real command line.

Each case of shared/data/samples that the CSV importer covers is imported
with `crm-desktop import` into a fresh database on each back-end, exported
with `crm-desktop export contacts --format json`, and compared with its
expected.json by the README's rules: every `must` has to hold; `should`s
that fail are listed at the end of the run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_desktop.cli import main
from crm_desktop.db.database import open_database
from crm_desktop.db.models import Tag
from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD, SHOULD_FAILURES
from tests.expectations import compare, find_contact, stored_texts
from tests.samples import samples_dir

# Per case: the CSV file, the import's entry in expected.json, and the
# command-line options that stand for the case's `settings`.
CASES = {
    "case-01": ("google_contacts.csv", None, ["--region", "GB"]),
    "case-02": ("outlook_contacts.csv", None, ["--region", "GB"]),
    "case-03": ("contacts_fr.csv", None, ["--region", "FR"]),
    "case-04": ("contacts_excel_utf8.csv", "contacts_excel_utf8.csv",
                ["--region", "GB"]),
}  # fmt: skip
# Contacts of case-04 that come from its .xlsx file, which the Excel import
# covers; this test imports the case's CSV file only.
XLSX_ONLY = {"Tomás Ortega", "Grace Liu", "Hannah Baker"}
# case-03's settings map two columns to custom fields in the mapping dialog;
# every other column is recognised from its French header.
CASE_03_MAPPING = {
    "Client depuis": "custom:customer_since:date",
    "CA 2024 (€)": "custom:revenue_2024:number",
}


def _case(name: str) -> dict[str, Any]:
    path = samples_dir() / name / "expected.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _import_totals(case: dict[str, Any], file_name: str | None) -> dict[str, Any]:
    totals = case["import"]
    if isinstance(totals, list):
        return next(t for t in totals if t["file"] == file_name)
    return totals  # type: ignore[no-any-return]


def _run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def _note_should(case: str, what: str, level: str) -> None:
    assert level == "should", what
    SHOULD_FAILURES.append(f"{case}: {what}")


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_sample_case_imports_with_expected_values(
    case_name: str,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file_name, import_key, options = CASES[case_name]
    case = _case(case_name)
    source = samples_dir() / case_name / file_name
    entry = next(i for i in case["inputs"] if i["file"] == file_name)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == entry["sha256"]
    monkeypatch.setenv("CRM_PASSWORD", ADMIN_PASSWORD)
    base = ["--database", database_url]
    _run_cli(["init", *base, "--admin", ADMIN_NAME], capsys)
    if case_name == "case-03":
        mapping = tmp_path / "mapping.json"
        mapping.write_text(json.dumps(CASE_03_MAPPING), encoding="utf-8")
        options = [*options, "--mapping", str(mapping)]
    out = _run_cli(
        ["import", str(source), *base, "--user", ADMIN_NAME, "--json", *options],
        capsys,
    )
    summary = json.loads(out)
    export = tmp_path / "export.json"
    _run_cli(
        [
            "export",
            "contacts",
            "--format",
            "json",
            "-o",
            str(export),
            *base,
            "--user",
            ADMIN_NAME,
        ],
        capsys,
    )
    contacts = json.loads(export.read_text(encoding="utf-8"))["contacts"]

    _check_totals(case_name, _import_totals(case, import_key), summary)
    _check_contacts(case_name, case, contacts)
    _check_must_not_contain(case, contacts)
    _check_groups(case_name, database_url)


def _check_totals(case: str, totals: dict[str, Any], summary: dict[str, Any]) -> None:
    created = totals.get("contacts_created")
    assert summary["created"] == created
    if "skipped_empty_records" in totals:
        assert summary["skipped_empty"] == totals["skipped_empty_records"]
    expected_lines = sorted(r["line"] for r in totals.get("rejected", []))
    assert sorted(r["line"] for r in summary["rejected"]) == expected_lines
    for rejected in totals.get("rejected", []):
        reason = next(
            r["reason"] for r in summary["rejected"] if r["line"] == rejected["line"]
        )
        words = rejected["reason_mentions_any"]
        if not any(w.casefold() in reason.casefold() for w in words):
            _note_should(
                case,
                f"line {rejected['line']} reason {reason!r} mentions none of {words}",
                rejected.get("level", "must"),
            )
    for warning in totals.get("warnings", []):
        _check_warning(case, warning, summary["warnings"])


def _check_warning(
    case: str, expected: dict[str, Any], warnings: list[dict[str, Any]]
) -> None:
    level = expected.get("level", "must")
    matching = [
        w
        for w in warnings
        if w["line"] == expected["line"] and w["field"] == expected["field"]
    ]
    if not matching:
        _note_should(
            case,
            f"no warning for line {expected['line']}, "
            f"field {expected['field']!r}; got {warnings}",
            level,
        )
        return
    words = expected["mentions_any"]
    text = " ".join(w["message"] for w in matching).casefold()
    if not any(word.casefold() in text for word in words):
        _note_should(case, f"warning {matching} mentions none of {words}", level)


def _check_contacts(
    case_name: str, case: dict[str, Any], contacts: list[dict[str, Any]]
) -> None:
    for spec in case.get("contacts", []):
        if spec["find"].get("display_name") in XLSX_ONLY:
            continue
        contact = find_contact(spec["find"], contacts)
        level = spec.get("level", "must")
        if contact is None:
            _note_should(case_name, f"no contact found by {spec['find']}", level)
            continue
        for difference in compare(spec["expect"], contact):
            worst = "should" if "should" in (level, difference.level) else "must"
            _note_should(case_name, f"{spec['find']} {difference}", worst)


def _check_must_not_contain(
    case: dict[str, Any], contacts: list[dict[str, Any]]
) -> None:
    texts = stored_texts(contacts)
    for needle in case.get("must_not_contain", []):
        found = [t for t in texts if needle in t]
        assert not found, f"{needle!r} appears in stored text {found}"


def _check_groups(case_name: str, database_url: str) -> None:
    # case-01 check "no-star-groups"; case-02 check "categories" (should).
    database = open_database(database_url, create=False)
    with database.session() as session:
        groups = set(session.scalars(select(Tag.name)))
    database.dispose()
    assert not [g for g in groups if g.startswith("* ") or ":::" in g]
    if case_name == "case-01":
        assert {"Suppliers", "Architects", "Newsletter"} <= groups
        assert "My Contacts" not in groups
    if case_name == "case-02" and not {"Clients", "VIP"} <= groups:
        _note_should(case_name, f"categories not split into groups: {groups}", "should")
