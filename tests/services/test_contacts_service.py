"""The contacts service on both back-ends: validation, versions, trash, audit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.db.database import Database
from crm_desktop.db.models import AuditEntry, Contact, ContactEmail
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import contacts, users
from crm_desktop.services.errors import (
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationError,
)
from crm_desktop.services.records import (
    AddressValue,
    ContactRecord,
    EmailValue,
    PartialDate,
    PhoneValue,
    UrlValue,
)


def _record(**values: Any) -> ContactRecord:
    defaults: dict[str, Any] = {
        "line": 0,
        "given_name": "Siobhán",
        "family_name": "Ní Bhriain",
        "organization": "Ní Bhriain Architects",
        "emails": [EmailValue("Siobhan@Example.COM", "work")],
        "phones": [PhoneValue("020 7946 0950", None, "work")],
        "addresses": [
            AddressValue(
                "work", "14 Example Road", "London", postcode="SW1A 2AA", country="GB"
            )
        ],
        "birthday": PartialDate(None, 2, 29),
    }
    defaults.update(values)
    return ContactRecord(**defaults)


def _count(database: Database, model: type) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_create_normalises_and_reads_back(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        contact_id = contacts.create(session, admin, _record(), region="GB")
        session.commit()
    with database.session() as session:
        detail = contacts.get(session, admin, contact_id)
    record = detail.record
    assert record.display_name == "Siobhán Ní Bhriain"
    assert record.emails == [EmailValue("Siobhan@example.com", "work", True)]
    assert record.phones[0].e164 == "+442079460950"
    assert record.phones[0].raw == "020 7946 0950"
    assert record.birthday == PartialDate(None, 2, 29)
    assert record.addresses[0].postcode == "SW1A 2AA"
    assert detail.version == 1
    assert detail.owner_id == admin.id


def test_every_write_is_audited_with_old_and_new_values(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        contact_id = contacts.create(session, admin, _record(), region="GB")
        session.commit()
        contacts.update(
            session, admin, contact_id, 1, _record(job_title="Director"), region="GB"
        )
        session.commit()
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == "contacts")
            .order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].user_id == admin.id
    assert entries[1].record_id == contact_id
    assert entries[1].changes == {"job_title": ["", "Director"]}


def test_stale_save_changes_nothing(database: Database, admin: CurrentUser) -> None:
    with database.session() as session:
        contact_id = contacts.create(session, admin, _record(), region="GB")
        session.commit()
        contacts.update(
            session, admin, contact_id, 1, _record(job_title="First"), region="GB"
        )
        session.commit()
    with database.session() as session, pytest.raises(StaleRecordError):
        contacts.update(
            session, admin, contact_id, 1, _record(job_title="Second"), region="GB"
        )
    with database.session() as session:
        detail = contacts.get(session, admin, contact_id)
    assert detail.record.job_title == "First"
    assert detail.version == 2


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"emails": [EmailValue("not-an-email", "work")]}, "email", "@"),
        ({"birthday": PartialDate(1990, 2, 31)}, "birthday", "not a real date"),
        (
            {
                "given_name": "",
                "family_name": "",
                "organization": "",
                "emails": [],
                "phones": [],
            },
            "name",
            "nothing to identify",
        ),
    ],
)
def test_invalid_input_names_field_and_reason_and_writes_nothing(
    database: Database,
    admin: CurrentUser,
    values: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    with database.session() as session, pytest.raises(ValidationError) as raised:
        contacts.create(session, admin, _record(**values), region="GB")
    assert raised.value.field == field
    assert reason in raised.value.reason
    assert _count(database, Contact) == 0
    assert _count(database, ContactEmail) == 0


@pytest.mark.parametrize(
    ("values", "field", "limit"),
    [
        ({"family_name": "N" * 121}, "family_name", 120),
        ({"given_name": "G" * 300_000}, "given_name", 120),
        ({"display_name": "D" * 301}, "display_name", 300),
        ({"organization": "O" * 400}, "organization", 300),
        ({"job_title": "J" * 201}, "job_title", 200),
        ({"phones": [PhoneValue("1" * 65, None, "work")]}, "phone", 64),
        ({"emails": [EmailValue("a@example.com", "l" * 61)]}, "email label", 60),
        ({"urls": [UrlValue("https://example.com/" + "u" * 981)]}, "url", 1000),
        (
            {"addresses": [AddressValue("work", city="C" * 121)]},
            "address city",
            120,
        ),
        ({"groups": ["T" * 121]}, "groups", 120),
    ],
)
def test_overlong_text_names_field_and_limit_and_writes_nothing(
    database: Database,
    admin: CurrentUser,
    values: dict[str, Any],
    field: str,
    limit: int,
) -> None:
    # SQLite would store it whole and PostgreSQL fail the transaction.
    with database.session() as session, pytest.raises(ValidationError) as raised:
        contacts.create(session, admin, _record(**values), region="GB")
    assert raised.value.field == field
    assert f"at most {limit} characters" in raised.value.reason
    assert len(str(raised.value)) < 200
    assert _count(database, Contact) == 0


def test_overlong_update_is_refused_and_keeps_the_stored_values(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        contact_id = contacts.create(session, admin, _record(), region="GB")
        session.commit()
    with database.session() as session, pytest.raises(ValidationError) as raised:
        contacts.update(
            session, admin, contact_id, 1, _record(job_title="J" * 201), region="GB"
        )
    assert raised.value.field == "job_title"
    with database.session() as session:
        detail = contacts.get(session, admin, contact_id)
    assert (detail.record.job_title, detail.version) == ("", 1)


def test_name_built_from_long_parts_is_cut_to_fit(
    database: Database, admin: CurrentUser
) -> None:
    parts = {
        "given_name": "G" * 120,
        "middle_name": "M" * 120,
        "family_name": "F" * 120,
    }
    with database.session() as session:
        contact_id = contacts.create(session, admin, _record(**parts), region="GB")
        session.commit()
    with database.session() as session:
        detail = contacts.get(session, admin, contact_id)
    assert detail.record.display_name == f"{'G' * 120} {'M' * 120} {'F' * 58}"
    assert detail.record.family_name == "F" * 120


def test_read_only_user_cannot_write(database: Database, admin: CurrentUser) -> None:
    with database.session() as session:
        reader = users.create_user(
            session, admin, "reader", "long enough pw", role="read_only"
        )
        session.commit()
    with database.session() as session, pytest.raises(PermissionDeniedError):
        contacts.create(session, reader, _record(), region="GB")
    assert _count(database, Contact) == 0


def test_staff_do_not_see_others_private_contacts(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        staff = users.create_user(session, admin, "tom", "long enough pw")
        private = contacts.create(session, admin, _record(), region="GB")
        shared = contacts.create(
            session, admin, _record(given_name="Ana"), region="GB", is_shared=True
        )
        session.commit()
    with database.session() as session:
        assert contacts.get(session, staff, shared).record.given_name == "Ana"
        with pytest.raises(NotFoundError):
            contacts.get(session, staff, private)
