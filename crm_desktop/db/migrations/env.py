"""Alembic environment: runs on the connection crm_desktop hands it."""

from __future__ import annotations

from alembic import context

from crm_desktop.db.migrations.env_filters import include_name
from crm_desktop.db.models import Base

connection = context.config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
