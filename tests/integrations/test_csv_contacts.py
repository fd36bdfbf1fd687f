"""Tests for the CSV contact reader, against the shared sample cases and more."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from crm_desktop.integrations.csv_contacts import (
    CsvFormatError,
    CsvOptions,
    read_contacts_csv,
)
from crm_desktop.integrations.records import (
    ContactRecord,
    CustomValue,
    ParseResult,
    PartialDate,
)
from tests.samples import samples_dir

CASE_03_MAPPING = {
    "Client depuis": "custom:customer_since:date",
    "CA 2024 (€)": "custom:revenue_2024:number",
}
SAMPLES = {
    "case-01": ("google_contacts.csv", CsvOptions(default_region="GB")),
    "case-02": ("outlook_contacts.csv", CsvOptions(default_region="GB")),
    "case-03": (
        "contacts_fr.csv",
        CsvOptions(default_region="FR", mapping=CASE_03_MAPPING),
    ),
    "case-04": ("contacts_excel_utf8.csv", CsvOptions(default_region="GB")),
}
CASES = sorted(SAMPLES)


def _sample_path(case: str, name: str) -> Path:
    # A missing folder stops the run at its start (see conftest.py); a
    # missing file inside it is a failure, never a skip.
    return samples_dir() / case / name


@functools.cache
def _parsed(case: str) -> ParseResult:
    name, options = SAMPLES[case]
    return read_contacts_csv(_sample_path(case, name).read_bytes(), options)


@functools.cache
def _expected(case: str) -> dict[str, Any]:
    text = _sample_path(case, "expected.json").read_text(encoding="utf-8")
    expected: dict[str, Any] = json.loads(text)
    return expected


def _totals(case: str) -> dict[str, Any]:
    totals = _expected(case)["import"]
    if isinstance(totals, list):
        name = SAMPLES[case][0]
        totals = next(entry for entry in totals if entry["file"] == name)
    assert isinstance(totals, dict)
    return totals


def _contact_entries(case: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _expected(case)["contacts"]
    if case == "case-04":
        # The other three contacts of case-04 come from its .xlsx file.
        entries = [entry for entry in entries if "email" in entry["find"]]
    return entries


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def _same(expected: Any, actual: Any, casefold: bool = False) -> bool:
    """Compare as the samples README says: any_of, levels, sets, NFC text."""
    if isinstance(expected, dict) and "any_of" in expected:
        return any(_same(option, actual, casefold) for option in expected["any_of"])
    if isinstance(expected, dict) and {"level", "value"} <= expected.keys():
        return _same(expected["value"], actual, casefold)
    if expected is None:
        return actual is None or actual == ""
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, int | float):
        return isinstance(actual, Decimal) and actual == Decimal(str(expected))
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        if casefold:
            return _text(expected).casefold() == _text(actual).casefold()
        return _text(expected) == _text(actual)
    if isinstance(expected, list):
        return _same_items(expected, actual)
    if isinstance(actual, PartialDate):
        found = {"year": actual.year, "month": actual.month, "day": actual.day}
        return bool(expected == found)
    return all(
        _same(value, getattr(actual, key), casefold=casefold and key == "value")
        for key, value in expected.items()
    )


def _same_items(expected: list[Any], actual: list[Any]) -> bool:
    if len(expected) != len(actual):
        return False
    return any(
        all(
            _same(item, found, casefold=True)
            for item, found in zip(expected, order, strict=True)
        )
        for order in itertools.permutations(actual)
    )


def _custom_matches(expected: dict[str, Any], actual: list[CustomValue]) -> bool:
    found = {value.name: value.value for value in actual}
    for name, value in expected.items():
        stored = found.get(name)
        if isinstance(stored, dt.date):
            stored = stored.isoformat()
        if not _same(value, stored):
            return False
    return True


def _mismatches(record: ContactRecord, expect: dict[str, Any]) -> list[str]:
    wrong = []
    for key, value in expect.items():
        if key == "groups_include":
            actual: Any = record.groups
            ok = set(value) <= set(actual)
        elif key == "custom":
            actual = record.custom
            ok = _custom_matches(value, actual)
        else:
            actual = getattr(record, key)
            ok = _same(value, actual, casefold=key == "emails")
        if not ok:
            wrong.append(f"{key}: expected {value!r}, got {actual!r}")
    return wrong


def _find(result: ParseResult, find: dict[str, str]) -> ContactRecord:
    if "email" in find:
        wanted = find["email"].casefold()
        found = [
            record
            for record in result.records
            if any(email.value.casefold() == wanted for email in record.emails)
        ]
    else:
        found = [
            record
            for record in result.records
            if _text(record.display_name) == _text(find["display_name"])
        ]
    assert len(found) == 1, f"{find} matches {len(found)} records"
    return found[0]


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    if value is None or isinstance(value, bool | int):
        return []
    return [str(value)]


@pytest.mark.parametrize("case", CASES)
def test_sample_totals(case: str) -> None:
    result = _parsed(case)
    totals = _totals(case)

    assert len(result.records) == totals["contacts_created"]
    assert result.skipped_empty == totals.get("skipped_empty_records", 0)
    assert [issue.line for issue in result.rejected] == [
        entry["line"] for entry in totals["rejected"]
    ]


@pytest.mark.parametrize("case", CASES)
def test_sample_rejections_say_why(case: str) -> None:
    result = _parsed(case)

    for entry in _totals(case)["rejected"]:
        issue = next(issue for issue in result.rejected if issue.line == entry["line"])
        message = issue.message.casefold()
        assert any(word.casefold() in message for word in entry["reason_mentions_any"])


@pytest.mark.parametrize("case", CASES)
def test_sample_warnings_name_line_field_and_cause(case: str) -> None:
    result = _parsed(case)

    for entry in _totals(case).get("warnings", []):
        messages = [
            issue.message.casefold()
            for issue in result.warnings
            if issue.line == entry["line"] and issue.field == entry["field"]
        ]
        assert messages, f"no warning for line {entry['line']}, {entry['field']}"
        assert any(
            word.casefold() in message
            for word in entry["mentions_any"]
            for message in messages
        ), messages


@pytest.mark.parametrize("case", CASES)
def test_sample_contacts_carry_the_expected_values(case: str) -> None:
    result = _parsed(case)

    wrong = []
    for entry in _contact_entries(case):
        record = _find(result, entry["find"])
        wrong += [
            f"{entry['find']} {problem}"
            for problem in _mismatches(record, entry["expect"])
        ]
    assert wrong == []


@pytest.mark.parametrize("case", CASES)
def test_sample_records_hold_no_forbidden_text(case: str) -> None:
    texts = _texts([dataclasses.asdict(record) for record in _parsed(case).records])

    for forbidden in _expected(case)["must_not_contain"]:
        assert not [text for text in texts if forbidden in text], forbidden


@pytest.mark.parametrize(
    ("case", "encoding", "delimiter", "layout", "lines"),
    [
        ("case-01", "utf-8", ",", "google", [2, 8, 9, 10]),
        ("case-02", "windows-1252", ",", "outlook", [2, 4, 5]),
        ("case-03", "windows-1252", ";", "generic", [2, 4, 5, 6]),
        ("case-04", "utf-8-sig", ",", "generic", [2, 3, 4]),
    ],
)
def test_sample_files_are_recognised(
    case: str, encoding: str, delimiter: str, layout: str, lines: list[int]
) -> None:
    result = _parsed(case)

    assert (result.encoding, result.delimiter, result.layout) == (
        encoding,
        delimiter,
        layout,
    )
    assert [record.line for record in result.records] == lines


def test_google_groups_drop_the_system_group_and_star_markers() -> None:
    result = _parsed("case-01")

    groups = {record.display_name: record.groups for record in result.records}
    assert groups["Ирина Волкова"] == ["Suppliers"]
    assert groups["Siobhán Ní Bhriain"] == ["Architects", "Newsletter"]
    assert groups["Harbour Logistics Reception"] == []


def test_google_primary_marker_applies_to_the_first_value_only() -> None:
    irina = _find(_parsed("case-01"), {"display_name": "Ирина Волкова"})

    primaries = [(email.value, email.primary) for email in irina.emails]
    assert primaries == [
        ("irina.volkova@example.com", True),
        ("i.volkova@example.org", False),
        ("irina.home@example.net", False),
    ]


def test_outlook_categories_become_groups_and_fillers_are_dropped() -> None:
    renee = _find(_parsed("case-02"), {"email": "renee.lefevre@example.com"})

    assert renee.groups == ["Clients", "VIP"]
    assert renee.custom == []
    assert renee.notes == "Budget €12,500 – confirm in May"


def test_outlook_exchange_address_gives_way_to_the_smtp_one() -> None:
    result = _parsed("case-02")
    weiss = _find(result, {"email": "j.weiss@example.net"})

    assert [(e.value, e.primary) for e in weiss.emails] == [
        ("j.weiss@example.net", True)
    ]
    [warning] = [issue for issue in result.warnings if issue.line == 5]
    assert warning.field == "E-mail Address"
    assert "Exchange" in warning.message
    assert "EX" in warning.message


def test_french_custom_fields_are_typed() -> None:
    elodie = _find(_parsed("case-03"), {"email": "elodie.martin@example.com"})

    assert elodie.custom == [
        CustomValue("customer_since", "date", dt.date(2019, 2, 1)),
        CustomValue("revenue_2024", "number", Decimal("12450.5")),
    ]


def test_scientific_notation_phone_is_dropped_but_contact_kept() -> None:
    result = _parsed("case-04")
    aisha = _find(result, {"email": "aisha.khan@example.com"})

    assert aisha.phones == []
    [warning] = [issue for issue in result.warnings if issue.line == 2]
    assert "'4.42079E+11' is in scientific notation (E+)" in warning.message


GOOD_TEXT = "Name,Email\r\nAnn,ann@example.com\r\n"


def _read(text: str, encoding: str = "utf-8", **options: Any) -> ParseResult:
    return read_contacts_csv(text.encode(encoding), CsvOptions(**options))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00", "binary data"),
        (bytes(range(1, 32)) * 20, "binary data"),
        (b"", "is empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "is empty"),
        (b"Email,First name\r\n", "has no records"),
        (b"Email,First name\r\n,\r\n\r\n", "has no records"),
    ],
)
def test_unreadable_files_are_refused_plainly(data: bytes, message: str) -> None:
    with pytest.raises(CsvFormatError, match=message):
        read_contacts_csv(data, CsvOptions())


def test_unknown_layout_lists_the_columns_and_suggests_a_mapping() -> None:
    with pytest.raises(CsvFormatError) as caught:
        _read("Ref,Amount\r\nA1,12\r\n")

    message = str(caught.value)
    assert "layout of this file is unknown" in message
    assert "'Ref', 'Amount'" in message
    assert "--mapping" in message


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Amount": "money"}, "'Amount' to 'money'"),
        ({"Amount": "address:work:planet"}, "PART one of street"),
        ({"Amount": "custom:total:currency"}, "TYPE text, number or date"),
        ({"Total": "custom:total:number"}, "column 'Total', which the file does not"),
    ],
)
def test_bad_mappings_are_refused(mapping: dict[str, str], message: str) -> None:
    with pytest.raises(CsvFormatError, match=message):
        _read("Ref,Amount\r\nA1,12\r\n", mapping={"Ref": "display_name", **mapping})


def test_mapping_wins_and_leaves_other_columns_automatic() -> None:
    result = _read(
        "Name,E-mail,Kiln,Amount\r\nAnn Lee,ann@example.com,020 7946 0123,1.234,5\r\n",
        mapping={"kiln": "phone:Kiln room", "AMOUNT": "ignore"},
    )

    [record] = result.records
    assert record.display_name == "Ann Lee"
    assert record.emails[0].value == "ann@example.com"
    assert [(p.e164, p.label) for p in record.phones] == [
        ("+442079460123", "Kiln room")
    ]
    assert record.custom == []


def test_windows_1252_wins_over_latin_1() -> None:
    data = "Nom;Prénom;Société\r\nLebœuf;Françoise;Café – Thé\r\n".encode("cp1252")

    result = read_contacts_csv(data, CsvOptions())

    assert result.encoding == "windows-1252"
    assert result.records[0].family_name == "Lebœuf"
    assert result.records[0].organization == "Café – Thé"


def test_excel_sep_line_sets_the_delimiter() -> None:
    result = _read("sep=;\r\nName;Phone\r\nAnn, Lee;020 7946 0123\r\n")

    assert result.delimiter == ";"
    assert [(r.line, r.display_name) for r in result.records] == [(3, "Ann, Lee")]


@pytest.mark.parametrize(
    ("region", "dates", "birthday"),
    [
        ("US", "03/04/1990", PartialDate(1990, 3, 4)),
        ("GB", "03/04/1990", PartialDate(1990, 4, 3)),
        ("US", "03/04/1990\r\nBob,13/04/1990", PartialDate(1990, 4, 3)),
        ("GB", "--12-25", PartialDate(None, 12, 25)),
        ("GB", "1990-04-03", PartialDate(1990, 4, 3)),
        ("GB", "3.4.90", PartialDate(1990, 4, 3)),
    ],
)
def test_date_order_comes_from_the_file_then_the_region(
    region: str, dates: str, birthday: PartialDate
) -> None:
    result = _read(f"Name,Birthday\r\nAnn,{dates}\r\n", default_region=region)

    assert result.records[0].birthday == birthday


def test_bad_values_warn_and_the_contact_stays() -> None:
    result = _read(
        "Name,Email,Phone,Birthday\r\nAnn,ann@,1234,31/02/1990\r\n",
        default_region="GB",
    )

    [record] = result.records
    assert record.emails == []
    assert [(p.raw, p.e164) for p in record.phones] == [("1234", None)]
    assert record.birthday is None
    assert [issue.field for issue in result.warnings] == ["Email", "Phone", "Birthday"]
    assert "Line 2, column 'Birthday'" in result.warnings[2].message


def test_rows_are_cleaned_padded_and_checked() -> None:
    result = _read(
        'Name,Notes\r\n"Ann","line one\r\nline two"\r\n,\r\n'
        "Bob,'=1+1,extra\r\n\r\nCarl\r\n"
    )

    assert [(r.line, r.display_name, r.notes) for r in result.records] == [
        (2, "Ann", "line one\nline two"),
        (5, "Bob", "=1+1"),
        (7, "Carl", ""),
    ]
    assert result.skipped_empty == 2
    assert [(w.line, w.field) for w in result.warnings] == [(5, None)]
    assert "3 values but the header has 2 columns" in result.warnings[0].message


def test_custom_numbers_read_thousands_marks_and_decimal_commas() -> None:
    result = _read(
        "Name;Total\r\nA;12 450,50\r\nB;12.450,5\r\nC;1,234.5\r\nD;12x\r\n",
        mapping={"Total": "custom:total:number"},
        default_region="FR",
    )

    totals = [[c.value for c in record.custom] for record in result.records]
    assert totals == [
        [Decimal("12450.50")],
        [Decimal("12450.5")],
        [Decimal("1234.5")],
        [],
    ]
    assert [(w.line, w.field) for w in result.warnings] == [(5, "Total")]


def test_generic_headers_in_other_languages_map_with_labels() -> None:
    result = _read(
        "Vorname;Nachname;Firma;Telefon privat;Handy;PLZ;Stadt;Land;Geburtstag\r\n"
        "Jürgen;Weiß;Weiß GmbH;030 1234567;0151 23456789;1067;Dresden;"
        "Deutschland;03.12.1965\r\n",
        default_region="GB",
    )

    [record] = result.records
    assert (record.given_name, record.family_name, record.organization) == (
        "Jürgen",
        "Weiß",
        "Weiß GmbH",
    )
    assert [(p.e164, p.label) for p in record.phones] == [
        ("+49301234567", "home"),
        ("+4915123456789", "mobile"),
    ]
    [address] = record.addresses
    assert (address.postcode, address.city, address.country) == (
        "01067",
        "Dresden",
        "Deutschland",
    )
    assert record.birthday == PartialDate(1965, 12, 3)


@pytest.mark.parametrize(
    ("text", "names", "line"),
    [
        (
            'Name,Email\nAnn,ann@example.com\n"Unclosed,bad@example.com\n'
            "X,y\nBob,bob@example.com\n",
            ["Ann", "X", "Bob"],
            3,
        ),
        ('Name,Email\nAnn,ann@example.com\nBo,"bo@example.com\n', ["Ann"], 3),
        (
            'Name;Notes\r\nAnn;"one\r\ntwo"\r\nBob;"a ""quoted"" word\r\nCy;x\r\n',
            ["Ann", "Cy"],
            4,
        ),
    ],
    ids=["middle", "last-line", "semicolons-crlf"],
)
def test_unclosed_quote_rejects_its_record_and_reads_the_lines_after_it(
    text: str, names: list[str], line: int
) -> None:
    result = _read(text)

    assert [record.display_name for record in result.records] == names
    [rejection] = result.rejected
    assert rejection.line == line
    assert rejection.message.startswith(f"Line {line}: ")
    assert "quote" in rejection.message and "never closed" in rejection.message
    assert not [r for r in result.records if "\n" in r.display_name]


@pytest.mark.parametrize(
    "text",
    [
        'Name,Street\nAnn,"1 High St\nFlat 2"',
        'Name,Street\nAnn,"1 High St\nFlat 2"\n',
        'Name,Notes\nAnn,"said ""hi"""\n',
        'Name,Notes\nAnn 5" tall,"x"y\n',
    ],
    ids=["closed-at-end", "closed-newline", "doubled-quotes", "quote-mid-value"],
)
def test_closed_and_literal_quotes_are_not_unclosed(text: str) -> None:
    result = _read(text)

    assert result.rejected == []
    assert len(result.records) == 1


