"""Benchmarks at scale: demo generation and the contacts list, beside raw SQL.

Builds a demo database of the size asked for with the program's own
generator, then times what the contacts list asks of the services (first
page, keyset pages deep down, name searches, counts) and the very SQL those
calls send, captured as they run, replayed straight through sqlite3 or
psycopg on the same database. The ratio of the two is what the product adds
to the query. docs/benchmarks.md holds the figures and how to read them.

    uv run python bench/run.py --contacts 1000000 --backend both
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import event
from sqlalchemy.engine import make_url

from crm_desktop.db.database import Database, open_database
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import demo, listing, lists, users
from crm_desktop.services.errors import AuthenticationError
from crm_desktop.ui.models.record_pages import PAGE_SIZE

logger = logging.getLogger(__name__)

DEFAULT_CONTACTS = 1_000_000
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
# Unmeasured runs before the measured ones: caches, prepared statements.
WARMUP = 3
# OFFSET deep in the list takes up to a second a run on PostgreSQL; a few
# runs show the point without making the whole bench wait.
OFFSET_REPEAT = 5
# Name searches as people type them: a short prefix many names share, and
# most of one family name. Both occur in the demo data at every size.
SEARCHES = (("search", "mar"), ("search_name", "schmidt"))
# Upper bounds in milliseconds through the service, at 1,000,000 contacts.
TARGET_MS = {
    "first_page": 10.0,
    "keyset_middle": 10.0,
    "keyset_end": 10.0,
    "search": 50.0,
    "search_name": 50.0,
}
TARGET_CONTACTS_PER_S = 50_000.0

RawQuery = Callable[[str, Any], list[Any]]
Prepared = AbstractContextManager[tuple["Database", list["Measurement"]]]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One figure: the product's median time and the same SQL's, raw."""

    name: str
    backend: str
    rows: int
    product_ms: float
    raw_ms: float | None

    @property
    def ratio(self) -> float | None:
        if self.raw_ms is None or self.raw_ms <= 0:
            return None
        return self.product_ms / self.raw_ms

    def as_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "name": self.name,
            "backend": self.backend,
            "rows": self.rows,
            "product_ms": round(self.product_ms, 3),
            "raw_ms": None if self.raw_ms is None else round(self.raw_ms, 3),
            "ratio": None if ratio is None else round(ratio, 2),
        }

    def target(self) -> tuple[str, bool | None]:
        """Return the target as text and whether it is met (None: no target)."""
        if self.name == "generate_contacts":
            rate = self.rows / self.product_ms * 1000
            return f">= {TARGET_CONTACTS_PER_S:,.0f}/s", rate >= TARGET_CONTACTS_PER_S
        limit = TARGET_MS.get(self.name)
        if limit is None:
            return "", None
        return f"< {limit:g} ms", self.product_ms < limit


