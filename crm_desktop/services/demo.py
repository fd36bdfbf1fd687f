"""Deterministic, realistic demo data at any size, written in bulk.

Names and addresses come from Faker in several locales and scripts, but
Faker is slow per call, so it fills small pools once and a seeded random
generator combines them. Each batch of rows has its own generator, seeded
from the demo's seed and the batch's place, so a batch is the same whichever
process makes it and in whatever order: a helper process makes the rows
while this one writes them. Phone numbers come from the ranges set aside for
fiction (UK 020 7946 0xxx and 0113 496 0xxx, US 202-555-01xx, France
01 99 00 xx xx, Australia 0491 570 xxx), so none belongs to a real person;
emails use the example.* domains.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing
import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from faker import Faker
from sqlalchemy import Connection, Table, insert, select

from crm_desktop.db import bulk
from crm_desktop.db.database import Database
from crm_desktop.db.models import (
    Activity,
    Company,
    Contact,
    ContactAddress,
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


@dataclass(frozen=True, slots=True)
class _LocaleSpec:
    faker: str
    country: str
    country_name: str
    family_first: bool
    joiner: str
    cities: tuple[str, ...]
    # Faker locale for streets and postcodes, where the names' locale has
    # none that look right (Faker's ar_AA and hi_IN write US-style ones).
    address_faker: str = ""


LOCALES = (
    _LocaleSpec(
        "en_GB", "GB", "United Kingdom", False, " ",
        ("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol",
         "Edinburgh", "Liverpool", "Cardiff", "Nottingham"),
    ),
    _LocaleSpec(
        "en_US", "US", "United States", False, " ",
        ("New York", "Chicago", "Boston", "Seattle", "Austin", "Denver",
         "Atlanta", "San Diego", "Portland", "Philadelphia"),
    ),
    _LocaleSpec(
        "fr_FR", "FR", "France", False, " ",
        ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Bordeaux",
         "Lille", "Strasbourg", "Montpellier", "Rennes"),
    ),
    _LocaleSpec(
        "de_DE", "DE", "Germany", False, " ",
        ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main",
         "Stuttgart", "Düsseldorf", "Leipzig", "Dresden", "Nürnberg"),
    ),
    _LocaleSpec(
        "es_ES", "ES", "Spain", False, " ",
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga",
         "Bilbao", "Alicante", "Córdoba", "Valladolid"),
    ),
    _LocaleSpec(
        "it_IT", "IT", "Italy", False, " ",
        ("Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze", "Genova",
         "Palermo", "Verona", "Bari"),
    ),
    _LocaleSpec(
        "en_AU", "AU", "Australia", False, " ",
        ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra",
         "Hobart", "Darwin", "Geelong", "Newcastle"),
    ),
    _LocaleSpec(
        "ru_RU", "RU", "Russia", False, " ",
        ("Москва", "Санкт-Петербург", "Новосибирск", "Екатеринбург", "Казань",
         "Нижний Новгород", "Самара", "Ростов-на-Дону"),
    ),
    _LocaleSpec(
        "el_GR", "GR", "Greece", False, " ",
        ("Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο", "Λάρισα", "Βόλος",
         "Ιωάννινα", "Χανιά"),
    ),
    _LocaleSpec(
        "pl_PL", "PL", "Poland", False, " ",
        ("Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk",
         "Szczecin", "Lublin"),
    ),
    _LocaleSpec(
        "ja_JP", "JP", "Japan", True, "",
        ("東京都", "大阪市", "横浜市", "名古屋市", "札幌市", "福岡市", "神戸市",
         "京都市"),
    ),
    _LocaleSpec(
        "zh_CN", "CN", "China", True, "",
        ("北京市", "上海市", "广州市", "深圳市", "成都市", "杭州市", "武汉市",
         "南京市"),
    ),
    _LocaleSpec(
        "ar_AA", "AE", "United Arab Emirates", False, " ",
        ("دبي", "أبوظبي", "الشارقة", "العين", "عجمان"),
        "ar_AE",
    ),
    _LocaleSpec(
        "hi_IN", "IN", "India", False, " ",
        ("Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Ahmedabad", "Chennai",
         "Kolkata", "Pune"),
        "en_IN",
    ),
    _LocaleSpec(
        "he_IL", "IL", "Israel", False, " ",
        ("תל אביב-יפו", "ירושלים", "חיפה", "ראשון לציון", "פתח תקווה",
         "באר שבע", "נתניה"),
    ),
    _LocaleSpec(
        "vi_VN", "VN", "Vietnam", True, " ",
        ("Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ",
         "Huế", "Nha Trang"),
    ),
)  # fmt: skip
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
ACTIVITY_SUBJECTS = {
    "call": ("Intro call", "Follow-up call", "Price check", "Check in"),
    "meeting": ("Site visit", "Quarterly review", "Demo", "Lunch meeting"),
    "task": ("Send quote", "Prepare proposal", "Chase invoice", "Book follow-up"),
    "note": ("Prefers email", "Budget approved", "Decision in Q2"),
    "email": ("Sent brochure", "Replied to enquiry", "Sent price list"),
}
# How often each kind comes up; only the open kinds lie in the future.
_PAST_KINDS = ("call", "call", "meeting", "task", "task", "note", "email")
_FUTURE_KINDS = ("task", "task", "meeting")
# Share of contacts and companies with an address, and of contacts' phones.
ADDRESS_SHARE = 0.85

_DAY = 86_400
# Activities lie from half a year back to a month ahead of now.
_ACTIVITY_PAST_DAYS = 180
_ACTIVITY_FUTURE_DAYS = 30
_RECORD_DAYS = 730
# Open deals expect to close within this many days from now.
_DEAL_CLOSE_DAYS = 180
# Rows per batch: big enough to write efficiently, small enough that a few
# batches in flight keep memory in the tens of megabytes.
_CONTACT_BATCH = 20_000
_OTHER_BATCH = 50_000
# Batches made ahead of the writer by the helper process.
_BATCHES_AHEAD = 3
# Below this many contacts a helper process costs more than it saves.
_HELPER_MIN_CONTACTS = 20_000


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


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything a batch of rows depends on; sent once to the helper."""

    seed: int
    backend: str
    now: int
    contacts: int
    companies: int
    deals: int
    activities: int
    user_ids: tuple[int, ...]
    stages: tuple[tuple[int, str], ...]

    def company_of(self, contact_id: int) -> int:
        """Return a contact's company: a hash, so deals can know it too."""
        mixed = (contact_id * 2_654_435_761 + self.seed * 40_503) % 4_294_967_291
        return mixed % self.companies + 1


