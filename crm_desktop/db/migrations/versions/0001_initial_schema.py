"""Initial schema: every table of docs/schema.md and the full-text indexes.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 20:19:47.438239
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=200), server_default="", nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "entity IN ('contact', 'company')", name=op.f("ck_custom_fields_entity")
        ),
        sa.CheckConstraint(
            "type IN ('text', 'number', 'date')", name=op.f("ck_custom_fields_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
    )
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.create_index(
            "uq_custom_fields_entity_name", ["entity", "name"], unique=True
        )

    op.create_table(
        "pipeline_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("probability", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("kind", sa.String(length=8), server_default="open", nullable=False),
        sa.CheckConstraint(
            "kind IN ('open', 'won', 'lost')", name=op.f("ck_pipeline_stages_kind")
        ),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 100", name=op.f("ck_pipeline_stages_probability")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stages")),
        sa.UniqueConstraint("name", name=op.f("uq_pipeline_stages_name")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column(
            "full_name", sa.String(length=200), server_default="", nullable=False
        ),
        sa.Column("email", sa.String(length=320), server_default="", nullable=False),
        sa.Column("role", sa.String(length=16), server_default="staff", nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'manager', 'staff', 'read_only')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_log_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_record", ["table_name", "record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "sort_name", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column("domain", sa.String(length=255), server_default="", nullable=False),
        sa.Column("industry", sa.String(length=120), server_default="", nullable=False),
        sa.Column("phone_raw", sa.String(length=64), server_default="", nullable=False),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("website", sa.String(length=500), server_default="", nullable=False),
        sa.Column("street", sa.Text(), server_default="", nullable=False),
        sa.Column("city", sa.String(length=120), server_default="", nullable=False),
        sa.Column("region", sa.String(length=120), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=32), server_default="", nullable=False),
        sa.Column("country", sa.String(length=120), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("is_shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_doc", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_companies_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_companies_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_companies_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_companies_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_companies_sort_name",
            ["sort_name", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_companies_updated",
            ["updated_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "company_custom_values",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_custom_values_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["custom_fields.id"],
            name=op.f("fk_company_custom_values_field_id_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "company_id", "field_id", name=op.f("pk_company_custom_values")
        ),
    )
    op.create_table(
        "company_tags",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_tags_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_company_tags_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "tag_id", name=op.f("pk_company_tags")),
    )
    with op.batch_alter_table("company_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_company_tags_tag_id"), ["tag_id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column(
            "display_name", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column(
            "sort_name", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column("prefix", sa.String(length=40), server_default="", nullable=False),
        sa.Column(
            "given_name", sa.String(length=120), server_default="", nullable=False
        ),
        sa.Column(
            "middle_name", sa.String(length=120), server_default="", nullable=False
        ),
        sa.Column(
            "family_name", sa.String(length=120), server_default="", nullable=False
        ),
        sa.Column("suffix", sa.String(length=40), server_default="", nullable=False),
        sa.Column("nickname", sa.String(length=120), server_default="", nullable=False),
        sa.Column(
            "organization", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column(
            "sort_company", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column(
            "department", sa.String(length=200), server_default="", nullable=False
        ),
        sa.Column(
            "job_title", sa.String(length=200), server_default="", nullable=False
        ),
        sa.Column("birthday_year", sa.SmallInteger(), nullable=True),
        sa.Column("birthday_month", sa.SmallInteger(), nullable=True),
        sa.Column("birthday_day", sa.SmallInteger(), nullable=True),
        sa.Column("anniversary_year", sa.SmallInteger(), nullable=True),
        sa.Column("anniversary_month", sa.SmallInteger(), nullable=True),
        sa.Column("anniversary_day", sa.SmallInteger(), nullable=True),
        sa.Column(
            "lead_source", sa.String(length=60), server_default="", nullable=False
        ),
        sa.Column(
            "status", sa.String(length=30), server_default="active", nullable=False
        ),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "primary_email", sa.String(length=320), server_default="", nullable=False
        ),
        sa.Column(
            "primary_phone", sa.String(length=64), server_default="", nullable=False
        ),
        sa.Column("city", sa.String(length=120), server_default="", nullable=False),
        sa.Column("is_shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_doc", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_contacts_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_contacts_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_contacts_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_contacts_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_primary_email",
            ["primary_email", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_contacts_sort_company",
            ["sort_company", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_contacts_sort_name",
            ["sort_name", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_contacts_updated",
            ["updated_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "contact_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "label", sa.String(length=60), server_default="other", nullable=False
        ),
        sa.Column("street", sa.Text(), server_default="", nullable=False),
        sa.Column("city", sa.String(length=120), server_default="", nullable=False),
        sa.Column("region", sa.String(length=120), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=32), server_default="", nullable=False),
        sa.Column("country", sa.String(length=120), server_default="", nullable=False),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_addresses_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_addresses")),
    )
    with op.batch_alter_table("contact_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_addresses_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "contact_custom_values",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_custom_values_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["custom_fields.id"],
            name=op.f("fk_contact_custom_values_field_id_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contact_id", "field_id", name=op.f("pk_contact_custom_values")
        ),
    )
    op.create_table(
        "contact_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column(
            "label", sa.String(length=60), server_default="other", nullable=False
        ),
        sa.Column(
            "is_primary", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_emails_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_emails")),
    )
    with op.batch_alter_table("contact_emails", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_emails_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_contact_emails_email_key", ["email_key"], unique=False
        )

    op.create_table(
        "contact_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("raw", sa.String(length=64), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=True),
        sa.Column("extension", sa.String(length=20), nullable=True),
        sa.Column(
            "label", sa.String(length=60), server_default="other", nullable=False
        ),
        sa.Column(
            "is_primary", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_phones_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_phones")),
    )
    with op.batch_alter_table("contact_phones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_phones_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index("ix_contact_phones_e164", ["e164"], unique=False)

    op.create_table(
        "contact_tags",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_tags_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["tags.id"],
            name=op.f("fk_contact_tags_tag_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "tag_id", name=op.f("pk_contact_tags")),
    )
    with op.batch_alter_table("contact_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_tags_tag_id"), ["tag_id"], unique=False
        )

    op.create_table(
        "contact_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.Column(
            "label", sa.String(length=60), server_default="other", nullable=False
        ),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_urls_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_urls")),
    )
    with op.batch_alter_table("contact_urls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_urls_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "sort_title", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column(
            "amount",
            sa.Numeric(precision=14, scale=2),
            server_default="0",
            nullable=False,
        ),
        sa.Column(
            "currency", sa.String(length=3), server_default="EUR", nullable=False
        ),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lost_reason", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "lead_source", sa.String(length=60), server_default="", nullable=False
        ),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("is_shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_doc", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_deals_amount")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_deals_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_deals_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_deals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_deals_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_deals_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_deals_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deals_amount",
            ["amount", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_deals_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deals_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_deals_expected_close",
            ["expected_close", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_deals_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_deals_sort_title",
            ["sort_title", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_deals_stage",
            ["stage_id", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_deals_updated",
            ["updated_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column(
            "sort_subject", sa.String(length=300), server_default="", nullable=False
        ),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("is_shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_doc", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('call', 'meeting', 'email', 'note', 'task')",
            name=op.f("ck_activities_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_activities_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_activities_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_activities_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_activities_deal_id_deals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_activities_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_activities_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activities_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activities_deal_id"), ["deal_id"], unique=False
        )
        batch_op.create_index(
            "ix_activities_due",
            ["due_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_activities_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_activities_sort_subject",
            ["sort_subject", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_activities_updated",
            ["updated_at", "id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
    create_search_indexes()


# Tables whose search_doc column is indexed for full-text search.
SEARCHABLE = ("contacts", "companies", "deals", "activities")


def create_search_indexes() -> None:
    """FTS5 tables kept by triggers on SQLite; GIN expression indexes on PG."""
    if op.get_bind().dialect.name == "sqlite":
        for table in SEARCHABLE:
            for statement in _sqlite_fts(table):
                op.execute(statement)
    else:
        for table in SEARCHABLE:
            op.execute(
                f"CREATE INDEX ix_{table}_search ON {table} "
                "USING gin (to_tsvector('simple', search_doc)) "
                "WHERE deleted_at IS NULL"
            )


def _sqlite_fts(table: str) -> list[str]:
    # An external-content FTS5 table: the text lives once, in the table
    # itself; the triggers keep the index in step with every write.
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_doc, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_doc) VALUES (new.id, new.search_doc); "
        "END",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_doc) "
        "VALUES ('delete', old.id, old.search_doc); END",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_doc ON {table} "
        f"BEGIN INSERT INTO {fts}({fts}, rowid, search_doc) "
        "VALUES ('delete', old.id, old.search_doc); "
        f"INSERT INTO {fts}(rowid, search_doc) VALUES (new.id, new.search_doc); "
        "END",
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SEARCHABLE:
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_activities_updated",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_activities_sort_subject",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_activities_owner_id"))
        batch_op.drop_index(
            "ix_activities_due",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_activities_deal_id"))
        batch_op.drop_index(batch_op.f("ix_activities_contact_id"))
        batch_op.drop_index(batch_op.f("ix_activities_company_id"))

    op.drop_table("activities")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_deals_updated",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_deals_stage",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_deals_sort_title",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_deals_owner_id"))
        batch_op.drop_index(
            "ix_deals_expected_close",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_deals_contact_id"))
        batch_op.drop_index(batch_op.f("ix_deals_company_id"))
        batch_op.drop_index(
            "ix_deals_amount",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.drop_table("deals")
    with op.batch_alter_table("contact_urls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_urls_contact_id"))

    op.drop_table("contact_urls")
    with op.batch_alter_table("contact_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_tags_tag_id"))

    op.drop_table("contact_tags")
    with op.batch_alter_table("contact_phones", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_phones_e164")
        batch_op.drop_index(batch_op.f("ix_contact_phones_contact_id"))

    op.drop_table("contact_phones")
    with op.batch_alter_table("contact_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_emails_email_key")
        batch_op.drop_index(batch_op.f("ix_contact_emails_contact_id"))

    op.drop_table("contact_emails")
    op.drop_table("contact_custom_values")
    with op.batch_alter_table("contact_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_addresses_contact_id"))

    op.drop_table("contact_addresses")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_contacts_updated",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_contacts_sort_name",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_contacts_sort_company",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_contacts_primary_email",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_contacts_owner_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_company_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("company_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_tags_tag_id"))

    op.drop_table("company_tags")
    op.drop_table("company_custom_values")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_companies_updated",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_companies_sort_name",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_companies_owner_id"))

    op.drop_table("companies")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index("ix_audit_log_record")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("users")
    op.drop_table("tags")
    op.drop_table("settings")
    op.drop_table("pipeline_stages")
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.drop_index("uq_custom_fields_entity_name")

    op.drop_table("custom_fields")