def test_unclosed_quote_in_the_header_refuses_the_file() -> None:
    with pytest.raises(CsvFormatError, match=r"header \(line 1\) opens a quote"):
        _read('Name,"Email\nAnn,ann@example.com\n')


@pytest.mark.parametrize("region", ["ZZ", "XX", "GBR"])
def test_unknown_default_region_is_refused(region: str) -> None:
    with pytest.raises(CsvFormatError, match=f"{region} is not a country code"):
        _read(GOOD_TEXT, default_region=region)


@pytest.mark.parametrize(
    ("value", "order", "message"),
    [
        ("1990-13-45", "DMY", "not a real date in the year-month-day form"),
        ("1990/02/30", "MDY", "not a real date in the year/month/day form"),
        ("19901345", "DMY", "not a real date in the YYYYMMDD form"),
        ("31/02/1990", "DMY", "not a real date when read as day/month/year"),
        ("02/31/1990", "MDY", "not a real date when read as month/day/year"),
    ],
)
def test_impossible_date_says_how_it_was_read(
    value: str, order: str, message: str
) -> None:
    result = _read(f"Name,Birthday\r\nAnn,{value}\r\n", date_order=order)

    [warning] = result.warnings
    assert f"'{value}' is {message}" in warning.message
    if order == "DMY" and value.startswith("1990"):
        assert "day/month/year" not in warning.message


