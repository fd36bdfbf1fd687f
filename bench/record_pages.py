"""Time the record pages' one-call reads over the busiest records of a database.

    uv run python bench/record_pages.py --database URL [--samples 20]

The database is a demo one (`crm-desktop demo --contacts N`); the pages are
read as its user `demo` (an administrator, who sees every row) for the
contacts with the most activities, the companies with the most people and
the first deals. Each record is read once to warm the caches, then timed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crm_desktop.db.database import open_database
from crm_desktop.db.models import Activity, Contact, Deal, User
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import record_pages, users

Read = Callable[..., Any]
READERS: dict[str, Read] = {
    "contact": record_pages.contact_page,
    "company": record_pages.company_page,
    "deal": record_pages.deal_page,
}


def _busiest(
    session: Session, column: InstrumentedAttribute[Any], count: int
) -> list[int]:
    query = (
        select(column)
        .where(column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(count)
    )
    return list(session.scalars(query))


def _time(database: Any, user: CurrentUser, read: Read, ids: list[int]) -> list[float]:
    for record_id in ids:
        with database.session() as session:
            read(session, user, record_id)
    times = []
    for record_id in ids:
        with database.session() as session:
            started = time.perf_counter()
            read(session, user, record_id)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--samples", type=int, default=20, metavar="N")
    args = parser.parse_args()
    database = open_database(args.database)
    with database.session() as session:
        row = session.scalar(select(User).where(User.username == "demo"))
        if row is None:
            parser.error("no user 'demo': fill the database with crm-desktop demo")
        user = users.current_user(row)
        picks = {
            "contact": _busiest(session, Activity.contact_id, args.samples),
            "company": _busiest(session, Contact.company_id, args.samples),
            "deal": list(
                session.scalars(select(Deal.id).order_by(Deal.id).limit(args.samples))
            ),
        }
    print(f"{database.description}: {args.samples} records a kind")
    for kind, ids in picks.items():
        times = _time(database, user, READERS[kind], ids)
        median, worst = statistics.median(times), max(times)
        print(f"{kind:8} median {median:6.1f} ms   max {worst:6.1f} ms")
    database.dispose()


if __name__ == "__main__":
    main()
