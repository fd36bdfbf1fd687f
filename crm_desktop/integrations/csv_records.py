"""Turning one CSV record into a ContactRecord, with warnings about its values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from crm_desktop.integrations.csv_layouts import (
    DATE_FIELDS,
    Target,
    fold_header,
    standard_label,
)
from crm_desktop.integrations.csv_values import (
    DateOrder,
    pad_postcode,
    parse_date,
    parse_number,
)
from crm_desktop.integrations.records import (
    AddressValue,
    ContactRecord,
    CustomValue,
    EmailValue,
    ImportIssue,
    PartialDate,
    PhoneValue,
    UrlValue,
)
from crm_desktop.services.emails import InvalidEmailError, normalize_email
from crm_desktop.services.phones import (
    is_scientific_notation,
    normalize_phone,
    region_for_country,
)

_NAME_FIELDS = ("display_name", "given_name", "middle_name", "family_name", "nickname")
_GOOGLE_MULTI = re.compile(r"\s*:::\s*")
_Valued = TypeVar("_Valued", EmailValue, PhoneValue)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the file and where its values go."""

    index: int
    header: str
    target: Target


@dataclass(frozen=True, slots=True)
class RecordSettings:
    """What applies to every record of a file.

    Attributes:
        default_region: Country for phone numbers without a country code when
            the record gives no country, and for the decimal sign of numbers.
        date_order: How the file writes its dates.
        multi_value: Cells may hold several values separated by ' ::: '
            (Google Contacts).
        group_separator: What separates group names in a groups cell.
    """

    default_region: str
    date_order: DateOrder
    multi_value: bool
    group_separator: re.Pattern[str]


@dataclass(slots=True)
class RecordOutcome:
    """What became of one record: a contact or a rejection, and warnings."""

    record: ContactRecord | None
    rejection: ImportIssue | None
    warnings: list[ImportIssue]


@dataclass(slots=True)
class _AddressParts:
    label: str
    parts: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def build_record(
    line: int, cells: list[str], columns: list[Column], settings: RecordSettings
) -> RecordOutcome:
    """Build the contact of one record.

    Args:
        line: The line on which the record starts.
        cells: The record's cleaned values, one per column.
        columns: The file's columns.
        settings: What applies to every record.

    Returns:
        The contact, or the reason it was rejected, and warnings about
        values that were not imported or were changed.
    """
    return _RecordBuilder(line, cells, columns, settings).build()


