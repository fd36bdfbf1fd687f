"""Revision 0002 on a database written by 0001: deals kept, history table added."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from crm_desktop.db.database import open_database
from crm_desktop.db.engine import make_engine, normalize_url
from crm_desktop.db.migrate import alembic_config, current_revision, head_revision

BOARD_INDEXES = {
    "ix_deals_board_totals",
    "ix_deals_stage_expected_close",
    "ix_deals_stage_closed_at",
}


def _indexes(connection: object, table: str) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes(table)}


def test_upgrade_keeps_old_deals_and_starts_their_history_empty(
    database_url: str,
) -> None:
    engine = make_engine(normalize_url(database_url))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO pipeline_stages (id, name, position, probability, kind) "
                "VALUES (1, 'Lead', 0, 10, 'open')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO deals (id, title, stage_id, amount, currency) "
                "VALUES (7, 'Old deal', 1, 12.50, 'EUR')"
            )
        )
    engine.dispose()

    database = open_database(database_url)

    with database.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert connection.scalar(text("SELECT title FROM deals")) == "Old deal"
        history = text("SELECT count(*) FROM deal_stage_history")
        assert connection.scalar(history) == 0
        assert _indexes(connection, "deals") >= BOARD_INDEXES
    database.dispose()


def test_downgrade_to_0001_removes_what_0002_added(database_url: str) -> None:
    open_database(database_url).dispose()
    engine = make_engine(normalize_url(database_url))

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")

    with engine.connect() as connection:
        assert "deal_stage_history" not in inspect(connection).get_table_names()
        assert not BOARD_INDEXES & _indexes(connection, "deals")
        assert current_revision(connection) == "0001"
    engine.dispose()
