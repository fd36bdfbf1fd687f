"""Plain records of a contact and its parts: what forms and files hand in.

These mirror the JSON interchange format (docs/interchange.md). Readers in
integrations/ build them from files, forms build them from fields, and the
contacts service validates and writes them. No Qt, no SQLAlchemy here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

CustomType = Literal["text", "number", "date"]


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date whose year may be unknown (a birthday without a year)."""

    year: int | None
    month: int
    day: int


@dataclass(slots=True)
class EmailValue:
    value: str
    label: str = "other"
    primary: bool = False


@dataclass(slots=True)
class PhoneValue:
    """A phone number as typed (raw) and, when it is one, in E.164 form."""

    raw: str
    e164: str | None
    label: str = "other"
    primary: bool = False
    extension: str | None = None


@dataclass(slots=True)
class AddressValue:
    label: str = "other"
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""


@dataclass(slots=True)
class UrlValue:
    value: str
    label: str = "other"


@dataclass(slots=True)
class CustomValue:
    """A value for an admin-defined custom field, created when missing."""

    name: str
    type: CustomType
    value: str | Decimal | dt.date


@dataclass(slots=True)
class ContactRecord:
    """One contact read from a file; `line` is where its record starts."""

    line: int
    display_name: str = ""
    prefix: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    suffix: str = ""
    nickname: str = ""
    organization: str = ""
    department: str = ""
    job_title: str = ""
    notes: str = ""
    birthday: PartialDate | None = None
    anniversary: PartialDate | None = None
    emails: list[EmailValue] = field(default_factory=list)
    phones: list[PhoneValue] = field(default_factory=list)
    addresses: list[AddressValue] = field(default_factory=list)
    urls: list[UrlValue] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    custom: list[CustomValue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """A problem with one record: a rejection, or a warning about one field."""

    line: int
    field: str | None
    message: str


@dataclass(slots=True)
class ParseResult:
    """What a reader made of a file."""

    records: list[ContactRecord]
    rejected: list[ImportIssue]
    warnings: list[ImportIssue]
    skipped_empty: int
    encoding: str
    delimiter: str
    layout: str