@dataclass(frozen=True, slots=True)
class _NamePart:
    text: str
    sort: str
    words: tuple[str, ...]
    ascii: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Phone:
    raw: str
    e164: str
    label: str
    # The forms records_common.phone_forms gives, without parsing each.
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Place:
    """A locale's people, companies, addresses and phone numbers."""

    spec: _LocaleSpec
    given: tuple[_NamePart, ...]
    family: tuple[_NamePart, ...]
    streets: tuple[str, ...]
    postcodes: tuple[str, ...]
    phones: tuple[_Phone, ...]


@dataclass(frozen=True, slots=True)
class _CompanyName:
    text: str
    sort: str
    words: tuple[str, ...]
    slug: str
    place: int


def _phone(raw: str, e164: str, label: str, country_code: str) -> _Phone:
    digits = "".join(c for c in raw if c.isdigit())
    full = e164[1:]
    national = full[len(country_code) :]
    return _Phone(raw, e164, label, tuple(dict.fromkeys((digits, full, national))))


def _fiction_phones() -> dict[str, tuple[_Phone, ...]]:
    """Return numbers from fiction-only ranges, by country code."""
    gb = [
        _phone(f"020 7946 {n:04d}", f"+44207946{n:04d}", "work", "44")
        for n in range(1000)
    ]
    # NOTE: not Ofcom's drama mobiles (07700 900xxx): phonenumbers calls
    # them invalid, so the contact form would refuse them.
    gb += [
        _phone(f"0113 496 {n:04d}", f"+44113496{n:04d}", "home", "44")
        for n in range(1000)
    ]
    us = [
        _phone(f"(202) 555-0{n:03d}", f"+12025550{n:03d}", "work", "1")
        for n in range(100, 200)
    ]
    fr = [
        _phone(f"01 99 00 {n // 100:02d} {n % 100:02d}", f"+33199{n:06d}", "work", "33")
        for n in range(10_000)
    ]
    au = [
        _phone(f"0491 570 {n:03d}", f"+61491570{n:03d}", "mobile", "61")
        for n in range(1000)
    ]
    return {"GB": tuple(gb), "US": tuple(us), "FR": tuple(fr), "AU": tuple(au)}


