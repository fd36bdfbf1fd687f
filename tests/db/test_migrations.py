"""The schema: migrations match the models, and newer schemas are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from crm_desktop.db.database import Database, open_database
from crm_desktop.db.errors import DatabaseUnavailableError, SchemaTooNewError
from crm_desktop.db.migrate import head_revision
from crm_desktop.db.migrations.env_filters import include_name
from crm_desktop.db.models import Base


# SQLite cannot reflect the expression indexes the lists sort owners by, so
# there they are left out of the comparison; PostgreSQL compares them, and
# tests/services/test_list_filters.py checks SQLite's plans use them.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_build_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if not _same_time_sort(d)] == []


# PostgreSQL reflects the latest-time constant of these indexes as it parsed
# it ('9999-01-01 00:00:00+00'::timestamp with time zone), never as the
# models write it; test_nullable_sort_migration.py checks its text there.
TIME_SORTS = {"ix_activities_due_sort", "ix_activities_done_sort"}


def _same_time_sort(difference: object) -> bool:
    if not isinstance(difference, tuple) or len(difference) != 2:
        return False
    kind, index = difference
    return kind in ("add_index", "remove_index") and index.name in TIME_SORTS


def test_reopening_keeps_the_schema_and_data(database_url: str) -> None:
    first = open_database(database_url)
    with first.engine.begin() as connection:
        connection.execute(text("INSERT INTO tags (name) VALUES ('kept')"))
    first.dispose()
    second = open_database(database_url)
    with second.engine.connect() as connection:
        assert connection.scalar(text("SELECT name FROM tags")) == "kept"
    assert second.schema_revision == head_revision()
    second.dispose()


def test_newer_schema_is_refused_naming_both_versions(database_url: str) -> None:
    database = open_database(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    with pytest.raises(SchemaTooNewError) as raised:
        open_database(database_url)
    assert "9999" in str(raised.value)
    assert head_revision() in str(raised.value)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'crm.db'}"
    with pytest.raises(DatabaseUnavailableError, match="does not exist"):
        open_database(url)
    assert not (tmp_path / "no").exists()


def test_missing_file_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(DatabaseUnavailableError, match="no database file"):
        open_database(f"sqlite:///{path}", create=False)
    assert not path.exists()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'crm.db'}")
    with database.engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA busy_timeout")) == 60000
    database.dispose()


def test_unreachable_server_is_a_clear_error() -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    with pytest.raises(DatabaseUnavailableError, match="Cannot open the database"):
        open_database("postgresql://nobody@127.0.0.1:9/none")
