"""Indexes for sorting every list column and filtering by created period.

Each list pages by keyset along an index of (sort value, id) over live rows;
without one, a page sorted by a column has to sort the whole table first
(a second or more at a million contacts). The owner columns sort by
coalesce(owner_id, 0), so a record whose owner was removed still has a key.
contacts.created_at serves the created-period filter's count.

On a big database this revision builds the indexes once, at start-up: a few
seconds for a million contacts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
OWNER_SORT = "coalesce(owner_id, 0)"

# NOTE: a frozen copy of the models' indexes as this revision made them.
INDEXES: dict[str, tuple[str, list[str | sa.TextClause]]] = {
    "ix_contacts_job_title": ("contacts", ["job_title", "id"]),
    "ix_contacts_primary_phone": ("contacts", ["primary_phone", "id"]),
    "ix_contacts_city": ("contacts", ["city", "id"]),
    "ix_contacts_owner_sort": ("contacts", [sa.text(OWNER_SORT), "id"]),
    "ix_contacts_created": ("contacts", ["created_at", "id"]),
    "ix_companies_industry": ("companies", ["industry", "id"]),
    "ix_companies_website": ("companies", ["website", "id"]),
    "ix_companies_city": ("companies", ["city", "id"]),
    "ix_companies_country": ("companies", ["country", "id"]),
    "ix_companies_phone": (
        "companies",
        [sa.text("coalesce(phone_e164, phone_raw)"), "id"],
    ),
    "ix_companies_owner_sort": ("companies", [sa.text(OWNER_SORT), "id"]),
    "ix_deals_currency": ("deals", ["currency", "id"]),
    "ix_deals_owner_sort": ("deals", [sa.text(OWNER_SORT), "id"]),
    "ix_activities_kind": ("activities", ["kind", "id"]),
    "ix_activities_owner_sort": ("activities", [sa.text(OWNER_SORT), "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