def _medians_ms(
    calls: Sequence[Callable[[], int]], repeat: int, warmup: int = WARMUP
) -> list[tuple[float, int]]:
    """Time each call `repeat` times after `warmup` unmeasured rounds.

    The calls take turns within each round, so a burst of load on the
    machine falls on all of them alike. Returns each call's median time in
    milliseconds and its last result.
    """
    results = [0] * len(calls)
    times: list[list[float]] = [[] for _ in calls]
    for round_ in range(warmup + repeat):
        for index, call in enumerate(calls):
            started = time.perf_counter()
            results[index] = call()
            if round_ >= warmup:
                times[index].append((time.perf_counter() - started) * 1000)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def capture_selects(
    database: Database, call: Callable[[], int]
) -> list[tuple[str, Any]]:
    """Run a service call once; return the SELECTs it sent, with parameters.

    Raises:
        RuntimeError: the call sent no SELECT.
    """
    sent: list[tuple[str, Any]] = []

    def listen(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", listen)
    if not sent:
        raise RuntimeError("the service call sent no SELECT")
    return sent


@contextmanager
def raw_connection(database: Database) -> Iterator[RawQuery]:
    """Yield a function that runs SQL text on a plain driver connection."""
    if database.backend == "sqlite":
        connection = sqlite3.connect(database.url.database or "")
        try:
            yield lambda statement, parameters: connection.execute(
                statement, parameters
            ).fetchall()
        finally:
            connection.close()
        return
    conninfo = _conninfo(database.url.render_as_string(hide_password=False))
    # NOTE: no prepared statements, as in the product: psycopg forgets them
    # on every ROLLBACK, which ends each of its sessions. A prepared one
    # soon gets a generic plan, blind to the search term, that can be far
    # slower than the plan the product gets.
    with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as pg:

        def run(statement: str, parameters: Any) -> list[Any]:
            with pg.cursor() as cursor:
                cursor.execute(statement, parameters)
                return cursor.fetchall()

        yield run


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(False)


class ContactsBench:
    """Times the contacts list through the services and raw, on one database."""

    def __init__(
        self, database: Database, user: CurrentUser, raw: RawQuery, repeat: int
    ) -> None:
        self.database = database
        self.user = user
        self.raw = raw
        self.repeat = repeat

    def run(self) -> Iterator[Measurement]:
        """Measure every query of the list, in the order the docs show them."""
        by_name = listing.ListRequest(sort="name")
        total = self._count(by_name)
        yield self.count("count", by_name)
        yield self.page("first_page", by_name)
        middle = total // 2
        end = max(0, total - PAGE_SIZE - 1)
        yield self.page("keyset_middle", by_name, after=self._key_at(middle))
        yield self.page("keyset_end", by_name, after=self._key_at(end))
        yield self.page("offset_middle", by_name, repeat=OFFSET_REPEAT, offset=middle)
        for name, term in SEARCHES:
            found = self.page(name, listing.ListRequest(sort="name", search=term))
            if not found.rows:
                logger.warning("the search %r finds nothing in this database", term)
            yield found
        broad = listing.ListRequest(sort="name", search=SEARCHES[0][1])
        yield self.count("search_count", broad)

    def page(
        self,
        name: str,
        request: listing.ListRequest,
        *,
        repeat: int | None = None,
        **where: Any,
    ) -> Measurement:
        """Time one page as the list model asks for it: a session per page."""

        def call() -> int:
            with self.database.session() as session:
                page = listing.fetch_page(
                    session,
                    self.user,
                    lists.CONTACTS,
                    request,
                    limit=PAGE_SIZE,
                    **where,
                )
            return len(page)

        return self._measure(name, call, len, repeat or self.repeat)

    def count(self, name: str, request: listing.ListRequest) -> Measurement:
        """Time the count the list shows above its rows on every refresh."""

        def read_count(rows: list[Any]) -> int:
            return int(rows[0][0])

        return self._measure(name, lambda: self._count(request), read_count)

    def _measure(
        self,
        name: str,
        call: Callable[[], int],
        raw_result: Callable[[list[Any]], int],
        repeat: int | None = None,
    ) -> Measurement:
        repeat = repeat or self.repeat
        warmup = min(WARMUP, repeat)
        statements = capture_selects(self.database, call)

        def replay() -> int:
            # Every SELECT the call sent, in order; the last one's rows count.
            rows: list[Any] = []
            for statement, parameters in statements:
                rows = self.raw(statement, parameters)
            return raw_result(rows)

        timed = _medians_ms((call, replay), repeat, warmup)
        (product_ms, rows), (raw_ms, raw_rows) = timed
        if raw_rows != rows:
            raise RuntimeError(
                f"{name}: the service gave {rows} rows, the same SQL raw {raw_rows}"
            )
        logger.info("%s: %.2f ms, raw %.2f ms", name, product_ms, raw_ms)
        return Measurement(name, self.database.backend, rows, product_ms, raw_ms)

    def _count(self, request: listing.ListRequest) -> int:
        with self.database.session() as session:
            return listing.count(session, self.user, lists.CONTACTS, request)

    def _key_at(self, position: int) -> listing.SortKey:
        request = listing.ListRequest(sort="name")
        with self.database.session() as session:
            rows = listing.fetch_page(
                session, self.user, lists.CONTACTS, request, offset=position, limit=1
            )
        if not rows:
            raise RuntimeError(f"the list has no row at position {position}")
        return rows[0].key


def generate(database: Database, contacts: int) -> list[Measurement]:
    """Fill an empty database with demo data; return the generation figures."""
    logger.info("generating %s contacts on %s", f"{contacts:,}", database.backend)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done:,} of {total:,} contacts", end="", file=sys.stderr)

    summary = demo.DemoGenerator(database).generate(contacts, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed_ms = summary.seconds * 1000
    backend = database.backend
    return [
        Measurement("generate", backend, summary.rows, elapsed_ms, None),
        Measurement("generate_contacts", backend, summary.contacts, elapsed_ms, None),
    ]


def _contact_count(database: Database) -> int:
    with database.engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT count(*) FROM contacts").scalar()
    return int(found or 0)


def _filled(database: Database, contacts: int) -> list[Measurement]:
    """Generate unless the database already holds contacts (a kept one)."""
    present = _contact_count(database)
    if not present:
        return generate(database, contacts)
    logger.info("reusing %s with %s contacts", database.description, f"{present:,}")
    if present != contacts:
        logger.warning("it holds %s contacts, not %s", f"{present:,}", f"{contacts:,}")
    return []


@contextmanager
def sqlite_database(
    contacts: int, keep: Path | None
) -> Iterator[tuple[Database, list[Measurement]]]:
    """Yield a filled SQLite database: in `keep`, else in a temporary folder."""
    folders: AbstractContextManager[str]
    if keep is None:
        folders = tempfile.TemporaryDirectory(prefix="crm-bench-")
    else:
        keep.mkdir(parents=True, exist_ok=True)
        folders = nullcontext(str(keep))
    with folders as folder:
        path = Path(folder) / f"crm-bench-{contacts}.db"
        database = open_database(f"sqlite:///{path}")
        try:
            yield database, _filled(database, contacts)
        finally:
            database.dispose()


@contextmanager
def postgres_database(
    server: str, contacts: int, keep: bool
) -> Iterator[tuple[Database, list[Measurement]]]:
    """Yield a filled PostgreSQL database, created for the run and dropped after.

    With `keep`, the database is named after the size and kept for next time.
    """
    name = f"crm_bench_keep_{contacts}" if keep else f"crm_bench_{os.getpid()}"
    maintenance = _conninfo(server)
    identifier = sql.Identifier(name)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    database = open_database(make_url(server).set(database=name))
    try:
        generated = _filled(database, contacts)
        if generated:
            _vacuum(database)
        yield database, generated
    finally:
        database.dispose()
        if not keep:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                connection.execute(drop.format(identifier))


def _vacuum(database: Database) -> None:
    # Autovacuum visits freshly loaded tables within minutes; doing it now
    # keeps it from running in the middle of the measurements.
    started = time.perf_counter()
    conninfo = _conninfo(database.url.render_as_string(hide_password=False))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM")
    logger.info("vacuumed in %.1f s", time.perf_counter() - started)


@contextmanager
def existing_database(url: str) -> Iterator[tuple[Database, list[Measurement]]]:
    """Yield a database named on the command line, as it is."""
    database = open_database(url, create=False)
    try:
        yield database, []
    finally:
        database.dispose()


def login(database: Database) -> CurrentUser:
    """Log in as the demo administrator, as the program does.

    Raises:
        SystemExit: the database has no demo administrator.
    """
    try:
        with database.session() as session:
            return users.authenticate(session, demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    except AuthenticationError as exc:
        raise SystemExit(
            f"bench: cannot log in as the demo administrator ({exc}); "
            "--database must name a database filled by 'crm-desktop demo'."
        ) from exc


def measure(
    prepared: Prepared, repeat: int, emit: Callable[[Measurement], None]
) -> list[Measurement]:
    """Measure one prepared database; pass each figure to `emit` as it comes."""
    results: list[Measurement] = []
    with prepared as (database, generated):
        user = login(database)
        with raw_connection(database) as raw:
            figures = ContactsBench(database, user, raw, repeat).run()
            for measurement in (*generated, *figures):
                emit(measurement)
                results.append(measurement)
    return results


def _format_table(results: Sequence[Measurement]) -> str:
    header = (
        f"{'backend':<11}{'measurement':<19}{'rows':>11}{'product ms':>13}"
        f"{'raw ms':>11}{'ratio':>7}  {'target':<16}{'met':<4}{'per s':>10}"
    )
    lines = [header, "-" * len(header)]
    for m in results:
        raw = "" if m.raw_ms is None else f"{m.raw_ms:,.2f}"
        ratio = "" if m.ratio is None else f"{m.ratio:.2f}"
        target, met = m.target()
        verdict = "" if met is None else ("yes" if met else "NO")
        rate = ""
        if m.name.startswith("generate"):
            rate = f"{m.rows / m.product_ms * 1000:,.0f}"
        lines.append(
            f"{m.backend:<11}{m.name:<19}{m.rows:>11,}{m.product_ms:>13,.2f}"
            f"{raw:>11}{ratio:>7}  {target:<16}{verdict:<4}{rate:>10}"
        )
    return "\n".join(lines)


def add_database_arguments(
    parser: argparse.ArgumentParser, *, postgres_help: str, keep_help: str
) -> None:
    """Add the options that say which demo databases a bench runs on.

    prepared_databases() reads them back.
    """
    parser.add_argument(
        "--contacts",
        type=int,
        default=DEFAULT_CONTACTS,
        metavar="N",
        help=f"demo size in contacts (default {DEFAULT_CONTACTS:,})",
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument(
        "--postgres-url", default=DEFAULT_POSTGRES, metavar="URL", help=postgres_help
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help=keep_help)
    parser.add_argument(
        "--database",
        metavar="URL",
        help="measure this filled demo database instead; nothing is generated",
    )


def prepared_databases(args: argparse.Namespace) -> list[Prepared]:
    """Return the databases the options of add_database_arguments() ask for."""
    if args.database:
        return [existing_database(args.database)]
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    return [
        sqlite_database(args.contacts, args.keep)
        if backend == "sqlite"
        else postgres_database(args.postgres_url, args.contacts, args.keep is not None)
        for backend in backends
    ]


def build_parser() -> argparse.ArgumentParser:
    """Return the command line of the bench."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Build a demo database and time the contacts list through "
        "the services, each beside the same SQL run raw.",
    )
    add_database_arguments(
        parser,
        postgres_help="server and maintenance database; the bench creates and drops "
        f"crm_bench_<pid> there (default {DEFAULT_POSTGRES})",
        keep_help="keep the databases (SQLite file in DIR, PostgreSQL "
        "crm_bench_keep_<N>) and reuse them on the next run",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=30,
        metavar="N",
        help="timed runs per figure, after warm-up; medians are shown (default 30)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per figure"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench; return the process exit code."""
    args = build_parser().parse_args(argv)
    if args.contacts < PAGE_SIZE * 2 or args.repeat < 1:
        raise SystemExit("bench: --contacts must be at least 400, --repeat 1 or more.")
    logging.basicConfig(level=logging.INFO, format="bench: %(message)s")
    for noisy in ("crm_desktop", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    def emit(measurement: Measurement) -> None:
        if args.json:
            print(json.dumps(measurement.as_json()), flush=True)

    results: list[Measurement] = []
    for prepared in prepared_databases(args):
        results += measure(prepared, args.repeat, emit)
    if not args.json:
        print(_format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
