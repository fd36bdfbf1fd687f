"""Global search on both back-ends: names, emails, phones, visibility, trash."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import companies, contacts, deals, global_search
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.deals import DealData
from crm_desktop.services.global_search import SearchHit
from crm_desktop.services.records import ContactRecord, EmailValue, PhoneValue
from tests.services.record_checks import add_user


def _contact(
    database: Database,
    user: CurrentUser,
    given: str,
    family: str,
    *,
    email: str = "",
    phone: str = "",
    organization: str = "",
    shared: bool = False,
) -> int:
    record = ContactRecord(
        line=0,
        given_name=given,
        family_name=family,
        organization=organization,
        emails=[EmailValue(email, "work")] if email else [],
        phones=[PhoneValue(phone, None, "work")] if phone else [],
    )
    with database.session() as session:
        contact_id = contacts.create(
            session, user, record, region="GB", is_shared=shared
        )
        session.commit()
    return contact_id


def _find(
    database: Database, user: CurrentUser, text: str, **kw: int
) -> list[SearchHit]:
    with database.session() as session:
        return global_search.find(session, user, text, region="GB", **kw)


def _found(database: Database, user: CurrentUser, text: str) -> set[tuple[str, int]]:
    return {(hit.kind, hit.id) for hit in _find(database, user, text)}


@pytest.mark.parametrize(
    "typed",
    [
        "020 7946 0123",
        "02079460123",
        "+44 20 7946 0123",
        "+442079460123",
        "0044 20 7946 0123",
        "(020) 7946-0123",
    ],
)
def test_a_phone_typed_in_another_format_finds_the_stored_number(
    database: Database, admin: CurrentUser, typed: str
) -> None:
    wanted = _contact(database, admin, "Grace", "Hopper", phone="+44 20 7946 0123")
    _contact(database, admin, "Alan", "Turing", phone="+44 20 7946 0999")

    hits = _find(database, admin, typed)

    assert [(hit.kind, hit.id) for hit in hits] == [("contact", wanted)]
    assert hits[0].title == "Grace Hopper"
    # Shown in national form: the business is in the number's country.
    assert hits[0].subtitle == "020 7946 0123"


def test_a_company_is_found_by_its_phone_in_another_format(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        data = CompanyData(name="Acme Roofing", phone="+44 20 7946 0555")
        company_id = companies.create(session, admin, data, region="GB")
        session.commit()

    assert _found(database, admin, "020 7946 0555") == {("company", company_id)}


@pytest.mark.parametrize("typed", ["alvaro", "ALVARO", "Álvaro", "álv", "nunez"])
def test_accents_and_case_never_matter(
    database: Database, admin: CurrentUser, typed: str
) -> None:
    wanted = _contact(database, admin, "Álvaro", "Núñez")
    _contact(database, admin, "Alan", "Turing")

    assert _found(database, admin, typed) == {("contact", wanted)}


def test_an_email_finds_its_contact_in_any_case(
    database: Database, admin: CurrentUser
) -> None:
    wanted = _contact(
        database, admin, "Grace", "Hopper", email="grace.hopper@navy.example"
    )
    _contact(database, admin, "Alan", "Turing", email="alan@bletchley.example")

    hits = _find(database, admin, "Grace.Hopper@Navy.example")

    assert [(hit.kind, hit.id) for hit in hits] == [("contact", wanted)]
    assert hits[0].subtitle == "grace.hopper@navy.example"


def test_hits_come_grouped_by_kind_the_best_match_first(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        company_id = companies.create(
            session, admin, CompanyData(name="Nordwind GmbH", city="Kiel"), region="GB"
        )
        lead = next(s.id for s in deals.stages(session) if s.name == "Lead")
        data = DealData(
            "Nordwind boilers", lead, Decimal("1250.50"), "EUR", company_id=company_id
        )
        deal_id = deals.create(session, admin, data)
        session.commit()
    contact_id = _contact(database, admin, "Nora", "Fischer", organization="Nordwind")

    hits = _find(database, admin, "nordwind")

    # The company and the deal start with the word; the contact only works
    # there. On a tie, companies come before deals.
    assert [(hit.kind, hit.id) for hit in hits] == [
        ("company", company_id),
        ("deal", deal_id),
        ("contact", contact_id),
    ]
    assert hits[0].subtitle == "Kiel"
    assert hits[1].subtitle == "€1,250.50 · Lead · Nordwind GmbH"
    assert hits[2].subtitle == "Nordwind"


def test_names_that_start_with_the_query_come_first(
    database: Database, admin: CurrentUser
) -> None:
    elsewhere = _contact(
        database, admin, "Zed", "Zimmer", email="anna.example@example.com"
    )
    later_word = _contact(database, admin, "Bea", "Anna")
    prefix = _contact(database, admin, "Annabel", "Young")
    exact = _contact(database, admin, "Anna", "")

    hits = _find(database, admin, "anna")

    assert [hit.id for hit in hits] == [exact, prefix, later_word, elsewhere]
    assert [hit.rank for hit in hits] == [0, 1, 2, 3]


def test_each_kind_stops_at_its_limit(database: Database, admin: CurrentUser) -> None:
    for index in range(5):
        _contact(database, admin, "Kofi", f"Okafor{index}")

    assert len(_find(database, admin, "kofi", limit_per_kind=3)) == 3


def test_staff_do_not_find_another_staff_users_unshared_contact(
    database: Database, admin: CurrentUser
) -> None:
    ann = add_user(database, admin, "ann", "staff")
    tom = add_user(database, admin, "tom", "staff")
    private = _contact(database, ann, "Priya", "Private")
    shared = _contact(database, ann, "Priya", "Shared", shared=True)
    own = _contact(database, tom, "Priya", "Own")

    assert _found(database, tom, "priya") == {("contact", shared), ("contact", own)}
    assert ("contact", private) in _found(database, ann, "priya")
    assert ("contact", private) in _found(database, admin, "priya")


def test_records_the_user_cannot_see_never_crowd_out_those_they_can(
    database: Database, admin: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(global_search, "CANDIDATES", 2)
    ann = add_user(database, admin, "ann", "staff")
    tom = add_user(database, admin, "tom", "staff")
    for family in ("One", "Two", "Three"):
        _contact(database, ann, "Priya", family)
    trashed = _contact(database, tom, "Priya", "Trashed")
    with database.session() as session:
        contacts.trash(session, tom, trashed, 1)
        session.commit()
    own = _contact(database, tom, "Priya", "Own")

    assert _found(database, tom, "priya") == {("contact", own)}


def test_trashed_records_are_not_found(database: Database, admin: CurrentUser) -> None:
    trashed = _contact(database, admin, "Tessa", "Trashed")
    kept = _contact(database, admin, "Tessa", "Kept")
    with database.session() as session:
        contacts.trash(session, admin, trashed, 1)
        session.commit()

    assert _found(database, admin, "tessa") == {("contact", kept)}


@pytest.mark.parametrize("typed", ["", "   ", "\t\n", "--", "!?"])
def test_blank_text_finds_nothing(
    database: Database, admin: CurrentUser, typed: str
) -> None:
    _contact(database, admin, "Ada", "Lovelace")

    assert _find(database, admin, typed) == []


def test_wildcards_in_the_text_are_plain_characters(
    database: Database, admin: CurrentUser
) -> None:
    _contact(database, admin, "Ada", "Lovelace")

    # Taken as a wildcard, 'a%a' would rank 'Ada Lovelace' as a prefix match.
    [hit] = _find(database, admin, "a%a")
    assert hit.rank == global_search.RANK_OTHER
    assert _find(database, admin, 'ada" OR *') == []


def test_a_limit_below_one_is_refused(database: Database, admin: CurrentUser) -> None:
    with pytest.raises(ValueError, match="limit_per_kind"):
        _find(database, admin, "ada", limit_per_kind=0)
