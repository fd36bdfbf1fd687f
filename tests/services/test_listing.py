"""Lists on both back-ends: keyset pages, sorting, trash and search."""

from __future__ import annotations

import pytest

from crm_desktop.db import search
from crm_desktop.db.database import Database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import contacts, listing, lists
from crm_desktop.services.records import ContactRecord, EmailValue, PhoneValue

NAMES = [
    ("Álvaro", "Núñez"),
    ("Zoë", "Adams"),
    ("Ирина", "Волкова"),
    ("Bob", "Brown"),
    ("Chloé", "Moreau"),
    ("alice", "Zimmer"),
    ("Νίκος", "Παπαδάκης"),
    ("Åsa", "Lund"),
    ("Bob", "Brown"),
]


@pytest.fixture
def people(database: Database, admin: CurrentUser) -> list[int]:
    ids = []
    with database.session() as session:
        for index, (given, family) in enumerate(NAMES):
            record = ContactRecord(
                line=0,
                given_name=given,
                family_name=family,
                emails=[EmailValue(f"person{index}@example.com")],
                phones=[PhoneValue(f"020 7946 0{index:03d}", None, "work")],
            )
            ids.append(contacts.create(session, admin, record, region="GB"))
        session.commit()
    return ids


def _names(rows: list[listing.ListRow]) -> list[str]:
    return [row.values[0] for row in rows]


def _all_rows(
    database: Database, user: CurrentUser, request: listing.ListRequest, size: int
) -> list[listing.ListRow]:
    rows: list[listing.ListRow] = []
    with database.session() as session:
        while True:
            after = rows[-1].key if rows else None
            page = listing.fetch_page(
                session, user, lists.CONTACTS, request, after=after, limit=size
            )
            rows += page
            if len(page) < size:
                return rows


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_the_whole_list_in_order(
    database: Database, admin: CurrentUser, people: list[int], descending: bool
) -> None:
    request = listing.ListRequest(descending=descending)
    walked = _all_rows(database, admin, request, size=2)
    expected = sorted(
        (
            contacts.display_name_for(ContactRecord(0, given_name=g, family_name=f))
            for g, f in NAMES
        ),
        key=lambda name: listing_sort_key(name),
        reverse=descending,
    )
    assert len(walked) == len(NAMES)
    assert _names(walked) == expected
    assert len({row.id for row in walked}) == len(NAMES)


def listing_sort_key(name: str) -> str:
    from crm_desktop.db.search import sort_key

    return sort_key(name)


def test_accents_and_case_fold_in_the_sort(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    names = _names(_all_rows(database, admin, listing.ListRequest(), size=50))
    # 'alice Zimmer' and 'Åsa Lund' sort under A, 'Álvaro' under A too.
    assert names[:3] == ["alice Zimmer", "Álvaro Núñez", "Åsa Lund"]


def test_pages_backwards_and_from_the_end_match_forward_order(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    request = listing.ListRequest()
    walked = _all_rows(database, admin, request, size=50)
    with database.session() as session:
        last = listing.fetch_page(
            session, admin, lists.CONTACTS, request, from_end=True, limit=3
        )
        before = listing.fetch_page(
            session, admin, lists.CONTACTS, request, before=walked[5].key, limit=2
        )
        middle = listing.fetch_page(
            session, admin, lists.CONTACTS, request, offset=4, limit=2
        )
    assert [r.id for r in last] == [r.id for r in walked[-3:]]
    assert [r.id for r in before] == [r.id for r in walked[3:5]]
    assert [r.id for r in middle] == [r.id for r in walked[4:6]]


def test_sort_by_updated_pages_by_time_key(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    request = listing.ListRequest(sort="updated", descending=True)
    with database.session() as session:
        first = listing.fetch_page(session, admin, lists.CONTACTS, request, limit=4)
        rest = listing.fetch_page(
            session, admin, lists.CONTACTS, request, after=first[-1].key, limit=50
        )
    ids = [r.id for r in first + rest]
    assert ids == sorted(people, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alvaro", ["Álvaro Núñez"]),
        ("NUNEZ", ["Álvaro Núñez"]),
        ("волк", ["Ирина Волкова"]),
        ("παπαδακης", ["Νίκος Παπαδάκης"]),
        ("bob brown", ["Bob Brown", "Bob Brown"]),
        ("person3@example", ["Bob Brown"]),
        ("020 7946 0002", ["Ирина Волкова"]),
        ("+44 20 7946 0002", ["Ирина Волкова"]),
        ("(020) 7946-0002", ["Ирина Волкова"]),
        ("nobody", []),
    ],
)
def test_search_matches_names_emails_and_phones(
    database: Database,
    admin: CurrentUser,
    people: list[int],
    query: str,
    expected: list[str],
) -> None:
    request = listing.ListRequest(search=query)
    with database.session() as session:
        rows = listing.fetch_page(session, admin, lists.CONTACTS, request)
        count = listing.count(session, admin, lists.CONTACTS, request)
    assert _names(rows) == expected
    assert count == len(expected)


def test_trashed_rows_leave_the_list_and_appear_in_trash(
    database: Database, admin: CurrentUser, people: list[int]
) -> None:
    with database.session() as session:
        contacts.trash(session, admin, people[0], 1)
        session.commit()
        live = listing.count(session, admin, lists.CONTACTS, listing.ListRequest())
        trash = listing.fetch_page(
            session, admin, lists.CONTACTS, listing.ListRequest(trashed=True)
        )
    assert live == len(NAMES) - 1
    assert [r.id for r in trash] == [people[0]]


@pytest.mark.parametrize("query", ["b", "bob brown", "020 7946 0003", "person", "zz"])
def test_search_pages_are_the_same_whichever_way_the_rows_are_read(
    database: Database,
    admin: CurrentUser,
    people: list[int],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    # page_match walks the sort index when many rows match and sorts the
    # matches when few do; a threshold of 1 forces the walk, a huge one the
    # sort. Both must give the same pages, two rows at a time.
    request = listing.ListRequest(search=query, region="GB")
    pages = {}
    for threshold in (1, 10**9):
        monkeypatch.setitem(search.WALK_MIN_MATCHES, database.backend, threshold)
        pages[threshold] = [r.id for r in _all_rows(database, admin, request, 2)]

    assert pages[1] == pages[10**9]
    expected = {"b": 2, "bob brown": 2, "020 7946 0003": 1, "person": 9, "zz": 0}
    assert len(pages[1]) == expected[query]
