"""The SQL that makes demo rows inside the database from small pool tables.

Python draws names, streets and phone numbers once into pool tables of a
few thousand rows; each big table is then filled by one INSERT ... SELECT
over a series of ids, which picks from the pools by a hash of the id. The
database makes millions of rows many times faster than Python can hand them
over, and the same statements run on SQLite and PostgreSQL.

The hash is integer arithmetic both back-ends do alike: x is the id times a
large odd number modulo a prime below 2**31, and draw k is a different
quadratic in x modulo that prime, so every value stays well inside 64 bits
and the same seed gives the same rows on either back-end.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

# A prime below 2**31: a draw times a constant below 2**30 stays in 64 bits.
PRIME = 2_147_483_647
_MULTIPLIER = 1_103_515_245
_DAY = 86_400

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
# Share of contacts and companies with an address.
ADDRESS_SHARE = 0.85
# Records were created over the last two years; activities lie from half a
# year back to a month ahead of now; open deals expect to close within
# half a year from now.
RECORD_DAYS = 730
ACTIVITY_PAST_DAYS = 180
ACTIVITY_FUTURE_DAYS = 30
DEAL_CLOSE_DAYS = 180


def _constants(salt: str, count: int = 16) -> list[tuple[int, int, int]]:
    rng = random.Random(salt)
    limit = 2**30
    return [
        (rng.randrange(1, limit), rng.randrange(1, limit), rng.randrange(PRIME))
        for _ in range(count)
    ]


def case(value: str, choices: Sequence[object]) -> str:
    """Return a CASE that maps 0, 1, 2... of `value` to the choices."""
    whens = " ".join(f"WHEN {n} THEN {literal(c)}" for n, c in enumerate(choices))
    return f"(CASE {value} {whens} END)"


def literal(value: object) -> str:
    """Write an int or str as an SQL literal (only the demo's own values)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"no SQL literal for {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Draws:
    """Seeded draws for the rows of one table, as SQL over x and xx."""

    salt: str
    seed: int

    def source(self, series: str, fence: str) -> str:
        """Wrap a series of ids in the two columns every draw reads."""
        offset = random.Random(f"{self.seed}/{self.salt}").randrange(PRIME)
        x = f"(id * {_MULTIPLIER} + {offset}) % {PRIME}"
        base = f"SELECT id, {x} AS x FROM {series}{fence}"
        return f"SELECT id, x, (x * x) % {PRIME} AS xx FROM ({base}) AS base{fence}"

    def value(self, k: int) -> str:
        """Return draw k: a number from 0 to PRIME - 1."""
        a, b, c = _constants(self.salt)[k]
        return f"((xx * {a} + x * {b} + {c}) % {PRIME})"

    def pick(self, k: int, count: int | str) -> str:
        """Return draw k as an index below `count` (a number or a column)."""
        return f"({self.value(k)} % {count})"

    def chance(self, k: int, share: float) -> str:
        """Return a condition that draw k meets for that share of ids."""
        return f"({self.value(k)} < {int(share * PRIME)})"


class Dialect:
    """The few pieces of the statements that differ by back-end."""

    def __init__(self, name: str) -> None:
        self.name = name

    def series(self, count: int) -> tuple[str, str]:
        """Return a WITH prefix and a FROM item `s` giving ids 1 to count."""
        if self.name == "postgresql":
            return "", f"generate_series(CAST(1 AS bigint), {count}) AS s(id)"
        prefix = (
            "WITH RECURSIVE series(id) AS (SELECT 1 UNION ALL "
            f"SELECT id + 1 FROM series WHERE id < {count}) "
        )
        return prefix, "series AS s"

    def fence(self) -> str:
        """Return what keeps a subquery from being merged into its query.

        Each level of the statements names values the next reads several
        times (the draws, a creation time); merged, every mention of one
        would be computed again.
        """
        # NOTE: an OFFSET, even of none, is what both planners leave alone.
        return " OFFSET 0" if self.name == "postgresql" else " LIMIT -1 OFFSET 0"

    def stamp(self, seconds: str) -> str:
        """Turn seconds since 1970 into a stored time."""
        if self.name == "postgresql":
            return f"to_timestamp({seconds})"
        # The text SQLAlchemy writes for a time on SQLite: the same text
        # keeps keyset comparisons of a list sorted by time exact.
        return f"(strftime('%Y-%m-%d %H:%M:%S', {seconds}, 'unixepoch') || '.000000')"

    def date(self, seconds: str) -> str:
        """Turn seconds since 1970 into a stored date (UTC)."""
        if self.name == "postgresql":
            return f"(DATE '1970-01-01' + CAST(({seconds}) / {_DAY} AS integer))"
        return f"date({seconds}, 'unixepoch')"


# The pools, filled from Python before the statements run: each table's
# columns, the key first. Text columns named `words` hold folded words each
# followed by a space, so that pieces of a search document join without
# checks for empty ones.
POOLS: dict[str, tuple[str, ...]] = {
    "demo_places": (
        "place", "country_name", "country_lc", "family_first", "joiner",
        "phone_set", "phones", "streets", "cities",
    ),
    # part 0 holds given names, part 1 family names. head is the words but
    # the last, tail the words but the first; dotted is the name in ASCII
    # for an email address; extra_all and extra_init are the ASCII words
    # (all of them, or all but the last) that the name's own words lack.
    "demo_names": (
        "part", "place", "n", "text", "sort", "words", "head", "last_word",
        "first_word", "tail", "dotted", "extra_all", "extra_init",
        "local_last",
    ),
    "demo_cities": ("place", "n", "name"),
    "demo_streets": ("place", "n", "street", "postcode"),
    "demo_phones": ("phone_set", "n", "raw", "e164", "label", "tokens"),
    "demo_company_pool": (
        "n", "text", "sort", "words", "slug", "slug_words", "place",
    ),
    # Filled by the first statement, from the pool above.
    "demo_company_names": (
        "id", "name", "sort", "words", "place", "slug", "slug_words",
    ),
    "demo_deal_words": ("n", "text", "sort", "words"),
    # code 0 to 2: the kinds of an activity ahead of now; 3 on: those past.
    "demo_activity_pool": (
        "code", "n", "kind", "subject", "sort", "doc", "logged",
    ),
    "demo_stages": ("n", "id", "is_open"),
}  # fmt: skip
# Columns in each pool's key where it is more than the first.
_POOL_KEYS = {
    "demo_names": 3,
    "demo_cities": 2,
    "demo_streets": 2,
    "demo_phones": 2,
    "demo_activity_pool": 2,
}
_POOL_INTEGERS = {
    "place", "family_first", "phones", "streets", "cities", "part", "n", "id",
    "logged", "is_open", "code",
}  # fmt: skip


def pool_table(name: str, dialect: str) -> str:
    """Return the CREATE statement of a pool table, a temporary one."""
    columns = POOLS[name]
    types = [
        f"{c} {'INTEGER' if c in _POOL_INTEGERS else 'TEXT'} NOT NULL" for c in columns
    ]
    key = ", ".join(columns[: _POOL_KEYS.get(name, 1)])
    create = f"CREATE TEMPORARY TABLE {name} ({', '.join(types)}, PRIMARY KEY ({key}))"
    # On SQLite a row found by its key is then one lookup, not two: every
    # contact looks up six pool rows.
    return create if dialect == "postgresql" else f"{create} WITHOUT ROWID"


# Subjects per activity code: 12 is a multiple of every kind's count.
SUBJECT_SLOTS = 12


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the statements depend on."""

    seed: int
    now: int
    contacts: int
    companies: int
    deals: int
    activities: int
    user_ids: tuple[int, ...]
    stages: int
    places: int
    names: int
    company_pool: int
    deal_words: int
    past_kinds: int
    future_kinds: int

    def company_of(self, contact_id: str) -> str:
        """Return a contact's company as SQL: a hash, so deals can know it."""
        offset = self.seed * 40_503 % 4_294_967_291
        mixed = f"(({contact_id}) * 2654435761 + {offset}) % 4294967291"
        return f"({mixed} % {self.companies} + 1)"


class Statements:
    """The INSERT ... SELECT statements of one demo, in writing order."""

    def __init__(self, plan: Plan, dialect: Dialect) -> None:
        self.plan = plan
        self.sql = dialect
        self.fence = dialect.fence()

    def all(self) -> list[tuple[str, str]]:
        """Return (table, statement) pairs; tables with no rows are left out."""
        plan = self.plan
        steps = [
            ("demo_company_names", plan.companies, self.company_names),
            ("companies", plan.companies, self.companies),
            ("contacts", plan.contacts, self.contacts),
            ("contact_emails", plan.contacts, self.emails),
            ("contact_phones", plan.contacts, self.phones),
            ("contact_addresses", plan.contacts, self.addresses),
            ("deals", plan.deals, self.deals),
            ("activities", plan.activities, self.activities),
        ]
        return [(table, make()) for table, count, make in steps if count]

    def _owner(self, draw: str) -> str:
        users = self.plan.user_ids
        return case(f"{draw} % {len(users)}", users)

    def _stamp_after(self, draws: Draws, k: int, start: str) -> str:
        # A moment from `start` to now, both included.
        span = f"({self.plan.now} - {start} + 1)"
        return self.sql.stamp(f"{start} + {draws.pick(k, span)}")

    def company_names(self) -> str:
        """Every company's name, sort key and words, from the name pool."""
        prefix, series = self.sql.series(self.plan.companies)
        size = self.plan.company_pool
        lap = f"(s.id - 1) / {size}"
        return (
            f"{prefix}INSERT INTO demo_company_names "
            "(id, name, sort, words, place, slug, slug_words) "
            "SELECT id, text || lap, sort || lap, words || ltrim(lap || ' '), "
            "place, slug, slug_words FROM (SELECT s.id, c.text, c.sort, c.words, "
            "c.place, c.slug, c.slug_words, "
            f"CASE WHEN {lap} = 0 THEN '' ELSE ' ' || CAST({lap} + 1 AS TEXT) END "
            f"AS lap FROM {series} CROSS JOIN demo_company_pool AS c "
            f"WHERE c.n = (s.id - 1) % {size}) AS named"
        )

    def companies(self) -> str:
        """Companies with a phone, a website and mostly an address."""
        plan, sql = self.plan, self.sql
        draw = Draws("companies", plan.seed)
        prefix, series = sql.series(plan.companies)
        located = draw.chance(4, ADDRESS_SHARE)
        domain = case("h.id % 3", DOMAINS)
        domain_words = case("h.id % 3", [d.replace(".", " ") + " " for d in DOMAINS])
        return (
            f"{prefix}INSERT INTO companies (id, name, sort_name, domain, "
            "industry, phone_raw, phone_e164, website, street, city, postcode, "
            "country, owner_id, is_shared, created_at, updated_at, version, "
            "search_doc) "
            "SELECT id, name, sort, domain, industry, raw, e164, "
            "'https://' || domain, street, city, postcode, country, owner_id, "
            f"is_shared, {sql.stamp('created')}, "
            f"{self._stamp_after(draw, 1, 'created')}, 1, search_doc FROM ("
            "SELECT h.id, h.x, h.xx, c.name, c.sort, ph.raw, ph.e164, "
            f"p.country_lc || '-' || c.slug || '.' || {domain} AS domain, "
            f"{case(draw.pick(2, len(INDUSTRIES)), INDUSTRIES)} AS industry, "
            f"CASE WHEN {located} THEN st.street ELSE '' END AS street, "
            f"CASE WHEN {located} THEN ci.name ELSE '' END AS city, "
            f"CASE WHEN {located} THEN st.postcode ELSE '' END AS postcode, "
            f"CASE WHEN {located} THEN p.country_name ELSE '' END AS country, "
            f"{self._owner(draw.value(7))} AS owner_id, "
            f"{draw.chance(8, 0.3)} AS is_shared, "
            f"{plan.now} - {draw.pick(0, RECORD_DAYS * _DAY)} AS created, "
            f"c.words || p.country_lc || ' ' || c.slug_words || {domain_words} "
            "|| 'https ' || ph.tokens AS search_doc "
            f"FROM ({draw.source(series, self.fence)}) AS h "
            "CROSS JOIN demo_company_names AS c CROSS JOIN demo_places AS p "
            "CROSS JOIN demo_phones AS ph CROSS JOIN demo_streets AS st "
            "CROSS JOIN demo_cities AS ci "
            "WHERE c.id = h.id AND p.place = c.place "
            f"AND ph.phone_set = p.phone_set AND ph.n = {draw.pick(3, 'p.phones')} "
            f"AND st.place = p.place AND st.n = {draw.pick(5, 'p.streets')} "
            f"AND ci.place = p.place AND ci.n = {draw.pick(6, 'p.cities')}"
            f"{self.fence}) AS made"
        )

    def _people(self, draw: Draws, series: str, *pools: str) -> str:
        # The contact ids with their place and the pools asked for: the same
        # draws for the contacts and their phones and addresses.
        plan = self.plan
        joins = {
            "names": (
                "demo_names AS g CROSS JOIN demo_names AS f",
                "g.part = 0 AND g.place = p.place "
                f"AND g.n = {draw.pick(1, plan.names)} "
                "AND f.part = 1 AND f.place = p.place "
                f"AND f.n = {draw.pick(2, plan.names)}",
            ),
            "phones": (
                "demo_phones AS ph",
                f"ph.phone_set = p.phone_set AND ph.n = {draw.pick(3, 'p.phones')}",
            ),
            "cities": (
                "demo_cities AS ci",
                f"ci.place = p.place AND ci.n = {draw.pick(11, 'p.cities')}",
            ),
            "streets": (
                "demo_streets AS st",
                f"st.place = p.place AND st.n = {draw.pick(13, 'p.streets')}",
            ),
        }
        tables = "".join(f" CROSS JOIN {joins[pool][0]}" for pool in pools)
        conditions = "".join(f" AND {joins[pool][1]}" for pool in pools)
        return (
            f"FROM ({draw.source(series, self.fence)}) AS h CROSS JOIN demo_places AS p"
            f"{tables} WHERE p.place = {draw.pick(0, plan.places)}{conditions}"
        )

    def contacts(self) -> str:
        """Contacts with their company, primary email, phone and city."""
        plan, sql = self.plan, self.sql
        draw = Draws("contacts", plan.seed)
        prefix, series = sql.series(plan.contacts)
        in_order = "CASE WHEN p.family_first = 1 THEN f.{0} || p.joiner || g.{0} "
        in_order += "ELSE g.{0} || p.joiner || f.{0} END"
        # Names written without a space run together into one word where
        # they meet, as the search words of the display name do.
        joined = (
            "CASE WHEN p.joiner <> '' THEN '' WHEN p.family_first = 1 THEN "
            "f.head || f.last_word || g.first_word || ' ' || g.tail "
            "ELSE g.head || g.last_word || f.first_word || ' ' || f.tail END"
        )
        local = (
            "CASE WHEN g.dotted = '' AND f.dotted = '' THEN 'contact' "
            "WHEN g.dotted = '' THEN f.dotted WHEN f.dotted = '' THEN g.dotted "
            "ELSE g.dotted || '.' || f.dotted END"
        )
        # The address's words: all of its ASCII name words but the last,
        # which is written with the contact's id.
        local_words = (
            "CASE WHEN f.dotted <> '' THEN g.extra_all || f.extra_init || f.local_last "
            "WHEN g.dotted <> '' THEN g.extra_init || g.local_last "
            "ELSE 'contact' END || CAST(h.id AS TEXT) || ' '"
        )
        domain_words = case("h.id % 3", [d.replace(".", " ") + " " for d in DOMAINS])
        created = f"{plan.now} - {draw.pick(4, RECORD_DAYS * _DAY)}"
        updated = (
            f"CASE WHEN {draw.chance(9, 0.6)} THEN "
            f"created + {draw.pick(10, f'({plan.now} - created + 1)')} "
            "ELSE created END"
        )
        return (
            f"{prefix}INSERT INTO contacts (id, company_id, display_name, "
            "sort_name, given_name, family_name, organization, sort_company, "
            "job_title, lead_source, primary_email, primary_phone, city, "
            "owner_id, is_shared, created_at, updated_at, version, search_doc) "
            "SELECT made.id, company_id, display_name, sort_name, given_name, "
            "family_name, c.name, c.sort, job_title, lead_source, local || "
            f"CAST(made.id AS TEXT) || '@' || {case('made.id % 3', DOMAINS)}, "
            f"e164, city, owner_id, is_shared, {sql.stamp('created')}, "
            f"{sql.stamp(updated)}, 1, rtrim(search_doc || c.words) FROM ("
            f"SELECT h.id, h.x, h.xx, {plan.company_of('h.id')} AS company_id, "
            f"{in_order.format('text')} AS display_name, "
            f"{in_order.format('sort')} AS sort_name, "
            "g.text AS given_name, f.text AS family_name, "
            f"{case(draw.pick(5, len(JOB_TITLES)), JOB_TITLES)} AS job_title, "
            f"{case('h.id % ' + str(len(LEAD_SOURCES)), LEAD_SOURCES)} "
            f"AS lead_source, {local} AS local, ph.e164, "
            f"CASE WHEN {draw.chance(6, ADDRESS_SHARE)} THEN ci.name ELSE '' END "
            f"AS city, {self._owner(draw.value(7))} AS owner_id, "
            f"{draw.chance(8, 0.2)} AS is_shared, {created} AS created, "
            f"{joined} || g.words || f.words || {local_words} || {domain_words} "
            f"|| ph.tokens || ' ' AS search_doc "
            f"{self._people(draw, series, 'names', 'phones', 'cities')}"
            f"{self.fence}) AS made CROSS JOIN demo_company_names AS c "
            "WHERE c.id = made.company_id"
        )

    def emails(self) -> str:
        """Each contact's one email, the primary one."""
        return (
            "INSERT INTO contact_emails (id, contact_id, value, email_key, label, "
            "is_primary, position) SELECT id, id, primary_email, primary_email, "
            "'work', TRUE, 0 FROM contacts"
        )

    def phones(self) -> str:
        """Each contact's one phone, the primary one, as typed and in E.164."""
        draw = Draws("contacts", self.plan.seed)
        prefix, series = self.sql.series(self.plan.contacts)
        return (
            f"{prefix}INSERT INTO contact_phones (id, contact_id, raw, e164, "
            "label, is_primary, position) "
            f"SELECT h.id, h.id, ph.raw, ph.e164, ph.label, TRUE, 0 "
            f"{self._people(draw, series, 'phones')}"
        )

    def addresses(self) -> str:
        """An address for most contacts, in the city the contact shows."""
        draw = Draws("contacts", self.plan.seed)
        prefix, series = self.sql.series(self.plan.contacts)
        return (
            f"{prefix}INSERT INTO contact_addresses (id, contact_id, label, "
            "street, city, region, postcode, country, position) "
            f"SELECT h.id, h.id, CASE WHEN {draw.chance(12, 0.7)} THEN 'work' "
            "ELSE 'home' END, st.street, ci.name, '', st.postcode, "
            f"p.country_name, 0 {self._people(draw, series, 'cities', 'streets')} "
            f"AND {draw.chance(6, ADDRESS_SHARE)}"
        )

    def deals(self) -> str:
        """Deals of a contact and its company, across the stages."""
        plan, sql = self.plan, self.sql
        draw = Draws("deals", plan.seed)
        prefix, series = sql.series(plan.deals)
        now, day = plan.now, _DAY
        # Won or lost within four months of opening, and never after now.
        window = f"CASE WHEN {now} - created < {120 * day} THEN {now} - created "
        window += f"ELSE {120 * day} END + 1"
        # An open deal's close is mostly ahead, as a salesperson keeps it
        # current; about one in eight has slipped past it.
        ahead = f"({draw.pick(2, DEAL_CLOSE_DAYS)} - {DEAL_CLOSE_DAYS // 8}) * {day}"
        expected = (
            "CASE WHEN closed IS NOT NULL THEN closed "
            f"WHEN created + {7 * day} > {now} + ahead THEN created + {7 * day} "
            f"ELSE {now} + ahead END"
        )
        updated = (
            f"COALESCE(closed, created + {draw.pick(6, f'({now} - created + 1)')})"
        )
        opened = (
            f"SELECT h.id, h.x, h.xx, {draw.pick(0, plan.contacts)} + 1 AS contact_id, "
            f"{now} - {draw.pick(1, 540 * day)} AS created, {ahead} AS ahead "
            f"FROM ({draw.source(series, self.fence)}) AS h{self.fence}"
        )
        staged = (
            f"SELECT d.*, {plan.company_of('d.contact_id')} AS company_id, "
            "st.id AS stage_id, CASE WHEN st.is_open = 1 THEN NULL "
            f"ELSE created + {draw.pick(4, f'({window})')} END AS closed "
            f"FROM ({opened}) AS d CROSS JOIN demo_stages AS st "
            f"WHERE st.n = {draw.pick(3, plan.stages)}{self.fence}"
        )
        return (
            f"{prefix}INSERT INTO deals (id, title, sort_title, company_id, "
            "sort_company, contact_id, stage_id, amount, currency, "
            "expected_close, closed_at, lead_source, owner_id, is_shared, "
            "created_at, updated_at, version, search_doc) "
            "SELECT m.id, w.text || ' – ' || c.name, w.sort || ' – ' || c.sort, "
            "company_id, c.sort, contact_id, stage_id, "
            f"{draw.pick(7, 25_000)} * 10 + 500, 'EUR', {sql.date(expected)}, "
            f"{sql.stamp('closed')}, "
            f"{case(draw.pick(8, len(LEAD_SOURCES)), LEAD_SOURCES)}, "
            f"{self._owner(draw.value(9))}, {draw.chance(10, 0.2)}, "
            f"{sql.stamp('created')}, "
            f"{sql.stamp(updated)}, "
            "1, rtrim(w.words || c.words) "
            f"FROM ({staged}) AS m CROSS JOIN demo_deal_words AS w "
            "CROSS JOIN demo_company_names AS c "
            f"WHERE w.n = {draw.pick(5, plan.deal_words)} AND c.id = m.company_id"
        )

    def activities(self) -> str:
        """Months of calls, meetings, tasks, notes and emails; some planned."""
        plan, sql = self.plan, self.sql
        draw = Draws("activities", plan.seed)
        prefix, series = sql.series(plan.activities)
        now, day = plan.now, _DAY
        today = now - now % day
        # Due times fall on the quarter hour within office hours (08:00 to
        # 18:00 UTC), as people book them.
        days = ACTIVITY_PAST_DAYS + ACTIVITY_FUTURE_DAYS
        due = (
            f"{today} + ({draw.pick(1, days)} - {ACTIVITY_PAST_DAYS}) * {day} "
            f"+ {8 * 3600} + {draw.pick(2, 40)} * 900"
        )
        code = (
            f"CASE WHEN m.due > {now} THEN {draw.pick(3, plan.future_kinds)} "
            f"ELSE {plan.future_kinds} + {draw.pick(3, plan.past_kinds)} END"
        )
        # Notes and emails are logged when they happen; other past ones
        # were booked up to two weeks before and are mostly done.
        created = (
            f"CASE WHEN due > {now} THEN {now} - {draw.pick(5, 21 * day)} "
            "WHEN a.logged = 1 THEN due "
            f"ELSE due - {draw.pick(5, 14 * day)} END"
        )
        done = (
            f"CASE WHEN due > {now} THEN NULL "
            f"WHEN a.logged = 1 OR {draw.chance(6, 0.85)} THEN due END"
        )
        made = (
            f"SELECT m.id, m.x, m.xx, m.due, {created} AS created, {done} AS done, "
            "a.kind, a.subject, a.sort, a.doc, "
            "CASE WHEN a.kind IN ('call', 'meeting') "
            f"THEN 15 * (1 + {draw.pick(7, 4)}) END AS duration, "
            f"{draw.pick(8, plan.contacts)} + 1 AS contact_id, "
            f"{self._owner(draw.value(9))} AS owner_id "
            f"FROM (SELECT h.id, h.x, h.xx, {due} AS due "
            f"FROM ({draw.source(series, self.fence)}) AS h{self.fence}) AS m "
            f"CROSS JOIN demo_activity_pool AS a WHERE a.code = {code} "
            f"AND a.n = {draw.pick(4, SUBJECT_SLOTS)}{self.fence}"
        )
        return (
            f"{prefix}INSERT INTO activities (id, kind, subject, sort_subject, "
            "due_at, done_at, duration_minutes, contact_id, company_id, owner_id, "
            "is_shared, created_at, updated_at, version, search_doc) "
            f"SELECT id, kind, subject, sort, {sql.stamp('due')}, "
            f"{sql.stamp('done')}, duration, contact_id, "
            f"{plan.company_of('contact_id')}, owner_id, FALSE, "
            f"{sql.stamp('created')}, {sql.stamp('COALESCE(done, created)')}, 1, doc "
            f"FROM ({made}) AS made"
        )
