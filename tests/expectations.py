"""The comparison rules of shared/data/samples/README.md, as code.

`compare(expected, actual)` returns the differences between an `expect`
block of a case's expected.json and one exported contact, each a sentence.
Levels are honoured: a value wrapped as {"level": "should", "value": ...}
yields a difference marked as a `should`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

LIST_FIELDS = ("emails", "phones", "addresses", "urls")


@dataclass(frozen=True)
class Difference:
    path: str
    message: str
    level: str = "must"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def normalize_text(value: str) -> str:
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    return text.strip()


def values_match(expected: Any, actual: Any, *, field: str = "") -> bool:
    """Tell whether one stored value matches one expected value."""
    if isinstance(expected, dict) and "any_of" in expected:
        return any(values_match(e, actual, field=field) for e in expected["any_of"])
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(values_match(v, actual.get(k), field=k) for k, v in expected.items())
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        if field == "value" and "@" in expected:
            return expected.casefold() == actual.casefold()
        return normalize_text(expected) == normalize_text(actual)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(actual, int | float) and float(expected) == float(actual)
    return bool(expected == actual)


def _unwrap(value: Any) -> tuple[Any, str]:
    if isinstance(value, dict) and "level" in value and "value" in value:
        return value["value"], value["level"]
    return value, "must"


def _compare_list(name: str, expected: list[Any], actual: list[Any]) -> str | None:
    unmatched = list(actual)
    for item in expected:
        found = next((a for a in unmatched if values_match(item, a, field=name)), None)
        if found is None:
            return f"no stored item matches {item!r}; stored: {actual!r}"
        unmatched.remove(found)
    if unmatched:
        return f"unexpected extra items {unmatched!r}"
    return None


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[Difference]:
    """Return how a stored contact differs from an `expect` block."""
    differences = []
    for field, wrapped in expected.items():
        value, level = _unwrap(wrapped)
        problem = _compare_field(field, value, actual)
        if problem:
            differences.append(Difference(field, problem, level))
    return differences


def _compare_field(field: str, value: Any, actual: dict[str, Any]) -> str | None:
    if field in LIST_FIELDS:
        return _compare_list(field, value, actual.get(field, []))
    if field == "groups_include":
        missing = [g for g in value if g not in actual.get("groups", [])]
        return f"missing groups {missing}" if missing else None
    if field == "custom":
        custom = actual.get("custom", {})
        wrong = {
            k: custom.get(k)
            for k, v in value.items()
            if not values_match(v, custom.get(k))
        }
        return f"custom values differ: stored {wrong}" if wrong else None
    if field not in actual:
        return "the export has no such field"
    stored = actual[field]
    if value is None or stored is None:
        return None if value == stored else f"expected {value!r}, stored {stored!r}"
    if values_match(value, stored, field=field):
        return None
    return f"expected {value!r}, stored {stored!r}"


def find_contact(
    find: dict[str, str], contacts: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """Locate the contact a case's `find` block names."""
    for contact in contacts:
        if "email" in find:
            emails = [e["value"].casefold() for e in contact["emails"]]
            if find["email"].casefold() in emails:
                return contact
        elif "display_name" in find and normalize_text(
            contact["display_name"]
        ) == normalize_text(find["display_name"]):
            return contact
    return None


def stored_texts(value: Any) -> list[str]:
    """Every text inside an exported record, for must_not_contain checks."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in stored_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in stored_texts(v)]
    return []
