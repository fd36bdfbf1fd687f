"""Deterministic, realistic demo data at any size, made inside the database.

Faker fills small pools of names, streets and phone numbers once
(demo_pools); one INSERT ... SELECT per table then makes the rows from them
inside the database (demo_sql), with the tables' indexes set aside and
rebuilt at the end (db.bulk). A seed (and the moment taken as now) gives the
same rows on SQLite and PostgreSQL. Emails use the example.* domains and
phone numbers the ranges set aside for fiction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from crm_desktop.db import bulk
from crm_desktop.db.database import Database
from crm_desktop.db.models import PipelineStage, User
from crm_desktop.security import passwords
from crm_desktop.services import deals
from crm_desktop.services.demo_pools import (
    DEAL_WORDS,
    FUTURE_KINDS,
    LOCALES,
    NAMES_PER_PLACE,
    PAST_KINDS,
    pools,
)
from crm_desktop.services.demo_sql import POOLS, Dialect, Plan, Statements, pool_table

logger = logging.getLogger(__name__)

DEMO_ADMIN = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_STAFF = (
    ("maria", "María González", "manager"),
    ("tom", "Tom Baker", "staff"),
    ("yuki", "Yuki Tanaka", "staff"),
    ("read", "Reader Only", "read_only"),
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a demo run wrote and how long the whole of it took."""

    users: int
    companies: int
    contacts: int
    deals: int
    activities: int
    seconds: float
    addresses: int = 0

    @property
    def rows(self) -> int:
        """Rows written: records plus each contact's email, phone, address."""
        return (
            self.companies
            + self.contacts * 3
            + self.addresses
            + self.deals
            + self.activities
        )

    @property
    def contacts_per_second(self) -> float:
        """Contacts over the whole run's time, companies to indexes."""
        return self.contacts / self.seconds if self.seconds else 0.0


# The tables the demo fills, in the order their rows are written.
TABLES = (
    "companies",
    "contacts",
    "contact_emails",
    "contact_phones",
    "contact_addresses",
    "deals",
    "activities",
)


class DemoGenerator:
    """Writes demo users, companies, contacts, deals and activities."""

    def __init__(
        self,
        database: Database,
        *,
        seed: int = 1,
        now: dt.datetime | None = None,
    ) -> None:
        """Prepare a run.

        Args:
            seed: the same seed (and `now`) gives the same data.
            now: the moment every time is relative to; the current time if
                None. No time written is later than it, but planned
                activities and the expected closes of open deals.
        """
        self.database = database
        self.seed = seed
        moment = now or dt.datetime.now(dt.UTC)
        self.now = int(moment.timestamp())

    def generate(
        self,
        contacts: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> DemoSummary:
        """Fill the database; it must hold no records yet (users may exist).

        Args:
            progress: called with the contacts written and the total.

        Raises:
            ValueError: the database already has companies, contacts, deals
                or activities.
        """
        started = time.perf_counter()
        with bulk.loading_connection(self.database.engine) as connection:
            self._require_empty(connection)
            user_ids = self._users(connection)
            # The users' step creates the pipeline's stages where none exist.
            stages = _stages(connection)
            plan = self._plan(contacts, user_ids, len(stages))
            self._fill_pools(connection, stages)
            statements = Statements(plan, Dialect(self.database.backend))
            written: dict[str, int] = {}
            with bulk.bulk_load(connection, TABLES):
                for table, statement in statements.all():
                    written[table] = _run(connection, table, statement)
                    if progress and table == "contacts":
                        progress(contacts, contacts)
            for name in POOLS:
                connection.exec_driver_sql(f"DROP TABLE {name}")
            for table in TABLES:
                bulk.reset_sequence(connection, table)
        summary = DemoSummary(
            len(plan.user_ids),
            plan.companies,
            contacts,
            plan.deals,
            plan.activities,
            time.perf_counter() - started,
            written.get("contact_addresses", 0),
        )
        logger.info("demo data: %s", summary)
        return summary

    def _require_empty(self, connection: Connection) -> None:
        # Demo rows take ids from 1 up, so any record already there would
        # collide with them.
        for table in ("companies", "contacts", "deals", "activities"):
            found = connection.exec_driver_sql(f"SELECT id FROM {table} LIMIT 1")
            if found.first() is not None:
                raise ValueError(
                    f"The database already has {table}; the demo fills "
                    "only an empty one."
                )

    def _plan(self, contacts: int, user_ids: list[int], stages: int) -> Plan:
        return Plan(
            seed=self.seed,
            now=self.now,
            contacts=contacts,
            companies=max(20, contacts // 10),
            deals=contacts // 5,
            activities=contacts * 2,
            user_ids=tuple(user_ids),
            stages=stages,
            places=len(LOCALES),
            names=NAMES_PER_PLACE,
            company_pool=len(pools(self.seed).companies),
            deal_words=len(DEAL_WORDS),
            past_kinds=len(PAST_KINDS),
            future_kinds=len(FUTURE_KINDS),
        )

    def _fill_pools(
        self, connection: Connection, stages: list[tuple[int, bool]]
    ) -> None:
        rows = pools(self.seed).rows(stages)
        for name, columns in POOLS.items():
            connection.exec_driver_sql(pool_table(name, connection.dialect.name))
            bulk.insert_rows(connection, name, columns, rows.get(name, ()))
        if connection.dialect.name == "postgresql":
            # Temporary tables get no statistics of their own.
            connection.exec_driver_sql(f"ANALYZE {', '.join(POOLS)}")

    def _users(self, connection: Connection) -> list[int]:
        now = dt.datetime.fromtimestamp(self.now, dt.UTC)
        existing = dict(connection.execute(select(User.username, User.id)).all())
        password_hash = passwords.hash_password(DEMO_PASSWORD)
        for username, full_name, role in (
            (DEMO_ADMIN, "Demo Administrator", "admin"),
            *DEMO_STAFF,
        ):
            if username in existing:
                continue
            statement = (
                insert(User)
                .values(
                    username=username,
                    full_name=full_name,
                    role=role,
                    email=f"{username}@example.com",
                    password_hash=password_hash,
                    is_active=True,
                    failed_logins=0,
                    created_at=now,
                    updated_at=now,
                )
                .returning(User.id)
            )
            existing[username] = connection.execute(statement).scalar_one()
        with self.database.session_factory(bind=connection) as session:
            deals.create_default_stages(session)
        writers = [DEMO_ADMIN] + [u for u, _n, r in DEMO_STAFF if r != "read_only"]
        return [existing[u] for u in writers]


def _stages(connection: Connection) -> list[tuple[int, bool]]:
    # Each stage's id and whether its deals are open, in board order.
    rows = connection.execute(
        select(PipelineStage.id, PipelineStage.kind).order_by(PipelineStage.position)
    )
    return [(int(stage_id), kind == "open") for stage_id, kind in rows]


def _run(connection: Connection, table: str, statement: str) -> int:
    if connection.dialect.name == "postgresql":
        # psycopg reads % as the start of a parameter; the statements use
        # it only as the modulo operator.
        statement = statement.replace("%", "%%")
    started = time.perf_counter()
    written = connection.exec_driver_sql(statement).rowcount
    if written < 0:
        # Python's sqlite3 counts no rows for a statement that opens with
        # WITH; SQLite itself does.
        written = connection.exec_driver_sql("SELECT changes()").scalar_one()
    logger.debug(
        "wrote %s rows of %s in %.1f s", written, table, time.perf_counter() - started
    )
    return int(written)