def _part(faker: Faker, text: str) -> _NamePart:
    ascii_text = text
    for provider in faker.get_providers():
        to_ascii = getattr(provider, "_to_ascii", None)
        if to_ascii is not None:
            # Faker's own transliteration, as it makes its email addresses.
            ascii_text = to_ascii(text)
            break
    romanized = tuple(w for w in words(ascii_text) if w.isascii())
    return _NamePart(text, sort_key(text), tuple(words(text)), romanized)


def _street(faker: Faker, spec: _LocaleSpec) -> str:
    if spec.country == "JP":
        return f"{faker.town()}{faker.chome()}{faker.ban()}{faker.gou()}"
    if spec.country == "AE":
        streets = ("شارع الشيخ زايد", "شارع الوصل", "شارع الرقة", "شارع المينا")
        return f"{faker.random_int(1, 400)} {faker.random_element(streets)}"
    return str(faker.street_address())


def _postcode(faker: Faker, spec: _LocaleSpec) -> str:
    # The Emirates have no postcodes.
    return "" if spec.country == "AE" else str(faker.postcode())


class _Pools:
    """Names and addresses drawn once from Faker, combined by seeded RNGs."""

    def __init__(self, seed: int, size: int = 300) -> None:
        phones = _fiction_phones()
        # Countries with no fiction range take numbers from all of them,
        # as many from each (the US range has only a hundred).
        shared = tuple(p for group in phones.values() for p in group[:100])
        self.places: list[_Place] = []
        self.companies: list[_CompanyName] = []
        for index, spec in enumerate(LOCALES):
            faker = Faker(spec.faker)
            faker.seed_instance(seed)
            # WORKAROUND: Faker's vi_VN first_name() gives only 'John' and
            # 'Jane'; its gendered lists are the real ones in every locale.
            given = tuple(
                _part(faker, (faker.first_name_female, faker.first_name_male)[n % 2]())
                for n in range(size)
            )
            family = tuple(_part(faker, faker.last_name()) for _ in range(size))
            self.companies += [
                self._company(faker, faker.company(), index) for _ in range(size // 3)
            ]
            places = Faker(spec.address_faker or spec.faker)
            places.seed_instance(seed)
            streets = tuple(_street(places, spec) for _ in range(size // 3))
            codes = tuple(_postcode(places, spec) for _ in range(size // 3))
            own = phones.get(spec.country, shared)
            self.places.append(_Place(spec, given, family, streets, codes, own))

    def _company(self, faker: Faker, name: str, place: int) -> _CompanyName:
        slug = "-".join(_part(faker, name).ascii[:2]) or "company"
        return _CompanyName(name, sort_key(name), tuple(words(name)), slug, place)

    def company(self, company_id: int) -> tuple[str, str, tuple[str, ...], int]:
        """Return a company's name, sort key, words and place by its id."""
        entry = self.companies[(company_id - 1) % len(self.companies)]
        lap = (company_id - 1) // len(self.companies)
        if lap == 0:
            return entry.text, entry.sort, entry.words, entry.place
        suffix = str(lap + 1)
        return (
            f"{entry.text} {suffix}",
            f"{entry.sort} {suffix}",
            (*entry.words, suffix),
            entry.place,
        )


@functools.lru_cache(maxsize=2)
def _pools(seed: int) -> _Pools:
    return _Pools(seed)


class _Clock:
    """Times as text the way each back-end stores or parses them."""

    def __init__(self, now: int, backend: str) -> None:
        self.now = now
        start = now - (_RECORD_DAYS + 10) * _DAY
        first = dt.datetime.fromtimestamp(start, dt.UTC).date()
        self.base = int(dt.datetime.combine(first, dt.time(), dt.UTC).timestamp())
        # Expected closes of open deals reach furthest ahead of now.
        ahead = max(_ACTIVITY_FUTURE_DAYS, _DEAL_CLOSE_DAYS) + 2
        days = (now - self.base) // _DAY + ahead
        self.days = [(first + dt.timedelta(days=d)).isoformat() for d in range(days)]
        # SQLAlchemy writes SQLite times with microseconds; the same text
        # keeps keyset comparisons of a list sorted by time exact.
        suffix = ".000000" if backend == "sqlite" else "+00"
        self.times = [
            f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{suffix}"
            for s in range(_DAY)
        ]

    def stamp(self, moment: int) -> str:
        since = moment - self.base
        return self.days[since // _DAY] + self.times[since % _DAY]

    def date(self, moment: int) -> str:
        return self.days[(moment - self.base) // _DAY]


@functools.lru_cache(maxsize=2)
def _clock(now: int, backend: str) -> _Clock:
    return _Clock(now, backend)


Rows = list[tuple[Any, ...]]
Batch = list[tuple[str, Rows]]


def _produce(plan: _Plan, kind: str, start: int, end: int) -> Batch:
    """Make the rows of one batch; the same for the same plan and place."""
    rng = random.Random(f"{plan.seed}/{kind}/{start}")
    maker = _MAKERS[kind]
    return maker(plan, rng, start, end)


def _company_rows(plan: _Plan, rng: random.Random, start: int, end: int) -> Batch:
    pools = _pools(plan.seed)
    clock = _clock(plan.now, plan.backend)
    random_ = rng.random
    rows = []
    for company_id in range(start, end + 1):
        name, sort, name_words, place_index = pools.company(company_id)
        place = pools.places[place_index]
        phone = place.phones[int(random_() * len(place.phones))]
        slug = pools.companies[(company_id - 1) % len(pools.companies)].slug
        country = place.spec.country.lower()
        domain = f"{country}-{slug}.{DOMAINS[company_id % 3]}"
        website = f"https://{domain}"
        doc = dict.fromkeys(
            (
                *name_words,
                *domain.replace("-", " ").replace(".", " ").split(),
                "https",
                *phone.tokens,
            )
        )
        created = plan.now - int(random_() * _RECORD_DAYS * _DAY)
        updated = created + int(random_() * (plan.now - created))
        located = random_() < ADDRESS_SHARE
        rows.append(
            (
                company_id,
                name,
                sort,
                domain,
                INDUSTRIES[int(random_() * len(INDUSTRIES))],
                phone.raw,
                phone.e164,
                website,
                place.streets[int(random_() * len(place.streets))] if located else "",
                place.spec.cities[int(random_() * len(place.spec.cities))]
                if located
                else "",
                place.postcodes[int(random_() * len(place.postcodes))]
                if located
                else "",
                place.spec.country_name if located else "",
                plan.user_ids[int(random_() * len(plan.user_ids))],
                random_() < 0.3,
                clock.stamp(created),
                clock.stamp(updated),
                1,
                " ".join(doc),
            )
        )
    return [("companies", rows)]


def _contact_rows(plan: _Plan, rng: random.Random, start: int, end: int) -> Batch:
    pools = _pools(plan.seed)
    clock = _clock(plan.now, plan.backend)
    places = pools.places
    user_ids = plan.user_ids
    random_ = rng.random
    contacts, emails, phones, addresses = [], [], [], []
    for contact_id in range(start, end + 1):
        place = places[int(random_() * len(places))]
        spec = place.spec
        given = place.given[int(random_() * len(place.given))]
        family = place.family[int(random_() * len(place.family))]
        first, second = (family, given) if spec.family_first else (given, family)
        display = f"{first.text}{spec.joiner}{second.text}"
        company_id = plan.company_of(contact_id)
        company, company_sort, company_words, _place = pools.company(company_id)
        domain = DOMAINS[contact_id % 3]
        local = given.ascii + family.ascii or ("contact",)
        email = f"{'.'.join(local)}{contact_id}@{domain}"
        phone = place.phones[int(random_() * len(place.phones))]
        created = plan.now - int(random_() * _RECORD_DAYS * _DAY)
        updated = (
            created + int(random_() * (plan.now - created))
            if random_() < 0.6
            else created
        )
        shown = (
            (*first.words, *second.words)
            if spec.joiner
            else _joined(first.words, second.words)
        )
        doc = dict.fromkeys(
            (
                *shown,
                *given.words,
                *family.words,
                *company_words,
                *local[:-1],
                f"{local[-1]}{contact_id}",
                *domain.split("."),
                *phone.tokens,
            )
        )
        city = ""
        if random_() < ADDRESS_SHARE:
            city = spec.cities[int(random_() * len(spec.cities))]
            addresses.append(
                (
                    contact_id,
                    contact_id,
                    "work" if random_() < 0.7 else "home",
                    place.streets[int(random_() * len(place.streets))],
                    city,
                    "",
                    place.postcodes[int(random_() * len(place.postcodes))],
                    spec.country_name,
                    0,
                )
            )
        contacts.append(
            (
                contact_id,
                company_id,
                display,
                f"{first.sort}{spec.joiner}{second.sort}",
                given.text,
                family.text,
                company,
                company_sort,
                JOB_TITLES[int(random_() * len(JOB_TITLES))],
                LEAD_SOURCES[contact_id % len(LEAD_SOURCES)],
                email,
                phone.e164,
                city,
                user_ids[contact_id % len(user_ids)],
                random_() < 0.2,
                clock.stamp(created),
                clock.stamp(updated),
                1,
                " ".join(doc),
            )
        )
        emails.append((contact_id, contact_id, email, email, "work", True, 0))
        phones.append(
            (contact_id, contact_id, phone.raw, phone.e164, phone.label, True, 0)
        )
    return [
        ("contacts", contacts),
        ("contact_emails", emails),
        ("contact_phones", phones),
        ("contact_addresses", addresses),
    ]  # fmt: skip


def _joined(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    # Names written without a space run together into one word, as
    # words() splits the display name.
    if not first or not second:
        return (*first, *second)
    return (*first[:-1], first[-1] + second[0], *second[1:])


def _deal_rows(plan: _Plan, rng: random.Random, start: int, end: int) -> Batch:
    pools = _pools(plan.seed)
    clock = _clock(plan.now, plan.backend)
    random_ = rng.random
    now = plan.now
    titles = [(w, sort_key(w), tuple(words(w))) for w in DEAL_WORDS]
    rows = []
    for deal_id in range(start, end + 1):
        contact_id = int(random_() * plan.contacts) + 1
        company_id = plan.company_of(contact_id)
        company, company_sort, company_words, _place = pools.company(company_id)
        word, word_sort, word_words = titles[int(random_() * len(titles))]
        stage_id, kind = plan.stages[int(random_() * len(plan.stages))]
        created = now - int(random_() * 540 * _DAY)
        # An open deal's close is mostly ahead, as a salesperson keeps it
        # current; about one in eight has slipped past it.
        ahead = int(random_() * _DEAL_CLOSE_DAYS) - _DEAL_CLOSE_DAYS // 8
        expected = max(created + 7 * _DAY, now + ahead * _DAY)
        closed = None
        if kind != "open":
            # Won or lost within four months of opening, and never later
            # than now.
            closed = created + int(random_() * min(120 * _DAY, now - created))
            expected = closed
        updated = (
            closed if closed is not None else created + int(random_() * (now - created))
        )
        rows.append(
            (
                deal_id,
                f"{word} – {company}",
                f"{word_sort} – {company_sort}",
                company_id,
                contact_id,
                stage_id,
                f"{int(random_() * 25_000) * 10 + 500}.00",
                "EUR",
                clock.date(expected),
                clock.stamp(closed) if closed is not None else None,
                LEAD_SOURCES[int(random_() * len(LEAD_SOURCES))],
                plan.user_ids[int(random_() * len(plan.user_ids))],
                random_() < 0.2,
                clock.stamp(created),
                clock.stamp(updated),
                1,
                " ".join(dict.fromkeys((*word_words, *company_words))),
            )
        )  # fmt: skip
    return [("deals", rows)]


def _activity_rows(plan: _Plan, rng: random.Random, start: int, end: int) -> Batch:
    clock = _clock(plan.now, plan.backend)
    stamp = clock.stamp
    random_ = rng.random
    now = plan.now
    subjects = {
        kind: [(s, sort_key(s), " ".join(words(s))) for s in titles]
        for kind, titles in ACTIVITY_SUBJECTS.items()
    }
    # Due times fall on the quarter hour within office hours (08:00 to
    # 18:00 UTC), as people book them.
    today = now - now % _DAY
    days = _ACTIVITY_PAST_DAYS + _ACTIVITY_FUTURE_DAYS
    rows = []
    for activity_id in range(start, end + 1):
        day = today + (int(random_() * days) - _ACTIVITY_PAST_DAYS) * _DAY
        due = day + 8 * 3600 + int(random_() * 40) * 900
        if due > now:
            kind = _FUTURE_KINDS[int(random_() * len(_FUTURE_KINDS))]
            created = now - int(random_() * 21 * _DAY)
            done = None
            updated = created
        else:
            kind = _PAST_KINDS[int(random_() * len(_PAST_KINDS))]
            logged = kind in ("note", "email")
            created = due if logged else due - int(random_() * 14 * _DAY)
            done = due if logged or random_() < 0.85 else None
            updated = done if done is not None else created
        subject, sort_subject, doc = subjects[kind][
            int(random_() * len(subjects[kind]))
        ]
        contact_id = int(random_() * plan.contacts) + 1
        rows.append(
            (
                activity_id,
                kind,
                subject,
                sort_subject,
                stamp(due),
                stamp(done) if done is not None else None,
                _duration(kind, random_),
                contact_id,
                plan.company_of(contact_id),
                plan.user_ids[int(random_() * len(plan.user_ids))],
                False,
                stamp(created),
                stamp(updated),
                1,
                doc,
            )
        )  # fmt: skip
    return [("activities", rows)]


def _duration(kind: str, random_: Callable[[], float]) -> int | None:
    # Only calls and meetings take time worth noting.
    if kind not in ("call", "meeting"):
        return None
    return (15, 30, 45, 60)[int(random_() * 4)]


_MAKERS: dict[str, Callable[[_Plan, random.Random, int, int], Batch]] = {
    "companies": _company_rows,
    "contacts": _contact_rows,
    "deals": _deal_rows,
    "activities": _activity_rows,
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": (
        "id", "name", "sort_name", "domain", "industry", "phone_raw",
        "phone_e164", "website", "street", "city", "postcode", "country",
        "owner_id", "is_shared", "created_at", "updated_at", "version",
        "search_doc",
    ),
    "contacts": (
        "id", "company_id", "display_name", "sort_name", "given_name",
        "family_name", "organization", "sort_company", "job_title",
        "lead_source", "primary_email", "primary_phone", "city", "owner_id",
        "is_shared", "created_at", "updated_at", "version", "search_doc",
    ),
    "contact_emails": (
        "id", "contact_id", "value", "email_key", "label", "is_primary",
        "position",
    ),
    "contact_phones": (
        "id", "contact_id", "raw", "e164", "label", "is_primary", "position",
    ),
    "contact_addresses": (
        "id", "contact_id", "label", "street", "city", "region", "postcode",
        "country", "position",
    ),
    "deals": (
        "id", "title", "sort_title", "company_id", "contact_id", "stage_id",
        "amount", "currency", "expected_close", "closed_at", "lead_source",
        "owner_id", "is_shared", "created_at", "updated_at", "version",
        "search_doc",
    ),
    "activities": (
        "id", "kind", "subject", "sort_subject", "due_at", "done_at",
        "duration_minutes", "contact_id", "company_id", "owner_id",
        "is_shared", "created_at", "updated_at", "version", "search_doc",
    ),
}  # fmt: skip
_TABLES: dict[str, Table] = {
    model.__tablename__: model.__table__  # type: ignore[misc]
    for model in (
        Company,
        Contact,
        ContactEmail,
        ContactPhone,
        ContactAddress,
        Deal,
        Activity,
    )
}


def _jobs(plan: _Plan) -> Iterator[tuple[str, int, int]]:
    """Yield (kind, first id, last id) of each batch, in writing order."""
    for kind, count, size in (
        ("companies", plan.companies, _OTHER_BATCH),
        ("contacts", plan.contacts, _CONTACT_BATCH),
        ("deals", plan.deals, _OTHER_BATCH),
        ("activities", plan.activities, _OTHER_BATCH),
    ):
        for start in range(1, count + 1, size):
            yield kind, start, min(count, start + size - 1)


def _batches(plan: _Plan, helper: bool) -> Iterator[tuple[str, int, Batch]]:
    """Yield each batch's kind, last id and rows, in writing order.

    With a helper, a child process makes a few batches ahead while the
    caller writes; at most that many are held, so memory stays bounded.
    """
    if not helper:
        for kind, start, end in _jobs(plan):
            yield kind, end, _produce(plan, kind, start, end)
        return
    # NOTE: spawn, not fork: the program may have Qt and database threads
    # running, and a forked copy of those can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as executor:
        pending: deque[tuple[str, int, Future[Batch]]] = deque()
        for kind, start, end in _jobs(plan):
            pending.append(
                (kind, end, executor.submit(_produce, plan, *(kind, start, end)))
            )
            if len(pending) > _BATCHES_AHEAD:
                done_kind, done_end, future = pending.popleft()
                yield done_kind, done_end, future.result()
        while pending:
            done_kind, done_end, future = pending.popleft()
            yield done_kind, done_end, future.result()


class DemoGenerator:
    """Writes demo users, companies, contacts, deals and activities."""

    def __init__(
        self,
        database: Database,
        *,
        seed: int = 1,
        now: dt.datetime | None = None,
        helper: bool | None = None,
    ) -> None:
        """Prepare a run.

        Args:
            seed: the same seed (and `now`) gives the same data.
            now: the moment every time is relative to; the current time if
                None. No time written is later than it.
            helper: make rows in a child process while this one writes;
                None decides by the size and the number of processors.
        """
        self.database = database
        self.seed = seed
        moment = now or dt.datetime.now(dt.UTC)
        self.now = int(moment.timestamp())
        self.helper = helper

    def generate(
        self,
        contacts: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> DemoSummary:
        """Fill the database; it must hold no records yet (users may exist).

        Raises:
            ValueError: the database already has companies, contacts, deals
                or activities.
        """
        started = time.perf_counter()
        helper = self.helper
        if helper is None:
            helper = contacts >= _HELPER_MIN_CONTACTS and (os.cpu_count() or 1) > 1
        with bulk.loading_connection(self.database.engine) as connection:
            self._require_empty(connection)
            plan = self._plan(connection, contacts)
            with bulk.bulk_load(connection, tuple(_TABLES)):
                addresses = self._write(connection, plan, helper, progress)
            for table in _TABLES.values():
                bulk.reset_sequence(connection, table)
        seconds = time.perf_counter() - started
        summary = DemoSummary(
            len(plan.user_ids),
            plan.companies,
            contacts,
            plan.deals,
            plan.activities,
            seconds,
            addresses,
        )
        logger.info("demo data: %s", summary)
        return summary

    def _require_empty(self, connection: Connection) -> None:
        # Demo rows take ids from 1 up, so any record already there would
        # collide with them.
        for table in ("companies", "contacts", "deals", "activities"):
            first = select(_TABLES[table].c.id).limit(1)
            if connection.scalar(first) is not None:
                raise ValueError(
                    f"The database already has {table}; the demo fills "
                    "only an empty one."
                )

    def _plan(self, connection: Connection, contacts: int) -> _Plan:
        user_ids = self._users(connection)
        stages = connection.execute(
            select(PipelineStage.id, PipelineStage.kind).order_by(
                PipelineStage.position
            )
        )
        return _Plan(
            seed=self.seed,
            backend=self.database.backend,
            now=self.now,
            contacts=contacts,
            companies=max(20, contacts // 10),
            deals=contacts // 5,
            activities=contacts * 2,
            user_ids=tuple(user_ids),
            stages=tuple((int(i), str(k)) for i, k in stages),
        )

    def _write(
        self,
        connection: Connection,
        plan: _Plan,
        helper: bool,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        addresses = 0
        for kind, end, batch in _batches(plan, helper):
            for table, rows in batch:
                bulk.insert_rows(connection, _TABLES[table], COLUMNS[table], rows)
                addresses += len(rows) if table == "contact_addresses" else 0
            if progress and kind == "contacts":
                progress(end, plan.contacts)
        return addresses

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


def table_columns() -> dict[str, Sequence[str]]:
    """Return the columns the demo fills in each table it writes."""
    return dict(COLUMNS)