class _RecordBuilder:
    """Collects the values of one record into a ContactRecord."""

    def __init__(
        self,
        line: int,
        cells: list[str],
        columns: list[Column],
        settings: RecordSettings,
    ) -> None:
        self._settings = settings
        self._values = [(col, cells[col.index]) for col in columns if cells[col.index]]
        self._record = ContactRecord(line=line)
        self._warnings: list[ImportIssue] = []
        self._addresses: dict[tuple[str, int], _AddressParts] = {}
        self._labels = self._cells_of_kind("label")
        self._protocols = self._cells_of_kind("protocol")
        self._region = self._record_region()

    def build(self) -> RecordOutcome:
        """Read every value, then settle addresses, primaries and the name."""
        takers: dict[str, Callable[[Column, str], None]] = {
            "field": self._take_field,
            "email": self._take_email,
            "phone": self._take_phone,
            "url": self._take_url,
            "address": self._take_address,
            "custom": self._take_custom,
            "event": self._take_event,
        }
        for column, value in self._values:
            taker = takers.get(column.target.kind)
            if taker is not None:
                taker(column, value)

        record = self._record
        record.addresses = [self._address(parts) for parts in self._addresses.values()]
        record.emails = _settled(record.emails, lambda email: email.value.casefold())
        record.phones = _settled(record.phones, _phone_key)
        return self._outcome()

    def _outcome(self) -> RecordOutcome:
        record = self._record
        named = any(getattr(record, name) for name in _NAME_FIELDS)
        if not (named or record.organization or record.emails or record.phones):
            message = (
                f"Line {record.line}: nothing to identify the contact (no name, "
                "no email, no phone); it was not imported."
            )
            rejection = ImportIssue(record.line, None, message)
            return RecordOutcome(None, rejection, self._warnings)
        record.display_name = record.display_name or _display_name(record)
        return RecordOutcome(record, None, self._warnings)

    def _warn(self, column: Column | str, message: str) -> None:
        header = column if isinstance(column, str) else column.header
        line = self._record.line
        text = f"Line {line}, column '{header}': {message}."
        self._warnings.append(ImportIssue(line, header, text))

    def _cells_of_kind(self, kind: str) -> dict[tuple[str, str], str]:
        return {
            (column.target.name, column.target.slot): value
            for column, value in self._values
            if column.target.kind == kind
        }

    def _record_region(self) -> str:
        for column, value in self._values:
            target = column.target
            if target.kind == "address" and target.name == "country":
                items = self._split(value)
                region = region_for_country(items[0]) if items else None
                if region is not None:
                    return region
        return self._settings.default_region

    def _split(self, value: str) -> list[str]:
        if not self._settings.multi_value:
            return [value]
        return [item for item in _GOOGLE_MULTI.split(value) if item]

    def _label(self, column: Column) -> tuple[str, bool]:
        target = column.target
        if target.label:
            return target.label, target.primary
        typed = self._labels.get((target.kind, target.slot), "")
        return standard_label(typed), target.primary or typed.startswith("*")

    def _take_field(self, column: Column, value: str) -> None:
        name = column.target.name
        record = self._record
        if name in DATE_FIELDS:
            date = self._date(column, value)
            if date is not None and name == "birthday" and _in_future(date):
                self._warn(
                    column,
                    f"the birthday '{value}' lies in the future; "
                    "the field was left empty",
                )
                date = None
            if date is not None:
                setattr(record, name, date)
        elif name == "groups":
            self._take_groups(value)
        elif name == "notes":
            record.notes = f"{record.notes}\n{value}" if record.notes else value
        elif not getattr(record, name):
            setattr(record, name, ", ".join(self._split(value)))

    def _take_groups(self, value: str) -> None:
        for item in self._settings.group_separator.split(value):
            name = item.strip()
            if name.startswith("* "):
                name = name[2:].strip()
                # Google's system group holding every contact.
                if fold_header(name) == "mycontacts":
                    continue
            if name and name not in self._record.groups:
                self._record.groups.append(name)

    def _take_email(self, column: Column, value: str) -> None:
        protocol = self._protocols.get(("", column.target.slot), "")
        if protocol.strip().upper() == "EX" or value.startswith("/o="):
            self._warn(
                column,
                "this is an Exchange (EX) directory path, not an email "
                "address; it was not imported",
            )
            return

        label, primary = self._label(column)
        for position, item in enumerate(self._split(value)):
            try:
                address = normalize_email(item)
            except InvalidEmailError as exc:
                reason = exc.reason.rstrip(".")
                reason = reason[:1].lower() + reason[1:]
                self._warn(
                    column,
                    f"'{item}' is not a valid email address ({reason}); "
                    "it was not imported",
                )
                continue
            email = EmailValue(address, label, primary and position == 0)
            self._record.emails.append(email)

    def _take_phone(self, column: Column, value: str) -> None:
        label, primary = self._label(column)
        for position, item in enumerate(self._split(value)):
            parsed = normalize_phone(item, self._region)
            if is_scientific_notation(item):
                self._warn(column, f"{parsed.problem}; the phone was not imported")
                continue
            if parsed.e164 is None:
                self._warn(column, f"{parsed.problem}; it was kept as typed")
            phone = PhoneValue(
                raw=item,
                e164=parsed.e164,
                label=label,
                primary=primary and position == 0,
                extension=parsed.extension,
            )
            self._record.phones.append(phone)

    def _take_url(self, column: Column, value: str) -> None:
        label, _ = self._label(column)
        for item in self._split(value):
            self._record.urls.append(UrlValue(item, label))

    def _take_address(self, column: Column, value: str) -> None:
        label, _ = self._label(column)
        part = column.target.name
        for position, item in enumerate(self._split(value)):
            key = (column.target.slot, position)
            parts = self._addresses.setdefault(key, _AddressParts(label))
            parts.parts.setdefault(part, []).append(item)
            parts.headers.setdefault(part, column.header)

    def _address(self, found: _AddressParts) -> AddressValue:
        def first(part: str) -> str:
            return found.parts.get(part, [""])[0]

        address = AddressValue(
            label=found.label,
            street="\n".join(found.parts.get("street", [])),
            city=first("city"),
            region=first("region"),
            postcode=first("postcode"),
            country=first("country"),
        )
        region = region_for_country(address.country) if address.country else None
        padded = pad_postcode(address.postcode, region or self._region)
        if padded is not None:
            self._warn(
                found.headers["postcode"],
                f"'{address.postcode}' has lost its leading zero; "
                f"it was padded to '{padded}'",
            )
            address.postcode = padded
        return address

    def _take_custom(self, column: Column, value: str) -> None:
        target = column.target
        if target.custom_type == "number":
            try:
                number = parse_number(value, self._settings.default_region)
            except ValueError as exc:
                self._warn(column, f"{exc}; the field was left empty")
                return
            custom = CustomValue(target.name, "number", number)
        elif target.custom_type == "date":
            date = self._full_date(column, value)
            if date is None:
                return
            custom = CustomValue(target.name, "date", date)
        else:
            custom = CustomValue(target.name, "text", value)
        self._record.custom.append(custom)

    def _take_event(self, column: Column, value: str) -> None:
        typed = self._labels.get(("event", column.target.slot), "")
        if fold_header(typed) == "anniversary":
            self._record.anniversary = self._date(column, value)

    def _date(self, column: Column, value: str) -> PartialDate | None:
        try:
            return parse_date(value, self._settings.date_order)
        except ValueError as exc:
            self._warn(column, f"{exc}; the field was left empty")
            return None

    def _full_date(self, column: Column, value: str) -> dt.date | None:
        date = self._date(column, value)
        if date is not None and date.year is None:
            self._warn(column, f"'{value}' has no year; the field was left empty")
            return None
        if date is None or date.year is None:
            return None
        return dt.date(date.year, date.month, date.day)


def _in_future(date: PartialDate) -> bool:
    if date.year is None:
        return False
    return dt.date(date.year, date.month, date.day) > dt.date.today()


def _phone_key(phone: PhoneValue) -> str:
    return f"{phone.e164 or phone.raw};{phone.extension or ''}"


def _settled(values: list[_Valued], key: Callable[[_Valued], str]) -> list[_Valued]:
    """Drop repeated values and leave exactly one primary, the first if none."""
    kept: dict[str, _Valued] = {}
    for value in values:
        known = kept.get(key(value))
        if known is None:
            kept[key(value)] = value
        else:
            known.primary = known.primary or value.primary
    settled = list(kept.values())
    primary = next((value for value in settled if value.primary), None)
    for value in settled:
        value.primary = value is (primary or settled[0])
    return settled


def _display_name(record: ContactRecord) -> str:
    full_name = " ".join(
        part for part in (record.given_name, record.family_name) if part
    )
    candidates = [full_name, record.middle_name, record.nickname, record.organization]
    candidates += [email.value for email in record.emails]
    candidates += [phone.raw for phone in record.phones]
    return next((candidate for candidate in candidates if candidate), "")
