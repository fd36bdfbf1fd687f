"""Benchmarks of list filters, sorts and bulk actions on a filled demo database.

Times, through the services, what the list's filter bar and bulk actions ask
of the database: a count and a first page per filter and per sort (of
contacts, deals and activities), the last page of a sort (read backwards
from the end), then bulk actions over a whole filtered list, each in one
transaction that is rolled back, so the database is left as it was (except
for migrations run on opening it).

    uv run python bench/list_filters.py --database sqlite:///demo.db
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from crm_desktop.db.database import Database, open_database
from crm_desktop.db.models import Contact, Tag, User
from crm_desktop.security.roles import CurrentUser
from crm_desktop.services import bulk_edits, listing, lists, pipeline, users
from crm_desktop.services.bulk_edits import Selection
from crm_desktop.services.listing import ListRequest
from crm_desktop.ui.models.record_pages import PAGE_SIZE

SPEC = lists.CONTACTS


def _median_ms(run: Callable[[], Any], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _once_ms(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000, result


def _admin(database: Database) -> CurrentUser:
    with database.session() as session:
        name = session.scalar(
            select(User.username).where(User.role == "admin").limit(1)
        )
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        return users.current_user(user)


def _requests(database: Database) -> dict[str, ListRequest]:
    with database.session() as session:
        owner = pipeline.owners(session)[0].id
        tag = session.scalar(select(Tag.id).order_by(Tag.id).limit(1))
    requests = {
        "no filter": ListRequest(sort="name"),
        "owner": ListRequest(sort="name", owner_id=owner),
        "created last 30 days": ListRequest(sort="name", period="last30"),
        "created this year": ListRequest(sort="name", period="year"),
        "open deals": ListRequest(sort="name", statuses=("deals:open",)),
        "owner + this year": ListRequest(sort="name", owner_id=owner, period="year"),
    }
    if tag is not None:
        requests["tag"] = ListRequest(sort="name", tag_id=tag)
    return requests


def _print(label: str, ms: float, extra: str = "") -> None:
    print(f"  {label:<34} {ms:9.1f} ms  {extra}")


def measure_filters(database: Database, user: CurrentUser, repeat: int) -> None:
    print("Filters (count, first page), median of", repeat)
    for label, request in _requests(database).items():
        with database.session() as session:
            total = listing.count(session, user, SPEC, request)
            count_ms = _median_ms(
                lambda r=request: listing.count(session, user, SPEC, r), repeat
            )
            page_ms = _median_ms(
                lambda r=request: listing.fetch_page(
                    session, user, SPEC, r, limit=PAGE_SIZE
                ),
                repeat,
            )
        _print(f"{label}: count", count_ms, f"{total:,} rows")
        _print(f"{label}: first page", page_ms)


def measure_sorts(database: Database, user: CurrentUser, repeat: int) -> None:
    print("Sorts (first page, last page), median of", repeat)
    with database.session() as session:
        for spec in (SPEC, lists.DEALS, lists.ACTIVITIES):
            for key in spec.sortable:
                request = ListRequest(sort=key)
                first = _median_ms(
                    lambda s=spec, r=request: listing.fetch_page(
                        session, user, s, r, limit=PAGE_SIZE
                    ),
                    repeat,
                )
                last = _median_ms(
                    lambda s=spec, r=request: listing.fetch_page(
                        session, user, s, r, from_end=True, limit=PAGE_SIZE
                    ),
                    repeat,
                )
                label = f"{spec.name} by {key}"
                _print(label, first, f"last page {last:.1f} ms")


def measure_bulk(database: Database, user: CurrentUser) -> None:
    print("Bulk actions over a whole filtered list, once each, rolled back")
    with database.session() as session:
        owner = pipeline.owners(session)[-1].id
        live = select(func.count()).where(Contact.deleted_at.is_(None))
        assert session.scalar(live)
    cases: list[tuple[str, ListRequest, Callable[..., int]]] = [
        (
            "add tag, created this year",
            ListRequest(sort="name", period="year"),
            lambda s, sel: bulk_edits.add_tag(s, user, sel, "bench"),
        ),
        (
            "assign owner, created last 30 days",
            ListRequest(sort="name", period="last30"),
            lambda s, sel: bulk_edits.assign_owner(s, user, sel, owner),
        ),
        (
            "trash, created last 30 days",
            ListRequest(sort="name", period="last30"),
            lambda s, sel: bulk_edits.move_to_trash(s, user, sel),
        ),
    ]
    for label, request, action in cases:
        with database.session() as session:
            size = bulk_edits.selection_size(session, user, SPEC, request)
            selection = Selection(SPEC, request=request, expected=size)
            ms, changed = _once_ms(lambda a=action, sel=selection: a(session, sel))
            session.rollback()
        _print(label, ms, f"{changed:,} records, one audit entry each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a filled demo database")
    parser.add_argument("--repeat", type=int, default=10, metavar="N")
    parser.add_argument("--skip-bulk", action="store_true")
    args = parser.parse_args()
    opened_ms, database = _once_ms(lambda: open_database(args.database))
    print(f"Opened (and migrated) {database.description} in {opened_ms:,.0f} ms")
    try:
        user = _admin(database)
        measure_filters(database, user, args.repeat)
        measure_sorts(database, user, args.repeat)
        if not args.skip_bulk:
            measure_bulk(database, user)
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
