"""SQLAlchemy models: the documented schema (docs/schema.md).

Table and column names are part of the product: offices write their own SQL
against them. Change them only through an Alembic migration, and update
docs/schema.md in the same commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from crm_desktop.db.types import UtcDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("admin", "manager", "staff", "read_only")
ACTIVITY_KINDS = ("call", "meeting", "email", "note", "task")
STAGE_KINDS = ("open", "won", "lost")
CUSTOM_TYPES = ("text", "number", "date")
CUSTOM_ENTITIES = ("contact", "company")

# Rows still in use; every list index is partial on this so the trash costs
# nothing when browsing.
LIVE = text("deleted_at IS NULL")


def _live_index(name: str, *columns: Any) -> Index:
    """An index of live rows on columns then id, as a keyset page walks it."""
    return Index(name, *columns, "id", sqlite_where=LIVE, postgresql_where=LIVE)


# What a list sorts by owner: the 0 stands for an owner who was removed, and
# is written inline so the lists' expression matches this index's.
OWNER_SORT = "coalesce(owner_id, 0)"

# What a list sorts a missing date or time by: later than any real one, so
# deals with no expected close and activities not due or not done come last.
# NOTE: the time is written as SQLite stores times (microseconds, no zone),
# so a key read back and bound again equals it; the lists' expressions must
# match these indexes' text.
LATEST_DATE = "'9999-12-31'"
LATEST_TIME = "'9999-01-01 00:00:00.000000'"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UtcDateTime()}


def _text(length: int | None = None, default: str = "") -> Any:
    """A NOT NULL text column with the same default in Python and in SQL."""
    kind = String(length) if length else Text
    return mapped_column(kind, default=default, server_default=default)


def _flag(default: bool) -> Any:
    return mapped_column(
        Boolean, default=default, server_default=true() if default else false()
    )


def _number(kind: type[Integer], default: int) -> Any:
    return mapped_column(kind, default=default, server_default=str(default))


def _user_fk(ondelete: str = "RESTRICT") -> Any:
    return ForeignKey("users.id", ondelete=ondelete)


class RecordMixin:
    """Columns every editable record carries: owner, who and when, version."""

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(_user_fk("SET NULL"), index=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(_user_fk("SET NULL"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(_user_fk("SET NULL"))

    is_shared: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, server_default="1"
    )
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Folded text the full-text index is built on (see db/search.py).
    search_doc: Mapped[str] = _text()

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'manager', 'staff', 'read_only')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = _text(200)
    email: Mapped[str] = _text(320)
    role: Mapped[str] = mapped_column(
        String(16), default="staff", server_default="staff"
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    team_id: Mapped[int | None] = mapped_column(Integer, default=None)
    failed_logins: Mapped[int] = _number(Integer, 0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )


class Company(RecordMixin, Base):
    __tablename__ = "companies"
    __table_args__ = (
        Index(
            "ix_companies_sort_name",
            "sort_name",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_companies_updated",
            "updated_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        _live_index("ix_companies_industry", "industry"),
        _live_index("ix_companies_website", "website"),
        _live_index("ix_companies_city", "city"),
        _live_index("ix_companies_country", "country"),
        _live_index("ix_companies_phone", text("coalesce(phone_e164, phone_raw)")),
        _live_index("ix_companies_owner_sort", text(OWNER_SORT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    sort_name: Mapped[str] = _text(300)
    domain: Mapped[str] = _text(255)
    industry: Mapped[str] = _text(120)
    phone_raw: Mapped[str] = _text(64)
    phone_e164: Mapped[str | None] = mapped_column(String(20), default=None)
    website: Mapped[str] = _text(500)
    street: Mapped[str] = _text()
    city: Mapped[str] = _text(120)
    region: Mapped[str] = _text(120)
    postcode: Mapped[str] = _text(32)
    country: Mapped[str] = _text(120)
    notes: Mapped[str] = _text()


class Contact(RecordMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index(
            "ix_contacts_sort_name",
            "sort_name",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_contacts_sort_company",
            "sort_company",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_contacts_primary_email",
            "primary_email",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_contacts_updated",
            "updated_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        _live_index("ix_contacts_job_title", "job_title"),
        _live_index("ix_contacts_primary_phone", "primary_phone"),
        _live_index("ix_contacts_city", "city"),
        _live_index("ix_contacts_owner_sort", text(OWNER_SORT)),
        # The created-period filter counts by it.
        _live_index("ix_contacts_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    sort_name: Mapped[str] = _text(300)
    prefix: Mapped[str] = _text(40)
    given_name: Mapped[str] = _text(120)
    middle_name: Mapped[str] = _text(120)
    family_name: Mapped[str] = _text(120)
    suffix: Mapped[str] = _text(40)
    nickname: Mapped[str] = _text(120)
    organization: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    sort_company: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    department: Mapped[str] = _text(200)
    job_title: Mapped[str] = _text(200)
    birthday_year: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_year: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_month: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary_day: Mapped[int | None] = mapped_column(SmallInteger)
    lead_source: Mapped[str] = _text(60)
    status: Mapped[str] = mapped_column(
        String(30), default="active", server_default="active"
    )
    notes: Mapped[str] = _text()
    # Kept in step with the child tables by the contacts service so that a
    # list page is one indexed read of one table.
    primary_email: Mapped[str] = mapped_column(
        String(320), default="", server_default=""
    )
    primary_phone: Mapped[str] = mapped_column(
        String(64), default="", server_default=""
    )
    city: Mapped[str] = _text(120)


class ContactEmail(Base):
    __tablename__ = "contact_emails"
    __table_args__ = (Index("ix_contact_emails_email_key", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    label: Mapped[str] = mapped_column(
        String(60), default="other", server_default="other"
    )
    is_primary: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    position: Mapped[int] = _number(SmallInteger, 0)


class ContactPhone(Base):
    __tablename__ = "contact_phones"
    __table_args__ = (Index("ix_contact_phones_e164", "e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    raw: Mapped[str] = mapped_column(String(64))
    e164: Mapped[str | None] = mapped_column(String(20))
    extension: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(
        String(60), default="other", server_default="other"
    )
    is_primary: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    position: Mapped[int] = _number(SmallInteger, 0)


class ContactAddress(Base):
    __tablename__ = "contact_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(
        String(60), default="other", server_default="other"
    )
    street: Mapped[str] = _text()
    city: Mapped[str] = _text(120)
    region: Mapped[str] = _text(120)
    postcode: Mapped[str] = _text(32)
    country: Mapped[str] = _text(120)
    position: Mapped[int] = _number(SmallInteger, 0)


class ContactUrl(Base):
    __tablename__ = "contact_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(
        String(60), default="other", server_default="other"
    )
    position: Mapped[int] = _number(SmallInteger, 0)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class ContactTag(Base):
    __tablename__ = "contact_tags"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CompanyTag(Base):
    __tablename__ = "company_tags"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CustomField(Base):
    """A field an admin (or an import mapping) added to contacts or companies."""

    __tablename__ = "custom_fields"
    __table_args__ = (
        CheckConstraint("entity IN ('contact', 'company')", name="entity"),
        CheckConstraint("type IN ('text', 'number', 'date')", name="type"),
        Index("uq_custom_fields_entity_name", "entity", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = _text(200)
    type: Mapped[str] = mapped_column(String(8))


class _CustomValueColumns:
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    date_value: Mapped[dt.date | None] = mapped_column(Date)


class ContactCustomValue(_CustomValueColumns, Base):
    __tablename__ = "contact_custom_values"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True
    )


class CompanyCustomValue(_CustomValueColumns, Base):
    __tablename__ = "company_custom_values"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True
    )


class PipelineStage(Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'won', 'lost')", name="kind"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    probability: Mapped[int] = mapped_column(
        SmallInteger, default=0, server_default="0"
    )
    kind: Mapped[str] = _text(8, "open")


class Deal(RecordMixin, Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount"),
        Index(
            "ix_deals_sort_title",
            "sort_title",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_deals_stage", "stage_id", "id", sqlite_where=LIVE, postgresql_where=LIVE
        ),
        Index(
            "ix_deals_expected_close",
            "expected_close",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_deals_amount", "amount", "id", sqlite_where=LIVE, postgresql_where=LIVE
        ),
        Index(
            "ix_deals_updated",
            "updated_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        # The pipeline board: a column's count and totals read this index
        # alone, whatever the filters, and its first cards come in order
        # from one of the two after it (open stages, then won and lost).
        Index(
            "ix_deals_board_totals",
            "stage_id",
            "currency",
            "owner_id",
            "is_shared",
            "expected_close",
            "amount",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_deals_stage_expected_close",
            "stage_id",
            "expected_close",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_deals_stage_closed_at",
            "stage_id",
            "closed_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        _live_index("ix_deals_currency", "currency"),
        _live_index("ix_deals_owner_sort", text(OWNER_SORT)),
        _live_index("ix_deals_sort_company", "sort_company"),
        _live_index(
            "ix_deals_expected_close_sort",
            text(f"coalesce(expected_close, {LATEST_DATE})"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    sort_title: Mapped[str] = _text(300)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    # The company's sort_name, '' for none: kept by services/deals.py and
    # services/companies.py so the list sorts by company along an index.
    sort_company: Mapped[str] = _text(300)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    amount: Mapped[Decimal] = mapped_column(
        Numeric(14, 2), default=Decimal(0), server_default="0"
    )
    currency: Mapped[str] = mapped_column(
        String(3), default="EUR", server_default="EUR"
    )
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    lost_reason: Mapped[str] = _text()
    lead_source: Mapped[str] = _text(60)
    notes: Mapped[str] = _text()


class DealStageChange(Base):
    """One step of a deal through the pipeline; written once, never updated.

    A deal's first row (from_stage_id null) is the stage it was created in.
    """

    __tablename__ = "deal_stage_history"
    __table_args__ = (
        Index("ix_deal_stage_history_deal_changed", "deal_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    to_stage_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    changed_by_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Why the deal was lost, when this step went to a lost stage.
    lost_reason: Mapped[str] = _text()


class Activity(RecordMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('call', 'meeting', 'email', 'note', 'task')", name="kind"
        ),
        Index(
            "ix_activities_due",
            "due_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_activities_updated",
            "updated_at",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "ix_activities_sort_subject",
            "sort_subject",
            "id",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        _live_index("ix_activities_kind", "kind"),
        _live_index("ix_activities_owner_sort", text(OWNER_SORT)),
        _live_index("ix_activities_due_sort", text(f"coalesce(due_at, {LATEST_TIME})")),
        _live_index(
            "ix_activities_done_sort", text(f"coalesce(done_at, {LATEST_TIME})")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    sort_subject: Mapped[str] = mapped_column(
        String(300), default="", server_default=""
    )
    body: Mapped[str] = _text()
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="SET NULL"), index=True
    )


class AuditEntry(Base):
    """Who changed what, when: one row per write, never updated."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(_user_fk("SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(Integer)
    # {"field": [old, new], ...} for updates; the new values for creates.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Setting(Base):
    """Business settings shared by every PC: name, currency, region..."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


SEARCHABLE_TABLES = ("contacts", "companies", "deals", "activities")