@pytest.mark.parametrize(
    ("data", "given", "family"),
    [
        (
            b"First Name,Last Name,Email\n\xc9l\xe8ve,\xd6zt\xfcrk,x@example.com\n",
            "\u00c9l\u00e8ve",
            "\u00d6zt\u00fcrk",
        ),
        (
            b"First Name,Last Name,Email\n\xe9\xe8,M\xfcller,x@example.com\n",
            "\u00e9\u00e8",
            "M\u00fcller",
        ),
    ],
    ids=["eleve-ozturk", "muller"],
)
def test_short_windows_1252_file_is_read_as_such_with_a_warning(
    data: bytes, given: str, family: str
) -> None:
    result = read_contacts_csv(data, CsvOptions())
    assert result.encoding == "windows-1252"
    assert [(r.given_name, r.family_name) for r in result.records] == [(given, family)]
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            0,
            "The file is not UTF-8; it was read as windows-1252, a guess: check "
            "that accented letters came out right, or save it as UTF-8.",
        )
    ]


def test_cyrillic_windows_1251_file_is_still_read_as_cyrillic() -> None:
    text = (
        "First Name,Last Name,Email\nИван,Петров,x@example.com\n"
        "Мария,Сидорова,m@example.com\n"
    )
    result = read_contacts_csv(text.encode("cp1251"), CsvOptions())
    assert result.encoding == "cp1251"
    assert [r.family_name for r in result.records] == ["Петров", "Сидорова"]


