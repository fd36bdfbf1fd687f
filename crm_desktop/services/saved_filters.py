"""Saved filters: a user's named search, filter and sort for a list.

They are kept per user in the `settings` table, under one key per user
whose value is a JSON list, so they follow the user from PC to PC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from crm_desktop.db.models import Setting
from crm_desktop.security import audit
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListRequest

MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class SavedFilter:
    """A named request for one list (contacts, deals...)."""

    list_name: str
    name: str
    request: ListRequest


def _key(user: CurrentUser) -> str:
    return f"saved_filters.{user.id}"


def _stored(session: Session, user: CurrentUser) -> list[dict[str, Any]]:
    row = session.get(Setting, _key(user))
    return list(row.value) if row is not None else []


def _write(session: Session, user: CurrentUser, entries: list[dict[str, Any]]) -> None:
    row = session.get(Setting, _key(user))
    old = row.value if row is not None else None
    if row is None:
        session.add(Setting(key=_key(user), value=entries))
    else:
        row.value = entries
    audit.record(
        session, user, "update", "settings", None, {_key(user): [old, entries]}
    )


def _to_json(saved: SavedFilter) -> dict[str, Any]:
    request = saved.request
    return {
        "list": saved.list_name,
        "name": saved.name,
        "sort": request.sort,
        "descending": request.descending,
        "search": request.search,
        "owner_id": request.owner_id,
        "tag_id": request.tag_id,
        "statuses": list(request.statuses),
        "period": request.period,
        "period_start": audit.jsonable(request.period_start),
        "period_end": audit.jsonable(request.period_end),
    }


def _from_json(entry: dict[str, Any]) -> SavedFilter:
    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    request = ListRequest(
        sort=entry.get("sort", ""),
        descending=bool(entry.get("descending")),
        search=entry.get("search", ""),
        owner_id=entry.get("owner_id"),
        tag_id=entry.get("tag_id"),
        statuses=tuple(entry.get("statuses", ())),
        period=entry.get("period", ""),
        period_start=day(entry.get("period_start")),
        period_end=day(entry.get("period_end")),
    )
    return SavedFilter(entry["list"], entry["name"], request)


def for_list(session: Session, user: CurrentUser, list_name: str) -> list[SavedFilter]:
    """Return the user's saved filters for a list, by name."""
    entries = [_from_json(e) for e in _stored(session, user) if e["list"] == list_name]
    return sorted(entries, key=lambda saved: saved.name.casefold())


def save(session: Session, user: CurrentUser, saved: SavedFilter) -> None:
    """Save a filter, replacing the user's one of that name for that list.

    Only what the user chose is kept: the trash switch, the region and the
    zone come from where and when the filter is used.

    Raises:
        ValidationError: an empty or overlong name.
    """
    name = saved.name.strip()
    if not name or len(name) > MAX_NAME:
        reason = f"give a name of 1 to {MAX_NAME} characters"
        raise ValidationError("Saved filter", "name", reason)
    saved = replace(saved, name=name, request=replace(saved.request, trashed=False))
    entries = [
        e
        for e in _stored(session, user)
        if (e["list"], e["name"]) != (saved.list_name, name)
    ]
    _write(session, user, [*entries, _to_json(saved)])


def delete(session: Session, user: CurrentUser, list_name: str, name: str) -> None:
    """Forget one of the user's saved filters; nothing happens if it is gone."""
    entries = _stored(session, user)
    kept = [e for e in entries if (e["list"], e["name"]) != (list_name, name)]
    if len(kept) != len(entries):
        _write(session, user, kept)
