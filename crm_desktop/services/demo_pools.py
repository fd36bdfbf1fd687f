"""Pools of names, streets and phone numbers the demo's rows are made from.

Names and addresses come from Faker in several locales and scripts, drawn
once per seed into pools of a few hundred per locale; the demo's statements
(demo_sql) combine them inside the database. Phone numbers come from the
ranges set aside for fiction (UK 020 7946 0xxx and 0113 496 0xxx, US
202-555-01xx, France 01 99 00 xx xx, Australia 0491 570 xxx), so none
belongs to a real person.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from faker import Faker

from crm_desktop.db.search import sort_key, words
from crm_desktop.services.demo_sql import SUBJECT_SLOTS

# The phone numbers of countries with no fiction range of their own.
SHARED_PHONES = "shared"
# Given and family names drawn per locale.
NAMES_PER_PLACE = 300


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
PAST_KINDS = ("call", "call", "meeting", "task", "task", "note", "email")
FUTURE_KINDS = ("task", "task", "meeting")
# Kinds written down when they happen, so never left undone.
LOGGED_KINDS = ("note", "email")


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
    # The fiction range the place's numbers come from.
    phone_set: str


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


def _romanizer(faker: Faker) -> Callable[[str], str]:
    for provider in faker.get_providers():
        to_ascii = getattr(provider, "_to_ascii", None)
        if to_ascii is not None:
            # Faker's own transliteration, as it makes its email addresses.
            return cast(Callable[[str], str], to_ascii)
    return str


def _part(to_ascii: Callable[[str], str], text: str) -> _NamePart:
    romanized = tuple(w for w in words(to_ascii(text)) if w.isascii())
    return _NamePart(text, sort_key(text), tuple(words(text)), romanized)


def _company(to_ascii: Callable[[str], str], name: str, place: int) -> _CompanyName:
    slug = "-".join(_part(to_ascii, name).ascii[:2]) or "company"
    return _CompanyName(name, sort_key(name), tuple(words(name)), slug, place)


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


class Pools:
    """Names, streets and phone numbers of every locale, drawn once from Faker."""

    def __init__(self, seed: int, size: int = NAMES_PER_PLACE) -> None:
        phones = _fiction_phones()
        # Countries with no fiction range take numbers from all of them,
        # as many from each (the US range has only a hundred).
        shared = tuple(p for group in phones.values() for p in group[:100])
        self.phone_sets = {**phones, SHARED_PHONES: shared}
        self.places: list[_Place] = []
        self.companies: list[_CompanyName] = []
        for index, spec in enumerate(LOCALES):
            faker = Faker(spec.faker)
            faker.seed_instance(seed)
            to_ascii = _romanizer(faker)
            # WORKAROUND: Faker's vi_VN first_name() gives only 'John' and
            # 'Jane'; its gendered lists are the real ones in every locale.
            given = tuple(
                _part(
                    to_ascii, (faker.first_name_female, faker.first_name_male)[n % 2]()
                )
                for n in range(size)
            )
            family = tuple(_part(to_ascii, faker.last_name()) for _ in range(size))
            self.companies += [
                _company(to_ascii, faker.company(), index) for _ in range(size // 3)
            ]
            # A Faker costs a tenth of a second to make: the names' one
            # serves again where its addresses look right, seeded afresh.
            places = Faker(spec.address_faker) if spec.address_faker else faker
            places.seed_instance(seed)
            streets = tuple(_street(places, spec) for _ in range(size // 3))
            codes = tuple(_postcode(places, spec) for _ in range(size // 3))
            own = spec.country if spec.country in phones else SHARED_PHONES
            self.places.append(_Place(spec, given, family, streets, codes, own))

    def rows(self, stages: Iterable[tuple[int, bool]]) -> dict[str, list[Row]]:
        """Return the rows of each pool table demo_sql reads.

        Args:
            stages: each pipeline stage's id and whether it is open.
        """
        activities: list[Row] = [
            (code, n, kind, subject, sort_key(subject), " ".join(words(subject)),
             int(kind in LOGGED_KINDS))
            for code, kind in enumerate(FUTURE_KINDS + PAST_KINDS)
            for n, subject in _slots(ACTIVITY_SUBJECTS[kind])
        ]  # fmt: skip
        return {
            "demo_places": [
                _place_row(n, p, len(self.phone_sets[p.phone_set]))
                for n, p in enumerate(self.places)
            ],
            "demo_names": [
                _name_row(part, place, n, name)
                for place, entry in enumerate(self.places)
                for part, names in enumerate((entry.given, entry.family))
                for n, name in enumerate(names)
            ],
            "demo_cities": [
                (place, n, city)
                for place, entry in enumerate(self.places)
                for n, city in enumerate(entry.spec.cities)
            ],
            "demo_streets": [
                (place, n, street, code)
                for place, entry in enumerate(self.places)
                for n, (street, code) in enumerate(
                    zip(entry.streets, entry.postcodes, strict=True)
                )
            ],
            "demo_phones": [
                (name, n, p.raw, p.e164, p.label, " ".join(p.tokens))
                for name, numbers in self.phone_sets.items()
                for n, p in enumerate(numbers)
            ],
            "demo_company_pool": [
                (
                    n,
                    c.text,
                    c.sort,
                    _spaced(c.words),
                    c.slug,
                    _spaced(c.slug.split("-")),
                    c.place,
                )
                for n, c in enumerate(self.companies)
            ],  # fmt: skip
            "demo_deal_words": [
                (n, w, sort_key(w), _spaced(words(w))) for n, w in enumerate(DEAL_WORDS)
            ],
            "demo_activity_pool": activities,
            "demo_stages": [
                (n, stage_id, int(is_open))
                for n, (stage_id, is_open) in enumerate(stages)
            ],
        }


Row = tuple[object, ...]


def _spaced(values: Iterable[str]) -> str:
    # Each word followed by a space: pieces of a search document join
    # without a check for empty ones (see demo_sql).
    return "".join(f"{value} " for value in values)


def _slots(subjects: tuple[str, ...]) -> list[tuple[int, str]]:
    if SUBJECT_SLOTS % len(subjects):
        raise ValueError(f"{SUBJECT_SLOTS} subject slots do not fit {subjects}")
    return [(n, subjects[n % len(subjects)]) for n in range(SUBJECT_SLOTS)]


def _place_row(index: int, place: _Place, phones: int) -> Row:
    spec = place.spec
    return (
        index, spec.country_name, spec.country.lower(), int(spec.family_first),
        spec.joiner, place.phone_set, phones,
        len(place.streets), len(spec.cities),
    )  # fmt: skip


def _name_row(part: int, place: int, n: int, name: _NamePart) -> Row:
    own = set(name.words)
    if not own:
        raise ValueError(f"the demo name {name.text!r} has no searchable word")
    romanized = name.ascii
    extra_all = [w for w in dict.fromkeys(romanized) if w not in own]
    extra_init = [w for w in dict.fromkeys(romanized[:-1]) if w not in own]
    return (
        part, place, n, name.text, name.sort, _spaced(name.words),
        _spaced(name.words[:-1]), name.words[-1], name.words[0],
        _spaced(name.words[1:]), ".".join(romanized), _spaced(extra_all),
        _spaced(extra_init), romanized[-1] if romanized else "",
    )  # fmt: skip


@functools.lru_cache(maxsize=2)
def pools(seed: int) -> Pools:
    """Return the pools of a seed, drawn once per process."""
    return Pools(seed)
