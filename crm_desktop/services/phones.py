"""Phone numbers: parsing what was typed, E.164 form, display, country names."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from babel import Locale

# A spreadsheet that took a phone number for a number shows it like this, and
# the digits past the mantissa are gone for good.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
# USSD and supplementary-service codes such as *100# or #31#.
_SERVICE_CODE = re.compile(r"^[*#][\d*#]*$")
# Digits only, no leading zero: an international number may have lost its '+'.
_BARE_DIGITS = re.compile(r"^[1-9]\d{7,14}$")
# Extension words phonenumbers does not know; it would read them as letters.
_EXTENSION_WORD = re.compile(
    r"[\s,;]*\b(?:poste|durchwahl|dw)\b\.?\s*:?\s*(\d{1,7})$", re.I
)

_LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl")
# Territory codes babel lists that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
_COUNTRY_ALIASES = {
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States of America": "US",
    "America": "US",
    "Holland": "NL",
    "UAE": "AE",
    "Czech Republic": "CZ",
    "South Korea": "KR",
    "Russian Federation": "RU",
}


@dataclass(frozen=True, slots=True)
class PhoneParse:
    """What normalize_phone made of one typed value.

    Attributes:
        raw: The value exactly as typed.
        e164: The number in E.164 form, or None when it is not a valid number.
        extension: The extension digits, if one was typed.
        problem: Why there is no E.164 form, in plain words; None when there is.
    """

    raw: str
    e164: str | None
    extension: str | None
    problem: str | None


def normalize_phone(raw: str, region: str | None) -> PhoneParse:
    """Read a typed phone number into E.164 form.

    A number without a country code is read in `region`. Digits that look like
    an international number which lost its '+' ('12025550143') are tried as
    a national number first, then with the '+' put back. Spreadsheet
    scientific notation ('4.42079E+11') and service codes ('*100#') are never
    turned into numbers.

    Args:
        raw: The value as typed.
        region: ISO 3166 alpha-2 code of the country to assume, or None.

    Returns:
        The parse; `problem` says why `e164` is None.
    """
    text = _EXTENSION_WORD.sub(r" ext. \1", raw.strip())
    if not text:
        return PhoneParse(raw, None, None, "the phone number is empty")
    if is_scientific_notation(text):
        problem = (
            f"'{text}' is in scientific notation (E+): a spreadsheet stored the "
            "phone number as a number and its last digits are lost"
        )
        return PhoneParse(raw, None, None, problem)
    if _SERVICE_CODE.match(text):
        return PhoneParse(raw, None, None, f"'{text}' is a service code, not a number")

    number = _parse_valid(text, region)
    if number is None and _BARE_DIGITS.match(text):
        number = _parse_valid("+" + text, None)
    if number is None:
        return PhoneParse(raw, None, None, _invalid_reason(text, region))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneParse(raw, e164, number.extension or None, None)


def is_scientific_notation(value: str) -> bool:
    """Tell whether a value is a number in spreadsheet scientific notation.

    Args:
        value: A cell value, such as '4.42079E+11'.

    Returns:
        True for values like '4.42079E+11' or '2,0795E+10'.
    """
    return _SCIENTIFIC.match(value.strip()) is not None


def format_phone(e164: str, region: str, international: bool = False) -> str:
    """Format an E.164 number for display.

    Args:
        e164: The number in E.164 form.
        region: The user's country: its numbers are shown in national format.
        international: Always use the international format.

    Returns:
        The formatted number, such as '020 7946 0123' or '+1 202-555-0143'.

    Raises:
        ValueError: `e164` is not a phone number.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"'{e164}' is not an E.164 phone number") from exc

    home = phonenumbers.region_code_for_number(number) == region.upper()
    if home and not international:
        style = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def check_region(code: str) -> str:
    """Return a default phone region as phonenumbers spells it.

    Args:
        code: ISO 3166 alpha-2 code, in either case ('gb', 'FR').

    Returns:
        The code in upper case.

    Raises:
        ValueError: phonenumbers has no numbering plan for the code ('ZZ',
            'XX', 'GBR'); the message starts with the code as given.
    """
    region = code.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        given = code.strip() or "an empty code"
        raise ValueError(
            f"{given} is not a country code known for phone numbers "
            "(use two letters, e.g. GB)"
        )
    return region


def region_for_country(value: str) -> str | None:
    """Return the ISO 3166 alpha-2 code for a country name or code.

    Names are matched in English, French, German, Spanish, Italian, Portuguese
    and Dutch, ignoring case, accents and punctuation ('España', 'Deutschland',
    'United Kingdom', 'UK', 'U.S.A.', 'gb').

    Args:
        value: A country name or code as found in a file.

    Returns:
        The code, or None when the value names no known country.
    """
    return _country_index().get(_fold(value))


@functools.cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for locale in _LOCALES:
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                index.setdefault(_fold(code), code)
                index.setdefault(_fold(name), code)
    index.update({_fold(alias): code for alias, code in _COUNTRY_ALIASES.items()})
    return index


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    kept = []
    for char in decomposed:
        if char.isalnum():
            kept.append(char)
        elif char.isspace() or char in "-_/":
            kept.append(" ")
    return " ".join("".join(kept).split())


def _parse_valid(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _invalid_reason(text: str, region: str | None) -> str:
    if region is None and not text.startswith("+"):
        return f"'{text}' is not a valid phone number (no country code, no country)"
    where = f" for {region.upper()}" if region else ""
    return f"'{text}' is not a valid phone number{where}"
