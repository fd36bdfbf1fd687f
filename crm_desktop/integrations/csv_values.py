"""Reading dates, numbers and postcodes as spreadsheets write them into CSV."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal

from babel import Locale, UnknownLocaleError

from crm_desktop.integrations.records import PartialDate

DateOrder = Literal["DMY", "MDY", "YMD"]

# 05/03/1987, 5.3.87, 1986-09-23, 12-3-1965, with an optional time of day.
_NUMERIC_DATE = re.compile(
    r"^(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEARLESS_DATE = re.compile(r"^--(\d{1,2})-?(\d{1,2})$")
_ORDER_NAMES = {
    "DMY": "day/month/year",
    "MDY": "month/day/year",
    "YMD": "year/month/day",
}
# Regions that write dates month first.
_MONTH_FIRST_REGIONS = frozenset(
    {"US", "AS", "FM", "GU", "MH", "MP", "PR", "PW", "UM", "VI"}
)

_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f'’€$£¥]")
_NUMBER = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")

# Digits of all-digit postcodes, for countries where spreadsheets drop the
# leading zero of postcodes such as 02138 (US) or 0800 (AU).
POSTCODE_DIGITS = {"US": 5, "FR": 5, "DE": 5, "ES": 5, "IT": 5, "AU": 4, "NZ": 4}


def infer_date_order(values: Iterable[str], region: str) -> DateOrder:
    """Work out whether a file writes its dates day first or month first.

    A first component above 12 can only be a day, a second one above 12 only
    a day too; the order most values prove wins. With no proof the region's
    convention decides (month first in the US, day first elsewhere).

    Args:
        values: All the date values of the file, as written.
        region: The default region of the import.

    Returns:
        "DMY" or "MDY".
    """
    day_first = month_first = 0
    for value in values:
        match = _NUMERIC_DATE.match(value.strip())
        if match is None or len(match[1]) > 2:
            continue
        first, second = int(match[1]), int(match[3])
        day_first += first > 12 >= second
        month_first += second > 12 >= first
    if day_first or month_first:
        return "MDY" if month_first > day_first else "DMY"
    return "MDY" if region.upper() in _MONTH_FIRST_REGIONS else "DMY"


def parse_date(value: str, order: DateOrder) -> PartialDate | None:
    """Read a date as written in a CSV file.

    Args:
        value: The value: 'YYYY-MM-DD', '--MM-DD', 'YYYYMMDD', or three
            numbers separated by '/', '.' or '-' with a 2- or 4-digit year.
        order: How to read three numbers whose first one is not a year.

    Returns:
        The date; None for a zero date such as Outlook's '0/0/00'.

    Raises:
        ValueError: The value is not a date, or an impossible one; the
            message quotes it and says how it was read: in `order`, or in
            the year-first form it is written in.
    """
    text = value.strip()
    parts = _date_parts(text, order)
    if parts is None:
        raise ValueError(f"'{text}' is an invalid date: not a date format I can read")
    year, month, day = parts
    if year == month == day == 0:
        return None
    check_year = 2000 if year is None else year  # 2000 allows 29 February
    try:
        dt.date(check_year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is {_impossible(text, order)}") from None
    return PartialDate(year, month, day)


def _impossible(text: str, order: DateOrder) -> str:
    """Say why a date that matched a form is no real date, as it was read."""
    if _YEARLESS_DATE.match(text):
        return "not a real date in the --month-day form it is written in"
    if _COMPACT_DATE.match(text):
        return "not a real date in the YYYYMMDD form it is written in"
    match = _NUMERIC_DATE.match(text)
    if match is not None and len(match[1]) == 4:
        form = match[2].join(("year", "month", "day"))
        return f"not a real date in the {form} form it is written in"
    return f"not a real date when read as {_ORDER_NAMES[order]}"


def _date_parts(text: str, order: DateOrder) -> tuple[int | None, int, int] | None:
    yearless = _YEARLESS_DATE.match(text)
    if yearless:
        return None, int(yearless[1]), int(yearless[2])
    compact = _COMPACT_DATE.match(text)
    if compact:
        return int(compact[1]), int(compact[2]), int(compact[3])
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return None
    first, second, third = match[1], match[3], match[4]
    if len(third) == 3 or (len(first) > 2 and len(first) != 4):
        return None
    if len(first) > 2 or order == "YMD":
        return _full_year(first), int(second), int(third)
    if order == "MDY":
        return _full_year(third), int(first), int(second)
    return _full_year(third), int(second), int(first)


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) > 2 or year == 0:
        return year
    # Two-digit years are in the past: birthdays, dates a customer joined.
    this_year = dt.date.today().year
    year += this_year - this_year % 100
    return year - 100 if year > this_year else year


def parse_number(value: str, region: str) -> Decimal:
    """Read a number written with a decimal comma or point and thousands marks.

    '12450,5', '12 450,50', '12.450,50', '12,450.50' and "1'234.5" are all
    read. A single separator followed by exactly three digits ('12,450') is
    a thousands mark unless it is the region's decimal sign.

    Args:
        value: The value as written; currency signs and spaces are ignored.
        region: The region whose decimal sign settles '12,450'.

    Returns:
        The number.

    Raises:
        ValueError: The value is not a number.
    """
    text = _NUMBER_NOISE.sub("", value)
    if not _NUMBER.match(text):
        raise ValueError(f"'{value.strip()}' is not a number")
    separators = [char for char in text if char in ",."]
    plain = _plain_decimal(text, separators, _decimal_sign(region))
    if plain is None:
        raise ValueError(f"'{value.strip()}' is not a number")
    try:
        return Decimal(plain)
    except InvalidOperation:
        raise ValueError(f"'{value.strip()}' is not a number") from None


def _plain_decimal(text: str, separators: list[str], region_sign: str) -> str | None:
    if not separators:
        return text
    last = separators[-1]
    whole, _, decimals = text.rpartition(last)
    if len(set(separators)) == 2:
        thousands = "," if last == "." else "."
        ungrouped = _ungrouped(whole, thousands)
        return None if ungrouped is None else f"{ungrouped}.{decimals}"
    if len(separators) > 1 or (len(decimals) == 3 and last != region_sign):
        return _ungrouped(text, last)
    return f"{whole}.{decimals}"


def _ungrouped(text: str, mark: str) -> str | None:
    head, *groups = text.split(mark)
    if not head.lstrip("+-") or any(len(group) != 3 for group in groups):
        return None
    return head + "".join(groups)


@functools.cache
def _decimal_sign(region: str) -> str:
    try:
        locale = Locale.parse(f"und_{region.upper()}")
    except (UnknownLocaleError, ValueError):
        return "."
    return str(locale.number_symbols.get("latn", {}).get("decimal", "."))


def pad_postcode(postcode: str, region: str | None) -> str | None:
    """Restore the leading zeros a spreadsheet stripped from a postcode.

    Args:
        postcode: The postcode as found.
        region: The country of the address.

    Returns:
        The padded postcode ('2138' → '02138' in the US), or None when the
        postcode needs no padding.
    """
    digits = POSTCODE_DIGITS.get((region or "").upper())
    if digits is None or not postcode.isdigit() or len(postcode) >= digits:
        return None
    return postcode.zfill(digits)
