"""Bulk actions and the trash on both back-ends: all or nothing, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from crm_desktop.db.database import Database
from crm_desktop.db.models import Contact, ContactTag, Tag
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import (
    activities,
    bulk_edits,
    companies,
    contacts,
    deals,
    listing,
    lists,
    trash,
)
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.records import ContactRecord
from tests.services.record_checks import add_user, audit_rows, stored


@pytest.fixture
def people(database: Database, admin: CurrentUser) -> list[int]:
    ids = []
    with database.session() as session:
        for name in ("Ada", "Ben", "Cid", "Dee", "Eve"):
            record = ContactRecord(line=0, given_name=name)
            ids.append(contacts.create(session, admin, record, region="GB"))
        session.commit()
    return ids


def _picked(ids: list[int]) -> bulk_edits.Selection:
    return bulk_edits.Selection(lists.CONTACTS, tuple((i, 1) for i in ids))


def _state(database: Database) -> list[tuple[Any, ...]]:
    query = select(
        Contact.id, Contact.owner_id, Contact.version, Contact.deleted_at
    ).order_by(Contact.id)
    with database.session() as session:
        rows = [tuple(row) for row in session.execute(query)]
        rows.append(tuple(session.execute(select(ContactTag.contact_id)).scalars()))
    return rows


def test_assign_owner_to_three_contacts_writes_rows_and_audit(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    tom = add_user(database, admin, "tom", "staff")
    three = people[:3]
    with database.session() as session:
        changed = bulk_edits.assign_owner(session, admin, _picked(three), tom.id)
        session.commit()

    assert changed == 3
    for contact_id in people:
        row = stored(database, Contact, contact_id)
        expected = (tom.id, 2) if contact_id in three else (admin.id, 1)
        assert (row.owner_id, row.version) == expected
    updates = [r for r in audit_rows(database, "contacts") if r[0] == "update"]
    assert sorted(updates, key=lambda r: r[2]) == [
        ("update", admin.id, i, {"owner_id": [admin.id, tom.id]}) for i in three
    ]


def test_add_tag_to_three_contacts_tags_only_the_untagged(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    with database.session() as session:
        bulk_edits.add_tag(session, admin, _picked(people[:1]), "VIP")
        session.commit()
    selection = bulk_edits.Selection(
        lists.CONTACTS, ((people[0], 2), (people[1], 1), (people[2], 1))
    )
    with database.session() as session:
        changed = bulk_edits.add_tag(session, admin, selection, " VIP ")
        session.commit()

    assert changed == 2
    with database.session() as session:
        tagged = session.scalars(
            select(ContactTag.contact_id)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(Tag.name == "VIP")
            .order_by(ContactTag.contact_id)
        )
        assert list(tagged) == people[:3]
    tags = [r for r in audit_rows(database, "contacts") if r[0] == "tag"]
    assert [(r[2], r[3]) for r in tags] == [
        (people[0], {"tag": [None, "VIP"]}),
        *sorted([(i, {"tag": [None, "VIP"]}) for i in people[1:3]], key=lambda r: r[0]),
    ]
    assert stored(database, Contact, people[0]).version == 2


def test_whole_filtered_list_is_trashed_in_sql_then_restored_from_the_trash(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    request = listing.ListRequest(owner_id=admin.id)
    with database.session() as session:
        size = bulk_edits.selection_size(session, admin, lists.CONTACTS, request)
    assert size == 5
    selection = bulk_edits.Selection(lists.CONTACTS, request=request, expected=5)
    with database.session() as session:
        assert bulk_edits.move_to_trash(session, admin, selection) == 5
        session.commit()

    with database.session() as session:
        contents = trash.contents(session, admin)
    assert contents.total == 5
    assert sorted(r.name for r in contents.records) == [
        "Ada",
        "Ben",
        "Cid",
        "Dee",
        "Eve",
    ]
    assert {(r.kind, r.trashed_by) for r in contents.records} == {("contacts", "admin")}
    picked = [(r.kind, r.id, r.version) for r in contents.records[:2]]
    with database.session() as session:
        assert trash.restore(session, admin, picked) == 2
        session.commit()

    with database.session() as session:
        assert trash.contents(session, admin).total == 3
    actions = [r[0] for r in audit_rows(database, "contacts")]
    assert actions.count("trash") == 5
    assert actions.count("restore") == 2


def test_trash_lists_every_kind_with_who_trashed_it(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    with database.session() as session:
        company_id = companies.create(
            session, admin, companies.CompanyData(name="Acme"), region="GB"
        )
        stage = deals.stages(session)[0].id
        deal_id = deals.create(
            session, admin, deals.DealData(title="Big one", stage_id=stage)
        )
        activity_id = activities.create(
            session, admin, activities.ActivityData(kind="call", subject="Ring")
        )
        session.commit()
    trashers: dict[str, Callable[..., None]] = {
        "companies": companies.trash,
        "deals": deals.trash,
        "activities": activities.trash,
        "contacts": contacts.trash,
    }
    targets = {
        "companies": company_id,
        "deals": deal_id,
        "activities": activity_id,
        "contacts": people[0],
    }
    with database.session() as session:
        for kind, record_id in targets.items():
            trashers[kind](session, admin, record_id, 1)
        session.commit()

    with database.session() as session:
        contents = trash.contents(session, admin)
    shown = {(r.kind, r.id, r.name, r.trashed_by) for r in contents.records}
    assert shown == {
        ("companies", company_id, "Acme", "admin"),
        ("deals", deal_id, "Big one", "admin"),
        ("activities", activity_id, "Ring", "admin"),
        ("contacts", people[0], "Ada", "admin"),
    }
    everything = [(r.kind, r.id, r.version) for r in contents.records]
    with database.session() as session:
        trash.restore(session, admin, everything)
        session.commit()
    with database.session() as session:
        assert trash.contents(session, admin).total == 0
    for kind, record_id in targets.items():
        assert audit_rows(database, kind)[-1][:3] == ("restore", admin.id, record_id)


def test_read_only_user_changes_nothing(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    reader = add_user(database, admin, "reader", "read_only")
    before = _state(database)
    audit_before = audit_rows(database, "contacts")
    actions: list[Callable[[Any], int]] = [
        lambda s: bulk_edits.assign_owner(s, reader, _picked(people), admin.id),
        lambda s: bulk_edits.add_tag(s, reader, _picked(people), "VIP"),
        lambda s: bulk_edits.move_to_trash(s, reader, _picked(people)),
    ]
    for action in actions:
        with database.session() as session, pytest.raises(PermissionDeniedError):
            action(session)
    assert _state(database) == before
    assert audit_rows(database, "contacts") == audit_before


@pytest.mark.parametrize("action", ["owner", "tag", "trash"])
def test_one_stale_record_changes_nothing(
    database: Database, admin: CurrentUser, people: list[int], action: str
) -> None:
    with database.session() as session:
        contacts.trash(session, admin, people[1], 1)
        contacts.restore(session, admin, people[1], 2)
        session.commit()
    before = _state(database)
    audit_before = audit_rows(database, "contacts")
    selection = _picked(people[:3])  # people[1] is at version 3 now

    with database.session() as session, pytest.raises(StaleRecordError):
        if action == "owner":
            bulk_edits.assign_owner(session, admin, selection, admin.id)
        elif action == "tag":
            bulk_edits.add_tag(session, admin, selection, "VIP")
        else:
            bulk_edits.move_to_trash(session, admin, selection)
        session.commit()

    assert _state(database) == before
    assert audit_rows(database, "contacts") == audit_before


def test_a_list_that_changed_since_the_confirmation_changes_nothing(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    before = _state(database)
    selection = bulk_edits.Selection(
        lists.CONTACTS, request=listing.ListRequest(), expected=4
    )
    with database.session() as session, pytest.raises(StaleRecordError) as raised:
        bulk_edits.move_to_trash(session, admin, selection)
    assert "4 confirmed, 5 now" in str(raised.value)
    assert _state(database) == before


def test_staff_cannot_bulk_change_others_private_records(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    tom = add_user(database, admin, "tom", "staff")
    before = _state(database)
    with database.session() as session, pytest.raises(NotFoundError):
        bulk_edits.assign_owner(session, tom, _picked(people[:2]), tom.id)
    with database.session() as session, pytest.raises(ValidationError):
        bulk_edits.assign_owner(session, admin, _picked(people[:2]), 999)
    with database.session() as session, pytest.raises(ValidationError):
        bulk_edits.add_tag(
            session, admin, bulk_edits.Selection(lists.DEALS, ((1, 1),)), "VIP"
        )
    assert _state(database) == before
