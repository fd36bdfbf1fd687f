"""Sorting deals by company and expected close, activities by due and done.

Deals gain sort_company, their company's sort_name ('' for none), filled
here from the companies and kept current by the services, so the deals list
sorts by company along an index instead of looking the name up for each of
200,000 deals and sorting them all. Expected close, due and done may be
null; their lists sort by coalesce(column, a latest date or time), so rows
without one come last and still have a key to page from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
# NOTE: frozen copies of models.LATEST_DATE and models.LATEST_TIME; the
# lists' sort expressions must match these indexes' text.
LATEST_DATE = "'9999-12-31'"
LATEST_TIME = "'9999-01-01 00:00:00.000000'"

INDEXES: dict[str, tuple[str, list[str | sa.TextClause]]] = {
    "ix_deals_sort_company": ("deals", ["sort_company", "id"]),
    "ix_deals_expected_close_sort": (
        "deals",
        [sa.text(f"coalesce(expected_close, {LATEST_DATE})"), "id"],
    ),
    "ix_activities_due_sort": (
        "activities",
        [sa.text(f"coalesce(due_at, {LATEST_TIME})"), "id"],
    ),
    "ix_activities_done_sort": (
        "activities",
        [sa.text(f"coalesce(done_at, {LATEST_TIME})"), "id"],
    ),
}


def upgrade() -> None:
    op.add_column(
        "deals",
        sa.Column("sort_company", sa.String(300), nullable=False, server_default=""),
    )
    op.execute(
        "UPDATE deals SET sort_company = (SELECT companies.sort_name "
        "FROM companies WHERE companies.id = deals.company_id) "
        "WHERE company_id IS NOT NULL"
    )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_column("deals", "sort_company")
