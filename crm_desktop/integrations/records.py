"""The records readers produce: the services' plain contact records."""

from crm_desktop.services.records import (
    AddressValue,
    ContactRecord,
    CustomType,
    CustomValue,
    EmailValue,
    ImportIssue,
    ParseResult,
    PartialDate,
    PhoneValue,
    UrlValue,
)

__all__ = [
    "AddressValue",
    "ContactRecord",
    "CustomType",
    "CustomValue",
    "EmailValue",
    "ImportIssue",
    "ParseResult",
    "PartialDate",
    "PhoneValue",
    "UrlValue",
]
