"""Tests for phone number parsing, display and country names."""

from __future__ import annotations

import pytest

from crm_desktop.services.phones import (
    PhoneParse,
    check_region,
    format_phone,
    is_scientific_notation,
    normalize_phone,
    region_for_country,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("020 7946 0813", "GB", "+442079460813"),
        ("+44 20 7946 0811", "FR", "+442079460811"),
        ("+44 (0)20 7946 0321", "GB", "+442079460321"),
        ("01 99 00 12 34", "FR", "+33199001234"),
        ("01.99.00.56.78", "FR", "+33199005678"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("+61 491 570 159", None, "+61491570159"),
    ],
)
def test_valid_numbers_get_their_e164_form(
    raw: str, region: str | None, e164: str
) -> None:
    assert normalize_phone(raw, region) == PhoneParse(raw, e164, None, None)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("12025550143", "US", "+12025550143"),
        ("491570156", "AU", "+61491570156"),
        ("33199001234", "GB", "+33199001234"),
        ("442079460123", "US", "+442079460123"),
    ],
)
def test_digits_that_lost_their_plus_are_recovered(
    raw: str, region: str, e164: str
) -> None:
    assert normalize_phone(raw, region).e164 == e164


@pytest.mark.parametrize(
    ("raw", "extension"),
    [
        ("020 7946 0123 ext. 12", "12"),
        ("020 7946 0123 x12", "12"),
        ("+44 20 7946 0123;ext=5", "5"),
        ("020 7946 0123 poste 34", "34"),
    ],
)
def test_extensions_are_kept_apart(raw: str, extension: str) -> None:
    parsed = normalize_phone(raw, "GB")

    assert parsed.e164 == "+442079460123"
    assert parsed.extension == extension
    assert parsed.raw == raw


@pytest.mark.parametrize("raw", ["4.42079E+11", "4,42079E+11", "2.0795e+10"])
def test_scientific_notation_is_never_a_number(raw: str) -> None:
    parsed = normalize_phone(raw, "GB")

    assert parsed.e164 is None
    assert parsed.problem is not None
    assert "scientific notation" in parsed.problem
    assert "digits are lost" in parsed.problem
    assert is_scientific_notation(raw)


def test_plain_digits_are_not_scientific_notation() -> None:
    assert not is_scientific_notation("442079460123")


@pytest.mark.parametrize("raw", ["*100#", "#31#", "*#06#"])
def test_service_codes_are_not_numbers(raw: str) -> None:
    parsed = normalize_phone(raw, "GB")

    assert parsed == PhoneParse(
        raw, None, None, f"'{raw}' is a service code, not a number"
    )


@pytest.mark.parametrize(
    ("raw", "region", "mention"),
    [
        ("1234", "GB", "for GB"),
        ("020 7946", "GB", "for GB"),
        ("7946 0123", None, "no country"),
    ],
)
def test_invalid_numbers_keep_the_raw_value_and_say_why(
    raw: str, region: str | None, mention: str
) -> None:
    parsed = normalize_phone(raw, region)

    assert parsed.raw == raw
    assert parsed.e164 is None
    assert parsed.problem is not None
    assert mention in parsed.problem


def test_empty_value_is_a_problem() -> None:
    assert normalize_phone("  ", "GB").problem == "the phone number is empty"


@pytest.mark.parametrize(
    ("e164", "region", "international", "shown"),
    [
        ("+442079460123", "GB", False, "020 7946 0123"),
        ("+442079460123", "gb", False, "020 7946 0123"),
        ("+442079460123", "GB", True, "+44 20 7946 0123"),
        ("+442079460123", "FR", False, "+44 20 7946 0123"),
        ("+12025550143", "US", False, "(202) 555-0143"),
        ("+33199001234", "FR", False, "01 99 00 12 34"),
    ],
)
def test_format_phone_uses_national_form_at_home(
    e164: str, region: str, international: bool, shown: str
) -> None:
    assert format_phone(e164, region, international=international) == shown


def test_format_phone_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="not an E.164 phone number"):
        format_phone("hello", "GB")


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("GB", "GB"),
        ("gb", "GB"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Royaume-Uni", "GB"),
        ("France", "FR"),
        ("US", "US"),
        ("United States", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("États-Unis", "US"),
        ("etats unis", "US"),
        ("AU", "AU"),
        ("Australia", "AU"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("España", "ES"),
        ("espana", "ES"),
        ("Italia", "IT"),
        ("Brasil", "BR"),
        ("Nederland", "NL"),
        ("  Ireland  ", "IE"),
    ],
)
def test_region_for_country_reads_names_and_codes(value: str, region: str) -> None:
    assert region_for_country(value) == region


@pytest.mark.parametrize("value", ["", "Atlantis", "ZZ", "EU", "Unknown Region"])
def test_region_for_country_knows_no_invented_countries(value: str) -> None:
    assert region_for_country(value) is None


@pytest.mark.parametrize(
    ("code", "region"), [("GB", "GB"), ("fr", "FR"), (" us ", "US")]
)
def test_known_regions_are_accepted_in_upper_case(code: str, region: str) -> None:
    assert check_region(code) == region


@pytest.mark.parametrize("code", ["ZZ", "XX", "GBR", "UK", "001", ""])
def test_unknown_regions_are_refused_with_the_code_and_a_hint(code: str) -> None:
    with pytest.raises(ValueError, match="country code") as raised:
        check_region(code)
    assert str(raised.value).startswith(code or "an empty code")
    assert "e.g. GB" in str(raised.value)
