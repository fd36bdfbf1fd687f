"""Custom fields that admins (or an import's mapping) add to records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import CustomField
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import CustomValue


def ensure(session: Session, entity: str, name: str, type_: str) -> CustomField:
    """Return the custom field of that name, creating it when missing.

    Raises:
        ValidationError: it exists with another type.
    """
    field = session.scalar(
        select(CustomField).where(
            CustomField.entity == entity, CustomField.name == name
        )
    )
    if field is None:
        field = CustomField(entity=entity, name=name, label=name, type=type_)
        session.add(field)
        session.flush()
    elif field.type != type_:
        raise ValidationError(
            f"Custom field '{name}'",
            "type",
            f"it already exists as a {field.type} field, not {type_}",
        )
    return field


def value_rows(
    session: Session, entity: str, values: Iterable[CustomValue]
) -> list[dict[str, Any]]:
    """Return rows for a custom-value table (without the record id)."""
    rows = []
    for value in values:
        field = ensure(session, entity, value.name, value.type)
        rows.append(_row(field.id, value))
    return rows


def _row(field_id: int, value: CustomValue) -> dict[str, Any]:
    row: dict[str, Any] = {
        "field_id": field_id,
        "text_value": None,
        "number_value": None,
        "date_value": None,
    }
    if value.type == "number":
        row["number_value"] = Decimal(str(value.value))
    elif value.type == "date":
        assert isinstance(value.value, dt.date)
        row["date_value"] = value.value
    else:
        row["text_value"] = str(value.value)
    return row
