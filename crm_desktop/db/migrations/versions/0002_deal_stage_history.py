"""Deal stage history, and the indexes the pipeline board reads deals by.

deal_stage_history holds one row per step a deal takes through the pipeline.
Deals that exist before this revision get no rows: their past steps were
never recorded, and a made-up first step would be wrong for every deal that
has moved since it was created. Their history starts with their next move.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deal_stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lost_reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_deal_stage_history_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_stage_history_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deal_stage_history_from_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deal_stage_history_to_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_stage_history")),
    )
    with op.batch_alter_table("deal_stage_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deal_stage_history_deal_changed",
            ["deal_id", "changed_at"],
            unique=False,
        )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for name, columns in BOARD_INDEXES.items():
            batch_op.create_index(
                name,
                columns,
                unique=False,
                sqlite_where=sa.text("deleted_at IS NULL"),
                postgresql_where=sa.text("deleted_at IS NULL"),
            )


# The board's count and totals per stage read the first index alone; each
# column's first cards come in order from one of the other two.
BOARD_INDEXES = {
    "ix_deals_board_totals": [
        "stage_id",
        "currency",
        "owner_id",
        "is_shared",
        "expected_close",
        "amount",
    ],
    "ix_deals_stage_expected_close": ["stage_id", "expected_close", "id"],
    "ix_deals_stage_closed_at": ["stage_id", "closed_at", "id"],
}


def downgrade() -> None:
    with op.batch_alter_table("deals", schema=None) as batch_op:
        for name in BOARD_INDEXES:
            batch_op.drop_index(
                name,
                sqlite_where=sa.text("deleted_at IS NULL"),
                postgresql_where=sa.text("deleted_at IS NULL"),
            )

    with op.batch_alter_table("deal_stage_history", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_stage_history_deal_changed")

    op.drop_table("deal_stage_history")
