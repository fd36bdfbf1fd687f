"""Trash and restore of one record, the same for every kind of record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from crm_desktop.db.database import Database
from crm_desktop.db.models import Activity, Company, Contact, Deal
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import activities, companies, contacts, deals, listing, lists
from crm_desktop.services.records import ContactRecord
from tests.services.record_checks import audit_rows, stored


@dataclass(frozen=True)
class Kind:
    """How to make, trash and restore one kind of record."""

    spec: listing.ListSpec
    model: type
    create: Callable[[Session, CurrentUser], int]
    trash: Callable[[Session, CurrentUser, int, int], None]
    restore: Callable[[Session, CurrentUser, int, int], None]


def _deal(session: Session, user: CurrentUser) -> int:
    stage = deals.stages(session)[0].id
    return deals.create(session, user, deals.DealData(title="Roof", stage_id=stage))


KINDS = {
    "contacts": Kind(
        lists.CONTACTS,
        Contact,
        lambda s, u: contacts.create(
            s, u, ContactRecord(line=0, given_name="Ada"), region="GB"
        ),
        contacts.trash,
        contacts.restore,
    ),
    "companies": Kind(
        lists.COMPANIES,
        Company,
        lambda s, u: companies.create(
            s, u, companies.CompanyData(name="Acme"), region="GB"
        ),
        companies.trash,
        companies.restore,
    ),
    "deals": Kind(lists.DEALS, Deal, _deal, deals.trash, deals.restore),
    "activities": Kind(
        lists.ACTIVITIES,
        Activity,
        lambda s, u: activities.create(
            s, u, activities.ActivityData(kind="call", subject="Ring")
        ),
        activities.trash,
        activities.restore,
    ),
}


def _listed(
    database: Database, user: CurrentUser, kind: Kind, *, trashed: bool
) -> list[int]:
    request = listing.ListRequest(trashed=trashed)
    with database.session() as session:
        rows = listing.fetch_page(session, user, kind.spec, request)
    return [row.id for row in rows]


@pytest.mark.parametrize("name", list(KINDS))
def test_trash_hides_from_the_list_and_restore_brings_it_back(
    database: Database, admin: CurrentUser, name: str
) -> None:
    kind = KINDS[name]
    with database.session() as session:
        record_id = kind.create(session, admin)
        session.commit()
    with database.session() as session:
        kind.trash(session, admin, record_id, 1)
        session.commit()

    trashed: Any = stored(database, kind.model, record_id)
    assert (trashed.deleted_at is not None, trashed.version) == (True, 2)
    assert _listed(database, admin, kind, trashed=False) == []
    assert _listed(database, admin, kind, trashed=True) == [record_id]

    with database.session() as session:
        kind.restore(session, admin, record_id, 2)
        session.commit()

    restored: Any = stored(database, kind.model, record_id)
    assert (restored.deleted_at, restored.version) == (None, 3)
    assert _listed(database, admin, kind, trashed=False) == [record_id]
    assert _listed(database, admin, kind, trashed=True) == []
    entries = audit_rows(database, name)
    assert [e[0] for e in entries[-2:]] == ["trash", "restore"]
    assert entries[-1][3]["deleted_at"][1] is None
