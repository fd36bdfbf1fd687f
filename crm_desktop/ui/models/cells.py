"""How list cells read: money, times, users and stages as text.

Plain Python, no Qt: the list model formats each page on the worker thread
that fetched it, so the GUI thread only hands out finished strings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_currency

from crm_desktop.services.phones import format_phone

logger = logging.getLogger(__name__)

# Kinds whose text reads best right-aligned, digits under digits.
NUMERIC_KINDS = frozenset({"money"})


def parse_locale(name: str) -> Locale:
    """Return the babel locale for a name such as 'en_GB', else en_GB."""
    try:
        return Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        logger.warning("unknown locale %r; using en_GB", name)
        return Locale.parse("en_GB")


@dataclass(frozen=True, slots=True)
class CellFormatter:
    """Turns stored values into the text a list shows, per column kind.

    Args:
        locale: The business locale (numbers, dates, currency signs).
        region: The default phone region; its numbers show in national form.
        users: User id to user name.
        stages: Pipeline stage id to stage name.
        zone: The zone times are shown in; None means the computer's own.
        currency: The business currency, for amounts stored without one.
    """

    locale: Locale
    region: str = "GB"
    users: Mapping[int, str] = field(default_factory=dict)
    stages: Mapping[int, str] = field(default_factory=dict)
    zone: dt.tzinfo | None = None
    currency: str = "EUR"

    def row(
        self, kinds: tuple[str, ...], values: tuple[Any, ...], currency: str = ""
    ) -> tuple[str, ...]:
        """Format one row's values.

        Args:
            kinds: The columns' kinds, in the order of `values`.
            values: The stored values.
            currency: The row's currency code, for its money columns.
        """
        return tuple(
            self.money(value, currency) if kind == "money" else self.cell(kind, value)
            for kind, value in zip(kinds, values, strict=True)
        )

    def cell(self, kind: str, value: Any) -> str:
        """Format one value of a column of the given kind."""
        if value is None or value == "":
            return ""
        formatter = _FORMATTERS.get(kind)
        return str(value) if formatter is None else formatter(self, value)

    def money(self, amount: Any, currency: str) -> str:
        """Format an amount with its currency sign, as the locale writes it."""
        if amount is None:
            return ""
        code = currency or self.currency
        return format_currency(Decimal(amount), code, locale=self.locale)

    def _datetime(self, value: dt.datetime) -> str:
        # The medium date beside a short time ("3 Jan 2027, 04:48"), so a
        # list's dates read alike in its date and its date-and-time columns.
        local = value.astimezone(self.zone)
        date = format_date(local.date(), "medium", locale=self.locale)
        time = format_time(local, "short", locale=self.locale)
        pattern = str(self.locale.datetime_formats["medium"])
        return pattern.replace("{1}", date).replace("{0}", time)

    def _date(self, value: dt.date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def _user(self, value: int) -> str:
        return self.users.get(value, f"#{value}")

    def _stage(self, value: int) -> str:
        return self.stages.get(value, f"#{value}")

    def _phone(self, value: str) -> str:
        if not value.startswith("+"):
            return value
        try:
            return format_phone(value, self.region)
        except ValueError:
            return value

    def _activity_kind(self, value: str) -> str:
        return value.capitalize()


_FORMATTERS: dict[str, Callable[[CellFormatter, Any], str]] = {
    "datetime": CellFormatter._datetime,
    "date": CellFormatter._date,
    "user": CellFormatter._user,
    "stage": CellFormatter._stage,
    "phone": CellFormatter._phone,
    "activity_kind": CellFormatter._activity_kind,
}
