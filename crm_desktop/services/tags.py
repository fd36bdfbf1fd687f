"""Tags (groups): labels shared by contacts and companies."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import ContactTag, Tag


def ensure(session: Session, names: Iterable[str]) -> list[int]:
    """Return the ids of tags with these names, creating the missing ones."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        return []
    query = select(Tag.name, Tag.id).where(Tag.name.in_(wanted))
    existing = {name: tag_id for name, tag_id in session.execute(query)}
    for name in wanted:
        if name not in existing:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
            existing[name] = tag.id
    return [existing[name] for name in wanted]


def for_contact(session: Session, contact_id: int) -> list[str]:
    query = (
        select(Tag.name)
        .join(ContactTag, ContactTag.tag_id == Tag.id)
        .where(ContactTag.contact_id == contact_id)
        .order_by(Tag.name)
    )
    return list(session.scalars(query))


def all_tags(session: Session) -> list[tuple[int, str]]:
    """Return every tag as (id, name), by name, for a filter."""
    query = select(Tag.id, Tag.name).order_by(Tag.name)
    return [(tag_id, name) for tag_id, name in session.execute(query)]