def test_utf8_file_gets_no_encoding_warning() -> None:
    data = "First Name,Last Name,Email\nÉlève,Öztürk,x@example.com\n".encode()
    assert read_contacts_csv(data, CsvOptions()).warnings == []


def test_invalid_email_warning_says_the_address_was_not_imported() -> None:
    data = b"First Name,Email\nAda,ada.example.com\n"
    result = read_contacts_csv(data, CsvOptions())
    assert result.records[0].emails == []
    [warning] = result.warnings
    assert warning.message == (
        "Line 2, column 'Email': 'ada.example.com' is not a valid email address "
        "(an email address must have an @-sign); it was not imported."
    )


def test_nul_byte_rejects_only_its_record() -> None:
    data = (
        b"First Name,Last Name,Email\n"
        b"Ada,Lovelace,ada@example.com\n"
        b"Bob,Sm\x00ith,bob@example.com\n"
        b"Cy,Young,cy@example.com\n"
    )
    result = read_contacts_csv(data, CsvOptions())
    assert [r.given_name for r in result.records] == ["Ada", "Cy"]
    assert [(r.line, r.field, r.message) for r in result.rejected] == [
        (
            3,
            "Last Name",
            "Line 3, column 'Last Name': the value holds a NUL character (a byte "
            "0, a sign of a damaged file); the record was not imported.",
        )
    ]
    assert result.warnings == []


def test_birthday_in_the_future_is_left_empty_with_a_warning() -> None:
    data = b"First Name,Email,Birthday\nAda,ada@example.com,2090-01-01\n"
    result = read_contacts_csv(data, CsvOptions())
    assert result.records[0].birthday is None
    assert [w.message for w in result.warnings] == [
        "Line 2, column 'Birthday': the birthday '2090-01-01' lies in the future; "
        "the field was left empty."
    ]
