"""The documentation says what the code does: schema and command line."""

from __future__ import annotations

import re
from pathlib import Path

from crm_desktop.db.models import Base

ROOT = Path(__file__).resolve().parents[1]


def test_schema_doc_lists_every_table_and_column() -> None:
    text = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"### (\w+)\n(.*?)(?=\n### |\Z)", text, re.S))
    for table in Base.metadata.sorted_tables:
        assert table.name in sections, f"docs/schema.md lacks table {table.name}"
        documented = set(re.findall(r"^\| (\w+) \|", sections[table.name], re.M))
        assert set(table.columns.keys()) <= documented, table.name


def test_cli_doc_is_the_parsers_own_help() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from cli_reference import reference
    finally:
        sys.path.pop(0)
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == reference(), "run: uv run python scripts/cli_reference.py"


def test_documented_example_passwords_pass_the_password_rule() -> None:
    from crm_desktop.security.passwords import password_problem

    found = []
    for name in ("README.md", "docs/cli.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found += re.findall(r"CRM_PASSWORD=('[^']*'|\"[^\"]*\"|\S+)", text)
    assert found, "the documents show no CRM_PASSWORD example"
    for quoted in found:
        password = quoted.strip("'\"")
        assert password_problem(password) is None, f"{quoted} would be refused"
