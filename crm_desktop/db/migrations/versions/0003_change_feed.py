"""Change feed: PostgreSQL tells listening clients which tables were written.

Each record table gets one statement-level trigger after INSERT, UPDATE,
DELETE and TRUNCATE that calls crm_notify_change(), which sends the table's
name on the channel crm_changes. Statement level, not row level: an import of
a million rows in one statement sends one notification, and PostgreSQL folds
identical notifications of one transaction into one, sent at commit.

audit_log is left out: every write adds to it, so it would only double the
traffic, and no screen lists it live.

SQLite has no NOTIFY; clients there watch PRAGMA data_version instead, so
this revision changes nothing in a SQLite file.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 09:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHANNEL = "crm_changes"
FUNCTION = "crm_notify_change"

# NOTE: a frozen copy, not read from the models: a later table joins the feed
# in the revision that creates it, with a trigger like these.
TABLES = (
    "users",
    "settings",
    "companies",
    "contacts",
    "contact_emails",
    "contact_phones",
    "contact_addresses",
    "contact_urls",
    "tags",
    "contact_tags",
    "company_tags",
    "custom_fields",
    "contact_custom_values",
    "company_custom_values",
    "pipeline_stages",
    "deals",
    "deal_stage_history",
    "activities",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END "
        "$$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify_change "
            "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify_change ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
