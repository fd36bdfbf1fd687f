"""Deterministic, realistic demo data at any size, written in bulk.

Names come from Faker in several locales and scripts, but Faker is slow per
call, so it fills small pools once and a seeded random generator combines
them: a million contacts take seconds, not minutes. Phone numbers come from
the ranges set aside for fiction (UK 020 7946 0xxx, US 202-555-01xx, France
01 99 00 xx xx, Australia 0491 570 xxx), so none belongs to a real person.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from faker import Faker
from sqlalchemy import Connection, func, select

from crm_desktop.db import bulk
from crm_desktop.db.database import Database
from crm_desktop.db.models import (
    Activity,
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    Deal,
    PipelineStage,
    User,
)
from crm_desktop.db.search import sort_key, words
from crm_desktop.security import passwords
from crm_desktop.services import deals

logger = logging.getLogger(__name__)

DEMO_ADMIN = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_STAFF = (
    ("maria", "María González", "manager"),
    ("tom", "Tom Baker", "staff"),
    ("yuki", "Yuki Tanaka", "staff"),
    ("read", "Reader Only", "read_only"),
)

# (Faker locale, country code, family name first, joiner)
LOCALES = (
    ("en_GB", "GB", False, " "),
    ("en_US", "US", False, " "),
    ("fr_FR", "FR", False, " "),
    ("de_DE", "DE", False, " "),
    ("es_ES", "ES", False, " "),
    ("it_IT", "IT", False, " "),
    ("en_AU", "AU", False, " "),
    ("ru_RU", "RU", False, " "),
    ("el_GR", "GR", False, " "),
    ("pl_PL", "PL", False, " "),
    ("ja_JP", "JP", True, ""),
    ("zh_CN", "CN", True, ""),
    ("ar_AA", "AE", False, " "),
    ("hi_IN", "IN", False, " "),
    ("he_IL", "IL", False, " "),
    ("vi_VN", "VN", True, " "),
)
JOB_TITLES = (
    "Owner",
    "Director",
    "Office Manager",
    "Buyer",
    "Head of Sales",
    "Accountant",
    "Purchasing Manager",
    "Operations Lead",
    "Architect",
    "Marketing Manager",
    "Consultant",
    "Project Manager",
    "CEO",
    "CFO",
)
LEAD_SOURCES = (
    "Referral",
    "Website",
    "Trade show",
    "Cold call",
    "Newsletter",
    "Partner",
)
INDUSTRIES = (
    "Construction",
    "Retail",
    "Hospitality",
    "Logistics",
    "Software",
    "Textiles",
    "Food",
    "Healthcare",
    "Legal",
    "Manufacturing",
)
DOMAINS = ("example.com", "example.net", "example.org")
DEAL_WORDS = (
    "Annual contract",
    "Website redesign",
    "Office fit-out",
    "Support renewal",
    "Pilot project",
    "Spring order",
    "Framework agreement",
    "Training days",
    "New branch",
    "Upgrade",
)
CALL_SUBJECTS = (
    "Intro call",
    "Follow-up call",
    "Price check",
    "Check in",
    "Call back about quote",
)
MEETING_SUBJECTS = (
    "Site visit",
    "Quarterly review",
    "Demo",
    "Lunch meeting",
    "Kick-off",
)
TASK_SUBJECTS = (
    "Send quote",
    "Prepare proposal",
    "Chase invoice",
    "Update contract",
    "Book follow-up",
)
NOTE_SUBJECTS = (
    "Prefers email",
    "Budget approved",
    "Decision in Q2",
    "Asked for references",
)


def _fiction_phones() -> list[tuple[str, str, str]]:
    """Return (raw, e164, label) numbers from fiction-only ranges."""
    numbers = []
    for n in range(1000):
        numbers.append((f"020 7946 {n:04d}", f"+44207946{n:04d}", "work"))
        numbers.append((f"07700 900{n:03d}", f"+447700900{n:03d}", "mobile"))
        numbers.append((f"0491 570 {n:03d}", f"+61491570{n:03d}", "mobile"))
    for n in range(100, 200):
        numbers.append((f"(202) 555-0{n:03d}", f"+12025550{n:03d}", "work"))
    for n in range(10000):
        raw = f"01 99 00 {n // 100:02d} {n % 100:02d}"
        numbers.append((raw, f"+33199{n:06d}"[:12], "work"))
    return numbers


@dataclass(frozen=True, slots=True)
class DemoSummary:
    users: int
    companies: int
    contacts: int
    deals: int
    activities: int
    seconds: float

    @property
    def contacts_per_second(self) -> float:
        return self.contacts / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class _Person:
    given: str
    family: str
    display: str
    sort_name: str
    folded_words: str
    email_local: str


class _Pools:
    """Names drawn once from Faker, combined many times by a seeded RNG."""

    def __init__(self, seed: int, size: int = 300) -> None:
        self.people: list[list[_Person]] = []
        self.companies: list[str] = []
        for locale, _country, family_first, joiner in LOCALES:
            faker = Faker(locale)
            faker.seed_instance(seed)
            given = [faker.first_name() for _ in range(size)]
            family = [faker.last_name() for _ in range(size)]
            self.people.append(
                [
                    self._person(g, f, family_first, joiner)
                    for g, f in zip(given, family, strict=True)
                ]
            )
            self.companies += [faker.company() for _ in range(size // 3)]
        self.phones = _fiction_phones()
        self.phone_docs = [
            f"{e164[1:]} {''.join(c for c in raw if c.isdigit())}"
            for raw, e164, _label in self.phones
        ]

    @staticmethod
    def _person(given: str, family: str, family_first: bool, joiner: str) -> _Person:
        display = joiner.join((family, given) if family_first else (given, family))
        folded = " ".join(words(f"{given} {family}"))
        ascii_local = ".".join(w for w in folded.split() if w.isascii())
        return _Person(
            given, family, display, sort_key(display), folded, ascii_local or "contact"
        )


class DemoGenerator:
    """Writes demo users, companies, contacts, deals and activities."""

    def __init__(self, database: Database, *, seed: int = 1) -> None:
        self.database = database
        self.rng = random.Random(seed)
        self.pools = _Pools(seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        sqlite = database.backend == "sqlite"
        self._ts: Callable[[dt.datetime], Any] = (
            (lambda v: v.replace(tzinfo=None).isoformat(" "))
            if sqlite
            else (lambda v: v)
        )
        self._date: Callable[[dt.date], Any] = (
            (lambda v: v.isoformat()) if sqlite else (lambda v: v)
        )
        self._money: Callable[[Decimal], Any] = str if sqlite else (lambda v: v)

    def generate(
        self,
        contacts: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> DemoSummary:
        """Fill the database; it must hold no contacts yet.

        Raises:
            ValueError: the database already has contacts.
        """
        started = time.perf_counter()
        with self.database.engine.begin() as connection:
            if connection.scalar(select(func.count()).select_from(Contact)):
                raise ValueError(
                    "The database already has contacts; the demo "
                    "fills only an empty one."
                )
            user_ids = self._users(connection)
            n_companies = max(20, contacts // 10)
            with bulk.bulk_load(connection, _BULK_TABLES):
                names = self._companies(connection, n_companies, user_ids)
                self._contacts(connection, contacts, names, user_ids, progress)
                n_deals = self._deals(
                    connection, contacts // 5, n_companies, contacts, user_ids
                )
                n_activities = self._activities(
                    connection, contacts * 2, contacts, user_ids
                )
            for model in (Company, Contact, Deal, Activity):
                bulk.reset_sequence(connection, model.__table__)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        summary = DemoSummary(
            len(user_ids), n_companies, contacts, n_deals, n_activities, seconds
        )
        logger.info("demo data: %s", summary)
        return summary

    def _users(self, connection: Connection) -> list[int]:
        existing = dict(connection.execute(select(User.username, User.id)).all())
        password_hash = passwords.hash_password(DEMO_PASSWORD)
        for username, full_name, role in (
            (DEMO_ADMIN, "Demo Administrator", "admin"),
            *DEMO_STAFF,
        ):
            if username in existing:
                continue
            result = connection.execute(
                User.__table__.insert().values(  # type: ignore[attr-defined]
                    username=username,
                    full_name=full_name,
                    role=role,
                    email=f"{username}@example.com",
                    password_hash=password_hash,
                    is_active=True,
                    failed_logins=0,
                    created_at=self.now,
                    updated_at=self.now,
                )
            )
            existing[username] = result.inserted_primary_key[0]
        with self.database.session_factory(bind=connection) as session:
            deals.create_default_stages(session)
        writers = [DEMO_ADMIN] + [u for u, _n, r in DEMO_STAFF if r != "read_only"]
        return [existing[u] for u in writers]

    def _stamp(self, days_back: int) -> dt.datetime:
        seconds = self.rng.randrange(days_back * 86400)
        return self.now - dt.timedelta(seconds=seconds)

    def _companies(
        self, connection: Connection, count: int, user_ids: list[int]
    ) -> list[str]:
        rng = self.rng
        names = []
        rows = []
        for company_id in range(1, count + 1):
            base = self.pools.companies[(company_id - 1) % len(self.pools.companies)]
            lap = (company_id - 1) // len(self.pools.companies)
            name = base if lap == 0 else f"{base} {lap + 1}"
            names.append(name)
            raw, e164, _label = rng.choice(self.pools.phones)
            stamp = self._ts(self._stamp(730))
            domain = f"{'-'.join(words(name)[:2]) or 'company'}.{rng.choice(DOMAINS)}"
            rows.append(
                (
                    company_id,
                    name,
                    sort_key(name),
                    domain,
                    rng.choice(INDUSTRIES),
                    raw,
                    e164,
                    f"https://{domain}",
                    rng.choice(user_ids),
                    rng.random() < 0.3,
                    stamp,
                    stamp,
                    1,
                    " ".join(words(name))
                    + " "
                    + domain.replace(".", " ")
                    + " "
                    + e164[1:],
                )
            )
        bulk.insert_rows(
            connection,
            Company.__table__,  # type: ignore[arg-type]
            (
                "id",
                "name",
                "sort_name",
                "domain",
                "industry",
                "phone_raw",
                "phone_e164",
                "website",
                "owner_id",
                "is_shared",
                "created_at",
                "updated_at",
                "version",
                "search_doc",
            ),
            rows,
        )
        return names

    def _contacts(
        self,
        connection: Connection,
        count: int,
        company_names: list[str],
        user_ids: list[int],
        progress: Callable[[int, int], None] | None,
    ) -> None:
        batch = 20_000
        for start in range(1, count + 1, batch):
            end = min(count, start + batch - 1)
            contacts, emails, phones = self._contact_batch(
                start, end, company_names, user_ids
            )
            bulk.insert_rows(
                connection,
                Contact.__table__,
                _CONTACT_COLUMNS,  # type: ignore[arg-type]
                contacts,
            )
            bulk.insert_rows(
                connection,
                ContactEmail.__table__,
                _EMAIL_COLUMNS,  # type: ignore[arg-type]
                emails,
            )
            bulk.insert_rows(
                connection,
                ContactPhone.__table__,
                _PHONE_COLUMNS,  # type: ignore[arg-type]
                phones,
            )
            if progress:
                progress(end, count)

    @functools.lru_cache(maxsize=1)  # noqa: B019
    def _company_keys(self, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
        return [(n, sort_key(n), " ".join(words(n))) for n in names]

    def _contact_batch(
        self, start: int, end: int, company_names: list[str], user_ids: list[int]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng = self.rng
        random = rng.random
        people = [p for pool in self.pools.people for p in pool]
        phones_pool = self.pools.phones
        phone_docs = self.pools.phone_docs
        companies = self._company_keys(tuple(company_names))
        contacts, emails, phones = [], [], []
        for contact_id in range(start, end + 1):
            person = people[int(random() * len(people))]
            company_id = int(random() * len(companies)) + 1
            company, company_sort, company_words = companies[company_id - 1]
            domain = DOMAINS[contact_id % len(DOMAINS)]
            email = f"{person.email_local}{contact_id}@{domain}"
            phone_index = int(random() * len(phones_pool))
            raw, e164, label = phones_pool[phone_index]
            stamp = self._ts(self._stamp(730))
            search_doc = (
                f"{person.folded_words} {company_words} "
                f"{person.email_local.replace('.', ' ')} {contact_id} "
                f"{domain.replace('.', ' ')} {phone_docs[phone_index]}"
            )
            contacts.append(
                (
                    contact_id,
                    company_id,
                    person.display,
                    person.sort_name,
                    person.given,
                    person.family,
                    company,
                    company_sort,
                    JOB_TITLES[int(random() * len(JOB_TITLES))],
                    LEAD_SOURCES[contact_id % len(LEAD_SOURCES)],
                    email,
                    e164,
                    user_ids[contact_id % len(user_ids)],
                    random() < 0.2,
                    stamp,
                    stamp,
                    1,
                    search_doc,
                )
            )
            emails.append((contact_id, email, email, "work", True, 0))
            phones.append((contact_id, raw, e164, label, True, 0))
        return contacts, emails, phones

    def _deals(
        self,
        connection: Connection,
        count: int,
        n_companies: int,
        n_contacts: int,
        user_ids: list[int],
    ) -> int:
        rng = self.rng
        stages = list(
            connection.execute(
                select(PipelineStage.id, PipelineStage.kind).order_by(
                    PipelineStage.position
                )
            )
        )
        rows = []
        for deal_id in range(1, count + 1):
            title = f"{rng.choice(DEAL_WORDS)} #{deal_id}"
            stage_id, kind = rng.choice(stages)
            amount = Decimal(rng.randrange(500, 250_000)) / 2 * 2
            created = self._stamp(540)
            close = (created + dt.timedelta(days=rng.randrange(15, 180))).date()
            closed_at = (
                self._ts(created + dt.timedelta(days=30)) if kind != "open" else None
            )
            rows.append(
                (
                    deal_id,
                    title,
                    sort_key(title),
                    rng.randrange(n_companies) + 1,
                    rng.randrange(n_contacts) + 1 if n_contacts else None,
                    stage_id,
                    self._money(amount.quantize(Decimal("0.01"))),
                    "EUR",
                    self._date(close),
                    closed_at,
                    rng.choice(LEAD_SOURCES),
                    rng.choice(user_ids),
                    rng.random() < 0.2,
                    self._ts(created),
                    self._ts(created),
                    1,
                    " ".join(words(title)),
                )
            )
        bulk.insert_rows(
            connection,
            Deal.__table__,  # type: ignore[arg-type]
            (
                "id",
                "title",
                "sort_title",
                "company_id",
                "contact_id",
                "stage_id",
                "amount",
                "currency",
                "expected_close",
                "closed_at",
                "lead_source",
                "owner_id",
                "is_shared",
                "created_at",
                "updated_at",
                "version",
                "search_doc",
            ),
            rows,
        )
        return count

    def _activities(
        self,
        connection: Connection,
        count: int,
        n_contacts: int,
        user_ids: list[int],
    ) -> int:
        batch = 50_000
        for start in range(1, count + 1, batch):
            end = min(count, start + batch - 1)
            bulk.insert_rows(
                connection,
                Activity.__table__,  # type: ignore[arg-type]
                (
                    "id",
                    "kind",
                    "subject",
                    "sort_subject",
                    "due_at",
                    "done_at",
                    "duration_minutes",
                    "contact_id",
                    "owner_id",
                    "is_shared",
                    "created_at",
                    "updated_at",
                    "version",
                    "search_doc",
                ),
                self._activity_rows(start, end, n_contacts, user_ids),
            )
        return count

    def _activity_rows(
        self, start: int, end: int, n_contacts: int, user_ids: list[int]
    ) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        kinds = [
            (kind, [(s, sort_key(s), " ".join(words(s))) for s in subjects])
            for kind, subjects in _ACTIVITY_SUBJECTS
        ]
        now_minute = int(self.now.timestamp()) // 60
        stamp = self._minute_stamp
        for activity_id in range(start, end + 1):
            kind, subjects = rng.choice(kinds)
            subject, sort_subject, search_doc = rng.choice(subjects)
            # Most activities lie in the past months; some tasks are ahead.
            minute = now_minute + rng.randrange(-180 * 1440, 30 * 1440)
            when = stamp(minute)
            done = when if minute < now_minute and rng.random() < 0.85 else None
            timed = kind in ("call", "meeting")
            yield (
                activity_id,
                kind,
                subject,
                sort_subject,
                when,
                done,
                rng.choice((15, 30, 45, 60)) if timed else None,
                rng.randrange(n_contacts) + 1 if n_contacts else None,
                rng.choice(user_ids),
                False,
                when,
                when,
                1,
                search_doc,
            )

    @functools.lru_cache(maxsize=400_000)  # noqa: B019
    def _minute_stamp(self, minute: int) -> Any:
        return self._ts(dt.datetime.fromtimestamp(minute * 60, dt.UTC))


_ACTIVITY_SUBJECTS = (
    ("call", CALL_SUBJECTS),
    ("call", CALL_SUBJECTS),
    ("meeting", MEETING_SUBJECTS),
    ("task", TASK_SUBJECTS),
    ("task", TASK_SUBJECTS),
    ("note", NOTE_SUBJECTS),
    ("email", ("Sent brochure", "Replied to enquiry")),
)

_BULK_TABLES = (
    "companies",
    "contacts",
    "contact_emails",
    "contact_phones",
    "deals",
    "activities",
)
_CONTACT_COLUMNS = (
    "id",
    "company_id",
    "display_name",
    "sort_name",
    "given_name",
    "family_name",
    "organization",
    "sort_company",
    "job_title",
    "lead_source",
    "primary_email",
    "primary_phone",
    "owner_id",
    "is_shared",
    "created_at",
    "updated_at",
    "version",
    "search_doc",
)
_EMAIL_COLUMNS = ("contact_id", "value", "email_key", "label", "is_primary", "position")
_PHONE_COLUMNS = ("contact_id", "raw", "e164", "label", "is_primary", "position")
