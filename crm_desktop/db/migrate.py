"""Bring a database's schema to the version this program knows."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from crm_desktop.db.errors import SchemaTooNewError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic config for the shipped migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest schema revision this program ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """Return the database's schema revision, or None when it has none."""
    return MigrationContext.configure(connection).get_current_revision()


def _is_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine) -> str:
    """Apply pending migrations and return the revision now in use.

    Raises:
        SchemaTooNewError: the database is newer than this program.
    """
    script = ScriptDirectory.from_config(alembic_config())
    with engine.begin() as connection:
        revision = current_revision(connection)
        if revision is not None and not _is_known(script, revision):
            raise SchemaTooNewError(revision, head_revision())
        if revision != script.get_current_head():
            logger.info("migrating schema from %s to %s", revision, head_revision())
            command.upgrade(alembic_config(connection), "head")
    return head_revision()
