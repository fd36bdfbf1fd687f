"""CellFormatter: how money, times, phones, users and stages read in a list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crm_desktop.ui.models.cells import CellFormatter, parse_locale

BRITISH = CellFormatter(
    parse_locale("en_GB"),
    region="GB",
    users={1: "admin"},
    stages={3: "Proposal"},
    zone=ZoneInfo("Europe/Paris"),
)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("text", "Acme Ltd", "Acme Ltd"),
        ("text", None, ""),
        ("phone", "+442079460123", "020 7946 0123"),
        ("phone", "+12025550143", "+1 202-555-0143"),
        ("phone", "0800 FLOWERS", "0800 FLOWERS"),
        ("user", 1, "admin"),
        ("user", 9, "#9"),
        ("stage", 3, "Proposal"),
        ("activity_kind", "meeting", "Meeting"),
        ("date", dt.date(2026, 3, 8), "8 Mar 2026"),
        # 12:05 UTC is 14:05 in Paris in summer time.
        (
            "datetime",
            dt.datetime(2025, 3, 30, 12, 5, tzinfo=dt.UTC),
            "30 Mar 2025, 14:05",
        ),
    ],
)
def test_cell_reads_as_people_write_it(kind: str, value: Any, expected: str) -> None:
    assert BRITISH.cell(kind, value) == expected


def test_money_uses_the_rows_currency_and_the_business_locale() -> None:
    german = CellFormatter(parse_locale("de_DE"))
    kinds = ("text", "money", "text")

    assert BRITISH.row(kinds, ("Deal", Decimal("1250.5"), "EUR"), "EUR") == (
        "Deal",
        "€1,250.50",
        "EUR",
    )
    assert german.money(Decimal("1250.5"), "EUR") == "1.250,50\xa0€"
    assert BRITISH.money(Decimal("3"), "") == "€3.00"


def test_unknown_locale_falls_back_to_british_english() -> None:
    assert str(parse_locale("xx_nowhere")) == "en_GB"
