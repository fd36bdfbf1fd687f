"""The full-text index follows every write, and revision 0004 on old rows.

On PostgreSQL the index is the generated column `search_vector` with its GIN
index; on SQLite the FTS5 tables kept by triggers. Each test asks the index
itself which rows a word finds, the way searches do, on both back-ends.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Connection, event, insert, inspect, text

from crm_desktop.db import search
from crm_desktop.db.database import Database, open_database
from crm_desktop.db.engine import make_engine, normalize_url
from crm_desktop.db.migrate import alembic_config, current_revision, head_revision
from crm_desktop.db.models import Contact
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import (
    companies,
    contact_import,
    contacts,
    demo,
    listing,
    lists,
)
from crm_desktop.services.companies import CompanyData
from crm_desktop.services.records import ContactRecord, ParseResult

SEARCHABLE = ("contacts", "companies", "deals", "activities")


def _found(connection: Connection, table: str, word: str) -> list[int]:
    """Return the ids of live rows the full-text index finds for a prefix."""
    if connection.dialect.name == "sqlite":
        query = text(
            f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :q ORDER BY 1"
        )
        return list(connection.scalars(query, {"q": f'"{word}"*'}))
    query = text(
        f"SELECT id FROM {table} WHERE deleted_at IS NULL "
        "AND search_vector @@ to_tsquery('simple', :q) ORDER BY 1"
    )
    return list(connection.scalars(query, {"q": f"{word}:*"}))


def _stale_rows(connection: Connection, table: str) -> int:
    """Return how many rows the index disagrees with about their search_doc."""
    if connection.dialect.name == "sqlite":
        # FTS5 compares its index with the content table; it raises on any
        # difference, so a clean check counts none.
        fts = f"{table}_fts"
        check = f"INSERT INTO {fts}({fts}, rank) VALUES('integrity-check', 1)"
        connection.execute(text(check))
        return 0
    query = text(
        f"SELECT count(*) FROM {table} WHERE search_vector IS DISTINCT FROM "
        "strip(to_tsvector('simple', search_doc))"
    )
    return int(connection.scalar(query) or 0)


def _record(given: str, family: str) -> ContactRecord:
    return ContactRecord(line=0, given_name=given, family_name=family)


def test_created_and_updated_contacts_are_found_by_their_new_words(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        contact_id = contacts.create(
            session, admin, _record("Wilhelmina", "Quackenbush"), region="GB"
        )
        session.commit()
        with database.engine.connect() as connection:
            assert _found(connection, "contacts", "quacken") == [contact_id]

        contacts.update(
            session,
            admin,
            contact_id,
            1,
            _record("Wilhelmina", "Zabrowski"),
            region="GB",
        )
        session.commit()

    with database.engine.connect() as connection:
        assert _found(connection, "contacts", "quacken") == []
        assert _found(connection, "contacts", "zabrow") == [contact_id]
        assert _found(connection, "contacts", "wilhel") == [contact_id]


def test_created_companies_are_found_by_name_and_domain(
    database: Database, admin: CurrentUser
) -> None:
    with database.session() as session:
        company_id = companies.create(
            session,
            admin,
            CompanyData(name="Łódź Vandelay", domain="vandelay.example"),
            region="GB",
        )
        session.commit()

    with database.engine.connect() as connection:
        assert _found(connection, "companies", "vandel") == [company_id]
        assert _found(connection, "companies", "lodz") == [company_id]
        assert _found(connection, "companies", "exampl") == [company_id]


def test_imported_contacts_are_found(database: Database, admin: CurrentUser) -> None:
    parsed = ParseResult(
        records=[_record("Ottilie", "Brennecke"), _record("Aurelio", "Brenner")],
        rejected=[],
        warnings=[],
        skipped_empty=0,
        encoding="utf-8",
        delimiter=",",
        layout="test",
    )
    with database.session() as session:
        summary = contact_import.write_contacts(
            session, admin, parsed, file_name="people.csv", region="GB"
        )

    assert summary.created == 2
    with database.engine.connect() as connection:
        assert len(_found(connection, "contacts", "brenn")) == 2
        assert len(_found(connection, "contacts", "ottil")) == 1


def test_demo_rows_written_in_bulk_are_all_indexed(database: Database) -> None:
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
    demo.DemoGenerator(database, seed=7, now=now).generate(200)

    with database.engine.connect() as connection:
        for table in SEARCHABLE:
            assert _stale_rows(connection, table) == 0, table
        family, contact_id = connection.execute(
            text("SELECT family_name, id FROM contacts ORDER BY id LIMIT 1")
        ).one()
        word = search.words(family)[0]
        assert contact_id in _found(connection, "contacts", word)


def test_upgrade_indexes_rows_written_before_it(database_url: str) -> None:
    engine = make_engine(normalize_url(database_url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.execute(
            text(
                "INSERT INTO contacts (id, display_name, search_doc) VALUES "
                "(1, 'Old One', 'old one oldtimer'), "
                "(2, 'Old Two', 'old two 442079460123')"
            )
        )
    engine.dispose()

    database = open_database(database_url)

    with database.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert _found(connection, "contacts", "oldtim") == [1]
        assert _found(connection, "contacts", "old") == [1, 2]
        assert _found(connection, "contacts", "4420794") == [2]
        assert _stale_rows(connection, "contacts") == 0
    database.dispose()


def _search_index_definition(connection: Connection, table: str) -> str:
    query = text("SELECT indexdef FROM pg_indexes WHERE indexname = :name")
    return str(connection.scalar(query, {"name": f"ix_{table}_search"}))


@pytest.mark.parametrize("table", SEARCHABLE)
def test_downgrade_to_0003_gives_back_the_expression_index(
    database_url: str, table: str
) -> None:
    open_database(database_url).dispose()
    engine = make_engine(normalize_url(database_url))

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0003")

    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns(table)}
        assert "search_vector" not in columns
        assert "search_doc" in columns
        assert current_revision(connection) == "0003"
        if connection.dialect.name == "postgresql":
            definition = _search_index_definition(connection, table)
            assert "to_tsvector('simple'::regconfig, search_doc)" in definition
            assert "WHERE (deleted_at IS NULL)" in definition
    engine.dispose()


def _fill_contacts(database: Database, count: int) -> None:
    rows = [
        {
            "display_name": f"Person {n:05d}",
            "sort_name": f"person {n:05d}",
            "search_doc": f"person {n:05d} commonword",
        }
        for n in range(count)
    ]
    with database.engine.begin() as connection:
        connection.execute(insert(Contact.__table__), rows)
        connection.execute(text("ANALYZE contacts"))


def _page_statements(
    database: Database, user: CurrentUser, query: str
) -> tuple[list[int], list[str]]:
    statements: list[str] = []

    def capture(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.session() as session:
            request = listing.ListRequest(search=query)
            rows = listing.fetch_page(session, user, lists.CONTACTS, request, limit=5)
    finally:
        event.remove(database.engine, "before_cursor_execute", capture)
    return [row.id for row in rows], statements


def test_a_prefix_the_statistics_call_common_walks_without_counting(
    database: Database, admin: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With 3,000 rows all holding the word and a threshold of 1,000,
    # PostgreSQL's statistics of search_vector expect every row to match:
    # the page walks the sort index at once. SQLite has no such statistics
    # and counts matches in its FTS5 table first. Both give the same rows.
    _fill_contacts(database, 3_000)
    monkeypatch.setitem(search.WALK_MIN_MATCHES, database.backend, 1_000)

    ids, statements = _page_statements(database, admin, "commonw")

    with database.engine.connect() as connection:
        first = connection.scalars(
            text("SELECT id FROM contacts ORDER BY sort_name, id LIMIT 5")
        )
        assert ids == list(first)
    counts = [s for s in statements if "LIMIT" in s and "ORDER BY" not in s]
    if database.backend == "postgresql":
        assert statements[0].startswith("EXPLAIN")
        assert counts == []
        assert "strip(contacts.search_vector)" in statements[-1]
    else:
        assert len(counts) == 1
        assert "contacts_fts MATCH" in counts[0]
